"""Sensitivity of a sweep's final outcomes to its varied parameters.

Which method depends on the design the sweep was made with (SALib for every sampled design):
- `sample.method = "saltelli"`: Sobol' indices, first order S1 and total ST with 95% intervals
  (SALib `sobol.analyze`, no second-order terms);
- `sample.method = "morris"`: Morris elementary effects, μ* (mean |effect|, with its 95% interval)
  and σ (spread: non-linearity or interactions) (SALib `morris.analyze`);
- `sample.method = "lhs"` or `"sobol"`: first-order indices S1 estimated from the given sample
  (SALib `rbd_fast.analyze`, RBD-FAST);
- a grid without a sample: first-order indices of the full factorial (main-effect share of the
  variance, Var(E[Y | Xi]) / Var(Y), over all runs, so replication noise is part of Var(Y) and is
  reported as its own share). Base scenarios count as a factor here.

The model output Y of a sample point is the mean over its replications (common random numbers:
replication i has the same seed at every point). Points with no successful run make the analysis
impossible and are reported as one line. With a grid *and* a sample, each grid point (and base
scenario) is analysed as its own group.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from simorg.experiments.store import Store, StoreError, chosen_outcomes, column_name

METHOD_NAMES = {
    "saltelli": "Sobol' indices (SALib sobol, Saltelli design)",
    "morris": "Morris elementary effects (SALib morris)",
    "lhs": "first-order indices from the sample (SALib RBD-FAST)",
    "sobol": "first-order indices from the sample (SALib RBD-FAST)",
    "grid": "first-order indices of the full factorial (main-effect share of variance)",
}


def _f(x: Any) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def analyze_folder(folder: Path, outcomes: list[str] | None = None) -> dict[str, Any]:
    """Indices of a verified folder; `incomplete` says (one line) when runs failed or are missing,
    and the command then exits with code 1."""
    store = Store.read(Path(folder))
    runs = store.runs()
    result = analyze(store.manifest, runs, outcomes)
    expected = store.manifest["expected_runs"]
    failed = int((runs["status"] != "ok").sum()) if len(runs) else 0
    if failed or len(runs) < expected:
        bases = sorted(set(runs.loc[runs["status"] != "ok", "scenario"])) if failed else []
        where = f" (in {', '.join(bases)})" if bases else ""
        result["incomplete"] = (
            f"{len(runs)} of {expected} runs recorded, {failed} failed{where}: the indices rest "
            "on the runs that succeeded; finish the sweep (or --retry-failed) and analyse again"
        )
    return result


def analyze(manifest: dict[str, Any], runs, outcomes: list[str] | None = None) -> dict[str, Any]:
    outcomes = chosen_outcomes(manifest, outcomes)
    sample = manifest.get("sample")
    ok = runs[runs["status"] == "ok"]
    if sample is None:
        return _grid(manifest, ok, outcomes)
    return _sampled(manifest, ok, outcomes, sample)


def _sampled(manifest, ok, outcomes, sample) -> dict[str, Any]:
    method = sample["method"]
    keys = list(sample["ranges"])
    problem = {
        "num_vars": len(keys),
        "names": keys,
        "bounds": [list(sample["ranges"][k]) for k in keys],
    }
    matrix = np.asarray(manifest["sample_matrix"], dtype=float)
    npts = len(matrix)
    variants = manifest["variants"]
    means = ok.groupby("variant")[outcomes].mean()
    groups: dict[str, list[int]] = {}
    grid_keys = [k for k in manifest["varied"] if k not in keys]
    for v in variants:
        gkey = v["scenario"] + "".join(f" · {k.split('.')[-1]}={v['params'][k]}" for k in grid_keys)
        groups.setdefault(gkey, []).append(v["variant"])
    result: dict[str, Any] = {
        "method": method,
        "description": METHOD_NAMES[method],
        "parameters": keys,
        "groups": {},
    }
    for gkey, members in groups.items():
        if len(members) != npts:
            raise StoreError(
                f"sensitivity: group '{gkey}' has {len(members)} points, the sample {npts}"
            )
        missing = [m for m in members if m not in means.index]
        if missing:
            raise StoreError(
                f"sensitivity: {len(missing)} sample point(s) of '{gkey}' have no successful run "
                f"(first: variant {missing[0]}); finish the sweep (or --retry-failed) first"
            )
        per_outcome: dict[str, Any] = {}
        for name in outcomes:
            y = means.loc[members, name].to_numpy(dtype=float)
            per_outcome[name] = _indices(method, problem, matrix, y, sample)
        result["groups"][gkey] = per_outcome
    return result


def _indices(method, problem, X, y, sample) -> dict[str, Any]:
    names = problem["names"]
    if np.ptp(y) == 0:
        return {k: {"constant": True} for k in names}
    try:
        if method == "saltelli":
            from SALib.analyze import sobol

            r = sobol.analyze(problem, y, calc_second_order=False, seed=1)
            return {
                k: {
                    "S1": _f(r["S1"][i]),
                    "S1_conf": _f(r["S1_conf"][i]),
                    "ST": _f(r["ST"][i]),
                    "ST_conf": _f(r["ST_conf"][i]),
                }
                for i, k in enumerate(names)
            }
        if method == "morris":
            from SALib.analyze import morris

            r = morris.analyze(problem, X, y, num_levels=sample.get("levels", 4), seed=1)
            return {
                k: {
                    "mu_star": _f(r["mu_star"][i]),
                    "mu_star_conf": _f(r["mu_star_conf"][i]),
                    "mu": _f(r["mu"][i]),
                    "sigma": _f(r["sigma"][i]),
                }
                for i, k in enumerate(names)
            }
        from SALib.analyze import rbd_fast

        r = rbd_fast.analyze(problem, X, y, seed=1)
        return {
            k: {"S1": _f(r["S1"][i]), "S1_conf": _f(r["S1_conf"][i])} for i, k in enumerate(names)
        }
    except Exception as exc:  # SALib's own checks (e.g. too few points for RBD-FAST)
        raise StoreError(f"sensitivity ({method}): {' '.join(str(exc).split())[:200]}") from None


def _grid(manifest, ok, outcomes) -> dict[str, Any]:
    factors = list(manifest["varied"])
    if len(manifest["bases"]) > 1:
        factors = ["scenario", *factors]
    if not factors:
        raise StoreError(
            "sensitivity: this sweep varies nothing (one base scenario, no [[vary]], no [sample])"
        )
    result: dict[str, Any] = {
        "method": "grid",
        "description": METHOD_NAMES["grid"],
        "parameters": factors,
        "groups": {"all runs": {}},
    }
    for name in outcomes:
        y = ok[name].to_numpy(dtype=float)
        total = float(np.var(y))
        row: dict[str, Any] = {}
        if total == 0 or len(y) < 2:
            row = {k: {"constant": True} for k in factors}
        else:
            for k in factors:
                col = ok[column_name(k)]
                cond = ok.groupby(col.astype(str))[name].transform("mean").to_numpy(dtype=float)
                row[k] = {"S1": float(np.var(cond) / total)}
            cells = (
                ok.groupby([ok[column_name(k)].astype(str) for k in factors])[name]
                .transform("mean")
                .to_numpy(dtype=float)
            )
            row["(replication noise)"] = {"S1": float(np.mean((y - cells) ** 2) / total)}
        result["groups"]["all runs"][name] = row
    result["parameters"] = [*factors, "(replication noise)"]
    return result


def headline(method: str) -> tuple[str, str | None]:
    """The index shown first (and the second, if any) for a method."""
    return {"saltelli": ("ST", "S1"), "morris": ("mu_star", "sigma")}.get(method, ("S1", None))


def print_result(result: dict[str, Any]) -> None:
    from rich.table import Table

    from simorg.experiments.stats import console as console_
    from simorg.experiments.stats import fmt

    console = console_()
    first, second = headline(result["method"])
    console.print(
        f"[bold]{result['description']}[/bold]; cells: {first}" + (f" ({second})" if second else "")
    )
    for group, per_outcome in result["groups"].items():
        table = Table(title=group, title_justify="left")
        table.add_column("outcome")
        for p in result["parameters"]:
            table.add_column(p.split(".")[-1], justify="right")
        for name, row in per_outcome.items():
            cells = []
            for p in result["parameters"]:
                ix = row.get(p, {})
                if ix.get("constant"):
                    cells.append("const")
                    continue
                text = fmt(ix.get(first), 2)
                if second:
                    text += f" ({fmt(ix.get(second), 2)})"
                cells.append(text)
            table.add_row(name, *cells)
        console.print(table)
