"""Running one replication, and a chunk of them, inside a worker process.

A *task* is one run: (run_key, variant, base label, varied parameters, replication, seed, steps).
`run_chunk` runs a list of tasks and returns one `RunOutput` each: a run that raises is returned as
failed with its one-line error, the others go on. This module knows nothing of executors
(`executors`) or of the results folder (`store`); `sweep` wires the three together.
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
from simorg.simulate import simulate


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


def run_one(
    base: Scenario, params: dict[str, Any], seed: int, steps: int, every: int, outcomes: list[str]
) -> tuple[list[float], np.ndarray | None]:
    """One run: the base scenario with `params` changed, `steps` steps from `seed`."""
    sc = with_overrides(base, params, source="varied parameters") if params else base
    check_run(sc, steps, quiet=True)  # this worker's memory, not the sweep host's
    result = simulate(sc, steps=steps, seed=seed, every=max(every, 1))
    final = [float(result.final[name]) for name in outcomes]
    traj = None
    if every > 0:
        traj = result.trajectory[["step", *outcomes]].to_numpy(dtype=np.float64)
    return final, traj


def run_chunk(
    tasks: list[Task], bases: dict[str, tuple[str, dict[str, Any]]], every: int, outcomes: list[str]
) -> list[RunOutput]:
    """Run each task; a run that raises is returned as failed with its error, the others go on."""
    out: list[RunOutput] = []
    for task in tasks:
        t0 = time.perf_counter()
        try:
            digest, data = bases[task.base]
            final, traj = run_one(
                _base_scenario(digest, data), task.params, task.seed, task.steps, every, outcomes
            )
        except Exception as exc:  # a failed run is data, not a crash of the sweep
            out.append(
                RunOutput(
                    task.run_key,
                    "failed",
                    describe_error(exc),
                    time.perf_counter() - t0,
                    None,
                    None,
                )
            )
            continue
        out.append(RunOutput(task.run_key, "ok", None, time.perf_counter() - t0, final, traj))
    return out


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
