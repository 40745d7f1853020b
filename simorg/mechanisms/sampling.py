"""Vectorized choices along CSR ties, shared by conversations and requests."""

from __future__ import annotations

from typing import Any

import numpy as np

from simorg.randomness import Random, RunStreams


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
    rng: Random,
    rounds: int = 8,
    run: np.ndarray | None = None,
    run_ties: np.ndarray | None = None,
) -> np.ndarray:
    """For each entry (a row of ties: `start`, `degree` > 0), pick one of its ties with
    probability proportional to weight; returns the tie indices, in entry order.

    `accept` (E,) is each tie's weight over the largest weight in its row. Rejection sampling:
    propose a tie uniformly, accept it with probability `accept`, repeat for the rejected. One
    uniform u serves both choices: ⌊u·degree⌋ picks the tie, and the fractional part of
    u·degree, uniform and independent of the pick, decides acceptance. Since most ties weigh 1,
    few entries need a second round; entries still rejected after `rounds` rounds (rows whose
    every tie weighs little) are sampled exactly by inverse CDF.

    A batch of runs (`rng` a RunStreams of R > 1 runs) needs `run` (each entry's run; entries
    run-major) and `run_ties` ((R + 1,) where each run's block of ties starts): each run draws
    its own entries' uniforms each round, and the inverse CDF sums the run's own ties (so it
    rounds as in the run alone). One Generator for many organizations: one population.
    """
    streams = rng if isinstance(rng, RunStreams) and rng.runs > 1 else None

    def draw(entries: np.ndarray | None) -> np.ndarray:
        """One uniform for each entry (None: all), each run's from its own stream."""
        if streams is None:
            return rng.random(len(start) if entries is None else len(entries))
        assert run is not None and run_ties is not None, "a batch needs run and run_ties"
        of = run if entries is None else run.take(entries)
        return streams.random(np.bincount(of, minlength=streams.runs))

    from simorg.kernels import propose_ties  # the first round, over every entry, compiled

    tie = np.empty(len(start), dtype=np.int64)
    redo = np.empty(len(start), dtype=np.intp)
    redo = redo[: propose_ties(start, degree, accept, draw(None), tie, redo)]
    for _ in range(rounds - 1):
        if len(redo) == 0:
            return tie
        x = draw(redo) * degree.take(redo)
        pick = x.astype(np.intp)
        proposed = start.take(redo) + pick
        ok = x - pick < accept.take(proposed)
        tie[redo[ok]] = proposed[ok]
        redo = redo[~ok]
    if len(redo) == 0:
        return tie
    if streams is None:
        tie[redo] = _inverse_cdf(start[redo], degree[redo], accept, rng.random(len(redo)))
        return tie
    assert run is not None and run_ties is not None
    u = draw(redo)
    of = run.take(redo)
    for r in np.unique(of):  # the few runs whose rows all weigh little: each sums its own ties
        lo, hi = int(run_ties[r]), int(run_ties[r + 1])
        mine = of == r
        at = redo[mine]
        tie[at] = lo + _inverse_cdf(start[at] - lo, degree[at], accept[lo:hi], u[mine])
    return tie


def _inverse_cdf(
    first: np.ndarray, degree: np.ndarray, accept: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Exactly one tie of each row (ties first … first + degree − 1) with probability
    proportional to `accept`, by inverse CDF over the cumulative weights, one uniform each."""
    cum = np.concatenate([[0.0], np.cumsum(accept, dtype=np.float64)])
    end = first + degree
    lo, hi = cum[first], cum[end]
    found = np.searchsorted(cum, lo + u * (hi - lo), side="right") - 1
    return np.clip(found, first, end - 1)


def best_tie_per_group(
    group: np.ndarray,
    tie: np.ndarray,
    score: np.ndarray,
    rng: Random,
    run: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each group (e.g. a request), the tie with the highest score, ties broken at random.

    A batch (`rng` of R > 1 runs) needs `run`, each item's run (items run-major, groups batch
    ids, so the sort keeps runs apart): each run draws its own items' tie-breakers."""
    if isinstance(rng, RunStreams) and rng.runs > 1:
        assert run is not None, "a batch needs each item's run"
        key = score + rng.random(np.bincount(run, minlength=rng.runs))
    else:
        key = score + rng.random(len(score))
    order = np.lexsort((-key, group))
    g = group[order]
    first = np.ones(len(g), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    return g[first], tie[order][first]


def thinned(
    rng: Any,
    members: np.ndarray,
    rate: float,
    keep: np.ndarray,
    size: int,
    runs: int,
    where: np.ndarray | None = None,
) -> np.ndarray:
    """Poisson(rate × members) proposals spread uniformly over each run's `members` (run-major
    batch slots, `size` per run), each kept with probability keep[member]: the same Poisson counts
    per member as one Poisson draw each, at a fraction of the cost. One uniform serves each
    proposal: its integer part (× members) picks the member, its fractional part decides. Returns
    the kept members, run-major, in draw order. Runs outside `where` (default: runs with members)
    draw nothing, as such a run alone skips the draws."""
    if runs == 1:
        x = rng.random(rng.poisson(rate * len(members))) * len(members)
        pick = x.astype(np.intp)
        who = members.take(pick)
        return who[x - pick < keep.take(who)]
    count = np.bincount(members // size, minlength=runs)
    proposals = rng.poisson(rate * count, where=count > 0 if where is None else where)
    x = rng.random(proposals) * np.repeat(count, proposals)
    pick = x.astype(np.intp)
    who = members.take(pick + np.repeat(np.cumsum(count) - count, proposals))
    return who[x - pick < keep.take(who)]


def expand_rows(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ties of the given rows: (position in `rows`, tie index), without a Python loop."""
    starts = indptr[rows]
    counts = indptr[rows + 1] - starts
    pos = np.repeat(np.arange(len(rows)), counts)
    # tie = start of its row + its place in the row = its place overall + (start − row's offset)
    shift = starts - (np.cumsum(counts) - counts)
    return pos, np.arange(counts.sum()) + shift.take(pos)
