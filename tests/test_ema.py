"""simorg.ema driven as EMA Workbench users drive it: a Model, a small LHS, the real MultiprocessingEvaluator.

Skipped, with the reason, only when ema_workbench is not installed (it is in the `dev` and `ema`
extras, so CI runs it).
"""

from __future__ import annotations

import numpy as np
import pytest

import simorg
from simorg.scenario import ScenarioError

ema_workbench = pytest.importorskip(
    "ema_workbench", reason="ema_workbench is not installed: pip install 'simorg[ema]'"
)
from simorg import ema  # noqa: E402

SMALL = {"organization.employees": 40, "customers.count": 60}


def test_parameters_come_from_the_schema_with_identifier_names() -> None:
    perm, emp, platform, structure = ema.parameters_of(
        ["organization.permeability", "organization_employees", "platform", "structure"]
    )
    assert isinstance(perm, ema_workbench.RealParameter)
    assert (perm.name, perm.lower_bound, perm.upper_bound) == ("organization_permeability", 0, 1)
    assert isinstance(emp, ema_workbench.IntegerParameter) and emp.upper_bound == 1_000_000
    assert isinstance(platform, ema_workbench.BooleanParameter)
    assert isinstance(structure, ema_workbench.CategoricalParameter)
    assert {c.value for c in structure.categories} == {
        "hierarchy", "silos", "matrix", "network", "fluid",
    }  # fmt: skip
    (narrow,) = ema.parameters_of({"organization.employees": (50, 200)})
    assert (narrow.lower_bound, narrow.upper_bound) == (50, 200)
    with pytest.raises(ScenarioError, match=r"inside the schema's \[0, 1\]"):
        ema.parameter("organization.permeability", 0.0, 2.0)
    with pytest.raises(ScenarioError, match="unknown parameter 'nonsense'"):
        ema.parameter("nonsense")
    with pytest.raises(ScenarioError, match="unknown outcome"):
        ema.outcomes_of(["customer_happiness"])


def test_multiprocessing_evaluator_runs_an_lhs_through_simorg_run() -> None:
    model = ema.model(
        "traditional_silos",
        uncertainties=[
            "organization.permeability",
            "culture.walk_the_talk",
            "organization.platform",
        ],
        outcomes=["customer_trust", "cross_silo_share", "practice"],
        steps=6,
        constants=SMALL,
    )
    with ema_workbench.MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(
            scenarios=6, uncertainty_sampling=ema_workbench.Samplers.LHS
        )
    assert len(experiments) == 6 and set(outcomes) == {
        "customer_trust",
        "cross_silo_share",
        "practice",
    }
    # Latin hypercube: one point in each sixth of the permeability range
    strata = np.floor(experiments["organization_permeability"].to_numpy() * 6).astype(int)
    assert sorted(strata) == list(range(6))
    # each experiment's outcomes are exactly what simorg.run gives for its values
    for i, row in experiments.iterrows():
        direct = simorg.run(
            "traditional_silos", steps=6, seed=42,
            organization_permeability=row["organization_permeability"],
            culture_walk_the_talk=row["culture_walk_the_talk"],
            organization_platform=bool(row["organization_platform"]),
            organization_employees=40, customers_count=60,
        )  # fmt: skip
        for name in outcomes:
            assert outcomes[name][i] == pytest.approx(direct[name], abs=1e-12), (name, i)
    # the levers reach the model: cross-silo talk is not the same in every experiment
    assert np.ptp(outcomes["cross_silo_share"]) > 0


def test_replications_run_on_distinct_common_seeds() -> None:
    model = ema.model(
        "social_business", uncertainties=["organization.permeability"],
        outcomes=["customer_trust"], steps=3, replications=2, constants=SMALL,
    )  # fmt: skip
    seeds = [r["seed"] for r in model.replications]
    assert len(set(seeds)) == 2
    experiments, outcomes = ema_workbench.perform_experiments(model, scenarios=2)
    assert np.asarray(outcomes["customer_trust"]).shape == (2,)  # the mean of the replications
    row = experiments.iloc[0]
    direct = [
        simorg.run("social_business", steps=3, seed=s, organization_permeability=row["organization_permeability"],
                   organization_employees=40, customers_count=60)["customer_trust"]
        for s in seeds
    ]  # fmt: skip
    assert direct[0] != direct[1]
    assert outcomes["customer_trust"][0] == pytest.approx(np.mean(direct), abs=1e-12)
