"""Write a built (or imported) organization to the import formats, for round trips and examples.

`write_people` writes the people CSV (id, department, manager, leader, level); `write_ties` writes
the ties as CSV (source,target,weight,kind), an edge list (`source target weight`), GraphML or GEXF
(the graph formats also carry the people as nodes with their attributes, so one file holds the
whole organization). Each undirected tie is written once.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from simorg.structures import TIE_KINDS, Structure

FORMATS = ("csv", "edgelist", "graphml", "gexf")


def people_frame(
    structure: Structure, department_names: list[str], ids: np.ndarray | None = None
) -> pd.DataFrame:
    ids = np.arange(structure.n).astype(str) if ids is None else np.asarray(ids, dtype=object)
    manager = np.where(structure.manager >= 0, ids[np.maximum(structure.manager, 0)], "")
    return pd.DataFrame(
        {
            "id": ids,
            "department": np.asarray(department_names, dtype=object)[structure.department],
            "manager": manager,
            "leader": np.where(structure.is_leader, "true", "false"),
            "level": structure.level,
        }
    )


def tie_frame(structure: Structure, ids: np.ndarray | None = None) -> pd.DataFrame:
    ids = np.arange(structure.n).astype(str) if ids is None else np.asarray(ids, dtype=object)
    once = structure.source < structure.indices
    return pd.DataFrame(
        {
            "source": ids[structure.source[once]],
            "target": ids[structure.indices[once]],
            "weight": 1,
            "kind": np.asarray(TIE_KINDS, dtype=object)[structure.kind[once]],
        }
    )


def write_people(structure: Structure, department_names: list[str], path: Path) -> Path:
    people_frame(structure, department_names).to_csv(path, index=False)
    return path


def write_ties(
    structure: Structure, department_names: list[str], path: Path, fmt: str | None = None
) -> Path:
    """`fmt` is one of FORMATS (default: from the file's suffix; anything unknown is an edge list)."""
    fmt = fmt or {".csv": "csv", ".graphml": "graphml", ".gexf": "gexf"}.get(
        path.suffix.lower(), "edgelist"
    )
    ties = tie_frame(structure)
    if fmt == "csv":
        ties.to_csv(path, index=False)
    elif fmt == "edgelist":
        with path.open("w", encoding="utf-8") as f:
            f.write("# source target weight\n")
            ties[["source", "target", "weight"]].to_csv(f, sep=" ", header=False, index=False)
    elif fmt in ("graphml", "gexf"):
        g = nx.Graph()
        for row in people_frame(structure, department_names).to_dict("records"):
            attrs = {
                "department": row["department"],
                "leader": row["leader"] == "true",
                "level": int(row["level"]),
            }
            if row["manager"]:
                attrs["manager"] = row["manager"]
            g.add_node(row["id"], **attrs)
        g.add_edges_from(
            (a, b, {"weight": 1.0, "kind": k})
            for a, b, k in zip(ties["source"], ties["target"], ties["kind"], strict=True)
        )
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(g, path)
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    return path
