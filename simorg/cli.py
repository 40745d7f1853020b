"""The `simorg` command line.

Each command imports what it needs when it runs, so `simorg run` never loads the explorer (solara)
or the plotting stack. Bad input ends in one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from simorg.scenario import ScenarioError

app = typer.Typer(
    name="simorg",
    help="simorg: simulate how an organization communicates, and what happens to trust, innovation and customers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

USAGE_ERROR = 2


def fail(message: str) -> typer.Exit:
    """Print a one-line error and return the Exit to raise (exit code 2)."""
    typer.echo(f"simorg: error: {message}", err=True)
    return typer.Exit(USAGE_ERROR)


def _console():
    """Rich console; when piped, wide enough that tables are not cut at 80 columns."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)


# --- scenarios ---------------------------------------------------------------------------------


@app.command("scenarios")
def scenarios_command() -> None:
    """List the shipped scenarios, one line each."""
    from simorg.scenario import load, shipped_scenarios

    for name in shipped_scenarios():
        typer.echo(f"{name:<22} {load(name).description}")


@app.command("params")
def params_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalogue as JSON")] = False,
) -> None:
    """Every parameter a scenario file or --set can change, with default, range and meaning."""
    from simorg.scenario import parameters

    ps = parameters()
    if as_json:
        typer.echo(json.dumps([p.model_dump() for p in ps], indent=1))
        return
    from rich.table import Table

    table = Table("key", "default", "range", "meaning")
    for p in ps:
        rng = (
            "|".join(p.choices)
            if p.choices
            else (f"{p.low:g} … {p.high:g}" if p.low is not None else "")
        )
        table.add_row(p.key, str(p.default), rng, p.help)
    _console().print(table)


@app.command("check")
def check_command(
    file: Annotated[str, typer.Argument(help="Scenario file (or shipped name)")],
) -> None:
    """Validate a scenario file and say what is wrong."""
    from simorg.scenario import load

    try:
        sc = load(file)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    typer.echo(
        f"{file}: ok ({sc.name}: {sc.organization.employees} employees, "
        f"{sc.customers.count} customers, {sc.steps} steps, {len(sc.interventions)} interventions)"
    )


# --- run -------------------------------------------------------------------------------------------


def resolve_scenario(
    ref: str,
    employees: int | None = None,
    customers: int | None = None,
    assignments: list[str] | None = None,
):
    """Load a scenario and apply the command line's overrides, as one validated Scenario."""
    from simorg.scenario import load, parse_assignments, with_overrides

    sc = load(ref)
    overrides = parse_assignments(assignments or [])
    if employees is not None:
        overrides["organization.employees"] = employees
    if customers is not None:
        overrides["customers.count"] = customers
    return with_overrides(sc, overrides) if overrides else sc


@app.command("run")
def run_command(
    scenario: Annotated[str, typer.Argument(help="Shipped scenario name or path to a .toml file")],
    steps: Annotated[
        int | None, typer.Option(help="Steps to run (default: the scenario's)", min=1)
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Random seed (default: the scenario's)", min=0)
    ] = None,
    employees: Annotated[int | None, typer.Option(help="Override organization.employees")] = None,
    customers: Annotated[int | None, typer.Option(help="Override customers.count")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override any parameter: section.key=value (repeatable)"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write per-step outcomes here (Parquet and CSV)")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object of final outcomes")
    ] = False,
) -> None:
    """Run one replication and print the final outcomes."""
    from simorg.outcomes import OUTCOMES
    from simorg.simulate import simulate

    try:
        sc = resolve_scenario(scenario, employees, customers, set_)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    result = simulate(sc, steps=steps, seed=seed)
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
            stem = f"{sc.name}_seed{result.seed}"
            result.trajectory.to_parquet(out / f"{stem}.parquet", index=False)
            result.trajectory.to_csv(out / f"{stem}.csv", index=False)
        except OSError as exc:
            raise fail(f"{out}: cannot write results: {exc.strerror}") from None
    if as_json:
        payload = {"scenario": sc.name, "seed": result.seed, "steps": result.steps}
        payload.update({k: round(v, 10) for k, v in result.final.items()})
        typer.echo(json.dumps(payload, sort_keys=False))
        return
    from rich.table import Table

    table = Table(title=f"{sc.name}: seed {result.seed}, {result.steps} steps")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    table.add_column("meaning")
    for name, (_, meaning) in OUTCOMES.items():
        table.add_row(name, f"{result.final[name]:.4g}", meaning)
    _console().print(table)
    if out is not None:
        typer.echo(f"per-step outcomes written to {out}/")


# --- demo --------------------------------------------------------------------------------------------

DEMO_OUTCOMES = (
    ("peer_trust", "peer trust"),
    ("leadership_trust", "leader trust"),
    ("customer_trust", "customer trust"),
    ("practice", "practice"),
    ("code_knowledge", "code knowl."),
    ("innovations", "innovations"),
    ("insights", "insights"),
    ("requests_failed", "failed req."),
    ("revenue_total", "revenue"),
)


@app.command("demo")
def demo_command(
    replications: Annotated[int, typer.Option(help="Replications per scenario", min=1)] = 3,
    seed: Annotated[int, typer.Option(help="First seed", min=0)] = 1,
) -> None:
    """Run every shipped scenario a few times and print final outcomes side by side."""
    from rich.table import Table

    from simorg.scenario import load, shipped_scenarios
    from simorg.simulate import simulate

    table = Table(
        title=f"simorg: every shipped scenario, mean of {replications} replications (seeds {seed}…{seed + replications - 1})"
    )
    table.add_column("scenario")
    for _, label in DEMO_OUTCOMES:
        table.add_column(label, justify="right")
    for name in shipped_scenarios():
        sc = load(name)
        finals = [simulate(sc, seed=seed + r).final for r in range(replications)]
        means = [sum(f[k] for f in finals) / len(finals) for k, _ in DEMO_OUTCOMES]
        table.add_row(name, *(f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}" for v in means))
    console = _console()
    console.print(table)
    console.print(
        "Learn more: 'simorg run SCENARIO' for one run, 'simorg compare A B' for a comparison with "
        "confidence intervals, 'simorg explore' for the browser app; the model is in docs/odd.md."
    )


def _register_extensions() -> None:
    """Commands that live beside the modules they drive (each imports its heavy parts lazily)."""
    for module in (
        "simorg.validation.cli",
        "simorg.experiments.cli",
        "simorg.app.cli",
        "simorg.bench",
        "simorg.levers",
    ):
        try:
            mod = __import__(module, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name and module.startswith(exc.name):  # that part is not installed
                continue
            raise
        if hasattr(mod, "register"):
            mod.register(app)
        elif hasattr(mod, "validate_app"):
            app.add_typer(mod.validate_app, name="validate")


_register_extensions()


def main() -> None:
    try:
        app()
    except ScenarioError as exc:
        typer.echo(f"simorg: error: {exc}", err=True)
        sys.exit(USAGE_ERROR)


if __name__ == "__main__":
    main()
