"""The organization and its customers drawn as inline SVG strings, built with numpy.

One frame of ~300 people and ~1,200 ties is a few tens of kilobytes of SVG built in a few
milliseconds, crisp at any zoom, with a colour per person and per tie: fast enough to redraw every
step during Play (matplotlib needs ~140 ms for the same picture).

What the drawing encodes:
- position: department clusters and reporting lines (layout.py), computed once;
- fill colour (viridis): the variable the user picks, on a fixed scale so colours mean the same thing
  at every step;
- shape: square = formal leader, diamond = informal leader, circle = everyone else;
- a dashed orange ring: the person answers customers on public channels;
- a small black dot: the person is holding an open customer request right now;
- tie colour: the mean trust of the two people in each other, orange (low) to blue (high).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import numpy as np

from simorg.app import palette
from simorg.app.layout import LABEL_ROOM, Positions

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from simorg.state import State

MAX_PEOPLE_DRAWN = 2500
MAX_TIES_DRAWN = 8000


@dataclass(frozen=True)
class Variable:
    key: str
    label: str
    low: float
    high: float
    help: str


VARIABLES: dict[str, Variable] = {
    v.key: v
    for v in (
        Variable("practice", "Social practice", 0.0, 1.0,
                 "How openly and two-way each person communicates and shares (0 closed, 1 open)"),
        Variable("leadership_trust", "Trust in leadership", 0.0, 1.0,
                 "Each person's trust in the organization's leaders"),
        Variable("knowledge", "Knowledge", -1.0, 1.0,
                 "How well each person's beliefs match reality, Σ b·r / m (−1 all wrong, 1 all right)"),
        Variable("peer_trust", "Trust in colleagues", 0.0, 1.0,
                 "Each person's mean trust over their ties"),
    )
}  # fmt: skip


def node_values(state: State, variable: str) -> np.ndarray:
    """(n,) the value of `variable` for every person."""
    if variable == "practice":
        return state.practice
    if variable == "leadership_trust":
        return state.leadership_trust
    if variable == "knowledge":
        return state.beliefs[0].astype(np.float64) @ state.reality[0] / state.m
    if variable == "peer_trust":
        return state.mean_tie_trust()
    raise KeyError(f"unknown variable {variable!r}; known: {', '.join(VARIABLES)}")


def tie_trust_undirected(state: State) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, trust) for each tie once: the mean of the two people's trust in each other."""
    structure = state.structure
    first = np.flatnonzero(structure.source < structure.indices)
    trust = 0.5 * (state.tie_trust[first] + state.tie_trust[structure.reverse[first]])
    return structure.source[first], structure.indices[first], trust


def _drawn_people(n: int, state: State) -> np.ndarray:
    """Everyone up to MAX_PEOPLE_DRAWN; beyond that the heads of departments plus an even sample of
    everyone else, taken in order of department and level, so every department and every level
    of the hierarchy is drawn in proportion to its size."""
    if n <= MAX_PEOPLE_DRAWN:
        return np.arange(n)
    structure = state.structure
    heads = np.flatnonzero(structure.manager < 0)[:MAX_PEOPLE_DRAWN]
    rest = np.flatnonzero(structure.manager >= 0)
    rest = rest[np.lexsort((rest, structure.level[rest], structure.department[rest]))]
    k = min(max(MAX_PEOPLE_DRAWN - len(heads), 0), len(rest))
    sample = rest[np.linspace(0, len(rest) - 1, k).astype(np.int64)] if k else rest[:0]
    return np.union1d(heads, sample)


#: Department names larger than this (projector mode) are written on two lines.
WRAP_ABOVE = 30


def label_lines(name: str, label_size: float) -> list[str]:
    """A department name on one line, or on two (split at the middle space) when drawn large."""
    words = name.split(" ")
    if label_size <= WRAP_ABOVE or len(words) < 2 or len(name) <= 10:
        return [name]
    cut = min(range(1, len(words)), key=lambda k: abs(len(" ".join(words[:k])) - len(name) / 2))
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def _path(xa, ya, xb, yb) -> str:
    return "".join(f"M{a} {b}L{c} {d}" for a, b, c, d in zip(xa, ya, xb, yb, strict=True))


def network_svg(
    state: State,
    layout: Positions,
    variable: str,
    department_names: list[str],
    label_size: float = 24,
) -> str:
    """The organization now, as one <svg> element (see the module docstring for the encoding).

    `label_size` is the department names' size in drawing units (the drawing is 1,000 wide):
    projector mode draws them larger."""
    var = VARIABLES[variable]
    structure = state.structure
    n = structure.n
    W, H = layout.width, layout.height
    r = layout.node_radius
    label_rows = 2 if label_size > WRAP_ABOVE else 1
    py = max(0.0, label_rows * 1.05 * label_size + 10 - LABEL_ROOM)  # larger names need more room
    px = 3 * py
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{-px:.0f} {-py:.0f} {W + 2 * px:.0f} {H + 2 * py:.0f}" '
        f'class="simorg-network-svg" role="img" aria-label="The organization: people by department, '
        f'coloured by {escape(var.label.lower())}" style="width:100%;height:auto;max-height:78vh;display:block" '
        f'font-family="{palette.FONT}">'
    ]
    # department discs and names (above a cluster in the top half, below it in the bottom half)
    mid_y = float(np.mean(layout.centre[:, 1]))
    for dept, ((cx, cy), rad) in enumerate(zip(layout.centre, layout.radius, strict=True)):
        name = department_names[dept] if dept < len(department_names) else f"Department {dept + 1}"
        lines = label_lines(name, label_size)
        below = len(layout.centre) > 1 and cy > mid_y + 1
        step = 1.05 * label_size
        ty = (
            cy + rad + 2 * r + label_size
            if below
            else cy - rad - 2 * r - 8 - step * (len(lines) - 1)
        )
        text = "".join(
            f'<tspan x="{cx:.0f}" y="{ty + k * step:.0f}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts.append(
            f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{rad + 2 * r:.0f}" fill="#f4f4f4" '
            f'stroke="#d0d0d0" stroke-width="1.5"/>'
            f'<text text-anchor="middle" font-size="{label_size:g}" class="simorg-dept" '
            f'font-weight="600" fill="{palette.TEXT}" paint-order="stroke" stroke="#fff" '
            f'stroke-width="5">{text}</text>'
        )
    drawn = _drawn_people(n, state)
    keep = np.zeros(n, dtype=bool)
    keep[drawn] = True
    # ties, one <path> per trust bin (low-trust ties first, so trusted ties lie on top)
    a, b, trust = tie_trust_undirected(state)
    visible = keep[a] & keep[b]
    a, b, trust = a[visible], b[visible], trust[visible]
    if len(a) > MAX_TIES_DRAWN:
        pick = np.linspace(0, len(a) - 1, MAX_TIES_DRAWN).astype(np.int64)
        a, b, trust = a[pick], b[pick], trust[pick]
    xi = np.rint(layout.x).astype(np.int64)
    yi = np.rint(layout.y).astype(np.int64)
    bins = np.minimum(
        (trust * len(palette.TRUST_BINS)).astype(np.int64), len(palette.TRUST_BINS) - 1
    )
    cross = structure.department[a] != structure.department[b]
    thin = len(a) >= 3000
    # inside departments: thin and faint; across departments (the silo boundary): bolder
    for sel_cross, w, op in (
        (False, 0.6 if thin else 0.9, 0.35),
        (True, 0.9 if thin else 1.6, 0.75),
    ):
        parts.append(f'<g fill="none" stroke-width="{w}" stroke-opacity="{op}">')
        for k, tie_colour in enumerate(palette.TRUST_BINS):
            sel = (bins == k) & (cross == sel_cross)
            if sel.any():
                path = _path(
                    xi[a[sel]].tolist(),
                    yi[a[sel]].tolist(),
                    xi[b[sel]].tolist(),
                    yi[b[sel]].tolist(),
                )
                parts.append(f'<path stroke="{tie_colour}" d="{path}"/>')
        parts.append("</g>")

    # people
    values = node_values(state, variable)
    colour = palette.viridis_index(values, var.low, var.high)
    x1 = np.round(layout.x, 1)
    y1 = np.round(layout.y, 1)
    leader = structure.is_leader
    informal = structure.informal_leader & ~leader
    plain = keep & ~leader & ~informal
    facing = keep & state.customer_facing

    def marks(shape: Callable[[float, float], str], who: np.ndarray) -> Iterator[str]:
        """One mark per person in `who`: `shape` at their place, in the colour of their value."""
        at = zip(x1[who].tolist(), y1[who].tolist(), colour[who].tolist(), strict=True)
        return (f'{shape(x, y)} fill="{palette.VIRIDIS[c]}"/>' for x, y, c in at)

    parts.append('<g stroke="#ffffff" stroke-width="0.6">')
    parts.extend(marks(lambda x, y: f'<circle cx="{x}" cy="{y}" r="{r:.1f}"', plain))
    parts.append("</g>")
    q = 1.35 * r  # diamond half-diagonal
    parts.append(f'<g stroke="{palette.TEXT}" stroke-width="{max(r / 3, 0.8):.1f}">')
    diamond = f"l{q:.1f} {q:.1f}l-{q:.1f} {q:.1f}l-{q:.1f} -{q:.1f}z"
    parts.extend(marks(lambda x, y: f'<path d="M{x} {y - q:.1f}{diamond}"', informal & keep))
    h = 1.25 * r  # square half-side, a little larger: leaders stand out
    square = f'width="{2 * h:.1f}" height="{2 * h:.1f}"'
    parts.extend(
        marks(lambda x, y: f'<rect x="{x - h:.1f}" y="{y - h:.1f}" {square}', leader & keep)
    )
    parts.append("</g>")
    # customer-facing: a dashed ring; all customer-facing people share one path
    if facing.any():
        rr = 1.7 * r
        ring = "".join(
            f"M{x - rr:.1f} {y}a{rr:.1f} {rr:.1f} 0 1 0 {2 * rr:.1f} 0a{rr:.1f} {rr:.1f} 0 1 0 -{2 * rr:.1f} 0"
            for x, y in zip(x1[facing].tolist(), y1[facing].tolist(), strict=True)
        )
        parts.append(
            f'<path d="{ring}" fill="none" stroke="{palette.OKABE_ITO["vermillion"]}" '
            f'stroke-width="{max(r / 3.5, 0.7):.1f}" stroke-dasharray="{r:.1f} {r / 1.5:.1f}" stroke-opacity="0.9"/>'
        )
    # who holds open requests now
    open_ = state.request_topic >= 0
    if open_.any():
        holders = np.unique(state.request_holder[open_])
        holders = holders[keep[holders]]
        dot = max(r / 2.2, 1.0)
        dots = "".join(
            f"M{x + r:.1f} {y - r:.1f}m-{dot:.1f} 0a{dot:.1f} {dot:.1f} 0 1 0 {2 * dot:.1f} 0"
            f"a{dot:.1f} {dot:.1f} 0 1 0 -{2 * dot:.1f} 0"
            for x, y in zip(x1[holders].tolist(), y1[holders].tolist(), strict=True)
        )
        parts.append(f'<path d="{dots}" fill="{palette.TEXT}" stroke="#fff" stroke-width="0.8"/>')
    if len(drawn) < n:
        parts.append(
            f'<text x="{W - 8:.0f}" y="{H - 8:.0f}" text-anchor="end" font-size="{0.75 * label_size:g}" '
            f'fill="{palette.MUTED}">'
            f"showing {len(drawn):,} of {n:,} people</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


# --- legend ----------------------------------------------------------------------------------------


def legend_html(variable: str) -> str:
    """The key to the drawing: colour scale of the chosen variable, shapes, rings and tie colours."""
    var = VARIABLES[variable]
    stops = "".join(
        f'<stop offset="{k / (len(palette.VIRIDIS) - 1):.3f}" stop-color="{c}"/>'
        for k, c in enumerate(palette.VIRIDIS)
    )
    mid = (var.low + var.high) / 2
    bar = (
        f'<svg viewBox="0 0 300 46" style="width:100%;max-width:320px;display:block" font-family="{palette.FONT}">'
        f'<defs><linearGradient id="simorg-viridis">{stops}</linearGradient></defs>'
        f'<rect x="8" y="4" width="284" height="16" fill="url(#simorg-viridis)" stroke="#999" stroke-width="0.5"/>'
        f'<g font-size="14" fill="{palette.TEXT}">'
        f'<text x="8" y="40">{var.low:g}</text><text x="150" y="40" text-anchor="middle">{mid:g}</text>'
        f'<text x="292" y="40" text-anchor="end">{var.high:g}</text></g></svg>'
    )
    v = palette.VIRIDIS[len(palette.VIRIDIS) // 2]
    shapes = (
        '<svg viewBox="0 0 24 24" width="22" height="22" style="vertical-align:middle">{}</svg>'
    )
    items = [
        (shapes.format(f'<circle cx="12" cy="12" r="6" fill="{v}"/>'), "employee"),
        (shapes.format(f'<rect x="5" y="5" width="14" height="14" fill="{v}" stroke="#1a1a1a" stroke-width="2"/>'),
         "formal leader"),
        (shapes.format(f'<path d="M12 3l9 9-9 9-9-9z" fill="{v}" stroke="#1a1a1a" stroke-width="2"/>'),
         "informal leader"),
        (shapes.format(f'<circle cx="12" cy="12" r="5" fill="{v}"/><circle cx="12" cy="12" r="9.5" fill="none" '
                       f'stroke="{palette.OKABE_ITO["vermillion"]}" stroke-width="2" stroke-dasharray="4 2"/>'),
         "answers customers"),
        (shapes.format('<circle cx="12" cy="12" r="4" fill="#1a1a1a"/>'), "holds an open request"),
    ]  # fmt: skip
    shape_html = "".join(
        f'<span style="white-space:nowrap;margin-right:14px">{icon} {escape(text)}</span>'
        for icon, text in items
    )
    ties = "".join(
        f'<span style="white-space:nowrap;margin-right:10px"><svg width="26" height="10">'
        f'<line x1="1" y1="5" x2="25" y2="5" stroke="{c}" stroke-width="4"/></svg> {lo:.1f}–{lo + 0.2:.1f}</span>'
        for c, lo in zip(palette.TRUST_BINS, np.arange(0, 1, 0.2), strict=True)
    )
    return (
        f'<div class="simorg-legend">'
        f"<div><b>Colour: {escape(var.label)}</b> — {escape(var.help)}</div>{bar}"
        f'<div style="margin-top:4px">{shape_html}</div>'
        f'<div style="margin-top:6px"><b>Ties by trust</b> (mean of both people\'s trust): {ties}</div>'
        f"</div>"
    )


# --- customers ------------------------------------------------------------------------------------


def customers_svg(state: State, department_names: list[str]) -> str:
    """Customers beside the organization: how far they trust the company, and where their requests are."""
    trust = state.customer_trust
    C = len(trust)
    W = 420
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {{H}}" class="simorg-customers" '
        f'style="width:100%;height:auto;display:block" font-family="{palette.FONT}" fill="{palette.TEXT}">'
    ]
    if C == 0:
        parts.append(
            '<text x="10" y="30" font-size="18">No customers in this scenario.</text></svg>'
        )
        return "".join(parts).replace("{H}", "50")
    # trust histogram
    counts, _ = np.histogram(trust, bins=10, range=(0.0, 1.0))
    top = max(int(counts.max()), 1)
    x0, y0, bw, bh = 46, 40, 34, 120
    parts.append(
        f'<text x="0" y="22" font-size="18" font-weight="600">Customer trust</text>'
        f'<text x="{W}" y="22" font-size="16" text-anchor="end">mean {trust.mean():.2f} · {C:,} customers</text>'
    )
    for k, c in enumerate(counts.tolist()):
        h = bh * c / top
        parts.append(
            f'<rect x="{x0 + k * bw + 2}" y="{y0 + bh - h:.1f}" width="{bw - 4}" height="{h:.1f}" '
            f'fill="{palette.viridis((k + 0.5) / 10)}"><title>{k / 10:.1f}–{(k + 1) / 10:.1f}: {c}</title></rect>'
        )
    parts.append(
        f'<line x1="{x0}" y1="{y0 + bh}" x2="{x0 + 10 * bw}" y2="{y0 + bh}" stroke="{palette.MUTED}"/>'
        f'<g font-size="14" fill="{palette.MUTED}">'
        f'<text x="{x0}" y="{y0 + bh + 18}" text-anchor="middle">0</text>'
        f'<text x="{x0 + 5 * bw}" y="{y0 + bh + 18}" text-anchor="middle">0.5</text>'
        f'<text x="{x0 + 10 * bw}" y="{y0 + bh + 18}" text-anchor="middle">1</text>'
        f'<text x="{x0 - 6}" y="{y0 + 6}" text-anchor="end">{top}</text>'
        f'<text x="{x0 - 6}" y="{y0 + bh}" text-anchor="end">0</text></g>'
    )
    # open requests by department: whose answer they need, and who holds them now
    structure = state.structure
    open_ = state.request_topic >= 0
    D = structure.departments
    owner = np.bincount(state.dimension_owner[state.request_topic[open_]], minlength=D)
    holder = np.bincount(structure.department[state.request_holder[open_]], minlength=D)
    acknowledged = int(state.request_acknowledged[open_].sum())
    y = y0 + bh + 52
    parts.append(
        f'<text x="0" y="{y}" font-size="18" font-weight="600">Open requests: {int(open_.sum())}</text>'
        f'<text x="{W}" y="{y}" font-size="15" text-anchor="end">{acknowledged} acknowledged</text>'
    )
    y += 14
    key_y = y + 4
    bx = 175  # bars start after the department names
    parts.append(
        f'<rect x="{bx}" y="{key_y}" width="14" height="10" fill="{palette.OKABE_ITO["blue"]}"/>'
        f'<text x="{bx + 18}" y="{key_y + 10}" font-size="14">needs an answer from</text>'
        f'<rect x="{bx}" y="{key_y + 16}" width="14" height="10" fill="{palette.OKABE_ITO["orange"]}"/>'
        f'<text x="{bx + 18}" y="{key_y + 26}" font-size="14">is sitting with</text>'
    )
    y = key_y + 40
    most = max(int(owner.max(initial=0)), int(holder.max(initial=0)), 1)
    bar_w = W - bx - 36
    for d in range(D):
        name = department_names[d] if d < len(department_names) else f"Department {d + 1}"
        wo = bar_w * owner[d] / most
        wh = bar_w * holder[d] / most
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="15">{escape(name)}</text>'
            f'<rect x="{bx}" y="{y}" width="{wo:.1f}" height="8" fill="{palette.OKABE_ITO["blue"]}"/>'
            f'<text x="{bx + 4 + wo:.1f}" y="{y + 8}" font-size="12" fill="{palette.MUTED}">{owner[d]}</text>'
            f'<rect x="{bx}" y="{y + 9}" width="{wh:.1f}" height="8" fill="{palette.OKABE_ITO["orange"]}"/>'
            f'<text x="{bx + 4 + wh:.1f}" y="{y + 17}" font-size="12" fill="{palette.MUTED}">{holder[d]}</text>'
        )
        y += 24
    parts.append("</svg>")
    return "".join(parts).replace("{H}", str(y + 4), 1)
