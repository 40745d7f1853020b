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
    indptr: np.ndarray,
    weights: np.ndarray,
    top: np.ndarray,
    people: np.ndarray,
    rng: np.random.Generator,
    rounds: int = 8,
) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of `people`, pick one of their ties with probability proportional to weight.

    Rejection sampling: propose a tie uniformly, accept it with probability weight / `top` (the
    row's largest weight), repeat for the rejected. This is exact and, since most ties weigh 1,
    usually done in one or two rounds of cheap array operations; entries still rejected after
    `rounds` rounds (people whose every tie weighs little) are sampled exactly by inverse CDF.
    Returns (who, tie index) for the entries that have a tie of positive weight.
    """
    people = people[top[people] > 0]
    chosen_who, chosen_tie = [], []
    pending = people
    for _ in range(rounds):
        if len(pending) == 0:
            break
        start = indptr[pending]
        deg = indptr[pending + 1] - start
        tie = start + (rng.random(len(pending)) * deg).astype(np.int64)
        ok = rng.random(len(pending)) * top[pending] < weights[tie]
        chosen_who.append(pending[ok])
        chosen_tie.append(tie[ok])
        pending = pending[~ok]
    if len(pending):
        cum = np.concatenate([[0.0], np.cumsum(weights, dtype=np.float64)])
        lo, hi = cum[indptr[pending]], cum[indptr[pending + 1]]
        tie = np.searchsorted(cum, lo + rng.random(len(pending)) * (hi - lo), side="right") - 1
        chosen_who.append(pending)
        chosen_tie.append(np.clip(tie, indptr[pending], indptr[pending + 1] - 1))
    if not chosen_who:
        return people[:0], people[:0]
    return np.concatenate(chosen_who), np.concatenate(chosen_tie)


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
