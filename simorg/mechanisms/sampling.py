"""Vectorized choices along CSR ties, shared by conversations and requests."""

from __future__ import annotations

import numpy as np


def cumulative(weights: np.ndarray) -> np.ndarray:
    """Cumulative tie weights with a leading 0, the input `choose_ties` samples from."""
    return np.concatenate([[0.0], np.cumsum(weights, dtype=np.float64)])


def choose_ties(
    indptr: np.ndarray, cum: np.ndarray, people: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of `people`, pick one of their ties with probability proportional to weight.

    `cum` is `cumulative(weights)`. Returns (who, tie index) for the entries that have a tie of
    positive weight. One searchsorted over the cumulative weights replaces a loop over people.
    """
    lo = cum[indptr[people]]
    hi = cum[indptr[people + 1]]
    ok = hi - lo > 1e-12
    people, lo, hi = people[ok], lo[ok], hi[ok]
    target = lo + rng.random(len(people)) * (hi - lo)
    tie = np.searchsorted(cum, target, side="right") - 1
    tie = np.clip(tie, indptr[people], indptr[people + 1] - 1)
    return people, tie


def best_tie_per_group(
    group: np.ndarray, tie: np.ndarray, score: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """For each group (e.g. a request), the tie with the highest score, ties broken at random."""
    key = score + rng.random(len(score))
    order = np.lexsort((-key, group))
    g = group[order]
    first = np.ones(len(g), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    return g[first], tie[order][first]


def expand_rows(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ties of the given rows: (position in `rows`, tie index), without a Python loop."""
    starts = indptr[rows]
    counts = indptr[rows + 1] - starts
    pos = np.repeat(np.arange(len(rows)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return pos, np.repeat(starts, counts) + offsets
