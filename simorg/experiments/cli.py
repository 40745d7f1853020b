"""`simorg sweep`, `simorg compare`, `simorg report` and `simorg sensitivity`.

This module is imported every time `simorg` starts, so it imports nothing heavy at module level:
each command imports what it needs when it runs. Numbers are taken as text and parsed here, so any
bad input ends in one line on stderr and exit code 2, never a traceback or a multi-line usage block.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

USAGE_ERROR = 2


def _fail(message: str) -> typer.Exit:
    typer.echo(f"simorg: error: {' '.join(str(message).split())}", err=True)
    return typer.Exit(USAGE_ERROR)


def _int(text: str | None, option: str, low: int, high: int = 10**9) -> int | None:
    if text is None:
        return None
    try:
        value = int(text.strip())
    except ValueError:
        raise _fail(f"{option}: {text!r} is not a whole number") from None
    if not low <= value <= high:
        raise _fail(f"{option}: {value} is outside [{low}, {high}]")
    return value


def _scenario_error():
    from simorg.scenario import ScenarioError

    return ScenarioError


def register(app: typer.Typer) -> None:
    """Add the experiment commands to the `simorg` app."""

    @app.command("experiments")
    def experiments_command() -> None:
        """List the shipped experiments and the question each asks."""
        from simorg.cli import nothing_found
        from simorg.experiments import design as dz

        shipped = dz.shipped_experiments()
        if not shipped:
            raise nothing_found("experiments", dz.EXPERIMENT_DIR)
        for name, path in shipped.items():
            exp, _ = dz.load_experiment(path)
            typer.echo(f"{name:<34} {exp.question or exp.description}")

    @app.command("sweep")
    def sweep_command(
        file: Annotated[
            str, typer.Argument(help="Experiment file (.toml) or a shipped experiment's name")
        ],
        out: Annotated[
            Path | None, typer.Option(help="Results folder (default: results/<experiment name>)")
        ] = None,
        workers: Annotated[
            str | None, typer.Option(metavar="N", help="Worker processes (default: CPUs)")
        ] = None,
        executor: Annotated[
            str | None,
            typer.Option(
                metavar="local|dask", help="Where runs go: local processes (default) or Dask"
            ),
        ] = None,
        address: Annotated[
            str | None,
            typer.Option(
                metavar="tcp://HOST:PORT", help="Join this Dask scheduler (implies --executor dask)"
            ),
        ] = None,
        replications: Annotated[
            str | None, typer.Option(metavar="N", help="Override the file's replications")
        ] = None,
        steps: Annotated[
            str | None, typer.Option(metavar="T", help="Override the steps of every run")
        ] = None,
        fresh: Annotated[
            bool, typer.Option("--fresh", help="Discard results already in the folder")
        ] = False,
        retry_failed: Annotated[
            bool, typer.Option("--retry-failed", help="Run failed runs again")
        ] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Validate and print the plan; run nothing")
        ] = False,
    ) -> None:
        """Run an experiment's variants × replications, streaming results to a folder; resumable.

        Exit code 0 when every run succeeded, 1 when the sweep completed with failed runs (recorded
        with their errors), 2 for bad input or a folder that holds a different sweep.
        """
        import signal

        from simorg.experiments import design as dz

        ScenarioError = _scenario_error()
        n_workers = _int(workers, "--workers", 1, 4096)
        reps = _int(replications, "--replications", 1, 100_000)
        n_steps = _int(steps, "--steps", 1, 1_000_000)
        if executor not in (None, "local", "dask"):
            raise _fail(f"--executor: {executor!r} is not one of local, dask")
        if address is not None:
            if executor == "local":
                raise _fail(
                    "--address joins a Dask cluster; it cannot be used with --executor local"
                )
            if not address.strip():
                raise _fail("--address: give the scheduler's address, e.g. tcp://10.0.0.5:8786")
        executor = executor or ("dask" if address else "local")
        try:
            d = dz.load(file, replications=reps, steps=n_steps)
        except ScenarioError as exc:
            raise _fail(str(exc)) from None
        folder = out if out is not None else Path("results") / d.experiment.name
        if dry_run:
            typer.echo(
                f"{d.source}: ok ({d.experiment.name}: {len(d.bases)} base scenario(s), "
                f"{len(d.variants)} variants × {d.replications} replications = {d.expected_runs} runs; "
                f"steps {', '.join(f'{k}={v}' for k, v in d.base_steps.items())}; results to {folder})"
            )
            return
        from simorg.experiments.runner import DaskUnavailable, WorkerLost, sweep

        def _term(signum, frame):  # SIGTERM: write what is finished, then leave
            raise SystemExit(143)

        previous = signal.signal(signal.SIGTERM, _term)
        try:
            summary = sweep(
                d,
                folder,
                workers=n_workers,
                executor=executor,
                address=address,
                fresh=fresh,
                retry_failed=retry_failed,
            )
        except ScenarioError as exc:
            raise _fail(str(exc)) from None
        except DaskUnavailable as exc:
            raise _fail(str(exc)) from None
        except WorkerLost as exc:
            typer.echo(f"simorg: error: {exc}; run the same command again to resume", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo(
                f"simorg: interrupted; finished runs are in {folder}/; run the same command again to resume",
                err=True,
            )
            raise typer.Exit(130) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
        rate = summary.ran / summary.seconds if summary.seconds > 0 else 0.0
        skipped = f", {summary.already_done} already done" if summary.already_done else ""
        typer.echo(
            f"{d.experiment.name}: {summary.ran} runs in {summary.seconds:.1f} s ({rate:.1f} runs/s, "
            f"{summary.executor}){skipped}; {summary.failed} failed of {summary.expected_runs}; "
            f"results in {folder}/"
        )
        if summary.failed:
            typer.echo(
                f"simorg: {summary.failed} run(s) failed; their errors are in {folder}/runs (column 'error')",
                err=True,
            )
            raise typer.Exit(1)

    @app.command("compare")
    def compare_command(
        scenarios: Annotated[
            list[str],
            typer.Argument(
                help="Two or more scenarios (shipped names or .toml paths); the first is the reference"
            ),
        ],
        runs: Annotated[
            str,
            typer.Option(
                metavar="N", help="Replications of each scenario (the same seeds for all)"
            ),
        ] = "10",
        steps: Annotated[
            str | None,
            typer.Option(metavar="T", help="Steps of every run (default: each scenario's)"),
        ] = None,
        seed: Annotated[
            str, typer.Option(metavar="S", help="Root seed of the replication seeds")
        ] = "0",
        employees: Annotated[
            str | None, typer.Option(metavar="N", help="Override organization.employees")
        ] = None,
        customers: Annotated[
            str | None, typer.Option(metavar="N", help="Override customers.count")
        ] = None,
        set_: Annotated[
            list[str] | None,
            typer.Option("--set", help="Override a parameter in every scenario: section.key=value"),
        ] = None,
        outcome: Annotated[
            list[str] | None,
            typer.Option("--outcome", help="Only these outcomes (repeatable; default: all)"),
        ] = None,
        workers: Annotated[
            str | None,
            typer.Option(metavar="N", help="Worker processes (default: CPUs; 1 = in this process)"),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON")] = False,
        out: Annotated[
            Path | None,
            typer.Option(help="Write the table (CSV) and trajectory plots with bands here"),
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", metavar="png|svg", help="Plot format for --out")
        ] = "png",
    ) -> None:
        """Run the same replications of each scenario; per outcome: mean [95% CI] and the difference from the first."""
        from simorg.experiments import compare as cmp

        ScenarioError = _scenario_error()
        n_runs = _int(runs, "--runs", 1, 100_000)
        n_steps = _int(steps, "--steps", 1, 1_000_000)
        root = _int(seed, "--seed", 0, 2**63 - 1)
        emp = _int(employees, "--employees", 10, 1_000_000)
        cus = _int(customers, "--customers", 0, 10_000_000)
        n_workers = _int(workers, "--workers", 1, 4096)
        if fmt not in ("png", "svg"):
            raise _fail(f"--format: {fmt!r} is not one of png, svg")
        if len(scenarios) < 2:
            raise _fail(
                "compare needs at least two scenarios, e.g. 'simorg compare traditional_silos social_business'"
            )
        try:
            result = cmp.compare(
                scenarios,
                runs=n_runs,
                steps=n_steps,
                seed=root,
                employees=emp,
                customers=cus,
                assignments=set_ or [],
                outcomes=outcome or None,
                workers=n_workers,
            )
        except ScenarioError as exc:
            raise _fail(str(exc)) from None
        if out is not None:
            try:
                written = cmp.write_outputs(result, out, fmt)
            except OSError as exc:
                raise _fail(f"{out}: cannot write: {exc.strerror or exc}") from None
        if as_json:
            typer.echo(json.dumps(cmp.to_json(result), indent=1))
        else:
            cmp.print_tables(result)
            if out is not None:
                typer.echo(f"wrote {len(written)} files to {out}/")

    @app.command("report")
    def report_command(
        folder: Annotated[Path, typer.Argument(help="A sweep's results folder")],
        out: Annotated[
            Path | None, typer.Option(help="HTML file to write (default: FOLDER/report.html)")
        ] = None,
        outcome: Annotated[
            list[str] | None, typer.Option("--outcome", help="Only these outcomes (repeatable)")
        ] = None,
        sensitivity: Annotated[
            bool, typer.Option("--sensitivity", help="Add sensitivity indices (SALib)")
        ] = False,
        figures: Annotated[
            Path | None, typer.Option(help="Also write every figure as a file into this folder")
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", metavar="png|svg", help="Format of --figures files")
        ] = "png",
    ) -> None:
        """Write a self-contained HTML report of a sweep (works offline)."""
        from simorg.experiments import report as rp

        ScenarioError = _scenario_error()
        if fmt not in ("png", "svg"):
            raise _fail(f"--format: {fmt!r} is not one of png, svg")
        try:
            path = rp.write_report(
                folder,
                out=out,
                outcomes=outcome or None,
                sensitivity=sensitivity,
                figures_dir=figures,
                figure_format=fmt,
            )
        except ScenarioError as exc:
            raise _fail(str(exc)) from None
        except OSError as exc:
            raise _fail(f"{out or folder}: cannot write: {exc.strerror or exc}") from None
        typer.echo(f"report written to {path}")

    @app.command("sensitivity")
    def sensitivity_command(
        folder: Annotated[Path, typer.Argument(help="A sweep's results folder (a sampled design)")],
        outcome: Annotated[
            list[str] | None, typer.Option("--outcome", help="Only these outcomes (repeatable)")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the indices as JSON")] = False,
    ) -> None:
        """Sensitivity indices of a sweep's final outcomes: Sobol' (saltelli), Morris, or RBD-FAST (other samples)."""
        from simorg.experiments import sensitivity as sa

        ScenarioError = _scenario_error()
        try:
            result = sa.analyze_folder(folder, outcomes=outcome or None)
        except ScenarioError as exc:
            raise _fail(str(exc)) from None
        if as_json:
            typer.echo(json.dumps(result, indent=1))
        else:
            sa.print_result(result)
