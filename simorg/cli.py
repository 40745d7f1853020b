"""The `simorg` command line.

Each command imports what it needs when it runs, so `simorg run` never loads the explorer (solara)
or the plotting stack. Every command is wrapped in `simorg.errors.one_line_errors`: whatever goes
wrong ends in one line on stderr and a documented exit code (simorg/errors.py), never a traceback.
Numbers are taken as text and parsed by `whole_number`, so a bad one is one line, not a usage block.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from simorg.cli_options import CustomersOption, EmployeesOption
from simorg.errors import SimorgError, fail, one_line_errors, whole_number

app = typer.Typer(
    name="simorg",
    help="simorg: simulate how an organization communicates, and what happens to trust, innovation and customers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

PIPED_WIDTH = 160  # columns when piped (no terminal, no COLUMNS): tables are not cut at 80
WIDE_TABLE = 140  # `simorg params` draws a table from this width; narrower, two lines a parameter
MIN_WIDTH = 40  # narrower terminals are wrapped as if this wide (a key and its default fit)
JSON_DIGITS = (
    10  # `run --json` rounds outcomes here: far below any outcome's meaning, above float noise
)
__all__ = ["app", "fail", "main", "one_line_errors"]


def nothing_found(what: str, folder: object) -> typer.Exit:
    """A listing that finds nothing means a broken installation: say so in one line, exit 1."""
    typer.echo(
        f"simorg: error: no shipped {what} found in {folder}; the installation is incomplete "
        "(reinstall simorg: pip install --force-reinstall simorg)",
        err=True,
    )
    return typer.Exit(1)


def _console():
    """Rich console; when piped, wide enough that tables are not cut at 80 columns."""
    from rich.console import Console

    console = Console()  # on a terminal, or with COLUMNS set, its width; else wide
    return console if console.is_terminal or "COLUMNS" in os.environ else Console(width=PIPED_WIDTH)


# --- scenarios ---------------------------------------------------------------------------------


@app.command("scenarios")
@one_line_errors
def scenarios_command() -> None:
    """List the shipped scenarios, one line each."""
    from simorg.scenario import SCENARIO_DIR, load, shipped_scenarios

    shipped = shipped_scenarios()
    if not shipped:
        raise nothing_found("scenarios", SCENARIO_DIR)
    for name in shipped:
        typer.echo(f"{name:<22} {load(name).description}")
    from simorg.scenario import workshop_scenarios

    workshop = workshop_scenarios()
    if workshop:  # room-sized organizations for the facilitator's kit (docs/workshop/sessions/)
        typer.echo("\nFor workshops (a room of players; docs/workshop/sessions/):")
        for name in workshop:
            typer.echo(f"{name:<32} {load(name).description}")


@app.command("params")
@one_line_errors
def params_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalogue as JSON")] = False,
) -> None:
    """Every parameter a scenario file or --set can change, with default, range and meaning."""
    from simorg.scenario import parameters

    ps = parameters()
    if as_json:
        typer.echo(json.dumps([p.model_dump() for p in ps], indent=1))
        return
    console = _console()
    rows = []
    for p in ps:
        rng = (
            "|".join(p.choices)
            if p.choices
            else (f"{p.low:g} … {p.high:g}" if p.low is not None else "")
        )
        rows.append((p.key, str(p.default), rng, p.help))
    if console.width >= WIDE_TABLE:
        from rich.table import Table

        table = Table("key", "default", "range", "meaning")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    # Narrow terminal: keys are copied into files and --set, so they are never cut; each
    # parameter takes two lines (key, default and range; then its meaning, wrapped).
    import textwrap

    width = max(console.width, MIN_WIDTH)
    keyw = max(len(r[0]) for r in rows)
    for key, default, rng, meaning in rows:
        head = f"{key:<{keyw}}  {default}" + (f"  [{rng}]" if rng else "")
        if len(head) > width:
            head = f"{key}  {default}"
            meaning = f"[{rng}] {meaning}"
        typer.echo(head)
        for line in textwrap.wrap(meaning, width - 4):
            typer.echo(f"    {line}")


@app.command("check")
@one_line_errors
def check_command(
    file: Annotated[str, typer.Argument(help="Scenario file (or shipped name)")],
) -> None:
    """Validate a scenario file and say what is wrong."""
    from simorg.limits import check_run
    from simorg.scenario import load

    sc = load(file)
    check_run(sc, what=f"{file}")
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
@one_line_errors
def run_command(
    scenario: Annotated[str, typer.Argument(help="Shipped scenario name or path to a .toml file")],
    steps: Annotated[
        str | None, typer.Option(metavar="T", help="Steps to run (default: the scenario's)")
    ] = None,
    seed: Annotated[
        str | None, typer.Option(metavar="S", help="Random seed (default: the scenario's)")
    ] = None,
    employees: EmployeesOption = None,
    customers: CustomersOption = None,
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
    from simorg.limits import (
        MAX_CUSTOMERS,
        MAX_EMPLOYEES,
        MAX_SEED,
        MIN_EMPLOYEES,
        check_run,
        parse_steps,
    )
    from simorg.outcomes import OUTCOMES
    from simorg.progress import progress
    from simorg.scenario import check_fires
    from simorg.simulate import simulate

    n_steps = parse_steps(steps)
    n_seed = whole_number(seed, "--seed", 0, MAX_SEED)
    emp = whole_number(employees, "--employees", MIN_EMPLOYEES, MAX_EMPLOYEES)
    cus = whole_number(customers, "--customers", 0, MAX_CUSTOMERS)
    sc = resolve_scenario(scenario, emp, cus, set_)
    check_fires(sc, n_steps, source=scenario)
    check_run(sc, n_steps)
    total = sc.steps if n_steps is None else n_steps
    with progress(sc.name, total=total, unit="steps", json_output=as_json) as bar:
        result = simulate(
            sc, steps=n_steps, seed=n_seed, on_step=bar.advance if bar.shown else None
        )
    if out is not None:
        try:
            written = write_trajectory(result, out, sc)
        except OSError as exc:
            raise fail(f"{out}: cannot write results: {exc.strerror}") from None
    if as_json:
        from simorg.api import metadata

        payload = metadata(sc, result.seed, result.steps)
        payload.update({k: round(v, JSON_DIGITS) for k, v in result.final.items()})
        typer.echo(json.dumps(payload, sort_keys=False))
        return
    from rich.table import Table

    table = Table(title=f"{sc.name}: seed {result.seed}, {result.steps} steps")
    table.add_column("outcome", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("meaning", ratio=1)
    for name, (_, meaning) in OUTCOMES.items():
        table.add_row(name, f"{result.final[name]:.4g}", meaning)
    _console().print(table)
    if out is not None:
        typer.echo(f"per-step outcomes written to {written[0]} and {written[1].name}")


def write_trajectory(result, out: Path, scenario=None) -> tuple[Path, Path]:
    """Per-step outcomes of one run as Parquet and CSV, with the column names and types of a
    sweep's steps table (scenario, seed, step, outcomes; counts int64) and simorg's Parquet
    key-value metadata (simorg.version, simorg.scenario, simorg.seed, simorg.steps)."""
    import pyarrow as pa

    import simorg
    from simorg.experiments.store import _write_atomic, count_outcomes, parquet_bytes

    frame = result.trajectory.copy()
    for name in count_outcomes(list(frame.columns)):
        frame[name] = frame[name].round().astype("int64")
    frame["step"] = frame["step"].astype("int32")
    frame.insert(0, "seed", result.seed)
    frame.insert(0, "scenario", result.scenario)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{result.scenario}_seed{result.seed}"
    meta = {
        "simorg.version": simorg.__version__,
        "simorg.scenario": result.scenario,
        "simorg.seed": result.seed,
        "simorg.steps": result.steps,
    }
    table = pa.Table.from_pandas(frame, preserve_index=False)
    parquet, csv = out / f"{stem}.parquet", out / f"{stem}.csv"
    _write_atomic(parquet, parquet_bytes(table, meta))
    frame.to_csv(csv, index=False)
    if scenario is not None:  # the full scenario beside the files, so the run can be repeated
        from simorg.api import metadata

        doc = {
            **metadata(scenario, result.seed, result.steps),
            "config": scenario.model_dump(mode="json"),
        }
        _write_atomic(out / f"{stem}.json", (json.dumps(doc, indent=1) + "\n").encode())
    return parquet, csv


# --- demo --------------------------------------------------------------------------------------------

MAX_DEMO_REPLICATIONS = 1000  # the demo is a first look; `simorg compare` and sweeps run studies
DEMO_NARROW = 110  # below this width the demo's ten numeric columns get compact numbers (0.12, 3k)

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
@one_line_errors
def demo_command(
    replications: Annotated[str, typer.Option(metavar="N", help="Replications per scenario")] = "3",
    seed: Annotated[str, typer.Option(metavar="S", help="First seed")] = "1",
) -> None:
    """Run every shipped scenario a few times and print final outcomes side by side."""
    from rich import box
    from rich.table import Table

    from simorg.limits import MAX_SEED
    from simorg.progress import progress
    from simorg.scenario import load, shipped_scenarios
    from simorg.simulate import simulate

    reps = whole_number(replications, "--replications", 1, MAX_DEMO_REPLICATIONS)
    first = whole_number(seed, "--seed", 0, MAX_SEED)
    assert reps is not None and first is not None
    from simorg.scenario import SCENARIO_DIR

    names = list(shipped_scenarios())
    if not names:
        raise nothing_found("scenarios", SCENARIO_DIR)
    table = Table(
        title=f"simorg: every shipped scenario, mean of {reps} replications (seeds {first}…{first + reps - 1})",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    console = _console()
    narrow = console.width < DEMO_NARROW
    # scenario names are typed into other commands: never cut (numbers are short, labels wrap)
    table.add_column("scenario", no_wrap=True, min_width=max(len(n) for n in names))
    for _, label in DEMO_OUTCOMES:
        table.add_column(label, justify="right", min_width=4)

    def number(v: float) -> str:
        if not narrow:
            return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
        if abs(v) < 10:
            return f"{v:.2f}"
        return f"{v:.0f}" if abs(v) < 1000 else f"{v / 1000:.0f}k"

    scenarios = {name: load(name) for name in names}
    total = sum(sc.steps for sc in scenarios.values()) * reps
    with progress("demo", total=total, unit="steps") as bar:
        for name, sc in scenarios.items():
            bar.update(description=name)
            step = bar.advance if bar.shown else None
            finals = [simulate(sc, seed=first + r, on_step=step).final for r in range(reps)]
            means = [sum(f[k] for f in finals) / len(finals) for k, _ in DEMO_OUTCOMES]
            table.add_row(name, *(number(v) for v in means))
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
        "simorg.organizations.cli",
        "simorg.lever_cli",
        "simorg.workshop.cli",
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
    except SimorgError as exc:  # a command that forgot its decorator still fails in one line
        typer.echo(f"simorg: error: {exc}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
