"""Time series of the outcomes as inline SVG (every frame) and as PNG (matplotlib, on request).

Charts are grouped as OUTCOMES groups them (trust, culture, innovation, customers, organization);
each line's legend is the outcome's meaning from `simorg.outcomes.OUTCOMES`, so the words on the
screen are the words in the CLI and the ODD. Interventions are marked where they took effect, half a
step before the step they precede. Lines are Okabe-Ito colours with a dash pattern each.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

from simorg.app import palette
from simorg.outcomes import OUTCOMES


@dataclass(frozen=True)
class ChartSpec:
    key: str
    title: str
    group: str  # heading the chart sits under
    series: tuple[str, ...]  # outcome names
    ylim: tuple[float, float] | None  # fixed axis, or None for 0 .. nice max of the data
    unit: str = ""


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("trust", "Trust", "Trust", ("peer_trust", "leadership_trust", "customer_trust"), (0.0, 1.0)),
    ChartSpec("turnover", "People leaving", "Trust", ("turnover",), None, "people per step"),
    ChartSpec("culture", "Culture", "Culture", ("practice", "adoption", "cross_silo_share"), (0.0, 1.0)),
    ChartSpec("friction", "Friction of change", "Culture", ("friction",), None),
    ChartSpec("knowledge", "Knowledge", "Innovation",
              ("code_knowledge", "individual_knowledge", "belief_diversity"), (-0.2, 1.0)),
    ChartSpec("innovations", "Innovations and insights", "Innovation", ("innovations", "insights"), None,
              "cumulative count"),
    ChartSpec("requests", "Customer requests", "Customers",
              ("requests_resolved", "requests_failed"), None, "cumulative count"),
    ChartSpec("per_step", "Open requests and sales", "Customers", ("open_requests", "revenue"), None,
              "per step"),
)  # fmt: skip

SHORT = {
    "announce_vision": "vision",
    "walk_the_talk": "walk the talk",
    "open_silos": "open silos",
    "enable_platform": "platform",
    "social_media_team": "media team",
    "empower_everyone": "empower",
    "project_teams": "project teams",
    "set": "set",
}

W, H = 520, 250
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 14, 38


def nice_ceiling(x: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above x (x > 0)."""
    if x <= 0 or not math.isfinite(x):
        return 1.0
    e = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * e >= x - 1e-12:
            return m * e
    return 10 * e


def ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    step = nice_ceiling((hi - lo) / target) if hi > lo else 1.0
    first = math.ceil(lo / step - 1e-9) * step
    out = []
    v = first
    while v <= hi + 1e-9 * max(1.0, abs(hi)):
        out.append(round(v, 10))
        v += step
    return out


def y_range(spec: ChartSpec, histories: Sequence[dict[str, np.ndarray]]) -> tuple[float, float]:
    """The y axis of a chart: fixed, or 0 .. a nice ceiling over every run shown (so runs compare)."""
    if spec.ylim is not None:
        lo, hi = spec.ylim
        data = [h[k] for h in histories for k in spec.series if len(h.get(k, ()))]
        if data:
            lo = min(lo, float(min(np.min(d) for d in data)))
            hi = max(hi, float(max(np.max(d) for d in data)))
        return lo, hi
    top = 0.0
    for h in histories:
        for k in spec.series:
            if len(h.get(k, ())):
                top = max(top, float(np.max(h[k])))
    return 0.0, nice_top(top)


def nice_top(top: float, target: int = 4) -> float:
    """An axis maximum at a tick mark, a little above `top` (1 when there is nothing to show)."""
    if top <= 0 or not math.isfinite(top):
        return 1.0
    step = nice_ceiling(top / target)
    return math.ceil(top * 1.02 / step) * step


def x_extent(planned: int, steps_done: int) -> int:
    """The x axis runs to the scenario's planned steps, and grows in nice chunks past them."""
    if steps_done <= planned:
        return max(planned, 1)
    return int(nice_ceiling(steps_done * 1.25) if steps_done > 10 else 10)


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 10000:
        return f"{v / 1000:g}k"
    return f"{v:g}"


def _decimate(y: np.ndarray, limit: int = 600) -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(len(y))
    if len(y) <= limit:
        return x, y
    idx = np.unique(np.linspace(0, len(y) - 1, limit).astype(np.int64))
    return x[idx], y[idx]


def chart_svg(
    spec: ChartSpec,
    history: dict[str, np.ndarray],
    applied: Sequence[tuple[int, str]] = (),
    xmax: int = 200,
    yrange: tuple[float, float] | None = None,
    subtitle: str = "",
    font: float = 1.0,
) -> str:
    """One chart as an <svg>: its series, axes, and a dashed line where each intervention took effect."""
    return overlay_svg(spec, [(history, applied)], xmax, yrange, subtitle, font)


#: Run styles when several runs share a chart: A solid and full, B dashed (its own dash).
RUN_DASHES = ("", "9 5")


def overlay_svg(
    spec: ChartSpec,
    runs: Sequence[tuple[dict[str, np.ndarray], Sequence[tuple[int, str]]]],
    xmax: int = 200,
    yrange: tuple[float, float] | None = None,
    subtitle: str = "",
    font: float = 1.0,
) -> str:
    """Runs overlaid on one chart's axes. One run: each series its colour and dash. Several (the
    compare view): a series keeps its colour, run A is solid, run B dashed, and the gap between A
    and B on the first series is shaded, so the difference is seen, not looked for."""
    lo, hi = yrange if yrange is not None else y_range(spec, [h for h, _ in runs])
    grow = 0.5 + 0.5 * max(font, 1.0)  # larger type needs wider margins
    left, bottom = LEFT * grow, BOTTOM * grow
    pw, ph = W - left - RIGHT, H - TOP - bottom
    several = len(runs) > 1

    def sx(x):
        return left + pw * np.asarray(x, dtype=float) / max(xmax, 1)

    def sy(y):
        return TOP + ph * (1 - (np.asarray(y, dtype=float) - lo) / ((hi - lo) or 1.0))

    f = font
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" class="simorg-chart" '
        f'data-chart="{spec.key}" role="img" aria-label="{escape(spec.title)}" '
        f'style="width:100%;height:auto;display:block" font-family="{palette.FONT}">'
    ]
    # grid and axes
    parts.append(f'<g font-size="{15 * f:g}" fill="{palette.MUTED}">')
    for t in ticks(lo, hi, 4):
        y = float(sy(t))
        parts.append(
            f'<line x1="{left:g}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{palette.GRID}"/>'
            f'<text x="{left - 6:g}" y="{y + 5 * f:.1f}" text-anchor="end">{_fmt(t)}</text>'
        )
    xt = ticks(0, xmax, 5)
    for t in xt:
        x = float(sx(t))
        anchor = (
            "end" if t == xt[-1] and x > W - RIGHT - 20 * f else "middle"
        )  # not cut at the edge
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{H - bottom:g}" y2="{H - bottom + 5:g}" stroke="{palette.MUTED}"/>'
            f'<text x="{x:.1f}" y="{H - bottom + 6 + 15 * f:.1f}" text-anchor="{anchor}">{_fmt(t)}</text>'
        )
    axis = f"step{escape(subtitle)}" if font <= 1 else ""  # large type: the title says "week"
    parts.append(
        f'<text x="{W - RIGHT}" y="{H - 2}" text-anchor="end" font-size="{14 * f:g}">{axis}</text>'
        f'<line x1="{left:g}" x2="{W - RIGHT}" y1="{H - bottom:g}" y2="{H - bottom:g}" stroke="{palette.MUTED}"/>'
        "</g>"
    )
    # interventions: a dashed line where each took effect; labels kept short and apart
    marks = sorted({m for _, applied in runs for m in applied})
    parts.extend(marker_svg(marks, sx, xmax, font=f, bottom=bottom))
    # the gap between A and B on the first series
    if several and spec.series:
        a, b = (np.asarray(h.get(spec.series[0], []), dtype=float) for h, _ in runs[:2])
        m = min(len(a), len(b))
        if m > 1:
            xs, ya = _decimate(a[:m])
            _, yb = _decimate(b[:m])
            px, pa, pb = sx(xs), sy(ya), sy(yb)
            pts = " ".join(
                f"{x:.1f},{y:.1f}" for x, y in zip(px.tolist(), pa.tolist(), strict=True)
            )
            back = " ".join(
                f"{x:.1f},{y:.1f}"
                for x, y in zip(px[::-1].tolist(), pb[::-1].tolist(), strict=True)
            )
            parts.append(
                f'<polygon points="{pts} {back}" fill="{palette.SERIES[0]}" fill-opacity="0.13" '
                f'stroke="none" class="simorg-gap"/>'
            )
    # series
    for r, (history, _) in enumerate(runs):
        for k, name in enumerate(spec.series):
            series = history.get(name)
            if series is None or len(series) == 0:
                continue
            xs, ys = _decimate(np.asarray(series, dtype=float))
            px, py = sx(xs), sy(ys)
            pts = " ".join(
                f"{a:.1f},{b:.1f}" for a, b in zip(px.tolist(), py.tolist(), strict=True)
            )
            colour = palette.SERIES[k % len(palette.SERIES)]
            dash = (
                RUN_DASHES[r % len(RUN_DASHES)]
                if several
                else palette.DASHES[k % len(palette.DASHES)]
            )
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            tag = f' data-run="{"AB"[r % 2]}"' if several else ""
            parts.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2.6"{dash_attr} '
                f'stroke-linejoin="round" data-series="{name}"{tag}/>'
            )
            if len(px) == 1:
                parts.append(f'<circle cx="{px[0]:.1f}" cy="{py[0]:.1f}" r="3" fill="{colour}"/>')
    parts.append("</svg>")
    return "".join(parts)


def marker_labels(applied: Sequence[tuple[int, str]]) -> list[tuple[int, str, bool]]:
    """(step, label, labelled) per intervention marker, one marker per step.

    Moves at the same step share one label ("vision + open silos"); a move rolled out one department
    at a time is labelled once, at its first stage, with the number of stages ("open silos ×6").
    """
    by_step: dict[int, list[str]] = {}
    for step, label in applied:
        short = SHORT.get(label.split(" ", 1)[0], label)
        if short not in by_step.setdefault(step, []):
            by_step[step].append(short)
    steps = sorted(by_step)
    texts = [" + ".join(by_step[s]) for s in steps]
    out: list[tuple[int, str, bool]] = []
    k = 0
    while k < len(steps):
        run = 1
        while k + run < len(steps) and texts[k + run] == texts[k]:
            run += 1
        names = by_step[steps[k]]
        text = texts[k] if len(texts[k]) <= MAX_LABEL else f"{names[0]} +{len(names) - 1} more"
        if run > 1:
            text += f" ×{run}"
        out.append((steps[k], text, True))
        out.extend((steps[k + j], "", False) for j in range(1, run))
        k += run
    return out


MAX_LABEL = 26  # characters that fit along the height of a chart


def marker_svg(
    applied: Sequence[tuple[int, str]], sx, xmax: float, font: float = 1.0, bottom: float = BOTTOM
) -> list[str]:
    """A dashed line half a step before each move, its label written downwards on the right of the
    line (clear of it) and cut to the height of the plot (clear of the axis)."""
    parts: list[str] = []
    last_label_x = -1e9
    size = 13 * font
    room = int((H - TOP - bottom - 8) / (0.58 * size))  # characters that fit above the x axis
    for step, text, labelled in marker_labels(applied):
        if step - 0.5 > xmax:
            continue
        x = float(sx(step - 0.5))
        opacity = 1.0 if labelled else 0.45
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{H - bottom:g}" stroke="#333" '
            f'stroke-width="1.2" stroke-dasharray="4 3" stroke-opacity="{opacity}"/>'
        )
        if labelled and x - last_label_x >= 1.3 * size:  # closer labels would overlap
            last_label_x = x
            if len(text) > room:
                text = text[: max(room - 1, 1)] + "…"
            # rotated a quarter turn, the text's top faces right: the baseline sits just right of
            # the line and the letters grow away from it
            parts.append(
                f'<text transform="translate({x + 3:.1f},{TOP + 4}) rotate(90)" paint-order="stroke" '
                f'stroke="#fff" stroke-width="3" font-size="{size:g}" '
                f'fill="{palette.TEXT}" class="simorg-marker">{escape(text)}</text>'
            )
    return parts


def legend_html(spec: ChartSpec) -> str:
    """Each line's sample and its meaning (from OUTCOMES)."""
    rows = []
    for k, name in enumerate(spec.series):
        colour = palette.SERIES[k % len(palette.SERIES)]
        dash = palette.DASHES[k % len(palette.DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        meaning = OUTCOMES[name][1]
        rows.append(
            f'<div class="simorg-legend-row"><svg width="34" height="12" style="flex:none;margin-top:5px">'
            f'<line x1="1" y1="6" x2="33" y2="6" stroke="{colour}" stroke-width="3"{dash_attr}/></svg>'
            f"<span><b>{escape(name.replace('_', ' '))}</b>: {escape(meaning)}</span></div>"
        )
    return f'<div class="simorg-chart-legend">{"".join(rows)}</div>'


def chart_block(
    spec: ChartSpec,
    history: dict[str, np.ndarray],
    applied: Sequence[tuple[int, str]],
    xmax: int,
    yrange: tuple[float, float] | None = None,
    legend: bool = True,
) -> str:
    title = f'<div class="simorg-chart-title">{escape(spec.title)}'
    if spec.unit:
        title += f' <span class="simorg-unit">({escape(spec.unit)})</span>'
    title += "</div>"
    return (
        f'<div class="simorg-chart-card">{title}{chart_svg(spec, history, applied, xmax, yrange)}'
        f"{legend_html(spec) if legend else ''}</div>"
    )


# --- PNG export (matplotlib, imported only when asked) ---------------------------------------------


def charts_png(
    runs: Sequence[tuple[str, dict[str, np.ndarray], Sequence[tuple[int, str]]]],
    title: str = "",
    dpi: int = 110,
) -> bytes:
    """Every chart as one PNG; with several runs, each chart overlays them (run label in the legend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    cols = 2
    rows = math.ceil(len(CHARTS) / cols)
    fig = Figure(figsize=(13, 3.3 * rows), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    if title:
        fig.suptitle(title, fontsize=15)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    run_styles = ("-", "--", ":", "-.")
    for ax, spec in zip(axes, CHARTS, strict=False):
        for r, (label, history, applied) in enumerate(runs):
            for k, name in enumerate(spec.series):
                y = np.asarray(history.get(name, []), dtype=float)
                if len(y) == 0:
                    continue
                name_label = name.replace("_", " ")
                ax.plot(
                    np.arange(len(y)), y, color=palette.SERIES[k % len(palette.SERIES)],
                    linestyle=run_styles[r % len(run_styles)], linewidth=2,
                    label=f"{name_label} ({label})" if len(runs) > 1 else name_label,
                )  # fmt: skip
            for step, _ in applied:
                ax.axvline(step - 0.5, color="#333", linestyle=(0, (4, 3)), linewidth=0.9)
        lo, hi = y_range(spec, [h for _, h, _ in runs])
        ax.set_ylim(lo, hi)
        ax.set_title(spec.title + (f" ({spec.unit})" if spec.unit else ""), fontsize=13)
        ax.set_xlabel("step")
        ax.grid(color=palette.GRID)
        ax.legend(fontsize=9, loc="best")
    for ax in axes[len(CHARTS) :]:
        ax.set_visible(False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
