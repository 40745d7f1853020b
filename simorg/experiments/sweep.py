"""A sweep: every unfinished run of a design, sent to an executor and committed to a results folder.

Orchestration only: `runner` runs one replication (in a worker), `executors` feeds workers chunks of
runs, `store` owns the folder (its lock, parts and checksums). The folder is locked before anything
is written and stays locked until the sweep ends, however it ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from simorg.experiments.executors import default_workers, execute, open_executor
from simorg.experiments.runner import RunOutput, Task
from simorg.experiments.store import Store
from simorg.progress import progress as progress_bar


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


def sweep_tasks(design, skip: set[str] | dict[str, str], batch: int = 1) -> Iterator[Task]:
    """Every run of the design not in `skip`: replication-major, so a partial sweep is balanced;
    with `batch` > 1, in blocks of `batch` replications, each variant's together (one batch)."""
    seeds = list(enumerate(design.seeds))
    for start in range(0, len(seeds), max(batch, 1)):
        block = seeds[start : start + max(batch, 1)]
        for v in design.variants:
            for r, seed in block:
                key = design.run_key(v.index, r)
                if key in skip:
                    continue
                yield Task(key, v.index, v.base, v.params, r, seed, design.base_steps[v.base])


def auto_batch(design) -> int:
    """Replications per batch: as many as fit in memory (simorg.replications.batch_size) for the
    largest run of the design, and no more than its replications."""
    from simorg.replications import batch_size
    from simorg.scenario import from_dict, with_overrides

    size = design.replications
    for label, data in design.bases.items():
        sc = from_dict(data, "base scenario")
        biggest: dict[str, object] = {}
        for key in ("organization.employees", "customers.count", "learning.dimensions"):
            values = [
                v.params[key] for v in design.variants if isinstance(v.params.get(key), int | float)
            ]
            if values:
                biggest[key] = max(values)
        if biggest:
            sc = with_overrides(sc, biggest)
        size = min(size, batch_size(sc, design.base_steps[label]))
    return max(1, size)


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
    batch: int | None = None,
) -> SweepSummary:
    """Run every unfinished run of `design`, streaming results to the folder `out`.

    `batch`: replications of a variant run as one array program (simorg.replications; the same
    numbers as each alone); None chooses from memory (`auto_batch`), 1 runs each alone.
    `progress`: show a progress bar (default: when stdout is a terminal); `monitor(ran, failed)` is
    called after every finished chunk (benchmarks use it). Raises `ExecutorLost` (exit code 3)
    when the executor goes away, `ResultsDamaged` (4) when another sweep holds the folder.
    """
    workers = workers or default_workers()
    batch = auto_batch(design) if batch is None else max(1, batch)
    store = Store.open(Path(out), design, fresh=fresh)
    try:
        return _sweep(
            design,
            store,
            out,
            workers,
            executor,
            address,
            retry_failed,
            progress,
            flush_seconds,
            monitor,
            batch,
        )
    finally:
        store.close()


def _sweep(
    design,
    store,
    out,
    workers,
    executor,
    address,
    retry_failed,
    progress,
    flush_seconds,
    monitor,
    batch,
) -> SweepSummary:
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

    def tasks() -> Iterator[Task]:
        for t in sweep_tasks(design, finished, batch):
            variant_of[t.run_key] = (t.variant, t.replication)
            yield t

    info_where = executor
    try:
        with progress_bar(
            design.experiment.name,
            total=design.expected_runs,
            completed=len(finished),
            unit="runs",
            extra="· {task.fields[failed]} failed · {task.fields[rate]}",
            show=progress,
            transient=False,
            failed=failed_before,
            rate="– runs/s",
        ) as bar:

            def on_outputs(outputs: list[RunOutput]) -> None:
                for o in outputs:
                    v, r = variant_of.pop(o.run_key)
                    writer.add(v, r, o)
                    counts["ran"] += 1
                    counts["failed"] += o.status != "ok"
                elapsed = time.perf_counter() - t0
                bar.advance(
                    len(outputs),
                    failed=failed_before + counts["failed"],
                    rate=f"{counts['ran'] / max(elapsed, 1e-9):.1f} runs/s",
                )
                if monitor is not None:
                    monitor(counts["ran"], counts["failed"])

            if todo > 0:
                with open_executor(executor, workers, address) as (pool, info):
                    info_where = info.where
                    execute(
                        tasks(),
                        design.bases,
                        design.every,
                        design.outcomes,
                        pool,
                        info,
                        on_outputs,
                        on_tick=writer.tick,
                        batch=batch,
                    )
    finally:
        writer.flush()
        store.add_session(
            {
                "started": started,
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "executor": info_where,
                "workers": workers,
                "batch": batch,
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
