"""`simorg levers`: does every lever move something? One-at-a-time effects in run-to-run sd.

For each base scenario, each parameter of the schema is moved alone from the base's value to one
other value (`alternative`), and the base and the moved scenario are run with the same seeds
(paired: common random numbers, so the difference is the lever's, not luck's). An outcome is read
as its mean over the last tenth of the run (so per-step outcomes are not one noisy draw). The
effect is the mean paired difference; `effect_sd` is that effect in units of the run-to-run
standard deviation (pooled over the two arms). A lever that moves no outcome by more than
`--threshold` sd around any base is listed as moving nothing beyond noise.
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ProcessPoolExecutor
from typing import Annotated, Any

import numpy as np
import typer

from simorg.scenario import Parameter, Scenario, ScenarioError, parameters, with_overrides

THRESHOLD = 2.0


def alternative(p: Parameter, value: Any) -> Any:
    """The value a lever is moved to from `value`: the other choice, or a large move in range."""
    if p.kind == "bool":
        return not value
    if p.choices:
        i = p.choices.index(value)
        return p.choices[(i + 1) % len(p.choices)]
    low = 0.0 if p.low is None else p.low
    high = math.inf if p.high is None else p.high
    if p.kind == "int":
        to = value * 2 if value > 0 else 10
        return int(min(high, max(low, to)))
    if high <= 1:
        mid = (low + high) / 2
        to = value + (high - value) / 2 if value <= mid else value - (value - low) / 2
        return round(float(to), 4)
    return float(min(high, value * 2 if value > 0 else 1.0))


# How an imported organization is read (file paths, column names): not something to move.
NOT_LEVERS = ("organization.self_ties",)


def is_lever(p: Parameter) -> bool:
    """File paths, column names and how files are read describe the input; they are not levers."""
    return p.kind != "str" and p.key not in NOT_LEVERS


def lever_moves(base: Scenario, keys: list[str] | None = None) -> list[tuple[str, Any, Any]]:
    """(key, from, to) for each lever of the schema (or of `keys`), around `base`."""
    out = []
    for p in parameters():
        if keys and p.key not in keys:
            continue
        if not is_lever(p):
            continue
        section, _, name = p.key.partition(".")
        value = getattr(getattr(base, section), name)
        out.append((p.key, value, alternative(p, value)))
    return out


def _final(args: tuple[Scenario, int]) -> dict[str, float]:
    """Each outcome's mean over the last tenth of one run."""
    from simorg.simulate import simulate

    sc, seed = args
    frame = simulate(sc, seed=seed).trajectory
    tail = frame.iloc[-max(1, sc.steps // 10) :]
    return {k: float(v) for k, v in tail.drop(columns="step").mean().items()}


def measure(
    bases: list[Scenario],
    runs: int = 5,
    keys: list[str] | None = None,
    workers: int = 1,
) -> list[dict[str, Any]]:
    """Every lever's effect on every outcome around every base: a list of rows
    {base, lever, from, to, outcome, effect, effect_sd}."""
    jobs: list[tuple[Scenario, int]] = []
    plan: list[tuple[str, str, Any, Any, int]] = []  # (base, lever, from, to, first job)
    for base in bases:
        plan.append((base.name, "", None, None, len(jobs)))
        jobs += [(base, seed) for seed in range(runs)]
        for key, frm, to in lever_moves(base, keys):
            try:
                moved = with_overrides(base, {key: to}, f"lever {key}")
            except ScenarioError:
                continue  # a move this base cannot take (e.g. a start-up rule)
            plan.append((base.name, key, frm, to, len(jobs)))
            jobs += [(moved, seed) for seed in range(runs)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_final, jobs, chunksize=max(1, len(jobs) // (4 * workers))))
    else:
        results = [_final(j) for j in jobs]

    rows: list[dict[str, Any]] = []
    reference: dict[str, list[dict[str, float]]] = {}
    for base, lever, frm, to, first in plan:
        arm = results[first : first + runs]
        if not lever:
            reference[base] = arm
            continue
        ref = reference[base]
        for outcome in arm[0]:
            a = np.array([r[outcome] for r in ref])
            b = np.array([r[outcome] for r in arm])
            effect = float((b - a).mean())
            sd = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2) if runs > 1 else 0.0
            effect_sd = effect / sd if sd > 0 else (0.0 if effect == 0 else None)
            rows.append(
                {
                    "base": base,
                    "lever": lever,
                    "from": frm,
                    "to": to,
                    "outcome": outcome,
                    "effect": effect,
                    "effect_sd": effect_sd,
                }
            )
    return rows


def strong(row: dict[str, Any], threshold: float) -> bool:
    e = row["effect_sd"]
    return (e is None and row["effect"] != 0) or (e is not None and abs(e) >= threshold)


def inert(rows: list[dict[str, Any]], threshold: float = THRESHOLD) -> list[str]:
    """Levers that move no outcome beyond `threshold` sd around any base."""
    moving = {r["lever"] for r in rows if strong(r, threshold)}
    return sorted({r["lever"] for r in rows} - moving)


def register(app: typer.Typer) -> None:
    @app.command("levers")
    def levers_command(
        scenarios: Annotated[
            list[str] | None,
            typer.Argument(
                help="Base scenarios, shipped names or .toml paths (default: all shipped)"
            ),
        ] = None,
        runs: Annotated[int, typer.Option(help="Paired seeds per arm", min=2)] = 5,
        steps: Annotated[
            int | None, typer.Option(help="Steps per run (default: each scenario's)", min=1)
        ] = None,
        set_: Annotated[
            list[str] | None,
            typer.Option("--set", help="Override in every base: section.key=value (repeatable)"),
        ] = None,
        lever: Annotated[
            list[str] | None, typer.Option(help="Only these levers (repeatable; default: all)")
        ] = None,
        threshold: Annotated[
            float, typer.Option(help="|effect| in sd that counts as beyond noise", min=0)
        ] = THRESHOLD,
        workers: Annotated[int, typer.Option(help="Processes to run in", min=1)] = 1,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print every (base, lever, outcome) row as JSON")
        ] = False,
    ) -> None:
        """Move each lever alone around each base (paired seeds); effects in run-to-run sd."""
        from simorg.cli import _console, fail, resolve_scenario
        from simorg.scenario import shipped_scenarios

        known = {p.key for p in parameters()}
        for key in lever or []:
            if key not in known:
                raise fail(f"--lever {key}: unknown parameter; run 'simorg params' for the keys")
        try:
            bases = [
                resolve_scenario(ref, assignments=set_) for ref in scenarios or shipped_scenarios()
            ]
            if steps is not None:
                bases = [b.model_copy(update={"steps": steps}) for b in bases]
        except ScenarioError as exc:
            raise fail(str(exc)) from None
        rows = measure(bases, runs=runs, keys=lever, workers=workers)
        if as_json:
            typer.echo(json.dumps(rows, indent=1))
            return
        from rich.table import Table

        table = Table("base", "lever", "from → to", f"outcomes moved beyond {threshold:g} sd")
        for (base, key), group in _grouped(rows).items():
            moved = sorted(
                (r for r in group if strong(r, threshold)),
                key=lambda r: -abs(r["effect_sd"] if r["effect_sd"] is not None else math.inf),
            )
            text = ", ".join(
                f"{r['outcome']} {'±∞' if r['effect_sd'] is None else format(r['effect_sd'], '+.1f')}"
                for r in moved[:6]
            ) + (f" (+{len(moved) - 6} more)" if len(moved) > 6 else "")
            table.add_row(base, key, f"{group[0]['from']} → {group[0]['to']}", text or "–")
        console = _console()
        console.print(table)
        quiet = inert(rows, threshold)
        console.print(
            f"Levers that move nothing beyond {threshold:g} sd around these bases: "
            + (", ".join(quiet) if quiet else "none")
        )


def _grouped(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault((r["base"], r["lever"]), []).append(r)
    return out
