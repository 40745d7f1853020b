"""Where runs go: a local process pool or Dask, and the loop that feeds them chunks of runs.

Tasks go to workers in *chunks*, so that a worker process pays its start-up (importing numpy, Mesa
and simorg) once and then runs many runs. Chunks start with one run and grow until a chunk takes
about a second, so short runs are not dominated by the cost of sending them and long runs still
report progress often and lose little when a sweep is killed.

Executors are `concurrent.futures` executors:
- local: a `ProcessPoolExecutor` whose workers are forked from a server that has already imported
  simorg (multiprocessing's forkserver, preloaded), or spawned where forkserver is unavailable;
- dask: `distributed.Client(address).get_executor()`, or a `LocalCluster` on 127.0.0.1 started and
  stopped around the sweep when no address is given.
A run's numbers depend only on its scenario, steps and seed, so both executors give the same numbers.

A lost executor (a local worker killed, the Dask scheduler gone) raises `ExecutorLost` within
`EXECUTOR_TIMEOUT` seconds (environment variable `SIMORG_EXECUTOR_TIMEOUT`, default 30); the runs
in flight are *not* returned, so they are not recorded and a plain resume runs them.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from simorg.errors import ExecutorLost, SimorgError, one_line
from simorg.experiments.runner import RunOutput, Task, base_digest, describe_error, run_chunk

ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")


def executor_timeout() -> float:
    """Seconds a sweep waits for a lost executor to come back before it stops (exit code 3)."""
    try:
        return max(1.0, float(os.environ.get("SIMORG_EXECUTOR_TIMEOUT", "30")))
    except ValueError:
        return 30.0


@dataclass
class ExecutorInfo:
    kind: str  # "local" or "dask"
    workers: int
    where: str  # "3 local processes", "dask tcp://…"
    healthy: Callable[[], bool] = field(default=lambda: True)


def default_workers() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def check_address(address: str) -> str:
    """A Dask scheduler address, checked before anything is started or written."""
    address = address.strip()
    if not ADDRESS.match(address):
        raise SimorgError(
            f"--address {address!r}: not a Dask scheduler address; give one like tcp://10.0.0.5:8786"
        )
    return address


def _limit_threads() -> None:
    """One BLAS/OpenMP thread per worker: workers are the parallelism."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


@contextmanager
def local_executor(workers: int) -> Iterator[tuple[cf.Executor, ExecutorInfo]]:
    import multiprocessing as mp

    from simorg.experiments.runner import _init_worker

    _limit_threads()
    ctx: mp.context.BaseContext
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


@contextmanager
def dask_executor(workers: int, address: str | None) -> Iterator[tuple[cf.Executor, ExecutorInfo]]:
    import logging
    import tempfile

    import dask
    from distributed import Client, LocalCluster

    _limit_threads()
    cluster = None
    tmp = None
    timeout = executor_timeout()
    try:
        with dask.config.set(
            {"distributed.worker.daemon": True, "distributed.admin.tick.limit": "60s"}
        ):
            if address:
                try:
                    client = Client(address, timeout=f"{min(timeout, 10)}s")
                except (OSError, TimeoutError) as exc:
                    raise ExecutorLost(
                        f"--address {address}: cannot reach a Dask scheduler ({one_line(exc, 200)})"
                    ) from None
                n = len(client.scheduler_info().get("workers", {})) or workers
                where = f"dask cluster at {address} ({n} workers)"
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
                n = workers
                where = f"dask local cluster on 127.0.0.1 ({workers} workers)"
        info = ExecutorInfo("dask", n, where, healthy=lambda: client.status == "running")
        # The client's own messages about a lost scheduler would print many lines: ours is one.
        # Tornado's too: the callback that cascades a lost future logs its traceback there.
        quiet = ("distributed", "tornado")
        for name in [*quiet, "tornado.application", *logging.root.manager.loggerDict]:
            if name.startswith(quiet):
                logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        try:
            yield client.get_executor(pure=False), info
        finally:
            with contextlib.suppress(Exception):  # a lost scheduler: nothing left to close
                client.close(timeout=5)
    finally:
        if cluster is not None:
            cluster.close(timeout=10)
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


def _lost(exc: BaseException) -> bool:
    """True when a chunk failed because the executor went away, not because of its runs."""
    if isinstance(exc, BrokenProcessPool | cf.CancelledError):
        return True
    name = type(exc).__name__
    return name in ("CommClosedError", "FutureCancelledError", "StreamClosedError") or isinstance(
        exc, ConnectionError
    )


def execute(
    tasks: Iterable[Task],
    bases: dict[str, dict[str, Any]],
    every: int,
    outcomes: list[str],
    executor: cf.Executor,
    info: ExecutorInfo,
    on_outputs: Callable[[list[RunOutput]], None],
    on_tick: Callable[[], None] | None = None,
    target_seconds: float = 1.0,
    max_chunk: int = 64,
    batch: int = 1,
) -> None:
    """Feed `tasks` to `executor` in chunks, at most two chunks per worker in flight.

    `on_outputs` gets every finished chunk's outputs as they arrive (in completion order);
    `on_tick` is called at least every quarter second. Memory stays bounded: tasks are drawn
    lazily from the iterable and only chunks in flight are held. A chunk whose worker died on
    Dask after Dask's own retries (KilledWorker) is returned as failed runs; a lost executor
    raises `ExecutorLost` and returns nothing for the chunks in flight. With `batch` > 1 a chunk
    holds whole batches (replications of one variant run as one array program, `run_chunk`).
    """
    payload = {label: (base_digest(data), data) for label, data in bases.items()}
    source = iter(tasks)
    pending: dict[cf.Future, list[Task]] = {}
    per_run: float | None = None  # running estimate of seconds per run
    exhausted = False
    workers = max(info.workers, 1)
    timeout = executor_timeout()
    unhealthy_since: float | None = None
    try:
        while True:
            while not exhausted and len(pending) < 2 * workers:
                size = (
                    1
                    if per_run is None
                    else int(min(max_chunk, max(1, target_seconds / max(per_run, 1e-6))))
                )
                if batch > 1:  # whole batches: a multiple of the batch size
                    size = batch * max(1, round(size / batch))
                chunk = list(islice(source, size))
                if not chunk:
                    exhausted = True
                    break
                used = {t.base for t in chunk}
                try:
                    fut = executor.submit(
                        run_chunk, chunk, {k: payload[k] for k in used}, every, outcomes, batch
                    )
                except (BrokenProcessPool, RuntimeError) as exc:
                    raise ExecutorLost(
                        f"the {info.kind} executor is gone ({one_line(exc, 160)}); finished runs "
                        "are kept: run the same command again to resume"
                    ) from None
                pending[fut] = chunk
            if not pending:
                break
            done, _ = cf.wait(pending, timeout=0.25, return_when=cf.FIRST_COMPLETED)
            finished: list[RunOutput] = []
            lost: str | None = None
            for fut in done:
                chunk = pending.pop(fut)
                try:
                    outputs = fut.result()
                except BaseException as exc:
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    if _lost(exc):
                        lost = (
                            "a local worker process died (killed, or out of memory?)"
                            if isinstance(exc, BrokenProcessPool)
                            else "lost the Dask scheduler (its connection closed: "
                            f"{type(exc).__name__})"
                        )
                        continue
                    err = "worker error: " + describe_error(exc)
                    outputs = [RunOutput(t.run_key, "failed", err, 0.0, None, None) for t in chunk]
                spent = sum(o.duration for o in outputs) / max(len(outputs), 1)
                per_run = spent if per_run is None else 0.7 * per_run + 0.3 * spent
                finished.extend(outputs)
            if finished:
                on_outputs(finished)  # what finished is kept, even when the executor is lost
            if lost is not None:
                raise ExecutorLost(
                    f"{lost}; the runs in flight were not recorded; finished runs are kept: "
                    "run the same command again to resume"
                )
            if info.healthy():
                unhealthy_since = None
            elif unhealthy_since is None:
                unhealthy_since = time.monotonic()
            elif time.monotonic() - unhealthy_since > timeout:
                raise ExecutorLost(
                    f"the {info.kind} executor ({info.where}) has not answered for {timeout:.0f} s "
                    "(SIMORG_EXECUTOR_TIMEOUT); finished runs are kept: run the same command "
                    "again to resume"
                )
            if on_tick is not None:
                on_tick()
    finally:
        for fut in pending:
            fut.cancel()
