"""`simorg compare A B ...`: the same replications of each scenario, then honest differences.

Replication i of every scenario runs from the same seed (common random numbers, spawned from the
root seed with numpy's SeedSequence), so differences are paired by seed: much tighter intervals
than independent runs give for the same number of runs. See `stats` for the formulas.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simorg.experiments import stats
from simorg.experiments.design import replication_seeds
from simorg.experiments.executors import default_workers, execute, local_executor
from simorg.experiments.runner import RunOutput, Task, base_digest, run_chunk
from simorg.limits import check_run
from simorg.outcomes import OUTCOMES
from simorg.progress import progress
from simorg.replications import batch_size
from simorg.scenario import (
    ScenarioError,
    check_fires,
    load,
    parse_assignments,
    with_overrides,
)


@dataclass
class Comparison:
    labels: list[str]
    sources: list[str]
    runs: int
    steps: dict[str, int]
    root_seed: int
    seeds: list[int]
    outcomes: list[str]
    finals: dict[str, np.ndarray]  # label -> runs × outcomes (NaN where a run failed)
    trajectories: dict[str, np.ndarray]  # label -> runs × (steps + 1) × outcomes
    errors: list[tuple[str, int, str]] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def compare(
    scenarios: list[str],
    runs: int = 10,
    steps: int | None = None,
    seed: int = 0,
    employees: int | None = None,
    customers: int | None = None,
    assignments: list[str] | None = None,
    outcomes: list[str] | None = None,
    workers: int | None = None,
    show_progress: bool | None = None,
    batch: int | None = None,
) -> Comparison:
    """Run `runs` replications (the same seeds) of each scenario; `batch`: replications of a
    scenario run as one array program (None: as many as fit in memory; 1: each alone)."""
    outcomes = outcomes or list(OUTCOMES)
    for name in outcomes:
        if name not in OUTCOMES:
            raise ScenarioError(
                f"--outcome: unknown outcome '{name}'; known: {', '.join(OUTCOMES)}"
            )
    overrides = parse_assignments(assignments or [])
    if employees is not None:
        overrides["organization.employees"] = employees
    if customers is not None:
        overrides["customers.count"] = customers
    bases: dict[str, dict[str, Any]] = {}
    labels: list[str] = []
    step_of: dict[str, int] = {}
    fits = runs
    for ref in scenarios:
        sc = load(ref)
        if overrides:
            sc = with_overrides(sc, overrides)
        check_fires(sc, steps, source=ref)
        check_run(sc, steps, what=ref)
        label = sc.name
        k = 2
        while label in bases:
            label = f"{sc.name}#{k}"
            k += 1
        labels.append(label)
        bases[label] = sc.model_dump(mode="json")
        step_of[label] = steps or sc.steps
        fits = min(fits, batch_size(sc, step_of[label]))  # replications per batch, from memory
    seeds = replication_seeds(seed, runs)
    if batch is None:
        batch = min(runs, fits)
    # in blocks of `batch` replications, each scenario's together (one batch each)
    tasks = [
        Task(f"{label}|{r}", i, label, {}, r, seeds[r], step_of[label])
        for start in range(0, runs, batch)
        for i, label in enumerate(labels)
        for r in range(start, min(start + batch, runs))
    ]
    finals = {label: np.full((runs, len(outcomes)), np.nan) for label in labels}
    trajs = {label: np.full((runs, step_of[label] + 1, len(outcomes)), np.nan) for label in labels}
    errors: list[tuple[str, int, str]] = []

    def take(outputs: list[RunOutput]) -> None:
        for o in outputs:
            label, _, rep = o.run_key.rpartition("|")
            r = int(rep)
            if o.status != "ok":
                errors.append((label, r, o.error or ""))
                continue
            finals[label][r] = o.final
            assert o.trajectory is not None  # compare always records every step
            steps_idx = o.trajectory[:, 0].astype(int)
            trajs[label][r, steps_idx] = o.trajectory[:, 1:]

    workers = workers or min(default_workers(), len(tasks))
    show = None if show_progress is None or show_progress else False
    with progress("compare", total=len(tasks), unit="runs", show=show) as bar:

        def taken(outputs: list[RunOutput]) -> None:
            take(outputs)
            bar.advance(len(outputs))

        if workers <= 1:
            payload = {label: (base_digest(data), data) for label, data in bases.items()}
            for start in range(0, len(tasks), batch):
                chunk = tasks[start : start + batch]
                used = {t.base: payload[t.base] for t in chunk}
                taken(run_chunk(chunk, used, 1, outcomes, batch))
        else:
            with local_executor(workers) as (pool, info):
                execute(tasks, bases, 1, outcomes, pool, info, taken, batch=batch)
    result = Comparison(
        labels, list(scenarios), runs, step_of, seed, seeds, outcomes, finals, trajs, errors
    )
    for j, name in enumerate(outcomes):
        result.tables[name] = stats.table(
            {label: finals[label][:, j] for label in labels}, paired=True
        )
    return result


def to_json(c: Comparison) -> dict[str, Any]:
    out: dict[str, Any] = {
        "scenarios": c.labels,
        "reference": c.labels[0],
        "runs": c.runs,
        "steps": c.steps,
        "root_seed": c.root_seed,
        "seeds": c.seeds,
        "confidence": stats.LEVEL,
        "paired": True,
        "effect_size": "hedges_g",
        "failed": [{"scenario": s, "replication": r, "error": e} for s, r, e in c.errors],
        "outcomes": {},
    }
    for name in c.outcomes:
        rows = []
        for row in c.tables[name]:
            item = {"scenario": row["group"]}
            item.update({k: row[k] for k in ("n", "mean", "sd", "ci_low", "ci_high")})
            item["difference"] = row["difference"]
            rows.append(item)
        out["outcomes"][name] = {"meaning": OUTCOMES[name][1], "rows": rows}
    return out


def print_tables(c: Comparison) -> None:
    from rich.table import Table

    console = stats.console()
    steps = ", ".join(sorted({str(s) for s in c.steps.values()}))
    console.print(
        f"[bold]{len(c.labels)} scenarios × {c.runs} runs[/bold] ({steps} steps; replication i uses the same "
        f"seed in every scenario, from root seed {c.root_seed}); mean [95% CI]; differences from "
        f"[bold]{c.labels[0]}[/bold] paired by seed; g = Hedges' g"
    )
    for name in c.outcomes:
        table = Table(title=f"{name}: {OUTCOMES[name][1]}", title_justify="left", min_width=60)
        table.add_column("scenario")
        table.add_column("mean [95% CI]", justify="right")
        table.add_column(f"− {c.labels[0]} [95% CI]", justify="right")
        table.add_column("g", justify="right")
        for row in c.tables[name]:
            d = row["difference"]
            table.add_row(
                row["group"],
                stats.fmt_ci(row),
                stats.fmt_ci(d) if d else "",
                stats.fmt(d["hedges_g"], 3) if d else "",
            )
        console.print(table)
    if c.errors:
        label, r, err = c.errors[0]
        console.print(
            f"[red]{len(c.errors)} run(s) failed[/red]; first: {label} replication {r}: {err}"
        )


def write_outputs(c: Comparison, out: Path, fmt: str = "png") -> list[Path]:
    """comparison.csv, runs.csv, trajectories.csv and one trajectory plot (with bands) per outcome."""
    from simorg.experiments.figures import new_figure, plot_band, save_figure

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    path = out / "comparison.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "outcome",
                "scenario",
                "n",
                "mean",
                "sd",
                "ci_low",
                "ci_high",
                "difference",
                "difference_ci_low",
                "difference_ci_high",
                "hedges_g",
            ]
        )
        for name in c.outcomes:
            for row in c.tables[name]:
                d = row["difference"] or {}
                w.writerow(
                    [
                        name,
                        row["group"],
                        row["n"],
                        row["mean"],
                        row["sd"],
                        row["ci_low"],
                        row["ci_high"],
                        d.get("mean"),
                        d.get("ci_low"),
                        d.get("ci_high"),
                        d.get("hedges_g"),
                    ]
                )
    written.append(path)
    path = out / "runs.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["scenario", "replication", "seed", *c.outcomes])
        for label in c.labels:
            for r, s in enumerate(c.seeds):
                w.writerow([label, r, s, *c.finals[label][r].tolist()])
    written.append(path)
    path = out / "trajectories.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["outcome", "scenario", "step", "mean", "ci_low", "ci_high"])
        for j, name in enumerate(c.outcomes):
            for label in c.labels:
                mean, lo, hi = stats.band(c.trajectories[label][:, :, j])
                for step in range(len(mean)):
                    if math.isfinite(mean[step]):
                        w.writerow([name, label, step, mean[step], lo[step], hi[step]])
    written.append(path)
    for j, name in enumerate(c.outcomes):
        fig, ax = new_figure(6.4, 3.6)
        for label in c.labels:
            mean, lo, hi = stats.band(c.trajectories[label][:, :, j])
            plot_band(ax, np.arange(len(mean)), mean, lo, hi, label)
        ax.set_title(f"{name}: mean and 95% CI over {c.runs} runs", fontsize=10)
        ax.set_xlabel("step (week)")
        ax.set_ylabel(name)
        ax.legend(fontsize=8, frameon=False)
        path = out / f"trajectory_{name}.{fmt}"
        save_figure(fig, path, fmt)
        written.append(path)
    return written
