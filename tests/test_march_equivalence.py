"""The full model, with everything but March's mechanism switched off, is March's model.

`OrgModel` with no customers, no peer learning, no culture change, no voice restriction, no turnover
and no turbulence must give, for the same seed, the same reality, code and beliefs as the validation
runner `run_single`, step for step. This is what makes the March validation a test of simorg's own
knowledge submodel rather than of a separate toy.
"""

from __future__ import annotations

import numpy as np
import pytest

from simorg.mechanisms import learning
from simorg.model import OrgModel
from simorg.scenario import Culture, Customers, Learning, Organization, Scenario, Turnover
from simorg.validation.march1991 import run_single


def march_special_case(seed: int, p1: float, p2: float) -> Scenario:
    return Scenario(
        seed=seed,
        organization=Organization(employees=50),
        customers=Customers(count=0),
        culture=Culture(adaptation=0.0),
        learning=Learning(
            dimensions=30,
            socialization=p1,
            code_learning=p2,
            peer_learning=0.0,
            listening=0.0,
            voice_hierarchy=0.0,
            turbulence=0.0,
        ),
        turnover=Turnover(base_rate=0.0, trust_sensitivity=0.0),
    )


@pytest.mark.parametrize(
    ("seed", "p1", "p2", "steps"),
    [(1, 0.1, 0.9, 40), (2, 0.5, 0.5, 15), (3, 0.9, 0.1, 8), (4, 0.3, 0.7, 1)],
)
def test_model_steps_like_the_runner(seed, p1, p2, steps):
    model = OrgModel(march_special_case(seed, p1, p2), seed=seed)
    for _ in range(steps):
        model.step()
    code, beliefs, reality = run_single(seed, p1, p2, max_periods=steps, stop_at_equilibrium=False)
    st = model.state
    np.testing.assert_array_equal(st.reality[0], reality)
    np.testing.assert_array_equal(st.code[0], code)
    np.testing.assert_array_equal(st.beliefs[0], beliefs)


@pytest.mark.parametrize(("seed", "p1", "p2"), [(5, 0.2, 0.5), (6, 0.7, 0.9)])
def test_model_reaches_the_runners_equilibrium(seed, p1, p2):
    code, beliefs, reality = run_single(seed, p1, p2)
    model = OrgModel(march_special_case(seed, p1, p2), seed=seed)
    st = model.state
    for _ in range(2_000):
        if learning.at_equilibrium(st.beliefs, st.code, st.reality).all():
            break
        model.step()
    np.testing.assert_array_equal(st.code[0], code)
    np.testing.assert_array_equal(st.beliefs[0], beliefs)
    assert learning.code_knowledge(st.code, st.reality)[0] == np.dot(code, reality) / 30
