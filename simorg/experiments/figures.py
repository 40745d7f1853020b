"""The figures of sweep results: matplotlib without pyplot state, small PNGs, one look.

Used by `simorg report` (embedded in the HTML page), `simorg compare --out` and the results
generator. Each drawing function returns the figure; callers save or embed it.
"""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path
from typing import Any

import numpy as np

from simorg.experiments import stats
from simorg.experiments.report_data import series_label

COLORS = [
    "#1b6ca8",
    "#d1495b",
    "#2e933c",
    "#edae49",
    "#6a4c93",
    "#00798c",
    "#8d6a9f",
    "#4f5d75",
    "#c05805",
    "#30638e",
    "#a23b72",
    "#3b8b5a",
]


def new_figure(width: float = 6.4, height: float = 3.6, ncols: int = 1):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(alpha=0.25, linewidth=0.6)
        ax.tick_params(labelsize=8)
    return (fig, axes[0]) if ncols == 1 else (fig, axes)


LINESTYLES = ["-", "--", ":", "-."]


def styles(vf, ids: list[int]) -> dict[int, tuple[str, str]]:
    """(colour, line style) per variant: colour by base scenario, style by rank within it."""
    bases = list(dict.fromkeys(vf.loc[ids, "scenario"]))
    rank: dict[str, int] = {}
    out = {}
    for v in ids:
        b = vf.loc[v, "scenario"]
        k = rank.get(b, 0)
        rank[b] = k + 1
        if len(bases) == 1:  # one base: colours tell the variants apart
            out[v] = (COLORS[k % len(COLORS)], "-")
        else:
            out[v] = (COLORS[bases.index(b) % len(COLORS)], LINESTYLES[k % len(LINESTYLES)])
    return out


def plot_band(
    ax, x, mean, lo, hi, label: str, color: str | None = None, linestyle: str = "-"
) -> None:
    ok = np.isfinite(mean)
    line = ax.plot(
        np.asarray(x)[ok], mean[ok], label=label, linewidth=1.4, color=color, linestyle=linestyle
    )[0]
    ax.fill_between(
        np.asarray(x)[ok], lo[ok], hi[ok], alpha=0.18, color=line.get_color(), linewidth=0
    )


def png_bytes(fig, dpi: int) -> bytes:
    """PNG quantized to 128 colours: a third of the size, no visible loss for line plots."""
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    buf.seek(0)
    image = Image.open(buf).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def save_figure(fig, path: Path, fmt: str = "png") -> None:
    if fmt == "png":
        Path(path).write_bytes(png_bytes(fig, 100))
    else:
        fig.savefig(path, format=fmt, metadata={"Date": None})


def figure_png(fig) -> str:
    return base64.b64encode(png_bytes(fig, 90)).decode("ascii")


def final_figure(
    name: str, layout: dict[str, Any], vf, summary: dict[int, dict], ok
) -> tuple[Any, str, str]:
    """The final values of one outcome: lines against a varied parameter, a scatter over a
    sample, or one row per variant (with every run when few); (figure, caption, file name)."""
    mean = {v: summary[v]["mean"] for v in summary}

    def ci(v):
        r = summary[v]
        lo = r["ci_low"] if r["ci_low"] is not None else r["mean"]
        hi = r["ci_high"] if r["ci_high"] is not None else r["mean"]
        return lo, hi

    if layout["mode"] == "lines":
        x, others = layout["x"], layout["others"]
        fig, ax = new_figure(6.4, 3.6)
        groups = vf.groupby([vf[c].astype(str) for c in others], sort=False)
        look = styles(vf, [int(g.index[0]) for _, g in groups])
        for key, g in groups:
            color, style = look[int(g.index[0])]
            g = g.sort_values(x)
            xs = g[x].to_numpy(dtype=float)
            ms = np.array(
                [mean[v] if mean[v] is not None else np.nan for v in g.index], dtype=float
            )
            lohi = np.array(
                [ci(v) if mean[v] is not None else (np.nan, np.nan) for v in g.index], dtype=float
            )
            ax.plot(
                xs,
                ms,
                marker="o",
                markersize=3.5,
                linewidth=1.4,
                color=color,
                linestyle=style,
                label=series_label(others, key),
            )
            ax.fill_between(xs, lohi[:, 0], lohi[:, 1], alpha=0.18, color=color, linewidth=0)
        ax.set_xlabel(x, fontsize=9)
        ax.set_ylabel(f"{name} (final)", fontsize=9)
        ax.legend(fontsize=7, frameon=False)
        return (
            fig,
            f"final {name} against {x}: mean and 95% CI over replications",
            f"{name}_final",
        )
    if layout["mode"] == "scatter":
        keys = layout["x"]
        fig, axes = new_figure(min(3.0 * len(keys), 12), 3.0, ncols=len(keys))
        per_variant = ok.groupby("variant")[name].mean()
        for ax, k in zip(axes, keys, strict=True):
            xs = vf.loc[per_variant.index, k].to_numpy(dtype=float)
            for i, (base, idx) in enumerate(
                vf.loc[per_variant.index].groupby("scenario", sort=False).groups.items()
            ):
                sel = np.isin(per_variant.index, idx)
                ax.scatter(
                    xs[sel],
                    per_variant.to_numpy()[sel],
                    s=8,
                    alpha=0.7,
                    color=COLORS[i % len(COLORS)],
                    label=base,
                )
            ax.set_xlabel(k.split(".")[-1], fontsize=9)
        axes[0].set_ylabel(f"{name} (final, mean over replications)", fontsize=8)
        if vf["scenario"].nunique() > 1:
            axes[0].legend(fontsize=7, frameon=False)
        return (
            fig,
            f"final {name} at each sample point against each sampled parameter",
            f"{name}_scatter",
        )
    # points: one row per variant
    ids = list(vf.index)[:60]
    fig, ax = new_figure(6.4, max(2.0, (0.45 if len(ids) <= 12 else 0.28) * len(ids) + 1.0))
    ys = np.arange(len(ids))[::-1]
    jitter = np.random.default_rng(0)  # fixed: the same report twice is the same picture
    for y, v in zip(ys, ids, strict=True):
        if mean[v] is None:
            continue
        runs_v = ok.loc[ok["variant"] == v, name].to_numpy(dtype=float)
        if len(ids) <= 12 and len(runs_v):  # every run, so a skewed or bimodal spread shows
            ax.scatter(
                runs_v,
                y - 0.25 + 0.12 * jitter.uniform(-1, 1, len(runs_v)),
                s=5,
                color="#999999",
                alpha=0.6,
                linewidths=0,
            )
        lo, hi = ci(v)
        color = COLORS[list(vf["scenario"].unique()).index(vf.loc[v, "scenario"]) % len(COLORS)]
        ax.errorbar(
            mean[v],
            y,
            xerr=[[mean[v] - lo], [hi - mean[v]]],
            fmt="o",
            color=color,
            markersize=4,
            capsize=3,
        )
    ax.set_yticks(ys, [vf.loc[v, "label"] for v in ids], fontsize=7)
    ax.set_xlabel(
        f"{name} (final): mean and 95% CI" + (" (grey: each run)" if len(ids) <= 12 else ""),
        fontsize=9,
    )
    more = "" if len(ids) == len(vf) else f" (first {len(ids)} of {len(vf)} variants)"
    return fig, f"final {name} per variant{more}", f"{name}_final"


def trajectory_figure(
    name: str, column: int, trajs: dict[int, dict[str, Any]], variants: list[int], vf
) -> tuple[Any, str, str]:
    """One outcome over time: mean and 95% band per variant; (figure, caption, file name)."""
    fig, ax = new_figure(6.4, 3.6)
    look = styles(vf, variants)
    for v in variants:
        if v not in trajs:
            continue
        t = trajs[v]
        plot_band(
            ax,
            t["step"],
            t["mean"][:, column],
            t["lo"][:, column],
            t["hi"][:, column],
            vf.loc[v, "label"],
            *look[v],
        )
    ax.set_xlabel("step (week)", fontsize=9)
    ax.set_ylabel(name, fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    shown = "" if len(variants) == len(vf) else f" ({len(variants)} of {len(vf)} variants)"
    caption = f"{name} over time: mean and 95% band over replications{shown}"
    return fig, caption, f"{name}_trajectory"


def sensitivity_heatmap(mat: np.ndarray, names: list[str], params: list[str], scale_rows: bool):
    """Sensitivity indices (outcomes × parameters) as a heat map with the values written in.

    `scale_rows` (Morris μ*, which has the outcome's units) colours each row by its share of the
    row's largest value."""
    shown = mat.copy()
    if scale_rows:
        import warnings

        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # rows of constants: all NaN
            shown = mat / np.nanmax(np.abs(mat), axis=1, keepdims=True)
    fig, ax = new_figure(1.2 + 0.9 * len(params), 0.8 + 0.28 * len(names))
    ax.grid(False)
    im = ax.imshow(np.nan_to_num(shown), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(
        range(len(params)), [p.split(".")[-1] for p in params], rotation=30, ha="right", fontsize=8
    )
    ax.set_yticks(range(len(names)), names, fontsize=8)
    for i in range(len(names)):
        for j in range(len(params)):
            if math.isfinite(mat[i, j]):
                ax.text(
                    j,
                    i,
                    stats.fmt(mat[i, j], 2),
                    ha="center",
                    va="center",
                    fontsize=6.5,
                    color="white" if shown[i, j] > 0.6 else "#222",
                )
    fig.colorbar(im, ax=ax, shrink=0.8)
    return fig
