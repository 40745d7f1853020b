"""What was read from organization files, as numbers (for `simorg import check` and tests)."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from simorg.organizations.imported import ImportedOrganization


def summarise(org: ImportedOrganization) -> dict[str, Any]:
    n = org.n
    sizes = np.bincount(org.department, minlength=org.departments)
    if org.has_ties:
        a, b = org.tie_pairs[:, 0], org.tie_pairs[:, 1]
    else:  # an org chart only: its reporting lines are what connects people
        has = org.manager >= 0
        a, b = np.flatnonzero(has), org.manager[has]
    graph = sp.coo_array((np.ones(len(a)), (a, b)), shape=(n, n))
    components, label = connected_components(graph, directed=False)
    degree = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    crossing = org.department[a] != org.department[b]
    return {
        "files": list(org.files),
        "people": n,
        "departments": org.departments,
        "department_sizes": [int(sizes.min()), int(sizes.max())] if n else [0, 0],
        "leaders": int(org.is_leader.sum()),
        "leaders_inferred": org.leaders_inferred,
        "managers_inferred": org.managers_inferred,
        "levels": int(org.level.max()) + 1 if n else 0,
        "customer_facing": None if org.customer_facing is None else int(org.customer_facing.sum()),
        "tie_rows": org.tie_rows,
        "ties": int(len(org.tie_pairs)) if org.has_ties else 0,
        "self_ties_dropped": org.self_ties,
        "cross_department_share": float(crossing.mean()) if len(a) else 0.0,
        "components": int(components),
        "largest_component": int(np.bincount(label).max()) if n else 0,
        "isolated": int((degree == 0).sum()),
        "pseudonymised": org.pseudonymised,
        "attributes": list(org.attributes.columns),
        "dropped_columns": org.dropped_columns,
        "department_names": list(org.department_names),
    }


def lines(s: dict[str, Any]) -> list[str]:
    """The summary as a few lines a person reads."""
    lo, hi = s["department_sizes"]
    out = [
        f"read: {', '.join(s['files'])}",
        f"people: {s['people']:,} in {s['departments']} departments ({lo} to {hi} people each)",
        "departments (numbered; 0 plays Customer Service, 1 Marketing & Sales): "
        + ", ".join(s["department_names"][:12])
        + (f", ... ({s['departments'] - 12} more)" if s["departments"] > 12 else ""),
    ]
    if s["managers_inferred"]:
        out.append(
            f"managers: inferred (no manager column): the most central people of each department "
            f"lead it, {s['levels']} levels"
        )
    else:
        out.append(f"managers: from the file, {s['levels']} levels")
    if s["leaders_inferred"]:
        how = "inferred with the managers: people with reports"
    elif s["managers_inferred"]:
        how = "the leader column, then people with inferred reports"
    else:
        how = "people with reports, or named in the leader column"
    out.append(f"leaders: {s['leaders']:,} ({how})")
    if s["customer_facing"] is not None:
        out.append(f"customer-facing: {s['customer_facing']:,}")
    if s["tie_rows"]:
        dropped = (
            f", {s['self_ties_dropped']:,} self-ties dropped" if s["self_ties_dropped"] else ""
        )
        out.append(
            f"ties: {s['tie_rows']:,} lines -> {s['ties']:,} ties (both directions and duplicates "
            f"merged{dropped}); {s['cross_department_share']:.1%} cross departments"
        )
    else:
        out.append(
            "ties: none given; built from the reporting lines, teams (same manager) and the "
            f"synthetic rules (docs/importing.md); {s['cross_department_share']:.1%} of reporting lines cross departments"
        )
    out.append(
        f"components: {s['components']:,} (largest {s['largest_component']:,} people); "
        f"isolated people: {s['isolated']:,}"
    )
    out.append(f"ids replaced by pseudonyms: {s['pseudonymised']:,}")
    if s["attributes"] or s["dropped_columns"]:
        out.append(
            f"extra columns kept (ignored by the model): {', '.join(s['attributes']) or 'none'}"
            + (
                f"; dropped as personal data: {', '.join(s['dropped_columns'])}"
                if s["dropped_columns"]
                else ""
            )
        )
    return out
