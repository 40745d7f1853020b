"""Typer options that more than one command takes, declared once (`simorg run` and `simorg compare`).

Values are taken as text and checked by the command (`errors.whole_number`, with the schema's
ranges from `simorg.limits`), so a bad one ends in one line on stderr, never a usage block.
"""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["CustomersOption", "EmployeesOption"]

EmployeesOption = Annotated[
    str | None, typer.Option(metavar="N", help="Override organization.employees")
]
CustomersOption = Annotated[str | None, typer.Option(metavar="N", help="Override customers.count")]
