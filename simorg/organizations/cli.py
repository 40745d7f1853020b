"""`simorg import check PEOPLE [TIES]`: what the files hold and every problem in them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Bring your own organization: check people and ties files before a scenario uses them.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="import")

    @group.command("check")
    def check_command(
        people: Annotated[
            Path,
            typer.Argument(
                help="People CSV (id, department[, manager, leader, ...]) or a GraphML/GEXF file"
            ),
        ],
        ties: Annotated[
            Path | None,
            typer.Argument(help="Ties: CSV source,target[,weight], GraphML, GEXF or an edge list"),
        ] = None,
        department_attribute: Annotated[
            str, typer.Option(help="Column or node attribute holding the department")
        ] = "department",
        span: Annotated[
            int, typer.Option(help="Reports per manager when managers are inferred", min=2, max=100)
        ] = 8,
        drop_self_ties: Annotated[
            bool, typer.Option("--drop-self-ties", help="Drop self-ties instead of reporting them")
        ] = False,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print what was read as JSON")
        ] = False,
    ) -> None:
        """Print what was read and every problem, one line each with file and line; exit 2 on any."""
        from simorg.organizations import OrganizationFileError, inspect
        from simorg.organizations.problems import summarised
        from simorg.organizations.summary import lines, summarise

        try:
            org, problems = inspect(people, ties, department_attribute, span, drop_self_ties)
        except OrganizationFileError as exc:
            for line in summarised(exc.problems):
                typer.echo(f"simorg: error: {line}", err=True)
            raise typer.Exit(2) from None
        summary = summarise(org)
        if as_json:
            typer.echo(json.dumps(summary | {"problems": [str(p) for p in problems]}))
        else:
            for line in lines(summary):
                typer.echo(line)
        for line in summarised(problems):
            typer.echo(f"simorg: error: {line}", err=True)
        if problems:
            typer.echo(f"simorg: {len(problems):,} problem(s); fix them and check again", err=True)
            raise typer.Exit(2)
