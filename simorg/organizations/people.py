"""Reading the people file: who works here, in which department, reporting to whom.

Columns (a header line; comma, tab or semicolon separated): `id` and `department` (its name can be
changed with `department_attribute`), optionally `manager` (an id in the same file), `leader` and
`customer_facing` (true/false, yes/no, 1/0) and `level` (0 for the top). Other columns are kept as
attributes and ignored by the mechanisms, except columns that look like personal data (names,
e-mail addresses, phone numbers), which are dropped on import. A file without a header
(`.txt`, SNAP style) is read as `id department` pairs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simorg.organizations.formats import kind_of, read_list, read_table
from simorg.organizations.problems import OrganizationFileError, Problem, read_text

KNOWN = ("id", "department", "manager", "leader", "customer_facing", "level")
PERSONAL_COLUMNS = {
    "name",
    "first_name",
    "last_name",
    "full_name",
    "surname",
    "given_name",
    "email",
    "e-mail",
    "mail",
    "phone",
    "telephone",
    "mobile",
    "address",
}


def read_people(path: Path, department_attribute: str = "department") -> pd.DataFrame:
    """The people file as a table of strings with standard column names and a `line` column."""
    text = read_text(path)
    shown = str(path)
    if kind_of(path) == "list":
        df = read_list(shown, text, ["id", "department"])
        return df
    df = read_table(shown, text)
    return standard_columns(df, shown, department_attribute, line=1)


def standard_columns(
    df: pd.DataFrame, shown: str, department_attribute: str, line: int | None
) -> pd.DataFrame:
    """Rename the department column to `department`; refuse a table without id or department."""
    dept = department_attribute.strip().lower()
    columns = [c for c in df.columns if c != "line"]
    if "id" not in df.columns:
        raise OrganizationFileError(
            [
                Problem(
                    shown,
                    line,
                    "missing id column",
                    f"no 'id' column (columns: {', '.join(columns)}); name the column of person ids 'id'",
                )
            ]
        )
    if dept not in df.columns:
        hint = (
            "name it 'department' or set organization.department_attribute"
            if dept == "department"
            else f"name it '{dept}' or change organization.department_attribute"
        )
        raise OrganizationFileError(
            [
                Problem(
                    shown,
                    line,
                    "missing department column",
                    f"no '{dept}' column (columns: {', '.join(columns)}); {hint}",
                )
            ]
        )
    if dept != "department":
        df = df.drop(columns=[c for c in ("department",) if c in df.columns and c != dept])
        df = df.rename(columns={dept: "department"})
    return df


def extra_attributes(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Columns beyond the known ones, minus those that look personal; (kept, dropped names)."""
    extra = [c for c in df.columns if c not in KNOWN and c != "line"]
    dropped = [
        c
        for c in extra
        if c in PERSONAL_COLUMNS
        or "mail" in c
        or "phone" in c
        or df[c].astype(str).str.contains("@", regex=False).any()
    ]
    kept = [c for c in extra if c not in dropped]
    return df[kept].reset_index(drop=True), dropped
