"""The compiled loops (simorg.kernels) do what their mechanisms say, and what the numpy code they
replaced did, bit for bit: the routing priorities, forgetting and escalation, hand-overs across
boundaries, and the first round of choosing ties; numba stays out of start-up."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simorg import kernels
from simorg.mechanisms.requests import ROUTE_BROKER, ROUTE_OWNER, ROUTE_SENDER

# --- route_along_ties: who a holder hands a request to ------------------------------------------
# people 0..6 in departments; topic 0 is owned by department 1. Person 0 holds the request.
OWNER = np.array([1])
DEPARTMENT = np.array([0, 1, 2, 0, 0, 1, 1])
MANAGER = np.array([3, -1, -1, -1, -1, -1, 0])  # 3 manages the holder, the holder manages 6
SENDER, ANYONE, BOSS, BROKER, COLLEAGUE, REPORT = 1, 2, 3, 4, 5, 6
REACH = np.zeros((7, 3), dtype=bool)
REACH[BROKER, 1] = True  # the broker has a tie into the owning department
BELIEFS = np.zeros((7, 1), dtype=np.int8)
BELIEFS[REPORT, 0] = 1  # the holder's report knows the answer (reality is +1)
REALITY = np.ones((1, 1), dtype=np.int8)


def _route(ties: list[int], sender: int = SENDER, u: np.ndarray | None = None) -> int:
    """The person holder 0 hands the request to, with `ties` as the holder's only ties."""
    indptr = np.array([0, len(ties)] + [len(ties)] * 6)
    indices = np.array(ties, dtype=np.int64)
    best = np.empty(1, dtype=np.int64)
    draws = np.full(len(ties), 0.5) if u is None else u
    kernels.route_along_ties(
        indptr, indices, np.array([0]), np.array([0]), np.array([sender]), OWNER, DEPARTMENT,
        MANAGER, REACH, BELIEFS, REALITY, 7, draws, best,
    )  # fmt: skip
    return -1 if best[0] < 0 else int(indices[best[0]])


def test_routing_prefers_a_report_who_knows_then_the_owner_then_a_broker_then_the_manager() -> None:
    order = [REPORT, COLLEAGUE, BROKER, BOSS, ANYONE, SENDER]
    for k in range(len(order)):  # take the best away, one after another
        assert _route(order[k:]) == order[k]
    BELIEFS[REPORT, 0] = -1  # a report who does not know is just a colleague of the owner
    try:
        assert _route([COLLEAGUE, REPORT], u=np.array([0.2, 0.9])) == REPORT
        assert _route([COLLEAGUE, REPORT], u=np.array([0.9, 0.2])) == COLLEAGUE
    finally:
        BELIEFS[REPORT, 0] = 1


def test_routing_breaks_ties_by_the_draws_and_a_holder_without_ties_keeps_the_request() -> None:
    assert _route([ANYONE, BROKER, COLLEAGUE], u=np.array([0.9, 0.1, 0.1])) == COLLEAGUE
    assert _route([]) == -1
    assert ROUTE_SENDER < 0 < 1 < ROUTE_BROKER < ROUTE_OWNER


def _route_numpy(indptr, indices, holder, topic, sender, owner, dept, manager, reach, beliefs,
                 reality, u):  # fmt: skip
    """The vectorized routing the kernel replaced (simorg 0.4.0), as the oracle."""
    counts = indptr[holder + 1] - indptr[holder]
    pos = np.repeat(np.arange(len(holder)), counts)
    tie = np.arange(counts.sum()) + (indptr[holder] - (np.cumsum(counts) - counts))[pos]
    nb, j, h = indices[tie], topic[pos], holder[pos]
    want = owner[j]
    in_owner = dept[nb] == want
    broker = reach[nb, want] & ~in_owner
    score = in_owner * ROUTE_OWNER + broker * ROUTE_BROKER
    score += (nb == manager[h]) & ~in_owner & ~broker
    score += in_owner & (manager[nb] == h) & (beliefs[nb, j] == reality[0, j])
    score[nb == sender[pos]] = ROUTE_SENDER
    key = score + u
    best = np.full(len(holder), -1)
    for i in range(len(holder)):
        rows = np.flatnonzero(pos == i)
        if len(rows):
            best[i] = tie[rows[np.argmax(key[rows])]]
    return best


@given(st.integers(0, 2**32 - 1), st.integers(2, 40), st.integers(1, 5))
@settings(max_examples=40, deadline=None)
def test_routing_gives_what_the_vectorized_numpy_routing_gave(seed: int, n: int, m: int) -> None:
    rng = np.random.default_rng(seed)
    departments = int(rng.integers(1, 5))
    adjacency = rng.random((n, n)) < 0.3
    np.fill_diagonal(adjacency, False)
    indptr = np.concatenate([[0], np.cumsum(adjacency.sum(axis=1))])
    indices = np.flatnonzero(adjacency.reshape(-1)) % n
    dept = rng.integers(0, departments, n)
    manager = np.where(rng.random(n) < 0.7, rng.integers(0, n, n), -1)
    reach = np.zeros((n, departments), dtype=bool)
    src = np.repeat(np.arange(n), np.diff(indptr))
    reach[src, dept[indices]] = True
    beliefs = rng.integers(-1, 2, (n, m)).astype(np.int8)
    reality = rng.choice(np.array([-1, 1], dtype=np.int8), (1, m))
    owner = rng.integers(0, departments, m)
    k = int(rng.integers(1, 3 * n))
    holder, topic = rng.integers(0, n, k), rng.integers(0, m, k)
    sender = np.where(rng.random(k) < 0.5, rng.integers(0, n, k), -1)
    degree = indptr[holder + 1] - indptr[holder]
    u = rng.random(int(degree.sum()))
    u[: len(u) // 3] = 0.25  # equal draws: ties between equal keys go to the first
    best = np.empty(k, dtype=np.int64)
    kernels.route_along_ties(indptr, indices, holder, topic, sender, owner, dept, manager, reach,
                             beliefs, reality, n, u, best)  # fmt: skip
    want = _route_numpy(indptr, indices, holder, topic, sender, owner, dept, manager, reach,
                        beliefs, reality, u)  # fmt: skip
    assert np.array_equal(best, want)


# --- expert_or_boss: remembered experts, forgetting, escalation ---------------------------------


def _first_routes(held: int, escalate_after: int, memory: dict[tuple[int, int], int]):
    """Holders 0 and 1 (manager 2) with one request each on topic 0; request 0 came from person 3
    and request 1 from nobody."""
    known = np.full((4, 1), -1, dtype=np.int32)
    for (person, topic), expert in memory.items():
        known[person, topic] = expert
    to = np.full(2, -1, dtype=np.int64)
    escalate = np.zeros(2, dtype=bool)
    kernels.expert_or_boss(
        np.array([0, 1]), np.array([0, 0]), np.array([3, -1]), np.array([held, held]),
        np.array([2, 2, -1, -1]), known, escalate_after, to, escalate,
    )  # fmt: skip
    return to.tolist(), escalate.tolist(), known[:, 0].tolist()


def test_a_remembered_expert_is_used_and_a_wrong_memory_is_forgotten() -> None:
    # person 3 sent request 0 to holder 0 remembering them as the expert: 3 forgets it; holder 1
    # remembers holder 0, who did not know: everyone forgets first, so holder 1 still asks 0
    to, escalate, known = _first_routes(0, 2, {(3, 0): 0, (1, 0): 0})
    assert known == [-1, 0, -1, -1]
    assert to == [-1, 0] and escalate == [False, False]
    to, _, _ = _first_routes(0, 2, {(0, 0): 0})  # remembering oneself is no route
    assert to == [-1, -1]
    # an earlier request's holder (1) remembers holder 0 whom they sent a later request: forgotten
    # before anyone looks, so the earlier request is not sent to 0 either
    known = np.full((2, 1), -1, dtype=np.int32)
    known[1, 0] = 0
    to_, escalate_ = np.full(2, -1, dtype=np.int64), np.zeros(2, dtype=bool)
    kernels.expert_or_boss(
        np.array([1, 0]), np.array([0, 0]), np.array([-1, 1]), np.array([0, 0]),
        np.array([-1, -1]), known, 2, to_, escalate_,
    )  # fmt: skip
    assert to_.tolist() == [-1, -1] and known[1, 0] == -1


def test_a_request_kept_long_enough_goes_to_the_manager_unless_escalation_is_off() -> None:
    assert _first_routes(1, 2, {})[:2] == ([-1, -1], [False, False])
    assert _first_routes(2, 2, {})[:2] == ([2, 2], [True, True])
    assert _first_routes(9, 0, {})[:2] == ([-1, -1], [False, False])
    assert _first_routes(2, 2, {(1, 0): 3})[:2] == ([2, 3], [True, False])  # memory first


# --- hand_over: the hand-overs that happen ------------------------------------------------------


def test_hand_overs_inside_a_department_happen_across_a_boundary_by_chance() -> None:
    # requests of customers 5, 6, 7 held by 0, 0, 1; receivers 1 (same department), 2 (another:
    # chance min(0.5, 1.0)·((0.5 + 1.0)/2 + 0.5)/2 = 0.3125), 2 (escalated, across)
    department, permeability = np.array([0, 0, 1]), np.array([0.5, 1.0])
    practice = np.array([0.5, 0.5, 1.0])
    for u, moved in (([0.99, 0.31, 0.0], [True, True, True]), ([0.0, 0.32, 0.99], [True, False, False])):  # fmt: skip
        holder_of = np.array([-1, -1, -1, -1, -1, 0, 0, 1])
        came_from, held = np.full(8, -9), np.full(8, 4)
        crossings, triples = np.zeros(1), np.empty(9, dtype=np.int64)
        k = kernels.hand_over(
            np.array([5, 6, 7]), np.array([0, 1, 2]), np.array([0, 0, 1]), np.array([1, 2, 2]),
            np.array([0.5, 0.5, 0.5]), np.array([False, False, True]), np.array([4, 4, 4]),
            department, permeability, practice, np.array(u), holder_of, came_from, held, 8,
            crossings, triples,
        )  # fmt: skip
        assert (holder_of[5:] != [0, 0, 1]).tolist() == moved
        assert held[5:].tolist() == [0 if m else 5 for m in moved]
        assert came_from[5:].tolist() == [
            h if m else -9 for h, m in zip([0, 0, 1], moved, strict=True)
        ]
        assert crossings[0] == sum(moved[1:])
        assert triples[:k].tolist() == ([4, 1, 2] if moved[2] else [])


# --- propose_ties: the first round of choosing a tie --------------------------------------------


@given(st.integers(0, 2**32 - 1), st.integers(0, 300))
@settings(max_examples=30, deadline=None)
def test_proposed_ties_are_the_numpy_rule(seed: int, entries: int) -> None:
    rng = np.random.default_rng(seed)
    degree = rng.integers(1, 9, entries).astype(np.int32)
    start = rng.integers(0, 50, entries)
    accept = rng.random(60)
    accept[::3] = rng.choice([0.0, 0.5, 1.0], 20)  # exact values: a fractional part may equal them
    u = rng.random(entries)
    u[::2] = rng.choice([0.0, 0.25, 0.5, 0.75], len(u[::2]))
    tie, redo = np.empty(entries, dtype=np.int64), np.empty(entries, dtype=np.intp)
    k = kernels.propose_ties(start, degree, accept, u, tie, redo)
    x = u * degree
    pick = x.astype(np.intp)
    assert np.array_equal(tie, start + pick)
    assert np.array_equal(redo[:k], np.flatnonzero(x - pick >= accept[start + pick]))


def test_numba_is_imported_by_a_step_not_by_the_model_or_the_command_line() -> None:
    """numba takes about a second to import: the explorer's start and `simorg --help` skip it."""
    code = (
        "import sys; import simorg.cli, simorg.model, simorg.step; a = 'numba' in sys.modules; "
        "from simorg.model import OrgModel; from simorg.scenario import load; "
        "OrgModel(load('social_business'), seed=1).step(); print(a, 'numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


# --- can_answer and remember: who knows, and who remembers who knew -----------------------------


def test_who_can_answer_needs_a_right_belief_and_the_owners_or_outside_expertise() -> None:
    # two runs of 2 people; topic 0 owned by department 0; run 1's reality differs from run 0's
    beliefs = np.array([[1], [1], [1], [-1]], dtype=np.int8)
    reality = np.array([[1], [-1]], dtype=np.int8)
    department, owner = np.array([0, 1, 0, 1]), np.array([0])
    draw = np.array([[200], [10], [10], [10]], dtype=np.uint8)
    knows = np.empty(4, dtype=bool)
    args = (beliefs, reality, 2, department, owner, draw)
    kernels.can_answer(np.arange(4), np.zeros(4, dtype=np.int64), *args, 0.0, knows)
    assert knows.tolist() == [True, False, False, False]  # 1: outsider; 2, 3: run 1's reality
    kernels.can_answer(np.arange(4), np.zeros(4, dtype=np.int64), *args, 256 * 0.1, knows)
    assert knows.tolist() == [True, True, False, True]  # draws 10 < 25.6: outsiders who know


def test_the_receiver_and_the_sender_remember_the_resolver_the_senders_last() -> None:
    # request 0 resolved by 5 (received by 5 itself, handed to 5 by 3); request 1, same topic,
    # resolved by 6, received by 3: receivers remember first, senders after, so 3 remembers 5
    known = np.full((7, 1), -1, dtype=np.int32)
    resolver, topic = np.array([5, 6]), np.array([0, 0])
    receiver, sender = np.array([5, 3]), np.array([3, -1])
    kernels.remember(resolver, topic, receiver, sender, np.empty(0), np.empty(0), 1.0, known)
    assert known[:, 0].tolist() == [-1, -1, -1, 5, -1, -1, -1]
    known[:] = -1  # with p = 0.5, only where the draw is below it
    u_receiver, u_sender = np.array([0.0, 0.1]), np.array([0.9, 0.0])
    kernels.remember(resolver, topic, receiver, sender, u_receiver, u_sender, 0.5, known)
    assert known[:, 0].tolist() == [-1, -1, -1, 6, -1, -1, -1]
