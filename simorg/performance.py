"""Performance: how well a set of choices does on the task. The one definition every mechanism uses.

Two tasks:

- **March's additive reality** (March 1991): choices and reality in {-1, 0, +1}; performance is
  Σ choice·reality, each dimension counting on its own. Used for people's actions, the code's score
  and knowledge (`learning.py`) and for who performs better in conversation (`interpersonal.py`).
- **An NK landscape** (Kauffman 1993; Levinthal 1997): a solution is N bits; dimension i contributes
  a value drawn once, uniformly in [0, 1), for each combination of its own bit and the bits of the K
  dimensions it depends on; performance is the mean contribution. Optionally normalised by the
  landscape's maximum and raised to a power to spread the scores, as Lazer & Friedman (2007) do
  ((score / max)^8).

Arrays carry a leading batch axis R of independent runs (organizations, landscapes), as in
`learning.py`: reality (R, m), choices (R, n, m); landscapes (R, ...), solutions (R, A, N) of 0/1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simorg import randomness
from simorg.randomness import Random, RunStreams


def additive(choices: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Σ choice·reality per person, (R, n) int16 for choices (R, n, m) and reality (R, m)."""
    if choices.dtype == reality.dtype == np.int8 and choices.shape[-1] <= 127:
        # values in {-1, 0, +1}, so |Σ| ≤ m fits int8: summed in int8, exact, without einsum's
        # buffered cast of every choice to int16; the products against reality copied out per
        # person (np.tile), not a broadcast row of m: together a quarter less time at 10,000 people
        each = np.tile(reality, (1, choices.shape[1])).reshape(choices.shape)
        return np.einsum("rnm->rn", choices * each).astype(np.int16)
    return np.einsum("rnm,rm->rn", choices, reality, dtype=np.int16, casting="safe")


def additive_one(choice: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Σ choice·reality of one choice vector per run, (R,) int16, for choice and reality (R, m)."""
    return np.einsum("rm,rm->r", choice, reality, dtype=np.int16, casting="safe")


def additive_rows(choices: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Σ choice·reality of each row, (G,) int32, for choices (G, m) and reality (m,) or (G, m)."""
    return np.einsum("gm,gm->g", choices, np.broadcast_to(reality, choices.shape), dtype=np.int32)


def additive_terms(choices: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """What each dimension adds to the additive score, choice·reality (same shape, int8)."""
    return choices * reality


@dataclass(frozen=True)
class NKLandscape:
    """R independent NK landscapes over N dimensions with K interactions each.

    `dependencies[r, i]` lists the K + 1 dimensions whose bits decide dimension i's contribution,
    i itself first; `contributions[r, i, x]` is the value for the combination x, where bit j of x
    is the bit of `dependencies[r, i, j]`.
    """

    dependencies: np.ndarray  # (R, N, K + 1) intp
    contributions: np.ndarray  # (R, N, 2 ** (K + 1)) float64 in [0, 1)

    @property
    def runs(self) -> int:
        return self.dependencies.shape[0]

    @property
    def n(self) -> int:
        return self.dependencies.shape[1]

    @property
    def k(self) -> int:
        return self.dependencies.shape[2] - 1

    def select(self, runs: np.ndarray | slice) -> NKLandscape:
        """The landscapes of some runs (a batch shrinks as runs finish)."""
        return NKLandscape(self.dependencies[runs], self.contributions[runs])


def nk_landscapes(
    rng: np.random.Generator, runs: int, n: int, k: int, interaction: str = "random"
) -> NKLandscape:
    """Draw R landscapes: contributions uniform in [0, 1), then (random interaction) each
    dimension's K partners, distinct and other than itself, uniformly.

    `interaction = "adjacent"` takes the K next dimensions (cyclically) instead, Kauffman's other
    classic pattern; it draws nothing for the partners.
    """
    if not 0 <= k < n:
        raise ValueError(f"K must be within 0..N-1, got K = {k} for N = {n}")
    contributions = rng.random((runs, n, 2 ** (k + 1)))
    own = np.broadcast_to(np.arange(n)[None, :, None], (runs, n, 1))
    if interaction == "adjacent":
        others = (np.arange(n)[:, None] + np.arange(1, k + 1)[None, :]) % n
        others = np.broadcast_to(others[None], (runs, n, k))
    elif interaction == "random":
        # a random ordering of the N - 1 other dimensions per (run, dimension); keep the first K
        keys = rng.random((runs, n, n))
        keys[:, np.arange(n), np.arange(n)] = np.inf  # never oneself
        others = np.argsort(keys, axis=2)[:, :, :k]
    else:
        raise ValueError(f"interaction must be 'random' or 'adjacent', got {interaction!r}")
    dependencies = np.concatenate([own, others], axis=2).astype(np.intp)
    return NKLandscape(dependencies, contributions)


def nk_contributions(land: NKLandscape, solutions: np.ndarray) -> np.ndarray:
    """Each dimension's contribution, (R, A, N), for solutions (R, A, N) of 0/1."""
    runs, agents, n = solutions.shape
    dep = land.dependencies.reshape(runs, 1, n * (land.k + 1))
    bits = np.take_along_axis(
        solutions.astype(np.intp), np.broadcast_to(dep, (runs, agents, dep.shape[2])), axis=2
    )
    index = bits.reshape(runs, agents, n, land.k + 1) @ (1 << np.arange(land.k + 1))
    table = land.contributions[:, None, :, :]
    return np.take_along_axis(table, index[..., None], axis=3)[..., 0]


def nk_fitness(land: NKLandscape, solutions: np.ndarray) -> np.ndarray:
    """Performance (R, A): the mean contribution over the N dimensions."""
    return nk_contributions(land, solutions).mean(axis=2)


def nk_maximum(land: NKLandscape) -> np.ndarray:
    """The exact maximum performance of each landscape, (R,), by scoring all 2^N solutions."""
    return nk_optimum(land)[0]


def nk_optimum(land: NKLandscape) -> tuple[np.ndarray, np.ndarray]:
    """Each landscape's maximum performance (R,) and the solution that reaches it, as the index
    of `nk_solutions_of` (R,) int64, by scoring all 2^N solutions.

    Vectorised per landscape: solution s = (high bits h, low bits l); dimension i's combination
    index is an OR of a part that depends only on h and a part that depends only on l, so it is
    one outer OR of two short vectors, then one lookup, per dimension. About N·2^N operations per
    landscape (N = 20: some 20 million).
    """
    n = land.n
    low = n // 2
    lo_vals = np.arange(2**low)
    hi_vals = np.arange(2 ** (n - low))
    best = np.empty(land.runs)
    where = np.empty(land.runs, dtype=np.int64)
    total = np.empty((len(hi_vals), len(lo_vals)))
    part = np.empty_like(total)
    for r in range(land.runs):
        total.fill(0.0)
        for i in range(n):
            hi_idx = np.zeros(len(hi_vals), dtype=np.intp)
            lo_idx = np.zeros(len(lo_vals), dtype=np.intp)
            for j, d in enumerate(land.dependencies[r, i]):
                if d < low:
                    lo_idx |= ((lo_vals >> d) & 1) << j
                else:
                    hi_idx |= ((hi_vals >> (d - low)) & 1) << j
            np.take(land.contributions[r, i], hi_idx[:, None] | lo_idx[None, :], out=part)
            total += part
        at = int(total.argmax())
        best[r] = total.flat[at] / n
        where[r] = (at // len(lo_vals)) << low | (at % len(lo_vals))
    return best, where


def nk_solutions_of(index: np.ndarray, n: int) -> np.ndarray:
    """The solutions (..., N) of 0/1 whose bit i is bit i of `index` (the order nk_maximum uses)."""
    return ((np.asarray(index)[..., None] >> np.arange(n)) & 1).astype(np.uint8)


def normalised(fitness: np.ndarray, maximum: np.ndarray, power: float = 1.0) -> np.ndarray:
    """(fitness / the landscape's maximum) ** power; maximum (R,) against fitness (R, ...)."""
    scale = np.asarray(maximum, dtype=np.float64).reshape((-1,) + (1,) * (fitness.ndim - 1))
    return (fitness / scale) ** power


@dataclass(frozen=True)
class NKTask:
    """A batch of landscapes with the score people see: (fitness / max) ** power, or raw fitness."""

    landscape: NKLandscape
    maximum: np.ndarray | None = None  # (R,); None: scores are not normalised
    power: float = 1.0

    def score(self, solutions: np.ndarray) -> np.ndarray:
        f = nk_fitness(self.landscape, solutions)
        if self.maximum is None:
            return f**self.power if self.power != 1.0 else f
        return normalised(f, self.maximum, self.power)

    def select(self, runs: np.ndarray | slice) -> NKTask:
        maximum = None if self.maximum is None else self.maximum[runs]
        return NKTask(self.landscape.select(runs), maximum, self.power)


# --- beliefs on an NK landscape (the full model: beliefs in {-1, 0, +1}, a zero is a fair coin) ---

MAX_NK_DIMENSIONS = 22  # the exact optimum scores all 2^N solutions
CHUNK_CELLS = 1 << 20  # cells of one (partly known, combination) block: ~8 MB of int64 at a time


def nk_belief_contributions(
    land: NKLandscape, beliefs: np.ndarray, best: bool = False
) -> np.ndarray:
    """Each dimension's contribution (R, A, N) for beliefs (R, A, N) in {-1, 0, +1}: +1 is bit 1,
    -1 bit 0, and 0 a fair coin (as people act on it in March's model).

    The expected contribution over the coins (each completion of the unknown bits equally likely),
    or with `best` the largest any completion gives. With no zero belief both are the contribution
    of the solution itself (`nk_contributions`).
    """
    runs, agents, n = beliefs.shape
    run = np.repeat(np.arange(runs), agents)
    return nk_row_contributions(land, beliefs.reshape(-1, n), run, best).reshape(runs, agents, n)


def nk_row_contributions(
    land: NKLandscape, rows: np.ndarray, run: np.ndarray, best: bool = False
) -> np.ndarray:
    """`nk_belief_contributions` for rows (G, N) of beliefs, row g on landscape run[g]; (G, N).

    Where all K + 1 bits a dimension reads are known, one lookup; only the other (row, dimension)
    pairs average (or maximise) over the 2^(K+1) combinations, in chunks."""
    g, n = rows.shape
    k1 = land.k + 1
    weight = (1 << np.arange(k1)).astype(np.int64)
    dep = land.dependencies[run].reshape(g, n * k1)  # (G, N·(K + 1))
    b = np.take_along_axis(rows, dep, axis=1).reshape(g, n, k1)
    fixed = (b != 0).astype(np.int64) @ weight  # which of the K + 1 bits are known
    value = (b > 0).astype(np.int64) @ weight  # and what they are
    runs_n = run[:, None] * n + np.arange(n)  # (G, N): the (landscape, dimension) table row
    tables = land.contributions.reshape(-1, 2**k1)
    out = tables[runs_n, value]  # exact where every bit is known
    gi, ii = np.nonzero(fixed != 2**k1 - 1)
    if len(gi):
        combos = np.arange(2**k1)
        chunk = max(1, CHUNK_CELLS // len(combos))
        for lo in range(0, len(gi), chunk):
            g_, i_ = gi[lo : lo + chunk], ii[lo : lo + chunk]
            f, v = fixed[g_, i_, None], value[g_, i_, None]
            consistent = (combos & f) == v  # (c, 2^(K+1))
            table = tables[runs_n[g_, i_]]
            if best:
                out[g_, i_] = np.where(consistent, table, -np.inf).max(axis=1)
            else:
                total = np.where(consistent, table, 0.0).sum(axis=1)
                out[g_, i_] = total / consistent.sum(axis=1)
    return out


def nk_turbulence(land: NKLandscape, p: float, rng: Random) -> np.ndarray:
    """The market moves on an NK task: each dimension's contribution table is redrawn (uniform in
    [0, 1) again) with probability p, in place; which dimensions interact stays. Draws
    `random((R, N))`, then `random((k, 2^(K+1)))` for the k redrawn tables (from a RunStreams:
    run r its own N, then its own k_r tables, as alone). Returns (R, N) bool."""
    redraw = randomness.uniforms(rng, (land.runs, land.n)) < p
    width = land.contributions.shape[2]
    if isinstance(rng, RunStreams) and rng.runs > 1:
        counts = np.count_nonzero(redraw, axis=1)
        if counts.any():
            land.contributions[redraw] = rng.random(counts, tail=(width,))
        return redraw
    k = int(redraw.sum())
    if k:
        land.contributions[redraw] = rng.random((k, width))
    return redraw


def _solutions(index: np.ndarray, n: int) -> np.ndarray:
    """Solutions as beliefs in {-1, +1} (int8) from `nk_solutions_of` indices."""
    return (nk_solutions_of(index, n).astype(np.int8) * 2 - 1).astype(np.int8)


@dataclass
class NKBeliefTask:
    """The full model's NK task: one landscape per organization (batch axis R, as beliefs),
    its optimum (for normalisation and for what is 'right' on a dimension), and the score
    people see, (fitness / max) ** power when normalised, else fitness ** power.

    Mutable: turbulence redraws contribution tables and `refresh` finds the new optimum.
    """

    landscape: NKLandscape
    normalise: bool = False
    power: float = 1.0
    maximum: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (R,)
    optimum: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int8))

    def __post_init__(self) -> None:
        if self.maximum.size == 0:
            self.refresh()

    def refresh(self, runs: np.ndarray | None = None) -> None:
        """Find each landscape's optimum again (after turbulence); only those of `runs`, indices
        of the landscapes that changed, if given (the others' optimum stays)."""
        if runs is None:
            self.maximum, where = nk_optimum(self.landscape)
            self.optimum = _solutions(where, self.landscape.n)
            return
        self.maximum[runs], where = nk_optimum(self.landscape.select(runs))
        self.optimum[runs] = _solutions(where, self.landscape.n)

    def finish(self, fitness: np.ndarray) -> np.ndarray:
        """The score people see from a fitness (R, ...)."""
        if self.normalise:
            return normalised(fitness, self.maximum, self.power)
        return fitness**self.power if self.power != 1.0 else fitness

    def actions(self, actions: np.ndarray) -> np.ndarray:
        """Score (R, A) of actions (R, A, N) in {-1, +1}."""
        return self.finish(nk_fitness(self.landscape, (actions > 0).view(np.uint8)))

    def beliefs(self, beliefs: np.ndarray) -> np.ndarray:
        """Expected score (R, A) of beliefs (R, A, N) in {-1, 0, +1}, zeros acting as fair coins
        (the score of the expected fitness: exact at power 1)."""
        return self.finish(nk_belief_contributions(self.landscape, beliefs).mean(axis=2))

    def best_case(self, beliefs: np.ndarray) -> np.ndarray:
        """An upper bound (R, A) on the score any coins for the zero beliefs can give: the mean of
        each dimension's best completion (exact when nobody has a zero belief)."""
        return self.finish(nk_belief_contributions(self.landscape, beliefs, best=True).mean(axis=2))

    def rows(self, rows: np.ndarray, run: np.ndarray) -> np.ndarray:
        """Expected score (G,) of belief rows (G, N), row g in organization run[g]."""
        fitness = nk_row_contributions(self.landscape, rows, run).mean(axis=1)
        if self.normalise:
            return (fitness / self.maximum[run]) ** self.power
        return fitness**self.power if self.power != 1.0 else fitness

    def people(self, flat: np.ndarray) -> np.ndarray:
        """Expected score (R·n,) of everyone, for beliefs (R·n, N) of R organizations of n."""
        return self.beliefs(flat.reshape(self.landscape.runs, -1, flat.shape[1])).reshape(-1)

    def with_belief(
        self, flat: np.ndarray, people: np.ndarray, topic: np.ndarray, value: np.ndarray
    ) -> np.ndarray:
        """Expected score (k,) of `people` (k,) (rows of beliefs (R·n, N) of R organizations of
        n) with their belief on `topic` (k,) replaced by `value` (k,)."""
        trial = flat[people]
        trial[np.arange(len(people)), topic] = value
        per_org = flat.shape[0] // self.landscape.runs
        return self.rows(trial, people // per_org)
