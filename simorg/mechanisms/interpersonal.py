"""Interpersonal learning: people learn from colleagues, by rules the literature uses.

Two families, both functions of arrays and a random stream, batched over runs:

**Beliefs in conversation** (the full model; March's beliefs in {-1, 0, +1}). In an open contact a
person may move one step toward a colleague's differing, non-zero belief on a topic
(`conversations._exchange`). Which contacts may teach is the *peer rule*:

- ``conformity``: anyone (the rule simorg had first: talk makes beliefs alike, whoever is right);
- ``better_performer``: only a colleague who performs better on the whole task, Σ b·r (the
  expected performance of their beliefs; a zero belief acts as a fair coin, worth 0 on average), as
  in Lazer & Friedman (2007) and Fang, Lee & Schilling (2010), where the less successful emulate
  the more successful;
- ``better_on_topic``: only a colleague whose belief does better on the dimension at hand,
  b_j·r_j (people see who gets *this* right).

`peer_gates` returns, per contact and topic, who may learn from whom; `peer_can_pass` says which
ties could still pass a belief under a rule (equilibrium detection).

**Solutions on a landscape** (Lazer & Friedman 2007; solutions of 0/1 bits). `imitate_or_explore`
is one synchronous round: each agent that looks (probability `velocity`) copies its best
neighbour's solution if that scores higher than its own (each bit failing to copy with probability
`copy_error`); every other agent searches locally, `local_search`: flips one random bit and keeps
the flip only if it scores higher.

Agents of R runs on R graphs are one population of G = R·A agents on one block-diagonal CSR graph
(`indptr`, `indices` over global agent numbers), so a round of every run is one array program.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simorg.performance import NKBeliefTask, additive, additive_rows, additive_terms

PEER_RULES = ("conformity", "better_performer", "better_on_topic")

Score = Callable[[np.ndarray], np.ndarray]  # solutions (R, A, N) -> scores (R, A)


# --- beliefs in conversation ----------------------------------------------------------------------


def peer_gates(
    rule: str,
    beliefs: np.ndarray,
    reality: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    topics: np.ndarray,
    task: NKBeliefTask | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Who may learn from whom in contacts (a[c], b[c]) on `topics` (contacts, t).

    Returns (a_may, b_may), bool (contacts, t): a may learn from b, b from a; None for conformity
    (everyone may). beliefs (G, m); reality (m,) for one organization, (R, m) for R organizations
    of G / R people each (people r·n … of organization r, as in a batch of runs), or (G, m), each
    person's. With an NK `task` (G = R·n people of its R organizations), performance is the
    task's score.
    """
    if rule == "conformity":
        return None
    if task is not None:
        return _nk_gates(rule, beliefs, a, b, topics, task)
    # R organizations of n people each (R = G, n = 1: each person's own reality)
    orgs = reality.shape[0] if reality.ndim == 2 else 1
    n, m = beliefs.shape[0] // orgs, beliefs.shape[1]
    if rule == "better_performer":  # Σ b·r: integer sums, the same values in any grouping
        rows = beliefs.reshape(orgs, n, m)
        perf = additive(rows, reality.reshape(orgs, m)).reshape(-1)  # |Σ b·r| ≤ m: int16
        pa, pb = perf.take(a)[:, None], perf.take(b)[:, None]
        return np.broadcast_to(pb > pa, topics.shape), np.broadcast_to(pa > pb, topics.shape)
    if rule == "better_on_topic":  # a and b share one organization's reality
        at = topics if orgs == 1 else (a // n * m)[:, None] + topics
        r = reality.reshape(-1).take(at)
        ga = additive_terms(beliefs[a[:, None], topics], r)
        gb = additive_terms(beliefs[b[:, None], topics], r)
        return gb > ga, ga > gb
    raise ValueError(f"unknown peer rule {rule!r}; one of {', '.join(PEER_RULES)}")


def _nk_gates(
    rule: str,
    beliefs: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    topics: np.ndarray,
    task: NKBeliefTask,
) -> tuple[np.ndarray, np.ndarray]:
    """The peer rules on an NK task. better_performer: the colleague's beliefs score higher
    (expected score, zeros as coins). better_on_topic: taking the colleague's belief on the topic
    into one's own beliefs would raise one's own score (the dimension judged in the context of
    everything else one believes, since on an NK task a dimension has no value on its own)."""
    perf = task.people(beliefs)
    if rule == "better_performer":
        pa, pb = perf.take(a)[:, None], perf.take(b)[:, None]
        return np.broadcast_to(pb > pa, topics.shape), np.broadcast_to(pa > pb, topics.shape)
    if rule == "better_on_topic":
        aa = np.broadcast_to(a[:, None], topics.shape).reshape(-1)
        bb = np.broadcast_to(b[:, None], topics.shape).reshape(-1)
        j = topics.reshape(-1).astype(np.intp)
        va, vb = beliefs[aa, j], beliefs[bb, j]
        a_gain = task.with_belief(beliefs, aa, j, vb) > perf.take(aa)
        b_gain = task.with_belief(beliefs, bb, j, va) > perf.take(bb)
        return a_gain.reshape(topics.shape), b_gain.reshape(topics.shape)
    raise ValueError(f"unknown peer rule {rule!r}; one of {', '.join(PEER_RULES)}")


def peer_can_pass(
    rule: str,
    beliefs: np.ndarray,
    reality: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    task: NKBeliefTask | None = None,
) -> np.ndarray:
    """(E,) bool: the tie's source could still learn something from its target under `rule`.

    beliefs (G, m); reality (m,) or (G, m), each person's; ties over the G people (list both
    directions to check both). Used to detect equilibrium: nothing can pass on any tie.
    """
    if len(source) == 0:
        return np.zeros(0, dtype=bool)
    rp = np.broadcast_to(reality, beliefs.shape)
    bs, bt = beliefs[source], beliefs[target]
    could = (bt != 0) & (bt != bs)  # what conformity would pass
    if task is not None and rule == "better_performer":
        perf = task.people(beliefs)
        could &= (perf[target] > perf[source])[:, None]
    elif task is not None and rule == "better_on_topic":
        e, j = np.nonzero(could)  # only what conformity would pass can pass
        gain = task.with_belief(beliefs, source[e], j, bt[e, j]) > task.people(beliefs)[source[e]]
        could[:] = False
        could[e[gain], j[gain]] = True
    elif rule == "better_performer":
        perf = additive_rows(beliefs, rp)
        could &= (perf[target] > perf[source])[:, None]
    elif rule == "better_on_topic":
        rs = rp[source]
        could &= additive_terms(bt, rs) > additive_terms(bs, rs)
    elif rule != "conformity":
        raise ValueError(f"unknown peer rule {rule!r}; one of {', '.join(PEER_RULES)}")
    return could.any(axis=1)


# --- solutions on a landscape --------------------------------------------------------------------


def best_neighbours(
    scores: np.ndarray, indptr: np.ndarray, indices: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each agent's best-scoring neighbour (the first listed among equals) and its score.

    scores (G,); returns (best (G,) intp, -1 without neighbours; best_score (G,), -inf then).
    """
    g = len(indptr) - 1
    best = np.full(g, -1, dtype=np.intp)
    top = np.full(g, -np.inf)
    has = np.flatnonzero(np.diff(indptr) > 0)
    if len(has) == 0:
        return best, top
    ns = scores.take(indices)
    top[has] = np.maximum.reduceat(ns, indptr[has])
    row = np.repeat(np.arange(g), np.diff(indptr))
    at = np.where(ns == top[row], np.arange(len(indices)), len(indices))
    first = np.minimum.reduceat(at, indptr[has])
    best[has] = indices.take(first)
    return best, top


def local_search(
    solutions: np.ndarray,
    scores: np.ndarray,
    score: Score,
    rng: np.random.Generator,
    searching: np.ndarray | None = None,
) -> np.ndarray:
    """Try a change, keep it if it performs better: each searching agent flips one random bit and
    keeps the flip only if its score rises. In place on solutions (R, A, N) and scores (R, A).

    Draws one dimension per agent, `integers(0, N, (R, A))`, searching or not. Returns the (R, A)
    bool mask of kept flips.
    """
    n = solutions.shape[2]
    j = rng.integers(0, n, size=scores.shape)
    trial = solutions.copy()
    flat = trial.reshape(-1, n)
    rows = np.arange(flat.shape[0])
    flat[rows, j.reshape(-1)] ^= 1
    trial_scores = score(trial)
    keep = trial_scores > scores
    if searching is not None:
        keep &= searching
    np.copyto(solutions, trial, where=keep[:, :, None])
    np.copyto(scores, trial_scores, where=keep)
    return keep


def imitate_or_explore(
    solutions: np.ndarray,
    scores: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    score: Score,
    rng: np.random.Generator,
    copy_error: float = 0.0,
    velocity: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """One synchronous round of Lazer & Friedman's rule, in place; returns (copied, flipped) masks.

    Decisions use the round's starting solutions and scores. An agent looks at its neighbours with
    probability `velocity` (drawn only when below 1: `random((R, A))`); if the best of them scores
    higher it copies that solution, each bit independently failing to copy (the agent keeps its own
    bit) with probability `copy_error` (drawn only when above 0: `random((k, N))` for the k
    copiers). Every other agent searches locally (`local_search`, which draws next).
    """
    runs, agents, n = solutions.shape
    flat = solutions.reshape(-1, n)
    s = scores.reshape(-1)
    best, top = best_neighbours(s, indptr, indices)
    copy = top > s
    if velocity < 1.0:
        copy &= rng.random(runs * agents) < velocity
    who = np.flatnonzero(copy)
    source = flat[best[who]]
    if copy_error > 0.0 and len(who):
        keep_own = rng.random((len(who), n)) < copy_error
        source = np.where(keep_own, flat[who], source)
    start = solutions.copy()
    start_scores = scores.copy()
    searching = ~copy.reshape(runs, agents)
    flipped = local_search(start, start_scores, score, rng, searching)
    start.reshape(-1, n)[who] = source
    solutions[...] = start
    if copy_error > 0.0 and len(who):
        scores[...] = score(solutions)
    else:  # an exact copy scores what its source scored
        start_scores.reshape(-1)[who] = top[who]
        scores[...] = start_scores
    return copy.reshape(runs, agents), flipped
