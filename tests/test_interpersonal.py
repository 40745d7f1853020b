"""Interpersonal learning rules on cases small enough to check by hand, and equilibrium detection.

Each rule's defining property: a belief passes only from a better performer (whole task or topic);
a copy happens only from a better neighbour; a flip is kept only if it scores higher. The Lazer &
Friedman round is checked against an agent-by-agent reading drawing the documented numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simorg.mechanisms import interpersonal as ip
from simorg.mechanisms import learning
from simorg.mechanisms.conversations import _exchange
from simorg.model import OrgModel
from simorg.scenario import Culture, Customers, Learning, Organization, Scenario, Turnover
from simorg.simulate import at_equilibrium, learning_ties, run_to_equilibrium
from simorg.structures import to_csr

REALITY = np.array([1, 1, 1], dtype=np.int8)


def _talk(rule, beliefs, topic=0):
    """Persons 0 and 1 talk about one topic with certain adoption; returns the beliefs after."""
    beliefs = np.array(beliefs, dtype=np.int8)
    a, b, topics = np.array([0]), np.array([1]), np.array([[topic]])
    gates = ip.peer_gates(rule, beliefs, REALITY, a, b, topics)
    _exchange(beliefs, a, b, np.array([1.0]), topics, np.random.default_rng(0), gates)
    return beliefs.tolist()


def test_better_performer_teaches_and_the_worse_does_not():
    # person 0 scores 1 (right, right, wrong), person 1 scores -3 (all wrong)
    after = _talk("better_performer", [[1, 1, -1], [-1, -1, -1]])
    assert after == [[1, 1, -1], [0, -1, -1]]  # only the worse performer moved, one step


def test_conformity_moves_both_whoever_is_right():
    after = _talk("conformity", [[1, 1, -1], [-1, -1, -1]])
    assert after == [[0, 1, -1], [0, -1, -1]]


def test_equal_performers_teach_nothing_under_better_performer():
    after = _talk("better_performer", [[1, -1, 0], [-1, 1, 0]])
    assert after == [[1, -1, 0], [-1, 1, 0]]


def test_better_on_topic_follows_who_is_right_on_the_topic():
    # person 1 is worse overall but right on topic 2, where person 0 is wrong
    after = _talk("better_on_topic", [[1, 1, -1], [-1, -1, 1]], topic=2)
    assert after == [[1, 1, 0], [-1, -1, 1]]
    assert _talk("better_performer", [[1, 1, -1], [-1, -1, 1]], topic=2) == [
        [1, 1, -1],
        [-1, -1, 0],
    ]


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown peer rule"):
        ip.peer_gates("gossip", np.zeros((2, 3), np.int8), REALITY, [0], [1], np.zeros((1, 1)))


def test_peer_can_pass_matches_the_rules():
    beliefs = np.array([[1, 1, -1], [-1, -1, -1], [1, 1, -1]], dtype=np.int8)
    src, tgt = np.array([0, 1, 0, 2]), np.array([1, 0, 2, 0])
    assert ip.peer_can_pass("conformity", beliefs, REALITY, src, tgt).tolist() == [
        True,
        True,
        False,
        False,
    ]
    assert ip.peer_can_pass("better_performer", beliefs, REALITY, src, tgt).tolist() == [
        False,
        True,
        False,
        False,
    ]


# --- Lazer & Friedman's round ---------------------------------------------------------------------


def onemax(solutions):
    return solutions.sum(axis=2).astype(np.float64)


def _ring(agents):
    pairs = np.stack([np.arange(agents), (np.arange(agents) + 1) % agents], axis=1)
    indptr, indices, *_ = to_csr(agents, pairs.astype(np.int64), np.zeros(agents, np.int64))
    return indptr, indices


def test_copy_only_from_a_better_neighbour_and_flip_kept_only_if_better():
    sol = np.array([[[1, 1, 1, 0], [0, 0, 0, 0], [1, 0, 0, 0]]], dtype=np.uint8)
    scores = onemax(sol)
    indptr, indices = _ring(3)
    before = sol.copy()
    copied, flipped = ip.imitate_or_explore(
        sol, scores, indptr, indices, onemax, np.random.default_rng(1)
    )
    # agents 1 and 2 have agent 0 (score 3) as best neighbour and copy it exactly
    assert copied[0].tolist() == [False, True, True]
    assert (sol[0, 1] == before[0, 0]).all() and (sol[0, 2] == before[0, 0]).all()
    # agent 0 has no better neighbour: it searched; its flip was kept only if it scores higher
    if flipped[0, 0]:
        assert scores[0, 0] == 4 and sol[0, 0].tolist() == [1, 1, 1, 1]
    else:
        assert sol[0, 0].tolist() == [1, 1, 1, 0]
    np.testing.assert_array_equal(scores, onemax(sol))


@given(st.integers(0, 10_000))
def test_local_search_never_lowers_a_score(seed):
    rng = np.random.default_rng(seed)
    sol = rng.integers(0, 2, (2, 5, 6), dtype=np.uint8)
    weights = rng.normal(size=6)

    def score(s):
        return s @ weights

    scores = score(sol)
    before, old = sol.copy(), scores.copy()
    kept = ip.local_search(sol, scores, score, rng)
    changed = (sol != before).sum(axis=2)
    assert ((changed == 1) == kept).all() and (changed <= 1).all()
    assert (scores[kept] > old[kept]).all() and (scores[~kept] == old[~kept]).all()


def reference_round(solutions, scores, neighbours, score, rng, copy_error, velocity):
    """Lazer & Friedman's round agent by agent, drawing what imitate_or_explore documents."""
    runs, agents, n = solutions.shape
    flat, s = solutions.reshape(-1, n).copy(), scores.reshape(-1).copy()
    look = rng.random(runs * agents) < velocity if velocity < 1 else np.ones(runs * agents, bool)
    copy_from = {}
    for g in range(runs * agents):
        best = max(neighbours[g], key=lambda h: (s[h], -h), default=None)
        if best is not None and s[best] > s[g] and look[g]:
            copy_from[g] = best
    errors = rng.random((len(copy_from), n)) < copy_error if copy_error > 0 and copy_from else None
    j = rng.integers(0, n, size=(runs, agents)).reshape(-1)
    trial = flat.copy()
    trial[np.arange(len(j)), j] ^= 1
    trial_scores = score(trial.reshape(runs, agents, n)).reshape(-1)
    out = flat.copy()
    for g in range(runs * agents):
        if g not in copy_from and trial_scores[g] > s[g]:
            out[g] = trial[g]
    for i, (g, h) in enumerate(sorted(copy_from.items())):
        out[g] = np.where(errors[i], flat[g], flat[h]) if errors is not None else flat[h]
    return out.reshape(solutions.shape)


@pytest.mark.parametrize(
    ("copy_error", "velocity"), [(0.0, 1.0), (0.2, 1.0), (0.0, 0.5), (0.3, 0.7)]
)
def test_round_equals_the_agent_by_agent_reading(copy_error, velocity):
    rng = np.random.default_rng(4)
    runs, agents, n = 3, 6, 5
    sol = rng.integers(0, 2, (runs, agents, n), dtype=np.uint8)
    weights = rng.normal(size=n)

    def score(s):
        return s @ weights

    pairs = np.concatenate(
        [
            np.array([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [0, 3]]) + r * agents
            for r in range(runs)
        ]
    )
    indptr, indices, *_ = to_csr(
        runs * agents, pairs.astype(np.int64), np.zeros(len(pairs), np.int64)
    )
    neighbours = [indices[indptr[g] : indptr[g + 1]].tolist() for g in range(runs * agents)]
    for step in range(4):
        scores = score(sol)
        expected = reference_round(
            sol, scores, neighbours, score, np.random.default_rng(step), copy_error, velocity
        )
        ip.imitate_or_explore(
            sol, scores, indptr, indices, score, np.random.default_rng(step), copy_error, velocity
        )
        np.testing.assert_array_equal(sol, expected)
        np.testing.assert_allclose(scores, score(sol))


def test_best_neighbour_first_among_equals_and_none_when_isolated():
    indptr = np.array([0, 2, 3, 4, 4])
    indices = np.array([1, 2, 0, 0])
    best, top = ip.best_neighbours(np.array([1.0, 5.0, 5.0, 9.0]), indptr, indices)
    assert best.tolist() == [1, 0, 0, -1] and top[3] == -np.inf


# --- equilibrium ---------------------------------------------------------------------------------


def test_settled_needs_march_equilibrium_and_no_tie_that_can_teach():
    reality = np.array([[1, -1, 1]], dtype=np.int8)
    code = reality.copy()
    beliefs = np.repeat(code[:, None, :], 2, axis=1)
    src, tgt = np.array([0, 1]), np.array([1, 0])
    assert learning.settled(beliefs, code, reality, src, tgt, "better_performer").tolist() == [True]
    beliefs[0, 1, 2] = 0  # person 1 can still learn from the better person 0 (and be socialized)
    assert learning.settled(beliefs, code, reality, src, tgt, "better_performer").tolist() == [
        False
    ]
    empty = np.zeros(0, dtype=np.intp)
    assert learning.settled(beliefs, code, reality, empty, empty, "conformity").tolist() == [False]
    assert learning.settled(
        beliefs, code, reality, empty, empty, "conformity", socializes=False
    ).tolist() == [True]


def _closed(rule):
    return Scenario(
        seed=3,
        organization=Organization(employees=40, departments=3),
        customers=Customers(count=0),
        learning=Learning(turbulence=0.0, peer_rule=rule),
        turnover=Turnover(base_rate=0.0, trust_sensitivity=0.0),
    )


@pytest.mark.parametrize("rule", ip.PEER_RULES)
def test_detected_equilibrium_is_absorbing_in_the_full_model(rule):
    model, at = run_to_equilibrium(_closed(rule), max_steps=2_000)
    assert at is not None and at_equilibrium(model)
    beliefs, code = model.state.beliefs.copy(), model.state.code.copy()
    model.run_for(25)
    np.testing.assert_array_equal(model.state.beliefs, beliefs)
    np.testing.assert_array_equal(model.state.code, code)


def test_no_equilibrium_is_claimed_with_turnover_or_turbulence():
    sc = _closed("better_performer").model_copy(update={"learning": Learning(turbulence=0.02)})
    with pytest.raises(ValueError, match="turbulence"):
        run_to_equilibrium(sc)


def _with_customers(listening, failure_learning):
    return _closed("better_performer").model_copy(
        update={
            "customers": Customers(count=200),
            "learning": Learning(
                turbulence=0.0, listening=listening, failure_learning=failure_learning
            ),
        }
    )


@pytest.mark.parametrize(
    ("listening", "failure_learning", "reason"),
    [(0.0, 0.3, "failure_learning"), (0.2, 0.0, "public conversations")],
)
def test_customers_who_teach_block_an_equilibrium(listening, failure_learning, reason):
    with pytest.raises(ValueError, match=reason):
        run_to_equilibrium(_with_customers(listening, failure_learning))


def test_customers_who_teach_nothing_leave_an_absorbing_equilibrium():
    """Requests, public conversations and purchases without listening or failure learning do
    not change beliefs: the equilibrium found with customers in the market is absorbing."""
    model, at = run_to_equilibrium(_with_customers(0.0, 0.0), max_steps=2_000)
    assert at is not None
    beliefs, code = model.state.beliefs.copy(), model.state.code.copy()
    model.run_for(25)
    np.testing.assert_array_equal(model.state.beliefs, beliefs)
    np.testing.assert_array_equal(model.state.code, code)


def test_failure_learning_moves_knowledge_that_had_settled():
    """Why failure learning is a blocker: a code that settled wrong (fast socialization) is
    corrected by complaints on requests nobody could answer, and socialization carries it on."""
    sc = _with_customers(0.0, 0.3)
    sc = sc.model_copy(
        update={
            "learning": sc.learning.model_copy(update={"socialization": 0.9, "code_learning": 0.9})
        }
    )
    model = OrgModel(sc, seed=3)
    for _ in range(500):
        if at_equilibrium(model):
            break
        model.step()
    assert at_equilibrium(model) and (model.state.code != model.state.reality).any()
    code = model.state.code.copy()
    model.run_for(50)
    assert (model.state.code != code).any()


@pytest.mark.parametrize(("stubbornness", "counted"), [(0.5, True), (1.0, False)])
def test_a_silent_leader_who_can_drift_still_counts_as_a_teacher(stubbornness, counted):
    """Leaders who do not share (walk_the_talk 0) may drift into sharing while culture adapts,
    unless stubbornness 1 holds them at their commitment: only then are their ties dead."""
    sc = _closed("better_performer").model_copy(
        update={
            "culture": Culture(
                practice=0.8, walk_the_talk=0.0, adaptation=0.1, stubbornness=stubbornness
            )
        }
    )
    model = OrgModel(sc, seed=3)
    leaders = np.flatnonzero(model.state.structure.is_leader)
    assert (model.state.practice[leaders] == 0).all()
    source, _ = learning_ties(model)
    assert np.isin(leaders, source).any() == counted


def test_better_performers_leave_more_knowledge_than_conformity():
    """Conformity only homogenizes; learning from better performers spreads what is right (an
    open culture, no code: 0.48 ± 0.05 against -0.01 ± 0.08 over these 8 seeds)."""
    knowledge = {}
    for rule in ("conformity", "better_performer"):
        values = []
        for seed in range(8):
            sc = _closed(rule).model_copy(
                update={
                    "seed": seed,
                    "culture": Culture(practice=0.8, walk_the_talk=0.8),
                    "learning": Learning(
                        turbulence=0.0, peer_rule=rule, socialization=0.0, code_learning=0.0
                    ),
                }
            )
            model, _ = run_to_equilibrium(sc, max_steps=200, check_every=25)
            values.append(model.outcomes["individual_knowledge"])
        knowledge[rule] = np.mean(values)
    assert knowledge["better_performer"] > knowledge["conformity"] + 0.3, knowledge


def test_settled_without_a_code_looks_only_at_the_ties():
    reality = np.array([[1, 1, 1]], dtype=np.int8)
    code = np.zeros((1, 3), dtype=np.int8)
    beliefs = np.array([[[1, 1, 0], [1, 0, 0]]], dtype=np.int8)  # person 0 does better
    src, tgt = np.array([0, 1]), np.array([1, 0])
    kw = {"code_learns": False, "socializes": False}
    assert learning.settled(
        beliefs, code, reality, src, tgt, "better_performer", **kw
    ).tolist() == [False]
    beliefs[0, 1, 1] = 1  # now equal: nothing left to pass
    assert learning.settled(
        beliefs, code, reality, src, tgt, "better_performer", **kw
    ).tolist() == [True]
