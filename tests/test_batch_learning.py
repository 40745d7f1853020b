"""The replication axis for the knowledge, culture and turnover mechanisms: each run of a batch
comes out exactly as the same run alone (tests/batching.py, the oracle), with every branch on."""

from __future__ import annotations

import numpy as np
import pytest

from simorg import performance as P
from simorg.mechanisms import learning
from simorg.mechanisms.culture import culture_moves
from simorg.mechanisms.organizational_learning import (
    complaints,
    department_learning,
    learn_from_failure,
    organizational_learning,
)
from simorg.mechanisms.turnover import people_leave
from simorg.randomness import RunStreams
from simorg.state import NO_REQUEST

from batching import check_batched
from conftest import small

# every branch of organizational learning on: voice, turbulence, department codes
LEARNING = {
    "learning.voice_hierarchy": 0.5,
    "learning.turbulence": 0.2,
    "learning.department_codes": True,
    "learning.department_socialization": 0.3,
    "learning.failure_learning": 0.8,
}
# an NK task small enough for its exact optimum; turbulence low enough that some runs' landscapes
# move in a step and others' do not
NK = {
    **LEARNING,
    "learning.task": "nk",
    "learning.dimensions": 8,
    "learning.nk_k": 2,
    "learning.turbulence": 0.06,
}
CULTURE = {
    "culture.adaptation": 0.3,
    "culture.informal_influence": 0.5,
    "culture.vision": 0.8,
    "culture.vision_pull": 0.4,
    "culture.stubbornness": 0.6,
}


def _organizational(st, streams):
    organizational_learning(st, streams)
    return st.tally.innovations.copy(), st.tally.relearned.copy()


@pytest.mark.parametrize(
    "name, sets",
    [
        ("social_business", LEARNING),
        ("traditional_silos", {**LEARNING, "learning.code_learning": 0.9}),
        ("social_business", NK),
        ("traditional_silos", {**NK, "learning.nk_normalise": False, "learning.nk_power": 2.0}),
    ],
    ids=["additive", "additive-silos", "nk", "nk-raw-power"],
)
def test_organizational_learning_run_by_run(name: str, sets: dict) -> None:
    alone, batched = check_batched(small(name, **sets), _organizational)
    np.testing.assert_array_equal(batched[0], np.concatenate([a[0] for a in alone]))


def test_nk_turbulence_moves_some_runs_and_not_others() -> None:
    """The oracle above covers runs whose landscape moved and runs whose did not (the refresh of
    the optimum only where something changed)."""
    moved = []

    def market(st, streams):
        before = st.task.landscape.contributions.copy()
        organizational_learning(st, streams)
        moved.append((st.task.landscape.contributions != before).any(axis=(1, 2)))

    check_batched(small(**NK), market)
    assert moved[-1].any() and not moved[-1].all(), moved[-1]


def test_department_codes_run_by_run() -> None:
    sc = small("traditional_silos", **LEARNING)

    def departments(st, streams):
        voice = np.ones((st.runs, st.run_size), dtype=bool)
        voice[:, ::3] = False
        department_learning(st, voice, streams["department_codes"])
        return st.department_code.copy()

    alone, batched = check_batched(sc, departments)
    np.testing.assert_array_equal(batched, np.concatenate(alone))
    assert batched.any()  # the codes learned something to compare


def _failures(st, streams):
    """Complaints as the request step hands them over: failed requests (customers, run-major),
    then escalations (run-major): together not run-major in a batch."""
    n, C = st.run_size, st.run_customers
    open_ = np.flatnonzero(st.request_topic != NO_REQUEST)
    failed = open_[open_ % C % 2 == 0]
    holders = np.flatnonzero((st.structure.manager >= 0) & (np.arange(st.n) % n % 5 == 0))
    esc_topics = holders % n * 7 % st.m
    esc_people = np.stack([holders, st.structure.manager[holders]], axis=1)
    topics, people = complaints(st, failed, esc_topics, esc_people)
    learn_from_failure(st, topics, people, streams["failure"])
    return topics, people


@pytest.mark.parametrize("p", [0.8, 1.0])
def test_learning_from_failure_run_by_run(p: float) -> None:
    sc = small(**{**LEARNING, "learning.failure_learning": p, "learning.socialization": 0.0})
    alone, (topics, people) = check_batched(sc, _failures)
    np.testing.assert_array_equal(topics, np.concatenate([t for t, _ in alone]))
    assert len(topics) and all(len(t) for t, _ in alone)


def test_learning_from_failure_with_runs_without_complaints() -> None:
    """Only runs whose reality starts with +1 complain: a run with no complaint draws nothing,
    the others go on."""
    quiet = []

    def some(st, streams):
        n, C = st.run_size, st.run_customers
        loud = st.reality[:, 0] == 1
        quiet.append(~loud)
        open_ = np.flatnonzero(st.request_topic != NO_REQUEST)
        failed = open_[loud[open_ // C]]
        holders = np.flatnonzero((st.structure.manager >= 0) & loud[np.arange(st.n) // n])
        esc = np.stack([holders, st.structure.manager[holders]], axis=1)
        learn_from_failure(st, *complaints(st, failed, holders % n % st.m, esc), streams["failure"])

    check_batched(small(**LEARNING), some, seeds=(1, 2, 3, 4))
    assert quiet[-1].any() and not quiet[-1].all(), quiet[-1]


def test_culture_moves_run_by_run() -> None:
    for name in ("social_business", "vision_without_walk", "traditional_silos", "fluid_work"):
        check_batched(small(name, **CULTURE), lambda st, streams: culture_moves(st, None))


@pytest.mark.parametrize(
    "name, sets",
    [
        ("social_business", {"turnover.base_rate": 0.2}),
        ("social_media_team", {"turnover.base_rate": 0.3, "turnover.trust_sensitivity": 0.3}),
        ("traditional_silos", {"turnover.base_rate": 0.01, "turnover.trust_sensitivity": 0.0}),
    ],
    ids=["many", "media-team-leaders", "few"],
)
def test_people_leave_run_by_run(name: str, sets: dict) -> None:
    alone, batched = check_batched(
        small(name, **sets), lambda st, streams: people_leave(st, streams["turnover"])
    )
    n = small(name).organization.employees
    np.testing.assert_array_equal(batched, np.concatenate([s + r * n for r, s in enumerate(alone)]))
    if sets["turnover.base_rate"] < 0.05:  # a run with no leaver beside runs with some
        assert min(map(len, alone)) == 0 < max(map(len, alone)), [len(s) for s in alone]


# the March functions: R organizations from one RunStreams, each as alone (validate keeps its
# one-Generator draws, tested in test_march1991.py)


def _gens(seed: int, runs: int) -> list[np.random.Generator]:
    return [np.random.default_rng([seed, r]) for r in range(runs)]


@pytest.mark.parametrize("with_task", [False, True])
def test_knowledge_step_from_run_streams_is_each_run_alone(with_task: bool) -> None:
    runs, n, m = 3, 13, 9  # n·m odd: the packed coins end inside a byte
    reality, beliefs, code = learning.initial_knowledge(np.random.default_rng(1), n, m, runs)
    code[:] = np.random.default_rng(2).integers(-1, 2, code.shape)
    voice = np.random.default_rng(3).random((runs, n)) < 0.7
    task = None
    if with_task:
        task = P.NKBeliefTask(P.nk_landscapes(np.random.default_rng(4), runs, m, 2), True)
        reality = task.optimum.copy()
    b, c = beliefs.copy(), code.copy()
    got = learning.knowledge_step(
        b, c, reality, 0.3, 0.6, RunStreams(_gens(5, runs)), voice, None, task
    )
    for r, g in enumerate(_gens(5, runs)):
        br, cr = beliefs[r : r + 1].copy(), code[r : r + 1].copy()
        one = None if task is None else _task_of(task, r)
        want = learning.knowledge_step(
            br, cr, reality[r : r + 1], 0.3, 0.6, g, voice[r : r + 1], None, one
        )
        np.testing.assert_array_equal(b[r : r + 1], br)
        np.testing.assert_array_equal(c[r : r + 1], cr)
        np.testing.assert_array_equal(got[r : r + 1], want)


def _task_of(task: P.NKBeliefTask, r: int) -> P.NKBeliefTask:
    return P.NKBeliefTask(task.landscape.select(slice(r, r + 1)), task.normalise, task.power)


def test_turbulence_and_replacement_from_run_streams_are_each_run_alone() -> None:
    runs, n, m = 4, 10, 12
    reality, beliefs, _ = learning.initial_knowledge(np.random.default_rng(1), n, m, runs)
    land = P.nk_landscapes(np.random.default_rng(2), runs, 6, 2)
    streams = RunStreams(_gens(7, runs))
    r_all, b_all = reality.copy(), beliefs.copy()
    learning.turbulence(r_all, 0.3, streams)
    left = learning.replace_people(b_all, 0.15, streams)
    moved = P.nk_turbulence(land, 0.05, streams)
    for mask in (left, moved):  # some runs with, some without: the skipped draws
        assert mask.any(axis=1).any() and not mask.any(axis=1).all()
    originals = P.nk_landscapes(np.random.default_rng(2), runs, 6, 2)
    for r, g in enumerate(_gens(7, runs)):
        rr, br = reality[r : r + 1].copy(), beliefs[r : r + 1].copy()
        learning.turbulence(rr, 0.3, g)
        np.testing.assert_array_equal(left[r : r + 1], learning.replace_people(br, 0.15, g))
        one = originals.select(slice(r, r + 1))
        np.testing.assert_array_equal(moved[r : r + 1], P.nk_turbulence(one, 0.05, g))
        np.testing.assert_array_equal(r_all[r : r + 1], rr)
        np.testing.assert_array_equal(b_all[r : r + 1], br)
        np.testing.assert_array_equal(land.contributions[r : r + 1], one.contributions)
        assert g.bit_generator.state == streams.gens[r].bit_generator.state


def test_refreshing_some_runs_gives_the_optimum_of_refreshing_all() -> None:
    land = P.nk_landscapes(np.random.default_rng(3), 4, 7, 3)
    task = P.NKBeliefTask(land, True)
    P.nk_turbulence(land, 0.5, np.random.default_rng(4))
    some = P.NKBeliefTask(land, True, 1.0, task.maximum.copy(), task.optimum.copy())
    some.refresh(np.array([1, 3]))
    task.refresh()
    np.testing.assert_array_equal(some.maximum[[1, 3]], task.maximum[[1, 3]])
    np.testing.assert_array_equal(some.optimum[[1, 3]], task.optimum[[1, 3]])


def test_these_mechanisms_for_several_steps_run_by_run() -> None:
    """Learning from failure, organizational learning, culture and turnover, five steps in a row
    with every branch on: the batch stays each run alone."""
    sc = small(**LEARNING, **CULTURE, **{"turnover.base_rate": 0.05})

    def steps(st, streams):
        for _ in range(5):
            _failures(st, streams)
            organizational_learning(st, streams)
            culture_moves(st, streams["culture"])
            people_leave(st, streams["turnover"])

    check_batched(sc, steps)
