"""Checks on what was read, each problem one line with its file and line.

Every check is vectorised over the whole table; it returns the problems and what survives them,
so that reading can go on and report all problems at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from simorg.organizations.problems import Problem
from simorg.organizations.pseudonyms import shown as shown_id
from simorg.structures import TIE_KINDS

TRUE = {"true", "yes", "y", "t", "1"}
FALSE = {"false", "no", "n", "f", "0"}


def lookup(index: pd.Index, *queries: pd.Series) -> np.ndarray:
    """Position of each value of the queries (concatenated) in the unique `index`, -1 when absent
    or missing: one hash pass (pd.factorize) over all, faster than Index.get_indexer on strings."""
    ids = index.to_numpy(dtype=object)
    codes, _ = pd.factorize(np.concatenate([ids, *(q.to_numpy(dtype=object) for q in queries)]))
    n = len(ids)
    to_slot = np.full(int(codes.max()) + 2 if len(codes) else 1, -1, dtype=np.int64)
    to_slot[codes[:n]] = np.arange(n)
    q = codes[n:]
    return np.where(q >= 0, to_slot[q], -1)


def _line(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _node(ids: pd.Series, i: int | np.integer, line: Any) -> str:
    """' (node x)' for a graph file, where there are no lines; '' otherwise."""
    return "" if not pd.isna(line) else f" (node {shown_id(ids.iloc[i])})"


def _row_problems(
    df: pd.DataFrame, file: str, rows: np.ndarray, kind: str, message: Callable[[int], str]
) -> list[Problem]:
    """One problem of `kind` on the line of each row i of `df` where `rows` holds: `message(i)`."""
    return [
        Problem(file, _line(df["line"].iloc[i]), kind, message(int(i)))
        for i in np.flatnonzero(rows)
    ]


def _named(df: pd.DataFrame, i: int) -> str:
    """' (node x)' naming row i's person in a graph file (which has no lines); '' otherwise."""
    return _node(df["id"], i, df["line"].iloc[i])


def people_rows(df: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Drop rows without an id or a department and repeated ids (the first stays)."""
    problems: list[Problem] = []
    if df.empty:
        return df, [Problem(file, None, "empty", "empty file: a header but no people")]
    no_id = df["id"].isna().to_numpy()
    for line in df["line"][no_id]:
        problems.append(Problem(file, _line(line), "missing id", "no id; give every person an id"))
    df = df[~no_id]
    df = df.assign(id=df["id"].str.strip())
    no_dept = df["department"].isna().to_numpy()
    problems += _row_problems(
        df, file, no_dept, "missing department",
        lambda i: f"no department{_named(df, i)}; every person belongs to one",
    )  # fmt: skip
    df = df[~no_dept]
    dup = df["id"].duplicated(keep="first").to_numpy()
    if dup.any():
        first_line = df.drop_duplicates("id").set_index("id")["line"]
        for i in np.flatnonzero(dup):
            pid, line = df["id"].iloc[i], df["line"].iloc[i]
            problems.append(
                Problem(
                    file,
                    _line(line),
                    "duplicate id",
                    f"duplicate id {shown_id(pid)}"
                    + (
                        f" (first on line {int(first_line[pid])})"
                        if not pd.isna(first_line[pid])
                        else ""
                    )
                    + "; ids must be unique",
                )
            )
        df = df[~dup]
    return df.reset_index(drop=True), problems


def flags(df: pd.DataFrame, column: str, file: str) -> tuple[np.ndarray | None, list[Problem]]:
    """A true/false column (empty = false); None when the file has no such column."""
    if column not in df.columns or df[column].isna().all():
        return None, []
    text = df[column].fillna("false").str.strip().str.lower()
    bad = ~text.isin(TRUE | FALSE).to_numpy()
    problems = _row_problems(
        df, file, bad, f"bad {column}",
        lambda i: f"{column} {df[column].iloc[i]!r}{_named(df, i)} is not true or false",
    )  # fmt: skip
    return text.isin(TRUE).to_numpy(), problems


def levels(df: pd.DataFrame, file: str) -> tuple[np.ndarray | None, list[Problem]]:
    if "level" not in df.columns or df["level"].isna().all():
        return None, []
    value = pd.to_numeric(df["level"], errors="coerce")
    bad = (value.isna() & df["level"].notna()) | (value < 0) | (value != value.round())
    problems = _row_problems(
        df, file, bad.to_numpy(), "bad level",
        lambda i: f"level {df['level'].iloc[i]!r} is not a whole number ≥ 0 (0 = the top)",
    )  # fmt: skip
    return value.fillna(0).clip(lower=0).round().astype(np.int64).to_numpy(), problems


def managers(
    df: pd.DataFrame, index: pd.Index, file: str
) -> tuple[np.ndarray | None, list[Problem]]:
    """(n,) slot of each person's manager (-1: none); None when the file gives no managers.

    A manager that is not an id in the file, and every cycle in the management chain (someone who
    is, through others, their own manager), is a problem; the cycle is cut to go on checking."""
    if "manager" not in df.columns or df["manager"].isna().all():
        return None, []
    raw = df["manager"].str.strip()
    manager = lookup(index, raw)
    given = raw.notna().to_numpy()
    unknown = given & (manager < 0)
    problems = _row_problems(
        df, file, unknown, "unknown manager",
        lambda i: f"manager {shown_id(raw.iloc[i])}{_named(df, i)} is not an id in this file",
    )  # fmt: skip
    manager = np.where(given & ~unknown, manager, -1).astype(np.int64)
    for cycle in cycles(manager):
        lines = [df["line"].iloc[i] for i in cycle]
        if all(pd.isna(x) for x in lines):
            path = " → ".join(shown_id(df["id"].iloc[i]) for i in cycle + cycle[:1])
            where = f"nodes {path}"
        else:
            where = "lines " + " → ".join(str(_line(x)) for x in lines + lines[:1])
        problems.append(
            Problem(
                file,
                _line(lines[0]),
                "management cycle",
                f"a cycle in the management chain ({where}); someone in it must report outside it",
            )
        )
        manager[cycle[0]] = -1
    return manager, problems


def cycles(manager: np.ndarray) -> list[list[int]]:
    """Every cycle of the manager pointer graph, by pointer doubling (log n vector passes)."""
    n = len(manager)
    top = np.where(manager >= 0, manager, n)
    ext = np.append(top, n)
    for _ in range(max(1, int(np.ceil(np.log2(n + 1))) + 1)):
        ext = np.append(ext[ext[:-1]], n)
    stuck = ext[:-1] != n  # never reaches someone without a manager
    if not stuck.any():
        return []
    on_cycle = np.unique(ext[:-1][stuck])
    out: list[list[int]] = []
    seen: set[int] = set()
    for start in on_cycle.tolist():  # only the people on cycles, in broken files
        if start in seen:
            continue
        cycle = [start]
        seen.add(start)
        x = int(manager[start])
        while x != start:
            cycle.append(x)
            seen.add(x)
            x = int(manager[x])
        out.append(cycle)
    return out


def depth(manager: np.ndarray) -> np.ndarray:
    """(n,) steps from each person up to the top of their chain (0 = no manager): list ranking
    by pointer doubling, so a long chain costs log n vector passes, not one per person."""
    n = len(manager)
    up = np.append(np.where(manager >= 0, manager, n), n)
    dist = np.append((manager >= 0).astype(np.int64), 0)
    for _ in range(int(np.ceil(np.log2(n + 1))) + 1):  # bounded even if a cycle slipped through
        if not np.any(up[:-1] != n):
            break
        dist = dist + dist[up]
        dist[n] = 0
        up = up[up]
    return dist[:-1]


def tie_rows(
    ties: pd.DataFrame, index: pd.Index, file: str, people_file: str, drop_self_ties: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, list[Problem]]:
    """Ties as slots (a, b), weight and kind code (-1: not given), and the number of self-ties;
    ties to unknown ids, self-ties (unless dropped), bad weights and unknown kinds are problems
    and left out."""
    problems: list[Problem] = []
    if ties.empty:
        empty = np.empty(0, dtype=np.int64)
        return (
            empty,
            empty,
            np.empty(0),
            np.empty(0, dtype=np.int8),
            0,
            [Problem(file, None, "empty", "empty file: no ties")],
        )
    src = ties["source"].astype(object)  # (no strip: a million Python calls; CSV readers
    dst = ties["target"].astype(object)  # already skip the spaces after a separator)
    both = lookup(index, src, dst)
    a, b = both[: len(src)], both[len(src) :]
    line = ties["line"]

    def edge(i: int | np.integer) -> str:
        return (
            ""
            if not pd.isna(line.iloc[i])
            else f" (edge {shown_id(src.iloc[i])}–{shown_id(dst.iloc[i])})"
        )

    for end, value, slot in (("source", src, a), ("target", dst, b)):
        for i in np.flatnonzero(slot < 0):
            what = "missing" if pd.isna(value.iloc[i]) else f"{shown_id(value.iloc[i])} is not"
            problems.append(
                Problem(
                    file,
                    _line(line.iloc[i]),
                    "unknown id",
                    f"{end} {what} a person in {people_file}{edge(i)}",
                )
            )
    self_tie = (a == b) & (a >= 0)
    for i in np.flatnonzero(self_tie) if not drop_self_ties else ():
        problems.append(
            Problem(
                file,
                _line(line.iloc[i]),
                "self-tie",
                f"self-tie (source = target){edge(i)}; remove it, or drop all with "
                "organization.self_ties = 'drop' (import check --drop-self-ties)",
            )
        )
    weight = pd.to_numeric(ties["weight"], errors="coerce")
    given = ties["weight"].notna().to_numpy()
    bad_w = given & ~(weight.to_numpy(dtype=float, na_value=np.nan) > 0)
    for i in np.flatnonzero(bad_w):
        problems.append(
            Problem(
                file,
                _line(line.iloc[i]),
                "bad weight",
                f"weight {ties['weight'].iloc[i]!r}{edge(i)} is not a positive number",
            )
        )
    kind = np.full(len(ties), -1, dtype=np.int64)
    bad_k = np.zeros(len(ties), dtype=bool)
    if ties["kind"].notna().any():
        kind_text = ties["kind"].astype(object).str.strip().str.lower()
        kind = lookup(pd.Index(TIE_KINDS), kind_text)
        bad_k = kind_text.notna().to_numpy() & (kind < 0)
    for i in np.flatnonzero(bad_k):
        problems.append(
            Problem(
                file,
                _line(line.iloc[i]),
                "bad kind",
                f"kind {ties['kind'].iloc[i]!r} is not one of {', '.join(TIE_KINDS)}",
            )
        )
    ok = (a >= 0) & (b >= 0) & ~self_tie & ~bad_w & ~bad_k
    w = np.where(given, weight.to_numpy(dtype=float, na_value=1.0), 1.0)
    return a[ok], b[ok], w[ok], kind[ok].astype(np.int8), int(self_tie.sum()), problems
