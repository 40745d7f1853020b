"""An organization read from files: people, departments, reporting lines and ties, as arrays.

`read()` reads and checks the files, collecting every problem; `inspect()` returns what could be
read together with the problems (for `simorg import check`), `read()` refuses files with problems.
Ids are pseudonymised here (pseudonyms.py), and the original ids are not kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simorg.organizations import inference, validation
from simorg.organizations.formats import kind_of
from simorg.organizations.people import extra_attributes, read_people, standard_columns
from simorg.organizations.problems import OrganizationFileError, Problem
from simorg.organizations.pseudonyms import is_plain, pseudonymise
from simorg.organizations.ties import TieTable, read_ties

DEFAULT_SPAN = 8


@dataclass
class ImportedOrganization:
    """What was read. People are slots 0..n-1 in file order; departments are numbered so that the
    department playing Customer Service is 0 and the one playing Marketing & Sales is 1 (see
    `department_order`), the rest in order of first appearance."""

    files: tuple[str, ...]
    ids: np.ndarray  # (n,) object: the ids, personal ones pseudonymised
    department: np.ndarray  # (n,) int
    department_names: list[str]
    manager: np.ndarray  # (n,) int, -1 at the top
    level: np.ndarray  # (n,) int, 0 at the top
    is_leader: np.ndarray  # (n,) bool
    customer_facing: np.ndarray | None  # (n,) bool, None when the file has no such column
    tie_pairs: np.ndarray  # (T, 2) int, a < b, merged
    tie_weight: np.ndarray  # (T,) summed weight
    tie_kind: np.ndarray  # (T,) int8, -1 when the file gave no kind
    has_ties: bool  # a ties file (or graph with edges) was given
    managers_inferred: bool
    leaders_inferred: bool
    attributes: pd.DataFrame  # (n rows) extra columns, kept and ignored by the mechanisms
    dropped_columns: list[str] = field(default_factory=list)
    pseudonymised: int = 0  # ids replaced by pseudonyms
    tie_rows: int = 0  # tie lines (or edges) read before merging
    self_ties: int = 0  # self-ties found (dropped when allowed, else problems)

    @property
    def n(self) -> int:
        return len(self.department)

    @property
    def departments(self) -> int:
        return len(self.department_names)


def department_order(
    first_seen: list[str], customer_facing_counts: dict[str, int] | None
) -> list[str]:
    """Names in the order they are numbered: the Customer Service role first, then Marketing &
    Sales, then the rest in order of first appearance.

    With a `customer_facing` column the two departments with most customer-facing people take
    the two roles; without it, a name containing "customer" takes the first and one containing
    "marketing" or "sales" the second."""
    roles: list[str] = []
    if customer_facing_counts:
        ranked = sorted(
            (name for name in first_seen if customer_facing_counts.get(name, 0) > 0),
            key=lambda name: -customer_facing_counts[name],
        )
        roles = ranked[:2]
    else:
        for pattern in (r"customer", r"marketing|sales"):
            match = next(
                (x for x in first_seen if x not in roles and re.search(pattern, x, re.I)), None
            )
            if match is not None:
                roles.append(match)
    return roles + [x for x in first_seen if x not in roles]


def _people_table(
    people: Path | None, ties: Path | None, department_attribute: str
) -> tuple[pd.DataFrame, str, TieTable | None]:
    """(people table, the file it came from, the tie table or None)."""
    tie_table = read_ties(ties) if ties is not None else None
    if people is not None:
        if kind_of(people) in ("graphml", "gexf"):
            graph = read_ties(people)
            assert graph.nodes is not None
            df = standard_columns(graph.nodes, str(people), department_attribute, line=None)
            if tie_table is None:
                tie_table = graph
            return df, str(people), tie_table
        return read_people(people, department_attribute), str(people), tie_table
    if tie_table is None or tie_table.nodes is None:
        raise OrganizationFileError(
            [
                Problem(
                    str(ties) if ties else "organization",
                    None,
                    "no people",
                    "no people file: give people (id, department[, manager]) or a GraphML/GEXF "
                    "file whose nodes carry the department",
                )
            ]
        )
    df = standard_columns(tie_table.nodes, str(ties), department_attribute, line=None)
    return df, str(ties), tie_table


def inspect(
    people: Path | None,
    ties: Path | None = None,
    department_attribute: str = "department",
    span: int = DEFAULT_SPAN,
    drop_self_ties: bool = False,
) -> tuple[ImportedOrganization, list[Problem]]:
    """Read what can be read; rows with problems are left out. Raises OrganizationFileError only
    when nothing can be read (missing, empty or non-UTF-8 file, missing columns)."""
    df, people_file, tie_table = _people_table(people, ties, department_attribute)
    df, problems = validation.people_rows(df, people_file)
    if df.empty:
        raise OrganizationFileError(problems)
    raw_ids = df["id"]
    index = pd.Index(raw_ids.to_numpy(dtype=object))
    leader, p1 = validation.flags(df, "leader", people_file)
    facing, p2 = validation.flags(df, "customer_facing", people_file)
    level_col, p3 = validation.levels(df, people_file)
    manager, p4 = validation.managers(df, index, people_file)
    problems += p1 + p2 + p3 + p4

    names_raw = df["department"].str.strip()
    first_seen = list(pd.unique(names_raw))
    counts = (
        names_raw[facing].value_counts().to_dict() if facing is not None and facing.any() else None
    )
    names = department_order(
        first_seen, {str(k): int(v) for k, v in (counts or {}).items()} or None
    )
    department = pd.Index(names).get_indexer(pd.Index(names_raw)).astype(np.int64)
    n = len(df)

    tie_file = str(ties) if ties is not None else people_file
    has_ties = tie_table is not None and not (tie_table.nodes is not None and tie_table.ties.empty)
    if tie_table is not None and has_ties:
        a, b, w, kind, self_ties, p5 = validation.tie_rows(
            tie_table.ties, index, tie_file, people_file, drop_self_ties
        )
        problems += p5
        rows = len(tie_table.ties)
    else:
        a = b = np.empty(0, dtype=np.int64)
        w, kind, rows, self_ties = np.empty(0), np.empty(0, dtype=np.int8), 0, 0
    pairs, weight, tie_kind = merge_ties(n, a, b, w, kind)

    managers_inferred = manager is None
    if manager is None:
        manager, level = inference.infer_managers(
            department, pairs[:, 0], pairs[:, 1], weight, span, leader, level_col
        )
    else:
        level = validation.depth(manager)
    is_leader = np.zeros(n, dtype=bool)
    is_leader[manager[manager >= 0]] = True
    is_leader[manager < 0] = True
    if leader is not None:
        is_leader |= leader

    attributes, dropped = extra_attributes(df)
    plain = is_plain(raw_ids)
    ids = pseudonymise(raw_ids).to_numpy(dtype=object)
    if len(set(ids)) < n:  # 64-bit pseudonyms: a collision is astronomically rare, but say so
        problems.append(
            Problem(
                people_file,
                None,
                "pseudonym collision",
                "two ids share a pseudonym; set SIMORG_PSEUDONYM_KEY to another key",
            )
        )
    files = tuple(str(p) for p in (people, ties) if p is not None)
    problems.sort(key=lambda p: (p.file != people_file, p.line or 0))  # first problem first
    org = ImportedOrganization(
        files=files,
        ids=ids,
        department=department,
        department_names=names,
        manager=manager,
        level=level,
        is_leader=is_leader,
        customer_facing=facing,
        tie_pairs=pairs,
        tie_weight=weight,
        tie_kind=tie_kind,
        has_ties=bool(has_ties),
        managers_inferred=managers_inferred,
        leaders_inferred=managers_inferred and leader is None,
        attributes=attributes,
        dropped_columns=dropped,
        pseudonymised=int((~plain).sum()),
        tie_rows=rows,
        self_ties=self_ties,
    )
    return org, problems


def read(
    people: Path | None,
    ties: Path | None = None,
    department_attribute: str = "department",
    span: int = DEFAULT_SPAN,
    drop_self_ties: bool = False,
) -> ImportedOrganization:
    """Read and check the files; any problem raises OrganizationFileError (first problem first)."""
    org, problems = inspect(people, ties, department_attribute, span, drop_self_ties)
    if problems:
        raise OrganizationFileError(problems)
    return org


def merge_ties(
    n: int, a: np.ndarray, b: np.ndarray, weight: np.ndarray, kind: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One tie per pair of people whatever the direction: weights summed, the first kind kept."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo * n + hi
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    pairs = (
        np.stack([uniq // n, uniq % n], axis=1).astype(np.int64)
        if n
        else np.empty((0, 2), np.int64)
    )
    summed = np.bincount(inverse, weights=weight, minlength=len(uniq))
    return pairs.reshape(-1, 2), summed, kind[first].astype(np.int8)
