"""Which reader a file needs, from its name: CSV with a header, GraphML, GEXF or a plain list."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from simorg.organizations.problems import OrganizationFileError, Problem

TABLE_SUFFIXES = (".csv", ".tsv")


def kind_of(path: Path) -> str:
    """ "graphml", "gexf", "table" (a header line, comma/tab/semicolon separated) or "list"
    (SNAP style: white-space separated, no header, `#` comments)."""
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        return "graphml"
    if suffix == ".gexf":
        return "gexf"
    if suffix in TABLE_SUFFIXES:
        return "table"
    return "list"


def separator(header: str) -> str:
    if "\t" in header:
        return "\t"
    if ";" in header and "," not in header:
        return ";"
    return ","


def _parse(shown: str, text: str, **options) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.StringIO(text), dtype=object, keep_default_na=False, na_values=[""], **options
        )
    except (pd.errors.ParserError, ValueError) as exc:
        found = re.search(r"line (\d+)", str(exc))
        detail = str(exc).strip().splitlines()[-1]
        raise OrganizationFileError(
            [
                Problem(
                    shown,
                    int(found.group(1)) if found else None,
                    "malformed",
                    f"cannot be parsed ({detail}); check the separators and quotes",
                )
            ]
        ) from None


def read_table(shown: str, text: str) -> pd.DataFrame:
    """A CSV with a header: every cell as a string (NaN when empty), column names lower-cased and
    stripped, and `line`, the line each row came from (blank lines are kept so lines count right)."""
    header = text.split("\n", 1)[0]
    df = _parse(shown, text, sep=separator(header), skip_blank_lines=False, skipinitialspace=True)
    df.columns = [str(c).strip().lower() for c in df.columns]
    df["line"] = df.index.to_numpy() + 2
    return df.dropna(how="all", subset=[c for c in df.columns if c != "line"])


def read_list(shown: str, text: str, names: list[str]) -> pd.DataFrame:
    """A white-space separated list without a header (`#` starts a comment), as strings."""
    df = _parse(
        shown, text, sep=r"\s+", header=None, names=names, comment="#", skip_blank_lines=False
    )
    df["line"] = df.index.to_numpy() + 1
    return df.dropna(how="all", subset=names)
