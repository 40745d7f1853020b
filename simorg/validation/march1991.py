"""March (1991) reproduced with simorg's own knowledge submodel (`simorg.mechanisms.learning`).

Each experiment runs many independent organizations (and all its parameter cells) as one batch of
arrays, so March's whole Figure 1 is a single array computation. Experiments, each reported at the
period March used (see docs/validation.md):

- ``figure1``: p1 x p2 grid, code knowledge at equilibrium (March's Figure 1);
- ``mixed``: k of n people socialize fast (p1 = 0.9), the rest slowly (0.1), p2 = 0.5; code
  knowledge at equilibrium (Figure 2) and code, fast and slow individuals' knowledge in period 20
  (Figure 3);
- ``turnover``: p1 in {0.1, 0.9} x turnover p3, p2 = 0.5; code knowledge in period 20 (Figure 4);
- ``turbulence``: reality shifts with p4 = 0.02, p1 = p2 = 0.5, p3 in {0, 0.1}; code knowledge over
  100 periods (Figure 5).

Random streams: a batch for seed S draws reality and beliefs from ``spawn_streams(S)["knowledge"]``
and learning from ``["learning"]``, exactly as the full model does, so ``run_single(S, ...)`` (one
organization) equals ``OrgModel`` in its March special case with the same seed. Turnover draws
from ``["turnover"]``; turbulence, which moves reality, from ``["knowledge"]`` after initialization.
With one Generator per batch, a cell's numbers depend on the seed and on the whole set of cells
requested.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from simorg.mechanisms.learning import (
    at_equilibrium,
    code_knowledge,
    individual_knowledge,
    initial_knowledge,
    knowledge_step,
    person_knowledge,
    replace_people,
    turbulence,
)
from simorg.randomness import spawn_streams
from simorg.validation.march1991_design import (  # noqa: F401 (re-exported for users)
    DEFAULT_P1,
    DEFAULT_P2,
    EXPERIMENTS,
    M_DIMENSIONS,
    MAX_PERIODS,
    MIXED_FAST,
    MIXED_P1,
    MIXED_P2,
    MIXED_PERIOD,
    N_PEOPLE,
    RUNS,
    SEED,
    TURBULENCE_P1,
    TURBULENCE_P2,
    TURBULENCE_P3,
    TURBULENCE_P4,
    TURBULENCE_PERIODS,
    TURNOVER_P1,
    TURNOVER_P2,
    TURNOVER_P3,
    TURNOVER_PERIOD,
)
from simorg.validation.rows import Row, mean_sem

Measure = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], dict[str, np.ndarray]]
Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    """Per-run results of a batch: measures at the end and at chosen periods."""

    final: dict[str, np.ndarray]  # (R,) at equilibrium, or at the last period
    at: dict[int, dict[str, np.ndarray]]  # period -> measure -> (R,)
    periods: np.ndarray  # (R,) periods run (equilibrium period when settled)
    settled: np.ndarray  # (R,) bool, reached equilibrium


def code_only(
    beliefs: np.ndarray, code: np.ndarray, reality: np.ndarray, idx: np.ndarray
) -> dict[str, np.ndarray]:
    """Measure: code knowledge (Σ c·r / m) and mean individual knowledge."""
    return {
        "code": code_knowledge(code, reality),
        "individual": individual_knowledge(beliefs, reality),
    }


def _leading(rate: float | Sequence[float] | np.ndarray, runs: int, ndim: int) -> np.ndarray:
    """A rate as an array with a leading run axis, so it can be compacted with the runs."""
    arr = np.asarray(rate, dtype=np.float64)
    if arr.ndim == 0:
        arr = arr.reshape((1,) * ndim)
    elif arr.ndim < ndim:
        arr = arr.reshape(arr.shape + (1,) * (ndim - arr.ndim))
    return np.ascontiguousarray(np.broadcast_to(arr, (runs,) + arr.shape[1:]))


def _store(target: dict[str, np.ndarray], runs: int, idx: np.ndarray, values: dict) -> None:
    for name, value in values.items():
        target.setdefault(name, np.full(runs, np.nan))[idx] = value


def run_organizations(
    reality: np.ndarray,
    beliefs: np.ndarray,
    code: np.ndarray,
    p1: float | np.ndarray,
    p2: float | np.ndarray,
    streams: dict[str, np.random.Generator],
    *,
    periods: int,
    stop_at_equilibrium: bool = True,
    p3: float | np.ndarray = 0.0,
    p4: float | np.ndarray = 0.0,
    record_at: Sequence[int] = (),
    measure: Measure = code_only,
    progress: Progress | None = None,
) -> Outcome:
    """Advance a batch of organizations, period by period; the arrays end in their final state.

    Each period: turbulence (p4), turnover (p3), then one `knowledge_step` (the order of March's
    BASIC program as described by Watts 2014). Period 0 is the initial state. With
    `stop_at_equilibrium` a run leaves the batch once it is at equilibrium (which is absorbing, so
    its later recorded values are its final ones); the rest go on up to `periods`.

    `progress(done, total)` gets settled runs out of all when stopping at equilibrium, periods
    otherwise.
    """
    runs = beliefs.shape[0]
    p1a, p2a = _leading(p1, runs, 3), _leading(p2, runs, 2)
    p3a, p4a = _leading(p3, runs, 2), _leading(p4, runs, 2)
    turnover_on, turbulence_on = bool((p3a > 0).any()), bool((p4a > 0).any())
    if stop_at_equilibrium and (turnover_on or turbulence_on):
        raise ValueError("no equilibrium with turnover or turbulence: report at a fixed period")
    b, c, r = beliefs, code, reality
    active = np.arange(runs)
    record = set(record_at)
    at: dict[int, dict[str, np.ndarray]] = {t: {} for t in sorted(record)}
    final: dict[str, np.ndarray] = {}
    settled = np.zeros(runs, dtype=bool)
    periods_run = np.full(runs, periods)
    for t in range(periods + 1):
        if t > 0:
            if turbulence_on:
                turbulence(r, p4a, streams["knowledge"])
            if turnover_on:
                replace_people(b, p3a, streams["turnover"])
            knowledge_step(b, c, r, p1a, p2a, streams["learning"])
            if progress is not None and not stop_at_equilibrium:
                progress(t, periods)
        if t in record:
            _store(at[t], runs, active, measure(b, c, r, active))
        if not stop_at_equilibrium:
            continue
        done = at_equilibrium(b, c, r)
        if done.any():
            idx = active[done]
            values = measure(b[done], c[done], r[done], idx)
            _store(final, runs, idx, values)
            for later in at:
                if later > t:
                    _store(at[later], runs, idx, values)
            beliefs[idx], code[idx], reality[idx] = b[done], c[done], r[done]
            settled[idx] = True
            periods_run[idx] = t
            keep = ~done
            active = active[keep]
            b, c, r = b[keep], c[keep], r[keep]
            p1a, p2a, p3a, p4a = p1a[keep], p2a[keep], p3a[keep], p4a[keep]
            if progress is not None:
                progress(runs - active.size, runs)
            if active.size == 0:
                break
    if active.size:
        _store(final, runs, active, measure(b, c, r, active))
        beliefs[active], code[active], reality[active] = b, c, r
    return Outcome(final=final, at=at, periods=periods_run, settled=settled)


def _provenance(seed: int, n: int, m: int) -> Row:
    return {"seed": seed, "n": n, "m": m}


def _batch(seed: int, n: int, m: int, runs: int) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    streams = spawn_streams(seed)
    reality, beliefs, code = initial_knowledge(streams["knowledge"], n, m, runs=runs)
    return streams, reality, beliefs, code


def figure1(
    p1s: Sequence[float] = DEFAULT_P1,
    p2s: Sequence[float] = DEFAULT_P2,
    runs: int = RUNS,
    seed: int = SEED,
    n: int = N_PEOPLE,
    m: int = M_DIMENSIONS,
    max_periods: int = MAX_PERIODS,
    progress: Progress | None = None,
) -> list[Row]:
    """March's Figure 1: mean code knowledge at equilibrium for each (p1, p2), all cells at once."""
    cells = [(a, b) for a in p1s for b in p2s]
    streams, reality, beliefs, code = _batch(seed, n, m, len(cells) * runs)
    p1 = np.repeat([a for a, _ in cells], runs)
    p2 = np.repeat([b for _, b in cells], runs)
    out = run_organizations(
        reality, beliefs, code, p1, p2, streams, periods=max_periods, progress=progress
    )
    rows = []
    for i, (a, b) in enumerate(cells):
        cell = slice(i * runs, (i + 1) * runs)
        mean, sem = mean_sem(out.final["code"][cell])
        rows.append(
            {
                "experiment": "figure1",
                "p1": a,
                "p2": b,
                "runs": runs,
                "mean": mean,
                "sem": sem,
                "measure": "code knowledge at equilibrium",
                "individual": mean_sem(out.final["individual"][cell])[0],
                "periods_mean": float(out.periods[cell].mean()),
                "periods_max": int(out.periods[cell].max()),
                "unsettled": int((~out.settled[cell]).sum()),
                **_provenance(seed, n, m),
            }
        )
    return rows


def mixed(
    fast: Sequence[int] = MIXED_FAST,
    p1_slow: float = MIXED_P1[0],
    p1_fast: float = MIXED_P1[1],
    p2: float = MIXED_P2,
    runs: int = RUNS,
    seed: int = SEED,
    n: int = N_PEOPLE,
    m: int = M_DIMENSIONS,
    period: int = MIXED_PERIOD,
    max_periods: int = MAX_PERIODS,
    progress: Progress | None = None,
) -> list[Row]:
    """March's Figures 2 and 3: k fast and n - k slow learners.

    `mean` is code knowledge at equilibrium (Figure 2); `homogeneous` is the same for an
    organization whose people all socialize at the mixed one's mean rate (is a mix better than its
    average?); `code_at`, `fast_at`, `slow_at` are the code's and the fast and slow individuals'
    mean knowledge in `period` (Figure 3).
    """
    if any(k < 0 or k > n for k in fast):
        raise ValueError(f"number of fast learners must be within 0..{n}")
    cells = len(fast) * runs  # mixed organizations first, then their homogeneous twins
    streams, reality, beliefs, code = _batch(seed, n, m, 2 * cells)
    counts = np.repeat(np.asarray(fast), runs)
    is_fast = np.arange(n)[None, :] < np.concatenate([counts, np.zeros_like(counts)])[:, None]
    mean_p1 = (counts * p1_fast + (n - counts) * p1_slow) / n
    p1 = np.concatenate(
        [np.where(is_fast[:cells], p1_fast, p1_slow), np.repeat(mean_p1[:, None], n, axis=1)]
    )[:, :, None]

    def measure(b: np.ndarray, c: np.ndarray, r: np.ndarray, idx: np.ndarray) -> dict:
        know = person_knowledge(b, r)
        f = is_fast[idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            fast_k = (know * f).sum(axis=1) / f.sum(axis=1)
            slow_k = (know * ~f).sum(axis=1) / (~f).sum(axis=1)
        return {"code": code_knowledge(c, r), "fast": fast_k, "slow": slow_k}

    out = run_organizations(
        reality,
        beliefs,
        code,
        p1,
        p2,
        streams,
        periods=max_periods,
        record_at=(period,),
        measure=measure,
        progress=progress,
    )
    at = out.at[period]
    rows = []
    for i, k in enumerate(fast):
        cell = slice(i * runs, (i + 1) * runs)
        twin = slice(cells + i * runs, cells + (i + 1) * runs)
        mean, sem = mean_sem(out.final["code"][cell])
        homogeneous, homogeneous_sem = mean_sem(out.final["code"][twin])
        rows.append(
            {
                "experiment": "mixed",
                "fast": int(k),
                "p1": (k * p1_fast + (n - k) * p1_slow) / n,
                "p1_slow": p1_slow,
                "p1_fast": p1_fast,
                "p2": p2,
                "runs": runs,
                "mean": mean,
                "sem": sem,
                "measure": "code knowledge at equilibrium",
                "homogeneous": homogeneous,
                "homogeneous_sem": homogeneous_sem,
                "period": period,
                "code_at": mean_sem(at["code"][cell])[0],
                "fast_at": mean_sem(at["fast"][cell])[0],
                "slow_at": mean_sem(at["slow"][cell])[0],
                "unsettled": int((~out.settled[cell]).sum() + (~out.settled[twin]).sum()),
                **_provenance(seed, n, m),
            }
        )
    return rows


def turnover(
    p1s: Sequence[float] = TURNOVER_P1,
    p3s: Sequence[float] = TURNOVER_P3,
    p2: float = TURNOVER_P2,
    runs: int = RUNS,
    seed: int = SEED,
    n: int = N_PEOPLE,
    m: int = M_DIMENSIONS,
    period: int = TURNOVER_PERIOD,
    progress: Progress | None = None,
) -> list[Row]:
    """March's Figure 4: code knowledge in `period` for each (p1, turnover p3)."""
    cells = [(a, t) for a in p1s for t in p3s]
    streams, reality, beliefs, code = _batch(seed, n, m, len(cells) * runs)
    p1 = np.repeat([a for a, _ in cells], runs)
    p3 = np.repeat([t for _, t in cells], runs)
    out = run_organizations(
        reality,
        beliefs,
        code,
        p1,
        p2,
        streams,
        periods=period,
        stop_at_equilibrium=False,
        p3=p3,
        record_at=(period,),
        progress=progress,
    )
    rows = []
    for i, (a, t) in enumerate(cells):
        cell = slice(i * runs, (i + 1) * runs)
        mean, sem = mean_sem(out.at[period]["code"][cell])
        rows.append(
            {
                "experiment": "turnover",
                "p1": a,
                "p2": p2,
                "p3": t,
                "runs": runs,
                "mean": mean,
                "sem": sem,
                "measure": f"code knowledge in period {period}",
                "period": period,
                "individual": mean_sem(out.at[period]["individual"][cell])[0],
                **_provenance(seed, n, m),
            }
        )
    return rows


def turbulence_series(
    p3s: Sequence[float] = TURBULENCE_P3,
    p1: float = TURBULENCE_P1,
    p2: float = TURBULENCE_P2,
    p4: float = TURBULENCE_P4,
    runs: int = RUNS,
    seed: int = SEED,
    n: int = N_PEOPLE,
    m: int = M_DIMENSIONS,
    periods: int = TURBULENCE_PERIODS,
    progress: Progress | None = None,
) -> list[Row]:
    """March's Figure 5: code knowledge in every period 0..`periods` under turbulence p4, per p3."""
    streams, reality, beliefs, code = _batch(seed, n, m, len(p3s) * runs)
    p3 = np.repeat(list(p3s), runs)
    out = run_organizations(
        reality,
        beliefs,
        code,
        p1,
        p2,
        streams,
        periods=periods,
        stop_at_equilibrium=False,
        p3=p3,
        p4=p4,
        record_at=range(periods + 1),
        progress=progress,
    )
    rows = []
    for i, t in enumerate(p3s):
        cell = slice(i * runs, (i + 1) * runs)
        for period in range(periods + 1):
            mean, sem = mean_sem(out.at[period]["code"][cell])
            rows.append(
                {
                    "experiment": "turbulence",
                    "p1": p1,
                    "p2": p2,
                    "p3": t,
                    "p4": p4,
                    "runs": runs,
                    "mean": mean,
                    "sem": sem,
                    "measure": "code knowledge",
                    "period": period,
                    **_provenance(seed, n, m),
                }
            )
    return rows


def run_single(
    seed: int,
    p1: float,
    p2: float,
    n: int = N_PEOPLE,
    m: int = M_DIMENSIONS,
    max_periods: int = MAX_PERIODS,
    stop_at_equilibrium: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One organization, seeded like the full model: final code (m,), beliefs (n, m), reality (m,).

    Draws `initial_knowledge(spawn_streams(seed)["knowledge"], n, m)` and then one
    `knowledge_step(..., rng=spawn_streams(seed)["learning"])` per period, until equilibrium (an
    absorbing state, so running longer changes nothing) or `max_periods`.
    """
    streams, reality, beliefs, code = _batch(seed, n, m, 1)
    run_organizations(
        reality,
        beliefs,
        code,
        p1,
        p2,
        streams,
        periods=max_periods,
        stop_at_equilibrium=stop_at_equilibrium,
    )
    return code[0], beliefs[0], reality[0]
