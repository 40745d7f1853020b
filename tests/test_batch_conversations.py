"""Colleagues talk on the replication axis: each run of a batch meets, opens, picks topics and
adopts exactly as the same run alone (every array, the tallies, the streams' positions), in every
branch (ties and the platform, trust-dependent sharing, each peer rule, the NK task, the
rejection sampler's later rounds and its exact fallback), and returns its contacts in its own order.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simorg.mechanisms import conversations, interpersonal, sampling
from simorg.randomness import RunStreams

from batching import check_batched
from conftest import small

SEEDS = (1, 2, 3)
# every branch on: the platform with extra contacts, trust-dependent sharing, peer learning on
# several topics, and silos so sealed (few ties inside, many across) that rejection sampling
# needs several rounds and, for some rows, the exact inverse-CDF fallback
EVERY_BRANCH = {
    "organization.platform": True,
    "conversation.platform_contacts": 2.0,
    "conversation.trust_sharing": 0.6,
    "conversation.topics": 3,
    "learning.peer_learning": 0.5,
    "organization.permeability": 0.02,
    "organization.team_ties": 1.0,
    "organization.cross_ties": 8.0,
}
NK = {"learning.task": "nk", "learning.dimensions": 10, "learning.nk_k": 2}


def talk(state, streams):
    conversations.colleagues_talk(state, state.params, streams["conversations"])


def meet(state, streams):
    out = conversations._meet(state, state.params.conversation, streams["conversations"])
    return state.run_size, out


def _assert_contacts_per_run(alone: list, batched) -> None:
    """The batch's open contacts are run-major and run r's are run r's alone, in its order."""
    n, (a, b, trust) = batched
    run = a // n
    assert np.all(np.diff(run) >= 0), "contacts are not run-major"
    assert np.array_equal(b // n, run), "a contact crosses runs"
    for r, (_, (a1, b1, t1)) in enumerate(alone):
        mine = run == r
        assert np.array_equal(a[mine] - r * n, a1), f"run {r}: callers differ"
        assert np.array_equal(b[mine] - r * n, b1), f"run {r}: partners differ"
        assert np.array_equal(trust[mine], t1), f"run {r}: trust differs"


@pytest.mark.parametrize("rule", interpersonal.PEER_RULES)
@pytest.mark.parametrize("task", ["additive", "nk"])
def test_colleagues_talk_runs_as_alone(rule: str, task: str) -> None:
    sc = small(**EVERY_BRANCH, **{"learning.peer_rule": rule}, **(NK if task == "nk" else {}))
    check_batched(sc, talk, SEEDS)


@pytest.mark.parametrize("name", ["social_business", "traditional_silos", "fluid_work"])
def test_shipped_scenarios_talk_as_alone(name: str) -> None:
    check_batched(small(name), talk, SEEDS)


@settings(max_examples=8)
@given(
    contacts=st.integers(0, 4),
    topics=st.integers(1, 12),
    platform_contacts=st.sampled_from([0.0, 0.5, 3.0]),
    trust_sharing=st.sampled_from([0.0, 1.0]),
    permeability=st.sampled_from([0.0, 0.05, 1.0]),
    structure=st.sampled_from(["hierarchy", "silos", "matrix", "network"]),
)
def test_any_conversation_settings_talk_as_alone(
    contacts: int,
    topics: int,
    platform_contacts: float,
    trust_sharing: float,
    permeability: float,
    structure: str,
) -> None:
    sc = small(
        **{
            **EVERY_BRANCH,
            "conversation.contacts": contacts,
            "conversation.topics": topics,
            "conversation.platform_contacts": platform_contacts,
            "conversation.trust_sharing": trust_sharing,
            "organization.permeability": permeability,
            "organization.structure": structure,
            "organization.employees": 40,
        }
    )
    check_batched(sc, talk, (4, 5), warmup=1)


def test_meet_returns_each_runs_contacts_in_its_own_order() -> None:
    alone, batched = check_batched(small(**EVERY_BRANCH), meet, SEEDS)
    _assert_contacts_per_run(alone, batched)
    n, (a, _, _) = batched
    assert all(len(out[1][0]) for out in alone)
    # the platform's contacts are there, after each run's tie contacts
    assert len(a) > 0


def test_the_scenario_reaches_the_exact_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sealed-silo scenario above really exercises the sampler's inverse-CDF fallback (in
    the batch, for each run), so the tests above cover it."""
    calls: list[int] = []
    exact = sampling._inverse_cdf

    def counting(first, degree, accept, u):
        calls.append(len(first))
        return exact(first, degree, accept, u)

    monkeypatch.setattr(sampling, "_inverse_cdf", counting)
    check_batched(small(**EVERY_BRANCH), talk, SEEDS, warmup=1)
    assert len(calls) >= 2 * len(SEEDS) and sum(calls) > 0


def test_sealed_silos_talk_as_alone() -> None:
    """Permeability 0: cross-department ties weigh nothing (people whose only ties cross call
    nobody along ties), the platform still reaches across."""
    sc = small(**{**EVERY_BRANCH, "organization.permeability": 0.0})
    check_batched(sc, talk, SEEDS)


def test_choose_ties_draws_each_runs_rounds_from_its_stream() -> None:
    """A batch of three runs' rows (one run with nothing to sample) against each run alone,
    with weights so uneven that every round and the fallback are reached."""
    rng = np.random.default_rng(11)
    runs, rows = 3, 40
    degree = np.where(np.arange(rows * runs) // rows == 1, 0, rng.integers(1, 12, rows * runs))
    indptr = np.concatenate([[0], np.cumsum(degree)])
    accept = np.where(rng.random(indptr[-1]) < 0.1, 1.0, 0.003).astype(np.float32)
    entries = np.repeat(np.flatnonzero(degree > 0), 3)
    start, deg = indptr[entries], degree[entries].astype(np.int32)
    run = entries // rows
    run_ties = indptr[::rows]
    gens = [np.random.default_rng(s) for s in (5, 6, 7)]
    twins = [np.random.default_rng(s) for s in (5, 6, 7)]
    tie = sampling.choose_ties(start, deg, accept, RunStreams(gens), run=run, run_ties=run_ties)
    for r in range(runs):
        mine = run == r
        lo, hi = run_ties[r], run_ties[r + 1]
        alone = sampling.choose_ties(
            start[mine] - lo, deg[mine], accept[lo:hi], RunStreams([twins[r]])
        )
        assert np.array_equal(tie[mine] - lo, alone), f"run {r}"
        assert gens[r].bit_generator.state == twins[r].bit_generator.state, f"run {r} stream"
    assert np.all((tie >= start) & (tie < start + deg))


def test_best_tie_per_group_breaks_ties_from_each_runs_stream() -> None:
    """Groups of two runs (batch ids, items run-major) against each run alone: the same winners,
    ties between equal scores broken by each run's own stream."""
    rng = np.random.default_rng(3)
    group = np.sort(rng.integers(0, 20, 60))  # run 0: groups 0-9, run 1: groups 10-19
    run = group // 10
    tie = np.arange(60)
    score = rng.integers(0, 2, 60).astype(np.float64)  # many equal scores
    gens = [np.random.default_rng(s) for s in (8, 9)]
    twins = [np.random.default_rng(s) for s in (8, 9)]
    g, best = sampling.best_tie_per_group(group, tie, score, RunStreams(gens), run)
    for r in range(2):
        mine = run == r
        g1, best1 = sampling.best_tie_per_group(
            group[mine], tie[mine], score[mine], RunStreams([twins[r]])
        )
        assert np.array_equal(g[g // 10 == r], g1) and np.array_equal(best[g // 10 == r], best1)
        assert gens[r].bit_generator.state == twins[r].bit_generator.state
