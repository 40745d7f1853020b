"""`simorg levers`: does every lever move something? One-at-a-time effects in run-to-run sd.

For each base scenario, each parameter of the schema is moved alone from the base's value to one
other value (`alternative`), and the base and the moved scenario are run with the same seeds
(paired: common random numbers, so the difference is the lever's, not luck's). An outcome is read
as its mean over the last tenth of the run (so per-step outcomes are not one noisy draw). The
effect is the mean paired difference; `effect_sd` is that effect in units of the run-to-run
standard deviation (pooled over the two arms). A lever that moves no outcome by more than
`--threshold` sd around any base is listed as moving nothing beyond noise.

The move ("to"): a realistic step within the lever's range, the same rule for every lever. A share
or probability (range within [0, 1]) has its odds doubled, x/(1-x) -> 2x/(1-x) on the range scaled
to [0, 1] (a weekly rate of 0.001 -> 0.002, a share of 0.5 -> 0.67, 0.9 -> 0.95); at an end of its
range (a mechanism off, or at full strength) it moves to the middle. Any other number is doubled
(halved where doubling leaves the range); a count at 0 moves to 10 and another number at 0 to 1. A
switch is flipped and a choice moves to the next one.

A conditional lever (`Parameter.needs`, from `simorg.scenario.LEVER_NEEDS`) is read only when a
mechanism is on: around a base that has the mechanism off, both arms switch it on first, so the
effect is the lever's, not the switch's; the rows say so in `needs`.
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from simorg.noise import THRESHOLD
from simorg.scenario import Parameter, Scenario, ScenarioError, parameters, with_overrides

COUNT_FROM_ZERO = 10  # a count at 0 (none) moves to a handful: one would be lost in the noise
TAIL_SHARE = 10  # an outcome is read as its mean over the last 1/TAIL_SHARE of the run
MIN_RUNS = 3  # fewer runs than this make any two outcomes look like a fixed function of each other
MIN_DISTINCT = 5  # an outcome with fewer distinct values is a count whose perfect fit says nothing
CHUNKS_PER_WORKER = 4  # jobs go to the pool in this many chunks per worker (balance vs overhead)


def alternative(p: Parameter, value: Any) -> Any:
    """The value a lever is moved to from `value`: a realistic step within its range (module doc)."""
    if p.kind == "bool":
        return not value
    if p.choices:
        i = p.choices.index(value)
        return p.choices[(i + 1) % len(p.choices)]
    low = 0.0 if p.low is None else p.low
    high = math.inf if p.high is None else p.high
    if p.kind == "int":
        to = value * 2 if value > 0 else COUNT_FROM_ZERO
        return int(to if to <= high else max(low, value // 2))
    if high <= 1:  # a share or a probability: double the odds
        x = (value - low) / (high - low)
        x = 0.5 if x <= 0 or x >= 1 else 2 * x / (1 + x)  # at an end: the middle of the range
        return float(f"{low + x * (high - low):.3g}")
    to = value * 2 if value > 0 else 1.0
    return float(to if to <= high else max(low, value / 2))


def switched_on(base: Scenario, p: Parameter) -> dict[str, Any]:
    """The overrides that switch on the mechanism conditional lever `p` needs, where `base` has
    it off (empty if `p` is unconditional or the mechanism is on already)."""
    out: dict[str, Any] = {}
    for key, on in p.needs.items():
        value = _value(base, key)
        if isinstance(on, tuple):
            if value not in on:
                out[key] = on[0]
        elif not value:
            out[key] = on
    return out


def _value(sc: Scenario, key: str) -> Any:
    section, _, name = key.partition(".")
    return getattr(getattr(sc, section), name)


# How an imported organization is read (file paths, column names): not something to move.
NOT_LEVERS = ("organization.self_ties",)


def is_lever(p: Parameter) -> bool:
    """File paths, column names and how files are read describe the input; they are not levers."""
    return p.kind != "str" and p.key not in NOT_LEVERS


def lever_moves(
    base: Scenario, keys: list[str] | None = None
) -> list[tuple[str, Any, Any, dict[str, Any]]]:
    """(key, from, to, needs) for each lever of the schema (or of `keys`), around `base`; `needs`
    are the overrides that switch the lever's mechanism on first (see `switched_on`)."""
    out = []
    for p in parameters():
        if keys and p.key not in keys:
            continue
        if not is_lever(p):
            continue
        value = _value(base, p.key)
        out.append((p.key, value, alternative(p, value), switched_on(base, p)))
    return out


def _final(args: tuple[Scenario, int]) -> dict[str, float]:
    """Each outcome's mean over the last tenth of one run."""
    from simorg.simulate import simulate

    sc, seed = args
    frame = simulate(sc, seed=seed).trajectory
    tail = frame.iloc[-max(1, sc.steps // TAIL_SHARE) :]
    return {k: float(v) for k, v in tail.drop(columns="step").mean().items()}


def measure(
    bases: list[Scenario],
    runs: int = 5,
    keys: list[str] | None = None,
    workers: int = 1,
    every_run: list[dict[str, float]] | None = None,
) -> list[dict[str, Any]]:
    """Every lever's effect on every outcome around every base: a list of rows
    {base, lever, from, to, needs, outcome, effect, effect_sd}. `every_run`, if given, receives
    each run's outcomes (for `fixed_functions`)."""
    jobs: list[tuple[Scenario, int]] = []
    arms: dict[tuple[str, str], int] = {}  # (base, switched-on overrides) -> first job
    plan: list[tuple[str, str, Any, Any, dict[str, Any], int, int]] = []

    def arm(sc: Scenario) -> int:
        jobs.extend((sc, seed) for seed in range(runs))
        return len(jobs) - runs

    for base in bases:
        for key, frm, to, needs in lever_moves(base, keys):
            try:
                ref = with_overrides(base, needs, f"lever {key}") if needs else base
                moved = with_overrides(ref, {key: to}, f"lever {key}")
            except ScenarioError:
                continue  # a move this base cannot take (e.g. a start-up rule)
            tag = (base.name, json.dumps(needs, sort_keys=True))
            if tag not in arms:
                arms[tag] = arm(ref)
            plan.append((base.name, key, frm, to, needs, arms[tag], arm(moved)))
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(
                pool.map(_final, jobs, chunksize=max(1, len(jobs) // (CHUNKS_PER_WORKER * workers)))
            )
    else:
        results = [_final(j) for j in jobs]
    if every_run is not None:
        every_run.extend(results)

    rows: list[dict[str, Any]] = []
    for base_name, lever, frm, to, needs, first_ref, first in plan:
        before, after = results[first_ref : first_ref + runs], results[first : first + runs]
        for outcome in after[0]:
            a = np.array([r[outcome] for r in before])
            b = np.array([r[outcome] for r in after])
            effect = float((b - a).mean())
            sd = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2) if runs > 1 else 0.0
            effect_sd = effect / sd if sd > 0 else (0.0 if effect == 0 else None)
            rows.append(
                {
                    "base": base_name,
                    "lever": lever,
                    "from": frm,
                    "to": to,
                    "needs": needs,
                    "outcome": outcome,
                    "effect": effect,
                    "effect_sd": effect_sd,
                }
            )
    return rows


def strong(row: dict[str, Any], threshold: float) -> bool:
    e = row["effect_sd"]
    return (e is None and row["effect"] != 0) or (e is not None and abs(e) >= threshold)


def inert(rows: list[dict[str, Any]], threshold: float = THRESHOLD) -> list[str]:
    """Levers that move no outcome beyond `threshold` sd around any base."""
    moving = {r["lever"] for r in rows if strong(r, threshold)}
    return sorted({r["lever"] for r in rows} - moving)


def fixed_functions(runs: list[dict[str, float]], tol: float = 1e-9) -> list[str]:
    """Pairs of outcomes where one is a fixed function of the other across `runs` (every run of a
    scan, many parameter sets): exactly correlated (|r| = 1, a linear function) or in a constant
    ratio. A measure that is another measure rescaled says nothing of its own."""
    if len(runs) < MIN_RUNS:
        return []
    names = sorted(runs[0])
    x = np.array([[r[k] for k in names] for r in runs])
    found = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            a, b = x[:, i], x[:, j]
            if min(len(np.unique(a)), len(np.unique(b))) < MIN_DISTINCT:
                continue  # a constant or a few-valued count: a perfect fit would say nothing
            r = float(np.corrcoef(a, b)[0, 1])
            if abs(r) >= 1 - tol:
                found.append(f"{names[i]} ~ {names[j]}: exactly linear (r = {r:+.9f})")
                continue
            ok = np.abs(b) > 0
            if ok.all():
                ratio = a / b
                if ratio.std() <= tol * abs(ratio.mean()):
                    found.append(f"{names[i]} / {names[j]} = {ratio.mean():.6g} in every run")
    return found


def _effect(r: dict[str, Any]) -> str:
    return "±∞" if r["effect_sd"] is None else format(r["effect_sd"], "+.1f")


def _needs(needs: dict[str, Any]) -> str:
    return ", ".join(f"{k.partition('.')[2]}={str(v).lower()}" for k, v in needs.items())


def markdown(rows: list[dict[str, Any]], threshold: float = THRESHOLD, top: int = 3) -> str:
    """The lever table of docs/results.md: per lever, the outcomes it moves beyond `threshold` sd
    around each base (strongest first, `top` of them), conditional levers marked with the switch
    they were scanned with; then per outcome the levers that move it."""
    bases = list(dict.fromkeys(r["base"] for r in rows))
    groups = _grouped(rows)
    levers = list(dict.fromkeys(r["lever"] for r in rows))
    out = [
        f"| lever | from → to (around {bases[0]}) | outcomes beyond {threshold:g} sd, by base |",
        "|---|---|---|",
    ]
    by_outcome: dict[str, dict[str, float]] = {}
    for lever in levers:
        cells = []
        for base in bases:
            group = groups.get((base, lever))
            if not group:
                continue
            moved = sorted(
                (r for r in group if strong(r, threshold)),
                key=lambda r: -abs(r["effect_sd"] if r["effect_sd"] is not None else math.inf),
            )
            for r in moved:
                e = math.inf if r["effect_sd"] is None else abs(r["effect_sd"])
                largest = by_outcome.setdefault(r["outcome"], {})
                largest[lever] = max(largest.get(lever, 0.0), e)
            if moved:
                text = ", ".join(f"{r['outcome']} {_effect(r)}" for r in moved[:top])
                more = f" (+{len(moved) - top})" if len(moved) > top else ""
                cond = f" [with {_needs(group[0]['needs'])}]" if group[0]["needs"] else ""
                cells.append(f"**{base}**{cond}: {text}{more}")
        first = next(groups[(b, lever)][0] for b in bases if (b, lever) in groups)
        move = f"{first['from']} → {first['to']}"
        needs = {k for b in bases if (b, lever) in groups for k in groups[(b, lever)][0]["needs"]}
        mark = f" (conditional: needs {', '.join(sorted(needs))})" if needs else ""
        out.append(f"| `{lever}`{mark} | {move} | {'; '.join(cells) or '– (inert)'} |")
    head = f"| outcome | levers that move it beyond {threshold:g} sd (largest |effect| in sd) |"
    out += ["", head.replace("|effect|", "\\|effect\\|")]
    out.append("|---|---|")
    for outcome in dict.fromkeys(r["outcome"] for r in rows):
        best = sorted(by_outcome.get(outcome, {}).items(), key=lambda kv: -kv[1])
        text = ", ".join(
            f"{k} {'∞' if math.isinf(v) else format(v, '.0f')}" for k, v in best[: 2 * top]
        ) + (f" (+{len(best) - 2 * top} more)" if len(best) > 2 * top else "")
        out.append(f"| {outcome} | {text or '–'} |")
    quiet = inert(rows, threshold)
    out += [
        "",
        f"Levers that move nothing beyond {threshold:g} sd around any of these bases: "
        + (", ".join(f"`{k}`" for k in quiet) if quiet else "none")
        + ".",
    ]
    return "\n".join(out) + "\n"


def _grouped(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault((r["base"], r["lever"]), []).append(r)
    return out
