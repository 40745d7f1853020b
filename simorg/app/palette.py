"""Colours and type sizes the explorer uses everywhere: colour-blind-safe, readable on a projector.

Lines and categories use the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies) and, for redundancy, a dash pattern per line. People are coloured with viridis
(perceptually uniform, readable in grey scale). Ties are coloured on an orange-grey-blue diverging
scale by trust, a pair of hues that stays apart for red-green colour blindness.
"""

from __future__ import annotations

import numpy as np

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

#: Line colours, in the order series are drawn (yellow left out: too light on white).
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: SVG stroke-dasharray per series (solid, dashed, dotted, dash-dot), so lines differ without colour.
DASHES = ("", "7 4", "2 3", "10 3 2 3", "4 2", "1 2", "")

# viridis at 0, 1/9, ..., 1 (matplotlib's table); interpolated below
_VIRIDIS_ANCHORS = (
    "#440154", "#482878", "#3e4989", "#31688e", "#26828e",
    "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725",
)  # fmt: skip

#: Tie colours by trust bin (0-0.2, ..., 0.8-1): vermillion, orange, grey, sky blue, blue.
TRUST_BINS = ("#D55E00", "#E69F00", "#A8A8A8", "#56B4E9", "#0072B2")

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
TEXT = "#1a1a1a"
MUTED = "#555555"
GRID = "#e3e3e3"


def _hex_to_rgb(h: str) -> tuple[int, int, int]:
    return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


def _viridis_table(levels: int) -> list[str]:
    anchors = np.array([_hex_to_rgb(h) for h in _VIRIDIS_ANCHORS], dtype=float)
    xs = np.linspace(0, 1, len(anchors))
    t = np.linspace(0, 1, levels)
    rgb = np.stack([np.interp(t, xs, anchors[:, k]) for k in range(3)], axis=1).round().astype(int)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb]


VIRIDIS = _viridis_table(33)


def viridis_index(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Index into VIRIDIS for each value on the scale [low, high] (clipped)."""
    span = (high - low) or 1.0
    t = np.clip((np.asarray(values, dtype=float) - low) / span, 0.0, 1.0)
    return np.rint(t * (len(VIRIDIS) - 1)).astype(np.int64)


def viridis(value: float, low: float = 0.0, high: float = 1.0) -> str:
    return VIRIDIS[int(viridis_index(np.array([value]), low, high)[0])]
