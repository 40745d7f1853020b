"""Sweep results arranged for a report: the variants as a table, per-step means and bands, and
how to lay out the final values (x = a varied parameter, series = everything else)."""

from __future__ import annotations

from typing import Any

import numpy as np

from simorg.experiments import stats
from simorg.experiments.store import Store

MAX_SERIES = 12  # more lines than this in one chart cannot be told apart


def variant_frame(manifest: dict[str, Any]):
    import pandas as pd

    rows = []
    for v in manifest["variants"]:
        rows.append(
            {"variant": v["variant"], "scenario": v["scenario"], "label": v["label"], **v["params"]}
        )
    return pd.DataFrame(rows).set_index("variant")


def aggregate_steps(
    store: Store, outcomes: list[str], variants: list[int]
) -> dict[int, dict[str, Any]]:
    """Mean and 95% band of each outcome per step for the chosen variants, one part at a time."""
    sums: dict[tuple[int, int], np.ndarray] = {}
    wanted = set(variants)
    k = len(outcomes)
    for part in store.iter_steps(columns=["variant", "step", *outcomes]):
        part = part[part["variant"].isin(wanted)]
        if part.empty:
            continue
        vals = part[outcomes].to_numpy(dtype=float)
        g = part.groupby(["variant", "step"]).indices
        for key, idx in g.items():
            block = vals[idx]
            acc = sums.setdefault((int(key[0]), int(key[1])), np.zeros((3, k)))
            acc[0] += np.isfinite(block).sum(axis=0)
            acc[1] += np.nansum(block, axis=0)
            acc[2] += np.nansum(block**2, axis=0)
    from scipy import stats as sps

    out: dict[int, dict[str, Any]] = {}
    for v in variants:
        steps = sorted(s for (vv, s) in sums if vv == v)
        if not steps:
            continue
        acc = np.stack([sums[(v, s)] for s in steps])  # steps × 3 × k
        n, s1, s2 = acc[:, 0], acc[:, 1], acc[:, 2]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = s1 / n
            var = np.maximum(s2 - s1**2 / n, 0) / (n - 1)
            half = (
                np.where(n > 1, sps.t.ppf(0.5 + stats.LEVEL / 2, np.maximum(n - 1, 1)), 0)
                * np.sqrt(np.nan_to_num(var))
                / np.sqrt(n)
            )
        out[v] = {"step": np.array(steps), "mean": mean, "lo": mean - half, "hi": mean + half}
    return out


def chart_layout(manifest: dict[str, Any], vf) -> dict[str, Any]:
    """How to draw final outcomes: x = a numeric varied parameter, series = everything else."""
    kinds = manifest["param_kinds"]
    sample = manifest.get("sample")
    varied = list(manifest["varied"])
    sampled = list(sample["ranges"]) if sample else []
    grid = [k for k in varied if k not in sampled]
    if sampled:
        return {"mode": "scatter", "x": sampled}
    numeric = [k for k in grid if kinds.get(k) in ("int", "float") and vf[k].nunique() > 1]
    if numeric:
        x = max(numeric, key=lambda k: vf[k].nunique())
        others = ["scenario"] + [k for k in grid if k != x]
        series = vf.groupby([vf[c].astype(str) for c in others], sort=False).ngroups
        if series <= MAX_SERIES:
            return {"mode": "lines", "x": x, "others": others}
    return {"mode": "points"}


def series_label(others: list[str], key: tuple | str) -> str:
    key = key if isinstance(key, tuple) else (key,)
    parts = []
    for name, value in zip(others, key, strict=True):
        parts.append(value if name == "scenario" else f"{name.split('.')[-1]}={value}")
    return " · ".join(parts)


def trajectory_variants(layout: dict[str, Any], vf) -> list[int]:
    ids = list(vf.index)
    if len(ids) <= 8:
        return ids
    if layout["mode"] == "lines":
        chosen: list[int] = []
        others = layout["others"]
        groups = vf.groupby([vf[c].astype(str) for c in others], sort=False)
        for _, g in groups:
            g = g.sort_values(layout["x"])
            picks = [g.index[0], g.index[-1]]
            if groups.ngroups <= 3 and len(g) > 2:
                picks.insert(1, g.index[len(g) // 2])
            chosen.extend(p for p in picks if p not in chosen)
        if len(chosen) <= MAX_SERIES:
            return chosen
    step = max(1, len(ids) // 8)
    return ids[::step][:8]
