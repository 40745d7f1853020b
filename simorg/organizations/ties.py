"""Reading the ties file: who talks to whom.

- CSV (`.csv`, `.tsv`; a header line): `source`, `target`, optionally `weight` (a positive number,
  default 1) and `kind` (one of simorg's tie kinds, e.g. `team`, `cross`; written by the exporter);
- GraphML and GEXF (read with networkx): edges are ties (edge attributes `weight` and `kind` as
  above); nodes are people, with the department as a node attribute (`department` unless
  `department_attribute` names another) and optionally `manager`, `leader`, `customer_facing`,
  `level` like the columns of a people file, so one graph file can hold a whole organization;
- any other name: an edge list, one tie a line `source target [weight]`, white-space separated,
  `#` starts a comment (the SNAP format; networkx's `write_edgelist` writes it).

Directed or undirected, ties are merged later: a→b and b→a and repeated lines are one tie whose
weight is the sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simorg.organizations.formats import kind_of, read_list, read_table
from simorg.organizations.problems import OrganizationFileError, Problem, read_text


@dataclass
class TieTable:
    ties: pd.DataFrame  # source, target (str), weight, kind (str or NaN), line (int or NaN)
    nodes: pd.DataFrame | None  # id and node attributes (graph formats only)


def read_ties(path: Path) -> TieTable:
    shown = str(path)
    kind = kind_of(path)
    if kind in ("graphml", "gexf"):
        return _read_graph(path, kind)
    text = read_text(path)
    if kind == "list":
        df = read_list(shown, text, ["source", "target", "weight"])
    else:
        df = read_table(shown, text)
        missing = [c for c in ("source", "target") if c not in df.columns]
        if missing:
            columns = ", ".join(c for c in df.columns if c != "line")
            raise OrganizationFileError(
                [
                    Problem(
                        shown,
                        1,
                        "missing tie columns",
                        f"no {' and '.join(repr(m) for m in missing)} column (columns: {columns}); "
                        "a ties file needs source,target[,weight]",
                    )
                ]
            )
    for c in ("weight", "kind"):
        if c not in df.columns:
            df[c] = pd.NA
    return TieTable(df[["source", "target", "weight", "kind", "line"]], None)


def _read_graph(path: Path, kind: str) -> TieTable:
    shown = str(path)
    import networkx as nx

    read_text(path)  # the same checks as any file: present, UTF-8, not empty
    try:
        g = nx.read_graphml(path) if kind == "graphml" else nx.read_gexf(path)
    except Exception as exc:  # networkx raises several kinds (XML, KeyError, NetworkXError)
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OrganizationFileError(
            [Problem(shown, None, "malformed", f"not a readable {kind.upper()} file ({detail})")]
        ) from None
    rows = []
    for node, data in g.nodes(data=True):
        row = {str(k).strip().lower(): (None if v is None else str(v)) for k, v in data.items()}
        if row.get("label") == str(node):
            row.pop("label")  # GEXF repeats the id as a label
        row["id"] = str(node)
        rows.append(row)
    nodes = pd.DataFrame(rows)
    if "id" not in nodes.columns:
        nodes = pd.DataFrame({"id": pd.Series(dtype=str)})
    nodes["line"] = pd.NA
    edges = pd.DataFrame(
        [
            (str(a), str(b), data.get("weight", pd.NA), data.get("kind", pd.NA))
            for a, b, data in g.edges(data=True)
        ],
        columns=["source", "target", "weight", "kind"],
    )
    edges["line"] = pd.NA
    return TieTable(edges, nodes)
