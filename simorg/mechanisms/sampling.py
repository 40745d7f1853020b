"""Vectorized choices along CSR ties, shared by conversations and requests."""

from __future__ import annotations

import numpy as np


def row_max(indptr: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(n,) the largest tie weight of each person (0 for people without ties)."""
    out = np.zeros(len(indptr) - 1)
    has = np.diff(indptr) > 0
    out[has] = np.maximum.reduceat(weights, indptr[:-1][has]) if len(weights) else 0.0
    return out


def choose_ties(
    start: np.ndarray,
    degree: np.ndarray,
    accept: np.ndarray,
    rng: np.random.Generator,
    rounds: int = 8,
) -> np.ndarray:
    """For each entry (a row of ties: `start`, `degree` > 0), pick one of its ties with
    probability proportional to weight; returns the tie indices, in entry order.

    `accept` (E,) is each tie's weight over the largest weight in its row. Rejection sampling:
    propose a tie uniformly, accept it with probability `accept`, repeat for the rejected. One
    uniform u serves both choices: ⌊u·degree⌋ picks the tie, and the fractional part of
    u·degree, uniform and independent of the pick, decides acceptance. Since most ties weigh 1,
    few entries need a second round; entries still rejected after `rounds` rounds (rows whose
    every tie weighs little) are sampled exactly by inverse CDF.
    """
    x = rng.random(len(start)) * degree
    pick = x.astype(np.intp)
    tie = start + pick
    redo = np.flatnonzero(x - pick >= accept.take(tie))
    for _ in range(rounds - 1):
        if len(redo) == 0:
            return tie
        x = rng.random(len(redo)) * degree.take(redo)
        pick = x.astype(np.intp)
        proposed = start.take(redo) + pick
        ok = x - pick < accept.take(proposed)
        tie[redo[ok]] = proposed[ok]
        redo = redo[~ok]
    if len(redo):
        cum = np.concatenate([[0.0], np.cumsum(accept, dtype=np.float64)])
        first, end = start[redo], start[redo] + degree[redo]
        lo, hi = cum[first], cum[end]
        found = np.searchsorted(cum, lo + rng.random(len(redo)) * (hi - lo), side="right") - 1
        tie[redo] = np.clip(found, first, end - 1)
    return tie


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
    # tie = start of its row + its place in the row = its place overall + (start − row's offset)
    shift = starts - (np.cumsum(counts) - counts)
    return pos, np.arange(counts.sum()) + shift.take(pos)
