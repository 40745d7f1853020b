"""How a sweep scales with batching and workers, and how much memory a 2,000-run sweep takes.

    .venv/bin/python benchmarks/sweep_scaling.py [--scenario social_business] [--runs 256]
        [--steps 200] [--repeats 2] [--memory-runs 2000] [--memory-steps 50] [--skip-memory]
        [--json]

Scaling: the same sweep (`--scenario`, default the default scenario: 300 employees, 1,000
customers, `--steps` steps, 8 variants × runs/8 replications, outcomes every 5th step, results
written to Parquet as in any sweep) in three configurations, interleaved `--repeats` times: one
worker with every run alone (`--no-batch`), one worker batched (replications of a variant as one
array program, the batch size the sweep picks), two workers batched. It reports runs/s over the
whole sweep (worker start-up included) and in steady state (from the first finished chunk to the
last), runs per CPU-second of the sweep's own processes (runs per second per core), and the ratios
batched / unbatched (per core) and two workers / one worker (batched).

Memory: a 2,000-run sweep (`simorg sweep`, 2 workers, per-step outcomes at every step) in a child
process, sampled every 0.1 s: the sweep process's own RSS, and the proportional set size (PSS) of the
whole process tree (sweep, fork server, workers; PSS counts shared pages once). It prints the peak
and the sweep process's RSS at each quarter of the sweep, to show that memory stays flat.

The machine must be otherwise idle for the ratio to mean anything: for each measurement it prints
how many CPUs were busy (from /proc/stat) and how much of that was other processes: busy CPUs
minus the CPU time the sweep's own process tree (this process, the fork server, the workers) used
per second, from CPU accounting (/proc/<pid>/stat utime + stime, sampled every 0.1 s; a worker's
last 0.1 s before it exits may be missed). It also prints runs per CPU-second of the sweep's own
tree (runs per second per core), which other processes on the machine disturb much less than
runs per wall second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

EXPERIMENT = """
name = "{name}"
scenarios = ["{scenario}"]
replications = {replications}
steps = {steps}
seed = 1
[[vary]]
key = "organization.permeability"
first = 0.0
step = 0.1
last = 0.7
[record]
every = {every}
"""


def _write(
    folder: Path, name: str, runs: int, steps: int, every: int, scenario: str = "social_business"
) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        EXPERIMENT.format(
            name=name,
            scenario=scenario,
            replications=max(1, runs // 8),
            steps=steps,
            every=every,
        )
    )
    return path


CONFIGS = (
    ("1 worker, each run alone", 1, 1),
    ("1 worker, batched", 1, None),
    ("2 workers, batched", 2, None),
)
"""(label, workers, batch) of the scaling measurements; batch None: the sweep's own choice."""


def _load() -> float:
    return os.getloadavg()[0]


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat (steal counts as busy)."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])
    return total - idle, total


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14, 15)


class TreeCPU:
    """CPU seconds used by this process and its descendants while the block runs (sampled)."""

    def __enter__(self) -> TreeCPU:
        self._seen: dict[int, float] = {}
        self._start = {p: _cpu_s(p) for p in _tree(os.getpid())}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while True:
            for p in _tree(os.getpid()):
                self._seen[p] = max(self._seen.get(p, 0.0), _cpu_s(p))
            if self._done.wait(0.1):
                return

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        self.seconds = sum(v - self._start.get(p, 0.0) for p, v in self._seen.items())


def scaling(folder: Path, runs: int, steps: int, repeats: int, scenario: str) -> dict:
    from simorg.experiments import design
    from simorg.experiments.sweep import auto_batch, sweep

    exp = _write(folder, "scaling", runs, steps, 5, scenario)
    d = design.load_design(exp)
    results: dict[str, list[dict]] = {label: [] for label, _, _ in CONFIGS}
    for rep in range(repeats):
        for label, workers, batch in CONFIGS:
            marks: list[tuple[float, int]] = []

            def mark(ran: int, failed: int, marks: list[tuple[float, int]] = marks) -> None:
                marks.append((time.perf_counter(), ran))

            load = _load()
            busy0, total0 = _cpu_jiffies()
            t0 = time.perf_counter()
            with TreeCPU() as cpu:
                summary = sweep(
                    d,
                    folder / f"out{workers}",
                    workers=workers,
                    fresh=True,
                    progress=False,
                    batch=batch,
                    monitor=mark,
                )
            wall = time.perf_counter() - t0
            busy1, total1 = _cpu_jiffies()
            ncpu = os.cpu_count() or 1
            busy_cores = ncpu * (busy1 - busy0) / max(total1 - total0, 1)
            own = cpu.seconds / wall  # cores the sweep's own processes kept busy
            (t_first, n_first), (t_last, n_last) = marks[0], marks[-1]
            steady = (n_last - n_first) / (t_last - t_first) if t_last > t_first else float("nan")
            row = {
                "workers": workers,
                "batch": auto_batch(d) if batch is None else batch,
                "runs": summary.ran,
                "wall_s": wall,
                "runs_per_s": summary.ran / wall,
                "steady_runs_per_s": steady,
                "load_before": load,
                "busy_cores": busy_cores,
                "own_cores": own,
                "other_cores": max(busy_cores - own, 0.0),
                "cpu_s": cpu.seconds,
                "runs_per_cpu_s": summary.ran / cpu.seconds if cpu.seconds else float("nan"),
            }
            results[label].append(row)
            print(
                f"  repeat {rep + 1}, {label} (batch {row['batch']}): {summary.ran} runs in {wall:.1f} s = "
                f"{row['runs_per_s']:.1f} runs/s (steady {steady:.1f}); "
                f"{row['runs_per_cpu_s']:.1f} runs per CPU-second of the sweep's processes; "
                f"CPUs busy {busy_cores:.2f}: the sweep {own:.2f}, other processes "
                f"{row['other_cores']:.2f}",
                flush=True,
            )
    best = {w: max(r["runs_per_s"] for r in rows) for w, rows in results.items()}
    best_steady = {w: max(r["steady_runs_per_s"] for r in rows) for w, rows in results.items()}
    med = {w: statistics.median(r["runs_per_s"] for r in rows) for w, rows in results.items()}
    per_cpu = {w: max(r["runs_per_cpu_s"] for r in rows) for w, rows in results.items()}
    alone, batched, two = (label for label, _, _ in CONFIGS)
    return {
        "scenario": scenario,
        "runs": runs,
        "steps": steps,
        "repeats": results,
        "best_runs_per_s": best,
        "median_runs_per_s": med,
        "best_steady_runs_per_s": best_steady,
        "best_runs_per_cpu_s": per_cpu,
        "batched_per_core": per_cpu[batched] / per_cpu[alone],
        "batched_wall": best[batched] / best[alone],
        "ratio_best": best[two] / best[batched],
        "ratio_median": med[two] / med[batched],
        "ratio_steady": best_steady[two] / best_steady[batched],
    }


def _tree(pid: int) -> list[int]:
    out = [pid]
    for p in out:
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as fh:
                    out.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory(folder: Path, runs: int, steps: int) -> dict:
    exp = _write(folder, "memory", runs, steps, 1, "traditional_silos")
    out = folder / "memory_out"
    cmd = [
        sys.executable,
        "-m",
        "simorg.cli",
        "sweep",
        str(exp),
        "--out",
        str(out),
        "--workers",
        "2",
        "--fresh",
    ]
    load = _load()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int, int]] = []  # (t, sweep RSS kB, tree PSS kB)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pids = _tree(proc.pid)
            own = _kb(f"/proc/{proc.pid}/status", "VmRSS:")
            pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
            if own:
                samples.append((time.perf_counter() - t0, own, pss))
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    stdout, stderr = proc.communicate()
    done.set()
    th.join()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"memory sweep failed ({proc.returncode}): {stderr.strip()}")
    end = samples[-1][0]
    quarters = []
    for q in (0.25, 0.5, 0.75, 1.0):
        upto = [s for s in samples if s[0] <= q * end]
        quarters.append(max(s[1] for s in upto) / 1024 if upto else float("nan"))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "runs": runs,
        "steps": steps,
        "wall_s": wall,
        "load_before": load,
        "peak_sweep_rss_mb": max(s[1] for s in samples) / 1024,
        "peak_tree_pss_mb": max(s[2] for s in samples) / 1024,
        "sweep_rss_by_quarter_mb": quarters,
        "results_size_mb": size / 2**20,
        "summary": stdout.strip(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="social_business")
    ap.add_argument("--runs", type=int, default=256)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--memory-runs", type=int, default=2000)
    ap.add_argument("--memory-steps", type=int, default=50)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="simorg-bench-") as tmp:
        folder = Path(tmp)
        print(
            f"scaling: {args.runs} runs of {args.scenario}, {args.steps} steps, "
            f"{os.cpu_count()} CPUs",
            flush=True,
        )
        sc = scaling(folder, args.runs, args.steps, args.repeats, args.scenario)
        print(
            f"batched / each run alone, 1 worker: {sc['batched_per_core']:.2f}x runs per "
            f"CPU-second ({sc['batched_wall']:.2f}x runs/s); 2 workers / 1 worker, batched: "
            f"{sc['ratio_best']:.2f} (median {sc['ratio_median']:.2f}, steady state "
            f"{sc['ratio_steady']:.2f})",
            flush=True,
        )
        result = {"scaling": sc}
        if not args.skip_memory:
            print(
                f"memory: a {args.memory_runs}-run sweep, 2 workers, per-step outcomes every step",
                flush=True,
            )
            mem = memory(folder, args.memory_runs, args.memory_steps)
            print(f"  {mem['summary']}")
            print(
                f"  peak RSS of the sweep process {mem['peak_sweep_rss_mb']:.0f} MB; peak PSS of the whole "
                f"process tree {mem['peak_tree_pss_mb']:.0f} MB; sweep RSS by quarter "
                + ", ".join(f"{x:.0f}" for x in mem["sweep_rss_by_quarter_mb"])
                + " MB; results "
                f"{mem['results_size_mb']:.1f} MB on disk",
                flush=True,
            )
            result["memory"] = mem
        if args.json:
            print(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
