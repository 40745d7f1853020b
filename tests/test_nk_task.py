"""The NK task inside the organization and department codes (issue 9), each rule on a case small
enough to check by hand, and the full model's NK numbers against performance.py's."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from simorg import performance as P
from simorg.mechanisms import interpersonal, learning
from simorg.mechanisms.organizational_learning import department_learning, departments_settled
from simorg.model import OrgModel
from simorg.randomness import RunStreams
from simorg.scenario import ScenarioError, with_overrides
from simorg.simulate import run_to_equilibrium

from conftest import small


def hand_landscape() -> P.NKLandscape:
    """N = 2, K = 1: f(1,1) = 1.0 (the optimum), f(0,0) = 0.9, f(1,0) = f(0,1) = 0.1.

    Each dimension's table holds the solution's fitness, so the mean of the two is f."""
    f = {(0, 0): 0.9, (1, 0): 0.1, (0, 1): 0.1, (1, 1): 1.0}
    c = np.zeros((1, 2, 4))
    for (b0, b1), v in f.items():
        c[0, 0, b0 + 2 * b1] = v  # dimension 0 reads (its own bit, bit 1)
        c[0, 1, b1 + 2 * b0] = v  # dimension 1 reads (its own bit, bit 0)
    deps = np.array([[[0, 1], [1, 0]]], dtype=np.intp)
    return P.NKLandscape(deps, c)


def brute_expected(land: P.NKLandscape, belief: np.ndarray) -> tuple[float, float]:
    """Mean and max fitness over every completion of the zero beliefs, by enumeration."""
    free = np.flatnonzero(belief == 0)
    scores = []
    for bits in itertools.product((0, 1), repeat=len(free)):
        sol = (belief > 0).astype(np.uint8)
        sol[free] = bits
        scores.append(float(P.nk_fitness(land, sol[None, None])[0, 0]))
    return float(np.mean(scores)), max(scores)


def test_beliefs_score_their_expected_fitness_and_the_bound_is_the_best_per_dimension():
    rng = np.random.default_rng(5)
    land = P.nk_landscapes(rng, 1, 7, 2)
    beliefs = rng.integers(-1, 2, (1, 12, 7)).astype(np.int8)
    task = P.NKBeliefTask(land, normalise=False)
    got, bound = task.beliefs(beliefs)[0], task.best_case(beliefs)[0]
    for a in range(12):
        mean, best = brute_expected(land, beliefs[0, a])
        assert got[a] == pytest.approx(mean)
        assert bound[a] >= best - 1e-12  # an upper bound on every completion
    full = np.where(beliefs == 0, 1, beliefs).astype(np.int8)  # no coins: the solution's own
    np.testing.assert_array_equal(task.beliefs(full), P.nk_fitness(land, (full > 0).view(np.uint8)))
    np.testing.assert_array_equal(task.best_case(full), task.beliefs(full))


def test_optimum_is_the_best_of_all_solutions_and_normalised_scores_reach_one():
    land = hand_landscape()
    task = P.NKBeliefTask(land, normalise=True, power=8.0)
    assert task.maximum.tolist() == [1.0] and task.optimum.tolist() == [[1, 1]]
    assert task.actions(np.array([[[1, 1], [-1, -1]]], dtype=np.int8)).tolist() == [
        [1.0, pytest.approx(0.9**8)]
    ]
    rng = np.random.default_rng(1)
    big = P.nk_landscapes(rng, 2, 9, 3)
    best, where = P.nk_optimum(big)
    every = P.nk_solutions_of(np.arange(2**9), 9)
    scores = P.nk_fitness(big, np.broadcast_to(every, (2,) + every.shape).copy())
    np.testing.assert_allclose(best, scores.max(axis=1), rtol=1e-12)
    np.testing.assert_array_equal(where, scores.argmax(axis=1))


def test_code_learns_from_who_beats_it_on_the_nk_score_not_the_additive_one():
    """A = (-1,-1) scores 0.9 on the landscape but -2 against the optimum (+1,+1) additively;
    B = (+1,-1) scores 0.1. The neutral code's expected score is 0.525: only A beats it on NK."""
    land = hand_landscape()
    task = P.NKBeliefTask(land, normalise=False)
    reality = task.optimum.copy()
    beliefs = np.array([[[-1, -1], [1, -1]]], dtype=np.int8)
    assert task.beliefs(np.zeros((1, 1, 2), np.int8))[0, 0] == pytest.approx(0.525)
    code = np.zeros((1, 2), np.int8)
    learning.knowledge_step(
        beliefs.copy(), code, reality, 0.0, 1.0, np.random.default_rng(0), task=task
    )
    assert code.tolist() == [[-1, -1]]  # A's solution: the whole superior group
    additive_code = np.zeros((1, 2), np.int8)
    learning.knowledge_step(
        beliefs.copy(), additive_code, reality, 0.0, 1.0, np.random.default_rng(0)
    )
    assert additive_code.tolist() == [[0, 0]]  # nobody beats 0 additively


def test_peer_rules_on_nk_judge_by_the_landscape():
    land = hand_landscape()
    task = P.NKBeliefTask(land, normalise=False)
    beliefs = np.array([[-1, -1], [1, -1]], dtype=np.int8)  # A scores 0.9, B 0.1
    a, b = np.array([0]), np.array([1])
    topics = np.array([[0, 1]], dtype=np.int16)
    a_may, b_may = interpersonal.peer_gates(
        "better_performer", beliefs, task.optimum[0], a, b, topics, task
    )
    assert a_may.tolist() == [[False, False]] and b_may.tolist() == [[True, True]]
    # additively B (0) is the better performer against the optimum, A (-2) the worse
    a_add, b_add = interpersonal.peer_gates(
        "better_performer", beliefs, task.optimum[0], a, b, topics
    )
    assert a_add.tolist() == [[True, True]] and b_add.tolist() == [[False, False]]
    # on topic 0 B gains by taking A's -1 (-> (-1,-1): 0.9); A would lose; topic 1: same belief
    a_may, b_may = interpersonal.peer_gates(
        "better_on_topic", beliefs, task.optimum[0], a, b, topics, task
    )
    assert a_may.tolist() == [[False, False]] and b_may.tolist() == [[True, False]]
    can = interpersonal.peer_can_pass(
        "better_on_topic", beliefs, task.optimum[0], np.array([1, 0]), np.array([0, 1]), task
    )
    assert can.tolist() == [True, False]


def test_nk_turbulence_redraws_tables_and_keeps_the_interactions():
    land = P.nk_landscapes(np.random.default_rng(2), 1, 8, 3)
    before_c, before_d = land.contributions.copy(), land.dependencies.copy()
    assert not P.nk_turbulence(land, 0.0, np.random.default_rng(0)).any()
    np.testing.assert_array_equal(land.contributions, before_c)
    redrawn = P.nk_turbulence(land, 0.5, np.random.default_rng(0))
    assert 0 < redrawn.sum() < 8
    changed = (land.contributions != before_c).all(axis=2)
    np.testing.assert_array_equal(changed, redrawn)
    np.testing.assert_array_equal(land.dependencies, before_d)


def nk_scenario(**more):
    sets = {
        "learning.task": "nk",
        "learning.dimensions": 10,
        "learning.nk_k": 3,
        "learning.nk_power": 2.0,
    }
    sets.update(more)
    return with_overrides(small("traditional_silos"), sets)


def test_the_full_model_reports_performance_py_scores():
    model = OrgModel(nk_scenario(), seed=3)
    st = model.state
    land = st.task.landscape
    for _ in range(6):  # turbulence 0.01 may redraw tables: the optimum is the current one
        model.step()
    best = P.nk_maximum(land)
    # reality is the landscape's optimum; knowledge is the normalised expected score squared
    assert P.nk_fitness(land, (st.reality > 0).view(np.uint8)[None])[0, 0] == pytest.approx(best[0])
    code_mean, _ = brute_expected(land, st.code[0])
    assert model.outcomes["code_knowledge"] == pytest.approx((code_mean / best[0]) ** 2)
    people = [brute_expected(land, st.beliefs[0, i])[0] for i in range(st.n)]
    want = np.mean((np.array(people) / best[0]) ** 2)
    assert model.outcomes["individual_knowledge"] == pytest.approx(want)
    # each Employee agent reports their own share of it
    agents = {e.slot: e.knowledge for e in model.employees}
    assert np.mean(list(agents.values())) == pytest.approx(want)


def test_the_task_cannot_be_switched_by_an_intervention():
    with pytest.raises(ScenarioError, match="learning.nk_k"):
        with_overrides(
            small("traditional_silos"),
            {"interventions": [{"at": 3, "action": "set", "key": "learning.nk_k", "value": 3}]},
        )


def test_nk_turbulence_in_the_model_moves_what_is_right():
    model = OrgModel(nk_scenario(**{"learning.turbulence": 1.0}), seed=4)
    st = model.state
    model.step()
    _, where = P.nk_optimum(st.task.landscape)
    np.testing.assert_array_equal(
        st.reality[0], P.nk_solutions_of(where, 10)[0].astype(int) * 2 - 1
    )
    assert st.task.maximum[0] == pytest.approx(P.nk_maximum(st.task.landscape)[0])


def test_nk_beliefs_start_as_on_the_additive_task():
    add, nk = OrgModel(small("traditional_silos"), seed=9), OrgModel(nk_scenario(), seed=9)
    add10 = OrgModel(
        with_overrides(small("traditional_silos"), {"learning.dimensions": 10}), seed=9
    )
    np.testing.assert_array_equal(add10.state.beliefs, nk.state.beliefs)
    assert add.state.task is None and nk.state.task is not None


def test_nk_needs_a_landscape_that_can_be_solved_exactly(run_cli):
    with pytest.raises(ScenarioError, match="learning.dimensions <= 22"):
        with_overrides(small("traditional_silos"), {"learning.task": "nk"})
    with pytest.raises(ScenarioError, match="learning.nk_k must be below"):
        nk_scenario(**{"learning.nk_k": 10})
    out = run_cli("run", "traditional_silos", "--set", "learning.task=nk", "--steps", "2")
    assert out.returncode == 2 and "set learning.dimensions=20" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def quiet(sc_sets):
    """No turnover, turbulence, customers or platform: knowledge can settle."""
    base = {
        "turnover.base_rate": 0.0,
        "turnover.trust_sensitivity": 0.0,
        "learning.turbulence": 0.0,
        "customers.count": 0,
    }
    base.update(sc_sets)
    return base


def test_equilibrium_on_nk_is_found_and_is_absorbing():
    sc = nk_scenario(**quiet({"learning.peer_learning": 0.0}))
    model, at = run_to_equilibrium(sc, max_steps=800, seed=2)
    assert at is not None
    st = model.state
    code, beliefs = st.code.copy(), st.beliefs.copy()
    for _ in range(20):
        model.step()
    np.testing.assert_array_equal(st.code, code)
    np.testing.assert_array_equal(st.beliefs, beliefs)


# --- department codes --------------------------------------------------------------------------


def dept_model(**sets):
    sc = with_overrides(
        small("traditional_silos"),
        {"learning.department_codes": True, "learning.voice_hierarchy": 0.0, **sets},
    )
    return OrgModel(sc, seed=1)


def test_department_code_learns_only_from_its_own_department():
    model = dept_model(**{"learning.code_learning": 1.0, "learning.department_socialization": 0.0})
    st = model.state
    dept = st.structure.department
    st.beliefs[0, dept == 0] = st.reality[0]  # department 0 knows everything
    st.beliefs[0, dept != 0] = -st.reality[0]  # everyone else has it all wrong
    department_learning(st, None, RunStreams([np.random.default_rng(0)]))
    assert st.department_code[0].tolist() == st.reality[0].tolist()
    assert not st.department_code[1:].any()  # nobody there beats a neutral code


def test_department_code_socializes_only_its_own_members():
    model = dept_model(**{"learning.code_learning": 0.0, "learning.department_socialization": 1.0})
    st = model.state
    dept = st.structure.department
    st.beliefs[:] = 0
    st.department_code[:] = np.where(np.arange(st.structure.departments) % 2 == 0, 1, -1)[:, None]
    department_learning(st, None, RunStreams([np.random.default_rng(0)]))
    want = np.where(dept % 2 == 0, 1, -1)
    np.testing.assert_array_equal(
        st.beliefs[0], np.broadcast_to(want[:, None], st.beliefs[0].shape)
    )


def test_department_codes_run_in_the_model_and_settle():
    off = OrgModel(with_overrides(small("traditional_silos"), quiet({})), seed=5)
    assert off.state.department_code is None
    sc = with_overrides(
        small("traditional_silos"),
        quiet({"learning.department_codes": True, "learning.peer_learning": 0.0}),
    )
    model, at = run_to_equilibrium(sc, max_steps=1500, seed=5)
    assert at is not None and model.state.department_code.any()
    assert departments_settled(model.state)[0]
    assert model.state.department_code.shape == (model.state.structure.departments, 30)
