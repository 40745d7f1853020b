"""Running many runs: one run, a chunk of runs, and the executors that spread chunks over workers.

A *task* is one run: (run_key, base label, varied parameters, replication, seed, steps). Tasks go
to workers in *chunks*, so that a worker process pays its start-up (importing numpy, Mesa and
simorg) once and then runs many runs. Chunks start with one run and grow until a chunk takes about
a second, so short runs are not dominated by the cost of sending them and long runs still report
progress often and lose little when a sweep is killed.

Executors are `concurrent.futures` executors:
- local: a `ProcessPoolExecutor` whose workers are forked from a server that has already imported
  simorg (multiprocessing's forkserver, preloaded), or spawned where forkserver is unavailable;
- dask: `distributed.Client(address).get_executor()`, or a `LocalCluster` on 127.0.0.1 started and
  stopped around the sweep when no address is given.
A run's numbers depend only on its scenario, steps and seed, so both executors give the same numbers.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any, NamedTuple

import numpy as np

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


class WorkerLost(RuntimeError):
    """A worker process died (killed, or out of memory): the pool cannot go on."""


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


# --- executors ------------------------------------------------------------------------------------


@dataclass
class ExecutorInfo:
    kind: str  # "local" or "dask"
    workers: int
    where: str  # "3 local processes", "dask tcp://…"


def _limit_threads() -> None:
    """One BLAS/OpenMP thread per worker: workers are the parallelism."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


@contextmanager
def local_executor(workers: int) -> Iterator[tuple[cf.Executor, ExecutorInfo]]:
    import multiprocessing as mp

    _limit_threads()
    try:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["simorg.experiments.runner"])
    except ValueError:  # pragma: no cover - platforms without forkserver
        ctx = mp.get_context("spawn")
    pool = cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(os.getpid(),)
    )
    try:
        yield (
            pool,
            ExecutorInfo(
                "local", workers, f"{workers} local worker process{'es' * (workers != 1)}"
            ),
        )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class DaskUnavailable(RuntimeError):
    """The Dask scheduler cannot be reached or started; the message is one line."""


@contextmanager
def dask_executor(workers: int, address: str | None) -> Iterator[tuple[cf.Executor, ExecutorInfo]]:
    import logging
    import tempfile

    import dask
    from distributed import Client, LocalCluster

    _limit_threads()
    cluster = None
    tmp = None
    try:
        with dask.config.set(
            {"distributed.worker.daemon": True, "distributed.admin.tick.limit": "60s"}
        ):
            if address:
                try:
                    client = Client(address, timeout="10s")
                except (OSError, TimeoutError) as exc:
                    raise DaskUnavailable(
                        f"--address {address}: cannot reach a Dask scheduler ({' '.join(str(exc).split())[:200]})"
                    ) from None
                n = len(client.scheduler_info().get("workers", {})) or workers
                info = ExecutorInfo("dask", n, f"dask cluster at {address} ({n} workers)")
            else:
                tmp = tempfile.TemporaryDirectory(prefix="simorg-dask-")
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    local_directory=tmp.name,
                    silence_logs=logging.ERROR,
                )
                client = Client(cluster)
                info = ExecutorInfo(
                    "dask", workers, f"dask local cluster on 127.0.0.1 ({workers} workers)"
                )
        try:
            yield client.get_executor(pure=False), info
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
        if tmp is not None:
            tmp.cleanup()


@contextmanager
def open_executor(kind: str, workers: int, address: str | None = None):
    if kind == "dask":
        with dask_executor(workers, address) as pair:
            yield pair
    else:
        with local_executor(workers) as pair:
            yield pair


# --- the dispatch loop ----------------------------------------------------------------------------


def execute(
    tasks: Iterable[Task],
    bases: dict[str, dict[str, Any]],
    every: int,
    outcomes: list[str],
    executor: cf.Executor,
    workers: int,
    on_outputs: Callable[[list[RunOutput]], None],
    on_tick: Callable[[], None] | None = None,
    target_seconds: float = 1.0,
    max_chunk: int = 64,
) -> None:
    """Feed `tasks` to `executor` in chunks, at most two chunks per worker in flight.

    `on_outputs` gets every finished chunk's outputs as they arrive (in completion order);
    `on_tick` is called at least every quarter second. Memory stays bounded: tasks are drawn
    lazily from the iterable and only chunks in flight are held.
    """
    payload = {label: (base_digest(data), data) for label, data in bases.items()}
    source = iter(tasks)
    pending: dict[cf.Future, list[Task]] = {}
    per_run: float | None = None  # running estimate of seconds per run
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < 2 * max(workers, 1):
                size = (
                    1
                    if per_run is None
                    else int(min(max_chunk, max(1, target_seconds / max(per_run, 1e-6))))
                )
                chunk = list(islice(source, size))
                if not chunk:
                    exhausted = True
                    break
                used = {t.base for t in chunk}
                fut = executor.submit(
                    run_chunk, chunk, {k: payload[k] for k in used}, every, outcomes
                )
                pending[fut] = chunk
            if not pending:
                break
            done, _ = cf.wait(pending, timeout=0.25, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                chunk = pending.pop(fut)
                try:
                    outputs = fut.result()
                except BrokenProcessPool as exc:
                    raise WorkerLost(
                        "a worker process died (killed, or out of memory?); finished runs are kept"
                    ) from exc
                except Exception as exc:  # e.g. Dask's KilledWorker: the chunk's runs failed
                    err = "worker error: " + describe_error(exc)
                    outputs = [RunOutput(t.run_key, "failed", err, 0.0, None, None) for t in chunk]
                spent = sum(o.duration for o in outputs) / max(len(outputs), 1)
                per_run = spent if per_run is None else 0.7 * per_run + 0.3 * spent
                on_outputs(outputs)
            if on_tick is not None:
                on_tick()
    finally:
        for fut in pending:
            fut.cancel()


# --- a sweep --------------------------------------------------------------------------------------


@dataclass
class SweepSummary:
    out: str
    expected_runs: int
    already_done: int  # finished before this session (skipped)
    ran: int  # finished in this session
    failed: int  # failed runs in the folder, all sessions
    seconds: float
    executor: str

    @property
    def complete(self) -> bool:
        return self.already_done + self.ran == self.expected_runs


def default_workers() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def sweep_tasks(design, skip: set[str] | dict[str, str]) -> Iterator[Task]:
    """Every run of the design not in `skip`: replication-major, so a partial sweep is balanced."""
    for r, seed in enumerate(design.seeds):
        for v in design.variants:
            key = design.run_key(v.index, r)
            if key in skip:
                continue
            yield Task(key, v.index, v.base, v.params, r, seed, design.base_steps[v.base])


def sweep(
    design,
    out,
    workers: int | None = None,
    executor: str = "local",
    address: str | None = None,
    fresh: bool = False,
    retry_failed: bool = False,
    progress: bool | None = None,
    flush_seconds: float = 1.0,
    monitor: Callable[[int, int], None] | None = None,
) -> SweepSummary:
    """Run every unfinished run of `design`, streaming results to the folder `out`.

    `progress`: show a progress bar (default: when stdout is a terminal); `monitor(ran, failed)` is
    called after every finished chunk (benchmarks use it).
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path

    from simorg.experiments.store import Store

    workers = workers or default_workers()
    store = Store.open(Path(out), design, fresh=fresh)
    if retry_failed:
        store.drop_failed()
    finished = store.finished()
    failed_before = sum(1 for s in finished.values() if s == "failed")
    todo = design.expected_runs - len(finished)
    writer = store.writer(flush_seconds=flush_seconds)
    variant_of = {}  # run_key -> (variant, replication), only for runs in flight
    counts = {"ran": 0, "failed": 0}
    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    show = sys.stdout.isatty() if progress is None else progress
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs · {task.fields[failed]} failed · {task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        disable=not show,
        transient=False,
    )
    task_id = bar.add_task(
        design.experiment.name,
        total=design.expected_runs,
        completed=len(finished),
        failed=failed_before,
        rate="– runs/s",
    )

    def tasks() -> Iterator[Task]:
        for t in sweep_tasks(design, finished):
            variant_of[t.run_key] = (t.variant, t.replication)
            yield t

    def on_outputs(outputs: list[RunOutput]) -> None:
        for o in outputs:
            v, r = variant_of.pop(o.run_key)
            writer.add(v, r, o)
            counts["ran"] += 1
            counts["failed"] += o.status != "ok"
        elapsed = time.perf_counter() - t0
        bar.update(
            task_id,
            advance=len(outputs),
            failed=failed_before + counts["failed"],
            rate=f"{counts['ran'] / max(elapsed, 1e-9):.1f} runs/s",
        )
        if monitor is not None:
            monitor(counts["ran"], counts["failed"])

    info_where = executor
    try:
        with bar:
            if todo > 0:
                with open_executor(executor, workers, address) as (pool, info):
                    info_where = info.where
                    execute(
                        tasks(),
                        design.bases,
                        design.every,
                        design.outcomes,
                        pool,
                        info.workers,
                        on_outputs,
                        on_tick=writer.tick,
                    )
    finally:
        writer.flush()
        store.add_session(
            {
                "started": started,
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "executor": info_where,
                "workers": workers,
                "ran": counts["ran"],
                "failed": counts["failed"],
                "complete": len(finished) + counts["ran"] == design.expected_runs,
            }
        )
    return SweepSummary(
        out=str(out),
        expected_runs=design.expected_runs,
        already_done=len(finished),
        ran=counts["ran"],
        failed=failed_before + counts["failed"],
        seconds=time.perf_counter() - t0,
        executor=info_where,
    )
