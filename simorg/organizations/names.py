"""Department names in interventions' `order` lists, matched to an imported organization.

An imported department of that name is that department. The builders' names "Customer Service" and
"Marketing & Sales" stand for the departments that play those roles (numbered 0 and 1, see
`imported.department_order`), so the shipped scenarios keep their meaning on any organization.
The builders' other default names ("Finance", ..., "Department 12") that the data does not have
are left out: the stepwise moves still go through every department, in their numbered order.
Any other name stays, and the scenario check reports it as unknown.
"""

from __future__ import annotations

import re

from simorg.scenario import DEPARTMENT_NAMES


def match_order(order: list[str], names: list[str]) -> list[str]:
    out: list[str] = []
    for x in order:
        if x in names:
            match: str | None = x
        elif x == DEPARTMENT_NAMES[0] and names:
            match = names[0]
        elif x == DEPARTMENT_NAMES[1] and len(names) > 1:
            match = names[1]
        elif x in DEPARTMENT_NAMES or re.fullmatch(r"Department \d+", x):
            match = None
        else:
            match = x
        if match is not None and match not in out:
            out.append(match)
    return out
