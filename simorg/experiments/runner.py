"""Running one replication, and a chunk of them, inside a worker process.

A *task* is one run: (run_key, variant, base label, varied parameters, replication, seed, steps).
`run_chunk` runs a list of tasks and returns one `RunOutput` each: a run that raises is returned as
failed with its one-line error, the others go on. Consecutive tasks of the same variant run as one
batch of replications (`batch` at most; simorg.replications), with the numbers each gives alone; a
batch that raises is run again one run at a time, so only the failing run is reported failed.
This module knows nothing of executors (`executors`) or of the results folder (`store`); `sweep`
wires the three together.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
import traceback
from typing import Any, NamedTuple

import numpy as np

from simorg.limits import check_run
from simorg.scenario import Scenario, from_dict, with_overrides
from simorg.simulate import RunResult, simulate


class Task(NamedTuple):
    run_key: str
    variant: int
    base: str
    params: dict[str, Any]
    replication: int
    seed: int
    steps: int


class RunOutput(NamedTuple):
    run_key: str
    status: str  # "ok" or "failed"
    error: str | None
    duration: float  # seconds
    final: list[float] | None  # recorded outcomes after the last step, in `outcomes` order
    trajectory: np.ndarray | None  # rows: recorded steps; columns: step, then the outcomes


# --- in a worker ----------------------------------------------------------------------------------

_SCENARIO_CACHE: dict[str, Scenario] = {}


def base_digest(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha1(text.encode()).hexdigest()


def _base_scenario(digest: str, data: dict[str, Any]) -> Scenario:
    sc = _SCENARIO_CACHE.get(digest)
    if sc is None:
        if len(_SCENARIO_CACHE) > 64:
            _SCENARIO_CACHE.clear()
        sc = _SCENARIO_CACHE[digest] = from_dict(data, "base scenario")
    return sc


def describe_error(exc: BaseException) -> str:
    """One line: the exception and where it was raised."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    tb = traceback.extract_tb(exc.__traceback__)
    if tb:
        frame = tb[-1]
        text += f" (at {os.path.basename(frame.filename)}:{frame.lineno} in {frame.name})"
    return text if len(text) <= 500 else text[:499] + "…"


def _scenario(base: Scenario, params: dict[str, Any], steps: int) -> Scenario:
    sc = with_overrides(base, params, source="varied parameters") if params else base
    check_run(sc, steps, quiet=True)  # this worker's memory, not the sweep host's
    return sc


def _numbers(
    result: RunResult, every: int, outcomes: list[str]
) -> tuple[list[float], np.ndarray | None]:
    final = [float(result.final[name]) for name in outcomes]
    traj = None
    if every > 0:
        traj = result.trajectory[["step", *outcomes]].to_numpy(dtype=np.float64)
    return final, traj


def run_one(
    base: Scenario, params: dict[str, Any], seed: int, steps: int, every: int, outcomes: list[str]
) -> tuple[list[float], np.ndarray | None]:
    """One run: the base scenario with `params` changed, `steps` steps from `seed`."""
    sc = _scenario(base, params, steps)
    return _numbers(simulate(sc, steps=steps, seed=seed, every=max(every, 1)), every, outcomes)


def run_many(
    base: Scenario,
    params: dict[str, Any],
    seeds: list[int],
    steps: int,
    every: int,
    outcomes: list[str],
) -> list[tuple[list[float], np.ndarray | None]]:
    """Replications of one variant as one batch: what `run_one` gives for each seed."""
    from simorg.replications import simulate_batch

    sc = _scenario(base, params, steps)
    results = simulate_batch(sc, seeds, steps=steps, every=max(every, 1))
    return [_numbers(result, every, outcomes) for result in results]


def _groups(tasks: list[Task], batch: int) -> list[list[Task]]:
    """Consecutive tasks of the same variant (base, parameters, steps), at most `batch` each."""
    groups: list[list[Task]] = []
    for task in tasks:
        last = groups[-1] if groups else None
        if (
            last is not None
            and len(last) < batch
            and (last[0].base, last[0].params, last[0].steps)
            == (task.base, task.params, task.steps)
        ):
            last.append(task)
        else:
            groups.append([task])
    return groups


def run_chunk(
    tasks: list[Task],
    bases: dict[str, tuple[str, dict[str, Any]]],
    every: int,
    outcomes: list[str],
    batch: int = 1,
) -> list[RunOutput]:
    """Run each task (replications of one variant batched, `batch` at most); a run that raises
    is returned as failed with its error, the others go on."""
    out: list[RunOutput] = []
    for group in _groups(tasks, max(batch, 1)):
        if len(group) > 1:
            t0 = time.perf_counter()
            first = group[0]
            try:
                digest, data = bases[first.base]
                numbers = run_many(
                    _base_scenario(digest, data),
                    first.params,
                    [t.seed for t in group],
                    first.steps,
                    every,
                    outcomes,
                )
            except Exception as exc:  # find the run that fails: each alone (the others count)
                _warn_once(exc)
            else:
                each = (time.perf_counter() - t0) / len(group)
                out.extend(
                    RunOutput(t.run_key, "ok", None, each, final, traj)
                    for t, (final, traj) in zip(group, numbers, strict=True)
                )
                continue
        out.extend(_run_alone(task, bases, every, outcomes) for task in group)
    return out


_WARNED: set[str] = set()


def _warn_once(exc: Exception) -> None:
    """A batch that fails for a reason other than its input (a run refused: SimorgError) is a
    fault of the batch program: say so once per worker, on stderr, and go on run by run."""
    from simorg.errors import SimorgError

    kind = type(exc).__name__
    if isinstance(exc, SimorgError) or kind in _WARNED:
        return
    _WARNED.add(kind)
    import sys

    print(
        f"simorg: warning: a batch of replications failed ({describe_error(exc)}); its runs are "
        "run one at a time (the same numbers, slower)",
        file=sys.stderr,
    )


def _run_alone(
    task: Task, bases: dict[str, tuple[str, dict[str, Any]]], every: int, outcomes: list[str]
) -> RunOutput:
    t0 = time.perf_counter()
    try:
        digest, data = bases[task.base]
        final, traj = run_one(
            _base_scenario(digest, data), task.params, task.seed, task.steps, every, outcomes
        )
    except Exception as exc:  # a failed run is data, not a crash of the sweep
        return RunOutput(
            task.run_key, "failed", describe_error(exc), time.perf_counter() - t0, None, None
        )
    return RunOutput(task.run_key, "ok", None, time.perf_counter() - t0, final, traj)


def _watch_parent(parent_pid: int) -> None:
    """Leave when the sweep that started this worker is gone (e.g. killed with SIGKILL)."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="simorg-parent-watch", daemon=True).start()


def _init_worker(parent_pid: int) -> None:
    # Ctrl-C is the sweep's to handle: it stops dispatching and lets chunks in flight finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent(parent_pid)
