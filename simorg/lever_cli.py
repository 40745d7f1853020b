"""`simorg levers`: the command line of the lever scan (simorg.lever_effects does the work).

Apart from the scan so that `simorg --help` does not load numpy and the schema.
"""

from __future__ import annotations

import gzip
import json
import math
from typing import Annotated, Any

import typer

from simorg.noise import THRESHOLD

SHOWN_MOVED = 6  # outcomes named per lever in the table (strongest first); the rest are counted


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
        as_markdown: Annotated[
            bool,
            typer.Option("--markdown", help="Print the lever table as Markdown (docs/results.md)"),
        ] = False,
        rows_files: Annotated[
            list[str] | None,
            typer.Option(
                "--from",
                help="Read the rows of earlier --json scans (.json or .json.gz) instead of running "
                "one (repeatable; with --json: merged into one list)",
            ),
        ] = None,
        every_run: Annotated[
            str | None,
            typer.Option(
                help="Also write every run's outcomes (JSON) and check that no outcome is a "
                "fixed function of another"
            ),
        ] = None,
    ) -> None:
        """Move each lever alone around each base (paired seeds); effects in run-to-run sd.

        Each lever moves by one realistic step within its range: a share or probability has its
        odds doubled (at an end of its range it moves to the middle), any other number is
        doubled (halved where that leaves the range; 0 -> 10 for a count, 1 otherwise), a switch
        flips, a choice moves to the next. A conditional lever (one read only when a mechanism
        is on) is scanned with its mechanism switched on in both arms, marked [with ...].
        """
        from simorg import lever_effects as le
        from simorg.cli import fail, resolve_scenario
        from simorg.scenario import check_fires, shipped_scenarios

        if rows_files:
            rows = []
            for path in rows_files:
                rows += _read_rows(path)
        else:
            known = {p.key for p in le.parameters()}
            for key in lever or []:
                if key not in known:
                    raise fail(
                        f"--lever {key}: unknown parameter; run 'simorg params' for the keys"
                    )
            try:
                bases = [
                    resolve_scenario(ref, assignments=set_)
                    for ref in scenarios or shipped_scenarios()
                ]
                if steps is not None:
                    bases = [b.model_copy(update={"steps": steps}) for b in bases]
                    for b in bases:
                        check_fires(b, source=f"--steps {steps}: {b.name}")
            except le.ScenarioError as exc:
                raise fail(str(exc)) from None
            all_runs: list[dict[str, float]] = []
            rows = le.measure(bases, runs=runs, keys=lever, workers=workers, every_run=all_runs)
            if every_run is not None:
                try:
                    with open(every_run, "w", encoding="utf-8") as f:
                        json.dump(all_runs, f)
                except OSError as exc:
                    raise fail(f"--every-run {every_run}: cannot write: {exc.strerror}") from None
        if as_json:
            typer.echo(json.dumps(rows, indent=1))
        elif as_markdown:
            typer.echo(le.markdown(rows, threshold), nl=False)
        else:
            _print_table(rows, threshold)
        if every_run is not None and not rows_files:
            found = le.fixed_functions(all_runs)
            typer.echo(
                f"Outcomes that are a fixed function of another over {len(all_runs)} runs: "
                + ("; ".join(found) if found else "none"),
                err=as_json,
            )


def _read_rows(path: str) -> list[dict[str, Any]]:
    """The rows of an earlier `simorg levers --json`; a file that is not one is a one-line error."""

    from simorg.errors import fail

    opener: Any = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            rows = json.load(f)
    except OSError as exc:
        raise fail(f"--from {path}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise fail(
            f"--from {path}: not JSON ({exc}); give the output of 'simorg levers --json'"
        ) from None
    keys = {"base", "lever", "from", "to", "outcome", "effect", "effect_sd"}
    if not isinstance(rows, list) or not all(
        isinstance(r, dict) and keys <= r.keys() for r in rows
    ):
        raise fail(
            f"--from {path}: not the output of 'simorg levers --json' (rows of {sorted(keys)})"
        )
    for r in rows:
        r.setdefault("needs", {})
    return rows


def _print_table(rows: list[dict[str, Any]], threshold: float) -> None:
    from rich.markup import escape
    from rich.table import Table

    from simorg import lever_effects as le
    from simorg.cli import _console

    table = Table("base", "lever", "from → to", f"outcomes moved beyond {threshold:g} sd")
    for (base, key), group in le._grouped(rows).items():
        moved = sorted(
            (r for r in group if le.strong(r, threshold)),
            key=lambda r: -abs(r["effect_sd"] if r["effect_sd"] is not None else math.inf),
        )
        text = ", ".join(f"{r['outcome']} {le._effect(r)}" for r in moved[:SHOWN_MOVED]) + (
            f" (+{len(moved) - SHOWN_MOVED} more)" if len(moved) > SHOWN_MOVED else ""
        )
        cond = escape(f"\n[with {le._needs(group[0]['needs'])}]") if group[0].get("needs") else ""
        table.add_row(base, key + cond, f"{group[0]['from']} → {group[0]['to']}", text or "–")
    console = _console()
    console.print(table)
    quiet = le.inert(rows, threshold)
    console.print(
        f"Levers that move nothing beyond {threshold:g} sd around these bases: "
        + (", ".join(quiet) if quiet else "none")
    )
