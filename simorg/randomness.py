"""Named random streams: one per mechanism, all spawned from a run's single seed.

Each mechanism draws from its own stream, so switching one mechanism off does not shift the random
numbers another one sees. That keeps comparisons between scenarios honest (common random numbers) and
lets the March (1991) special case of the full model draw exactly what the validation runner draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np

STREAMS: tuple[str, ...] = (
    "structure",
    "knowledge",
    "culture_init",
    "customers",
    "requests",
    "conversations",
    "learning",
    "culture",
    "turnover",
    "purchases",
    "interventions",
    "voice",
    "failure",
    "task",  # issue 9: the NK landscape (drawn only on an NK task)
    "department_codes",  # issue 9: department codes (drawn only when they are on)
)


def spawn_streams(seed: int) -> dict[str, np.random.Generator]:
    """Return one independent Generator per name in STREAMS, derived from `seed` alone."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {
        name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)
    }


class RunStreams:
    """One mechanism's random stream for each run of a batch (the replication axis).

    Run r draws from its own Generator exactly what it would draw alone, in the same order and
    sizes, so a batched run gives the numbers of the same seed run alone, bit for bit. Methods
    take per-run sizes (`counts`, (R,) ints) and return the runs' draws concatenated, run 0
    first, which is how a batch keeps its per-person and per-request arrays (simorg.batch).
    With one run they are the Generator's own calls; `gens[r]` is run r's Generator.
    """

    def __init__(self, gens: list[np.random.Generator]) -> None:
        self.gens = gens
        self.runs = len(gens)

    def _each(self, size: Any, draw: Any, tail: tuple[int, ...] = ()) -> Any:
        """Run r draws `size[r]` (× `tail`) values; one run also takes a Generator's `size`
        (None, an int or a shape)."""
        if self.runs == 1:
            if size is None or isinstance(size, tuple):
                return draw(self.gens[0], size)
            k = int(size) if np.ndim(size) == 0 else int(size[0])
            return draw(self.gens[0], (k, *tail))
        parts = [draw(g, (int(k), *tail)) for g, k in zip(self.gens, size, strict=True)]
        return np.concatenate(parts)

    def random(self, size: Any = None, dtype: Any = np.float64, tail: tuple[int, ...] = ()) -> Any:
        """Uniforms in [0, 1): `size[r]` (× `tail`) of them from run r's stream."""
        return self._each(size, lambda g, sz: g.random(sz, dtype=dtype), tail)

    def integers(
        self,
        low: int,
        high: Any,
        size: Any = None,
        dtype: Any = np.int64,
        tail: tuple[int, ...] = (),
    ) -> Any:
        """Integers in [low, high): `high` one for all runs, or (R,) one per run."""
        if np.ndim(high) == 0:
            return self._each(size, lambda g, sz: g.integers(low, high, sz, dtype), tail)
        highs = iter(np.asarray(high).reshape(-1).tolist())
        return self._each(size, lambda g, sz: g.integers(low, next(highs), sz, dtype), tail)

    def standard_normal(self, size: Any = None) -> Any:
        return self._each(size, lambda g, sz: g.standard_normal(sz))

    def poisson(self, lam: Any, where: np.ndarray | None = None) -> Any:
        """(R,) one Poisson count per run with mean `lam[r]`; runs outside `where` draw nothing
        (and get 0), as a run alone that skips the draw. One run: also a Generator's call."""
        if np.ndim(lam) == 0:
            return self.gens[0].poisson(lam)
        out = np.zeros(self.runs, dtype=np.int64)
        for r, g in enumerate(self.gens):
            if where is None or where[r]:
                out[r] = g.poisson(lam[r])
        return out

    def binomial(self, n: Any, p: float) -> Any:
        """(R,) one Binomial(n[r], p) per run; a run with n = 0 draws nothing. One run: also a
        Generator's call."""
        if np.ndim(n) == 0:
            return self.gens[0].binomial(n, p)
        out = np.zeros(self.runs, dtype=np.int64)
        for r, g in enumerate(self.gens):
            if n[r]:
                out[r] = g.binomial(int(n[r]), p)
        return out

    def random_runs(self, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
        """Uniforms of `shape`, whose leading axis is the runs: run r draws `shape[1:]`."""
        if self.runs == 1:
            return self.gens[0].random(shape, dtype=dtype)
        return np.stack([g.random(shape[1:], dtype=dtype) for g in self.gens])

    def integers_runs(
        self, low: int, high: int, shape: tuple[int, ...], dtype: type = np.int64
    ) -> np.ndarray:
        """Integers in [low, high) of `shape`, leading axis the runs (see `random_runs`)."""
        if self.runs == 1:
            return self.gens[0].integers(low, high, shape, dtype)
        return np.stack([g.integers(low, high, shape[1:], dtype) for g in self.gens])


Random = np.random.Generator | RunStreams
"""What a function that serves both the full model (RunStreams) and the validation runners (one
Generator for many organizations) takes as its stream."""


def run_streams(streams: list[dict[str, np.random.Generator]]) -> dict[str, RunStreams]:
    """The streams of a batch: for each name, the runs' Generators (`spawn_streams` of each seed)."""
    return {name: RunStreams([s[name] for s in streams]) for name in STREAMS}


def uniforms(rng: Random, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
    """Uniforms of `shape` (leading axis the runs) from a RunStreams or one Generator."""
    if isinstance(rng, RunStreams):
        return rng.random_runs(shape, dtype)
    return rng.random(shape, dtype=dtype)


def integers(rng: Random, low: int, high: int, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """Integers of `shape` (leading axis the runs) from a RunStreams or one Generator."""
    if isinstance(rng, RunStreams):
        return rng.integers_runs(low, high, shape, dtype)
    return rng.integers(low, high, shape, dtype)
