"""EMA Workbench models, parameters and outcomes built from simorg's parameter schema.

Needs the optional extra: `pip install "simorg[ema]"` (ema_workbench >= 3). Parameter names are
the identifier-safe ones (`organization_permeability`; EMA deprecates dotted names) and the model's
function is `simorg.run`, so what EMA samples is exactly what `simorg.run(**levers)` takes:

    from ema_workbench import MultiprocessingEvaluator, Samplers
    from simorg import ema

    model = ema.model(
        "traditional_silos",
        uncertainties=["organization.permeability", "culture.walk_the_talk"],
        outcomes=["customer_trust", "innovations"],
        steps=104,
        replications=5,  # seeds spawned from the scenario's seed: common random numbers
    )  # with replications, each outcome is their mean (aggregate=...)
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(
            scenarios=50, uncertainty_sampling=Samplers.LHS
        )

A parameter's range is the schema's (`simorg params`) unless narrowed: pass a mapping
`{"organization.employees": (100, 400)}` instead of a list of keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from simorg.conventions import dotted, identifier
from simorg.outcomes import OUTCOMES
from simorg.scenario import Parameter, ScenarioError, load, parameters

__all__ = ["model", "outcomes_of", "parameter", "parameters_of"]


def _ema():
    try:
        import ema_workbench
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "simorg.ema needs EMA Workbench: pip install 'simorg[ema]' (or ema_workbench>=3)"
        ) from None
    return ema_workbench


def _key(key: str) -> str:
    """The dotted schema key for a dotted, identifier or short name (one-line error if unknown)."""
    (full,) = dotted({identifier(key): None}, source="simorg.ema")
    return full


def _schema(key: str) -> Parameter:
    return {p.key: p for p in parameters()}[_key(key)]


def parameter(key: str, low: Any = None, high: Any = None):
    """One EMA parameter for a schema key (dotted, identifier or short name), named by identifier.

    Floats become RealParameter, ints IntegerParameter, booleans BooleanParameter and choices
    CategoricalParameter; `low`/`high` narrow the schema's range and must lie inside it.
    """
    ema = _ema()
    p = _schema(key)
    name = identifier(p.key)
    if p.kind == "bool":
        return ema.BooleanParameter(name)
    if p.kind == "choice":
        return ema.CategoricalParameter(name, list(p.choices or ()))
    lo = p.low if low is None else low
    hi = p.high if high is None else high
    if lo is None or hi is None:
        raise ScenarioError(f"simorg.ema: {p.key} has no range; give (low, high)")
    if (p.low is not None and lo < p.low) or (p.high is not None and hi > p.high) or lo >= hi:
        raise ScenarioError(
            f"simorg.ema: {p.key}: range ({lo:g}, {hi:g}) must be increasing and inside the "
            f"schema's [{p.low:g}, {p.high:g}]"
        )
    if p.kind == "int":
        return ema.IntegerParameter(name, int(lo), int(hi))
    return ema.RealParameter(name, float(lo), float(hi))


def parameters_of(keys: Iterable[str] | Mapping[str, tuple[Any, Any] | None]) -> list:
    """EMA parameters for several keys; a mapping gives each a (low, high) or None for the schema's."""
    if isinstance(keys, Mapping):
        return [parameter(k, *(bounds or (None, None))) for k, bounds in keys.items()]
    return [parameter(k) for k in keys]


def outcomes_of(
    names: Iterable[str] | None = None, kind: str = "INFO", function: Any = None
) -> list:
    """EMA ScalarOutcomes for simorg's outcomes (default: all); kind INFO, MAXIMIZE or MINIMIZE.

    `function` reduces the values of a ReplicatorModel's replications to one (e.g. numpy.mean).
    """
    ema = _ema()
    chosen = list(OUTCOMES) if names is None else list(names)
    unknown = [n for n in chosen if n not in OUTCOMES]
    if unknown:
        raise ScenarioError(
            f"simorg.ema: unknown outcome {unknown[0]!r}; known: {', '.join(OUTCOMES)}"
        )
    flag = getattr(ema.ScalarOutcome, kind)
    return [ema.ScalarOutcome(n, kind=flag, function=function) for n in chosen]


def model(
    scenario: str = "social_business",
    *,
    uncertainties: Iterable[str] | Mapping[str, Any] = (),
    levers: Iterable[str] | Mapping[str, Any] = (),
    outcomes: Iterable[str] | None = None,
    steps: int | None = None,
    seed: int | None = None,
    replications: int | None = None,
    constants: Mapping[str, Any] | None = None,
    aggregate: Any = None,
    name: str = "simorg",
):
    """An EMA `Model` (or `ReplicatorModel` with `replications`) whose function is `simorg.run`.

    `scenario` is a shipped name or a .toml path; `constants` fix other parameters
    (`{"organization.employees": 100}`). With `replications`, replication i runs with seed i of
    `SeedSequence(seed or the scenario's seed).spawn(replications)` in every experiment, and each
    outcome is `aggregate` (default numpy.mean) over the replications.
    """
    ema = _ema()
    from simorg.api import run
    from simorg.experiments.design import replication_seeds

    sc = load(scenario)  # a bad name fails here, in one line, not in a worker
    fixed: dict[str, object] = {"scenario": str(scenario)}
    if steps is not None:
        fixed["steps"] = int(steps)
    for key, value in (constants or {}).items():
        fixed[identifier(_key(key))] = value
    root = sc.seed if seed is None else int(seed)
    if replications is None:
        fixed["seed"] = root
        m = ema.Model(name, function=run)
    else:
        m = ema.ReplicatorModel(name, function=run)
        m.replications = [{"seed": s} for s in replication_seeds(root, int(replications))]
    m.uncertainties = parameters_of(uncertainties)
    m.levers = parameters_of(levers)
    if replications is not None and aggregate is None:
        import numpy as np

        aggregate = np.mean
    m.outcomes = outcomes_of(outcomes, function=aggregate)
    m.constants = [ema.Constant(k, v) for k, v in fixed.items()]
    return m
