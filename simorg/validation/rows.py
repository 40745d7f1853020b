"""Validation results as rows: mean and standard error over runs, JSON-ready rows and CSV files.

Shared by every validation (March 1991, Lazer & Friedman 2007, Fang et al. 2010); figures live
with the validation they draw.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

Row = dict[str, Any]


def mean_sem(values: np.ndarray) -> tuple[float, float]:
    """Mean and standard error of the mean over runs (NaN entries ignored; NaN if none left)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return math.nan, math.nan
    sem = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else math.nan
    return float(v.mean()), sem


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def json_rows(rows: list[Row], keys: Sequence[str] | None = None) -> list[Row]:
    """Rows (only `keys`, in that order, if given) with NaN replaced by None, for `json.dumps`."""
    return [{k: _clean(row[k]) for k in (row if keys is None else keys)} for row in rows]


def write_csv(rows: list[Row], path: Path) -> None:
    """The rows as CSV (one line per cell, or per cell and period)."""
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(json_rows(rows))
