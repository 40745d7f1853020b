"""Honest statistics for replications: means with t intervals, differences, effect sizes.

- `summary(x)`: n, mean, sd and the 95% confidence interval of the mean, mean ± t(0.975, n−1)·sd/√n.
- `difference(x, x0, paired)`: the difference of means from a reference x0, with its 95% interval.
  Replication i of every variant shares a seed (common random numbers), so by default differences
  are *paired* by replication: the interval is the t interval of the n per-seed differences, which
  is what makes common random numbers pay off. Unpaired, it is Welch's interval.
- the effect size is Hedges' g: the difference over the pooled standard deviation of the two groups,
  times the small-sample correction J = 1 − 3 / (4(n₁ + n₀) − 9). It uses the pooled sd (not the sd of
  the paired differences), so it stays comparable with effect sizes from unpaired studies.

Undefined numbers (one replication, zero spread with a non-zero difference) are None, never inf/NaN,
so they print as "–" and serialize to JSON null.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

LEVEL = 0.95


def _t(df: float) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + LEVEL / 2, df))


def _clean(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _values(x: Sequence[float] | np.ndarray) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return a[np.isfinite(a)]


def summary(x: Sequence[float] | np.ndarray) -> dict[str, Any]:
    """n, mean, sd, ci_low, ci_high of the values (NaN values, e.g. failed runs, are left out)."""
    a = _values(x)
    n = len(a)
    if n == 0:
        return {"n": 0, "mean": None, "sd": None, "ci_low": None, "ci_high": None}
    mean = float(a.mean())
    if n == 1:
        return {"n": 1, "mean": mean, "sd": None, "ci_low": None, "ci_high": None}
    sd = float(a.std(ddof=1))
    half = _t(n - 1) * sd / math.sqrt(n)
    return {"n": n, "mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half}


def hedges_g(x: np.ndarray, x0: np.ndarray) -> float | None:
    n1, n0 = len(x), len(x0)
    if n1 < 2 or n0 < 2:
        return None
    diff = float(x.mean() - x0.mean())
    pooled = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n0 - 1) * x0.var(ddof=1)) / (n1 + n0 - 2))
    if pooled == 0:
        return 0.0 if diff == 0 else None
    return _clean(diff / pooled * (1 - 3 / (4 * (n1 + n0) - 9)))


def difference(
    x: Sequence[float] | np.ndarray,
    x0: Sequence[float] | np.ndarray,
    paired: bool = True,
) -> dict[str, Any]:
    """Mean of x minus mean of x0 with its 95% interval, and Hedges' g.

    Paired: x[i] and x0[i] share replication i's seed; pairs with a missing value are dropped.
    """
    a = np.asarray(x, dtype=float)
    b = np.asarray(x0, dtype=float)
    if paired and len(a) == len(b):
        ok = np.isfinite(a) & np.isfinite(b)
        a, b = a[ok], b[ok]
        d = a - b
        n = len(d)
        out: dict[str, Any] = {
            "n": n,
            "paired": True,
            "mean": None,
            "ci_low": None,
            "ci_high": None,
        }
        if n == 0:
            out["hedges_g"] = None
            return out
        out["mean"] = float(d.mean())
        if n > 1:
            half = _t(n - 1) * float(d.std(ddof=1)) / math.sqrt(n)
            out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
        out["hedges_g"] = hedges_g(a, b)
        return out
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    out = {"n": min(len(a), len(b)), "paired": False, "mean": None, "ci_low": None, "ci_high": None}
    if len(a) == 0 or len(b) == 0:
        out["hedges_g"] = None
        return out
    out["mean"] = float(a.mean() - b.mean())
    if len(a) > 1 and len(b) > 1:
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        se = math.sqrt(va + vb)
        if se > 0:
            df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
            half = _t(df) * se
        else:
            half = 0.0
        out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    out["hedges_g"] = hedges_g(a, b)
    return out


def band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% t interval along axis 0 (rows = replications), e.g. of trajectories."""
    import warnings

    v = np.asarray(values, dtype=float)
    n = np.sum(np.isfinite(v), axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (failed runs) stay NaN
        mean = np.nanmean(v, axis=0)
        sd = np.nanstd(v, axis=0, ddof=1) if v.shape[0] > 1 else np.zeros_like(mean)
    from scipy import stats

    t = np.where(n > 1, stats.t.ppf(0.5 + LEVEL / 2, np.maximum(n - 1, 1)), 0.0)
    half = t * np.nan_to_num(sd) / np.sqrt(np.maximum(n, 1))
    return mean, mean - half, mean + half


def table(
    groups: dict[str, np.ndarray],
    reference: str | None = None,
    paired: bool = True,
) -> list[dict[str, Any]]:
    """One row per group: summary, and the difference from the reference (default: the first)."""
    names = list(groups)
    if not names:
        return []
    ref = reference or names[0]
    rows = []
    for name in names:
        row: dict[str, Any] = {"group": name, **summary(groups[name])}
        row["difference"] = None if name == ref else difference(groups[name], groups[ref], paired)
        rows.append(row)
    return rows


def fmt(x: float | None, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if x != 0 and (abs(x) >= 1e9 or abs(x) < 1e-3):
        return f"{x:.{digits - 1}e}"
    if abs(x) >= 10**digits:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def fmt_ci(row: dict[str, Any] | None, digits: int = 4) -> str:
    if not row or row.get("mean") is None:
        return "–"
    if row.get("ci_low") is None:
        return fmt(row["mean"], digits)
    return (
        f"{fmt(row['mean'], digits)} [{fmt(row['ci_low'], digits)}, {fmt(row['ci_high'], digits)}]"
    )


def console():
    """Rich console; when piped, wide enough that tables are not cut at 80 columns."""
    from rich.console import Console

    c = Console()
    return c if c.is_terminal else Console(width=160)
