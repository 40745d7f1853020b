"""`simorg sweep`, `simorg compare`, `simorg report` and `simorg sensitivity`.

This module is imported every time `simorg` starts, so it imports nothing heavy at module level:
each command imports what it needs when it runs. Numbers are taken as text and parsed here, so any
bad input ends in one line on stderr and exit code 2, never a traceback or a multi-line usage block;
the other exit codes are in simorg/errors.py (and docs/experiments.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from simorg.cli_options import CustomersOption, EmployeesOption
from simorg.errors import (
    INTERRUPTED,
    RUNS_FAILED,
    ResultsIncomplete,
    SimorgError,
    fail,
    one_line_errors,
    whole_number,
)
from simorg.limits import (
    MAX_BATCH,
    MAX_CUSTOMERS,
    MAX_EMPLOYEES,
    MAX_REPLICATIONS,
    MAX_SEED,
    MAX_WORKERS,
    MIN_EMPLOYEES,
)


def _formats(fmt: str) -> None:
    if fmt not in ("png", "svg"):
        raise SimorgError(f"--format: {fmt!r} is not one of png, svg")


# --batch / --no-batch, shared by sweep and compare
BatchOption = Annotated[
    str | None,
    typer.Option(
        "--batch",
        metavar="N",
        help="Replications of a scenario run as one array program (default: as many as fit in "
        "memory, at most 32; the same numbers as each alone)",
    ),
]
NoBatchOption = Annotated[
    bool, typer.Option("--no-batch", help="Run every replication alone (as --batch 1)")
]


def _batch(batch: str | None, no_batch: bool) -> int | None:
    """The batch size asked for: None (choose from memory), or N >= 1."""
    if no_batch:
        if batch is not None:
            raise SimorgError("--batch and --no-batch cannot be used together; give one")
        return 1
    return whole_number(batch, "--batch", 1, MAX_BATCH)


def register(app: typer.Typer) -> None:
    """Add the experiment commands to the `simorg` app."""

    @app.command("experiments")
    @one_line_errors
    def experiments_command() -> None:
        """List the shipped experiments and the question each asks."""
        from simorg.cli import nothing_found
        from simorg.experiments import spec

        shipped = spec.shipped_experiments()
        if not shipped:
            raise nothing_found("experiments", spec.EXPERIMENT_DIR)
        for name, path in shipped.items():
            exp, _ = spec.load_experiment(Path(str(path)))
            typer.echo(f"{name:<34} {exp.question or exp.description}")

    @app.command("sweep")
    @one_line_errors
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
        batch: BatchOption = None,
        no_batch: NoBatchOption = False,
    ) -> None:
        """Run an experiment's variants × replications, streaming results to a folder; resumable.

        Exit codes: 0 every run succeeded; 1 completed with failed runs (recorded with their
        errors); 2 bad input or a folder that holds a different sweep; 3 executor lost (run the
        same command again to resume); 4 folder damaged or held by another sweep; 130 interrupted.
        """
        import signal

        from simorg.experiments import design as dz
        from simorg.experiments.executors import check_address
        from simorg.limits import parse_steps

        n_workers = whole_number(workers, "--workers", 1, MAX_WORKERS)
        reps = whole_number(replications, "--replications", 1, MAX_REPLICATIONS)
        n_batch = _batch(batch, no_batch)
        n_steps = parse_steps(steps)
        if executor not in (None, "local", "dask"):
            raise SimorgError(f"--executor: {executor!r} is not one of local, dask")
        if address is not None:
            if executor == "local":
                raise SimorgError(
                    "--address joins a Dask cluster; it cannot be used with --executor local"
                )
            address = check_address(address)
        executor = executor or ("dask" if address else "local")
        d = dz.load_design(file, replications=reps, steps=n_steps)
        folder = out if out is not None else Path("results") / d.experiment.name
        if dry_run:
            typer.echo(
                f"{d.source}: ok ({d.experiment.name}: {len(d.bases)} base scenario(s), "
                f"{len(d.variants)} variants × {d.replications} replications = {d.expected_runs} runs; "
                f"steps {', '.join(f'{k}={v}' for k, v in d.base_steps.items())}; results to {folder})"
            )
            return
        from simorg.experiments.sweep import sweep

        def _term(signum, frame):  # SIGTERM: write what is finished, then leave like Ctrl-C
            raise KeyboardInterrupt

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
                batch=n_batch,
            )
        except KeyboardInterrupt:
            raise fail(
                f"interrupted; finished runs are in {folder}/; run the same command again to resume",
                INTERRUPTED,
            ) from None
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
            raise fail(
                f"{summary.failed} run(s) failed; their errors are in {folder}/runs (column 'error')",
                RUNS_FAILED,
            )

    @app.command("compare")
    @one_line_errors
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
        employees: EmployeesOption = None,
        customers: CustomersOption = None,
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
        batch: BatchOption = None,
        no_batch: NoBatchOption = False,
    ) -> None:
        """Run the same replications of each scenario; per outcome: mean [95% CI] and the difference from the first."""
        from simorg.experiments import compare as cmp
        from simorg.limits import parse_steps

        n_runs = whole_number(runs, "--runs", 1, MAX_REPLICATIONS)
        n_steps = parse_steps(steps)
        root = whole_number(seed, "--seed", 0, MAX_SEED)
        emp = whole_number(employees, "--employees", MIN_EMPLOYEES, MAX_EMPLOYEES)
        cus = whole_number(customers, "--customers", 0, MAX_CUSTOMERS)
        n_workers = whole_number(workers, "--workers", 1, MAX_WORKERS)
        n_batch = _batch(batch, no_batch)
        _formats(fmt)
        if len(scenarios) < 2:
            raise SimorgError(
                "compare needs at least two scenarios, e.g. 'simorg compare traditional_silos social_business'"
            )
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
            show_progress=not as_json,
            batch=n_batch,
        )
        if out is not None:
            written = cmp.write_outputs(result, out, fmt)
        if as_json:
            typer.echo(json.dumps(cmp.to_json(result), indent=1))
        else:
            cmp.print_tables(result)
            if out is not None:
                typer.echo(f"wrote {len(written)} files to {out}/")
        if result.errors:
            label, r, err = result.errors[0]
            bad = sorted({s for s, _, _ in result.errors})
            raise ResultsIncomplete(
                f"{len(result.errors)} run(s) failed (scenarios: {', '.join(bad)}), so their means "
                f"rest on fewer runs; first: {label} replication {r}: {err}"
            )

    @app.command("report")
    @one_line_errors
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

        _formats(fmt)
        path = rp.write_report(
            folder,
            out=out,
            outcomes=outcome or None,
            sensitivity=sensitivity,
            figures_dir=figures,
            figure_format=fmt,
        )
        typer.echo(f"report written to {path}")

    @app.command("sensitivity")
    @one_line_errors
    def sensitivity_command(
        folder: Annotated[Path, typer.Argument(help="A sweep's results folder (a sampled design)")],
        outcome: Annotated[
            list[str] | None, typer.Option("--outcome", help="Only these outcomes (repeatable)")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the indices as JSON")] = False,
    ) -> None:
        """Sensitivity indices of a sweep's final outcomes: Sobol' (saltelli), Morris, or RBD-FAST (other samples)."""
        from simorg.experiments import sensitivity as sa

        result = sa.analyze_folder(folder, outcomes=outcome or None)
        if as_json:
            typer.echo(json.dumps(result, indent=1))
        else:
            sa.print_result(result)
        if result.get("incomplete"):
            raise ResultsIncomplete(f"{folder}: {result['incomplete']}")
