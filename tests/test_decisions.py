"""Human players' decisions (simorg/decisions.py) through the mechanisms' hooks.

Each test plays one person and checks the mechanism does what they decided, and that everyone
else (and everyone when nobody plays) follows the rules draw for draw.
"""

from __future__ import annotations

import numpy as np
import pytest

from simorg import decisions
from simorg.decisions import Decisions
from simorg.mechanisms import conversations, requests
from simorg.model import OrgModel
from simorg.randomness import RunStreams
from simorg.state import NO_REQUEST

from conftest import small


def model(name: str = "traditional_silos", **overrides) -> OrgModel:
    base = {"culture.practice": 0.9, "organization.platform": False}
    base.update(overrides)
    return OrgModel(small(name, **base), seed=5)


def person_with_ties(m: OrgModel) -> int:
    structure = m.state.structure
    return int(np.argmax(np.diff(structure.indptr) * ~structure.is_leader))


def meet(m: OrgModel, seed: int = 1):
    st = m.state
    conv = st.params.conversation
    return conversations._meet(st, conv, RunStreams([np.random.default_rng(seed)]))


def pairs(a: np.ndarray, b: np.ndarray) -> set[tuple[int, int]]:
    return {(int(x), int(y)) for x, y in zip(a, b, strict=True)}


def test_a_held_back_contact_is_closed():
    m = model()
    st = m.state
    i = person_with_ties(m)
    structure = st.structure
    row = slice(structure.indptr[i], structure.indptr[i + 1])
    before = st.tie_trust.copy()
    # the rules: a person this open talks openly with their contacts
    ruled = [pairs(*meet(model(), seed)[:2]) for seed in range(5)]
    assert any(i in p for opened in ruled for p in opened)

    st.decisions = Decisions.empty(st)
    st.decisions.played[i] = True
    st.decisions.share[row] = 0.0  # holds back with everyone
    touched = set()
    for seed in range(5):
        a, b, _ = meet(m, seed)
        assert not any(i in p for p in pairs(a, b)), "an open contact with who held back"
        touched |= set(np.flatnonzero(st.tie_trust[row] != before[row]).tolist())
    assert touched, "the held-back contacts happened (and were closed)"
    assert np.all(st.tie_trust[row] <= before[row])  # closed contacts only erode trust


def test_sharing_openly_opens_the_players_side_only():
    m = model(**{"culture.practice": 0.05})
    st = m.state
    i = person_with_ties(m)
    structure = st.structure
    row = slice(structure.indptr[i], structure.indptr[i + 1])
    tie = np.arange(row.start, row.stop)
    share = np.full(len(tie), 0.01)
    st.decisions = Decisions.empty(st)
    st.decisions.share[row] = 1.0
    out = decisions.sharing(st, st.params.conversation.trust_sharing, tie, share)
    tau = st.params.conversation.trust_sharing
    other = st.practice[structure.indices[row]] * (
        1 - tau + 2 * tau * st.tie_trust[structure.reverse[tie]]
    )
    # the player's side shares for sure; the other side by its own rule (practice × trust term)
    assert np.allclose(out, other)
    st.decisions.share[row] = 0.0
    assert not decisions.sharing(st, tau, tie, share).any()


def test_unplayed_people_follow_the_rules_draw_for_draw():
    free, played = model(), model()
    i = person_with_ties(played)
    structure = played.state.structure
    played.state.decisions = Decisions.empty(played.state)
    played.state.decisions.share[structure.indptr[i] : structure.indptr[i] + 1] = (
        0.0  # one contact held back
    )
    held = {
        (i, int(structure.indices[structure.indptr[i]])),
        (int(structure.indices[structure.indptr[i]]), i),
    }
    a0, b0, _ = meet(free, 3)
    a1, b1, _ = meet(played, 3)
    assert pairs(a0, b0) - held == pairs(a1, b1) - held
    assert pairs(a0, b0) != pairs(a1, b1) or not (pairs(a0, b0) & held)


def test_decisions_nobody_made_change_nothing():
    """A room where people joined but nobody decided runs exactly as the model alone."""
    a, b = model(), model()
    b.state.decisions = Decisions.empty(b.state)
    for _ in range(6):
        a.step()
        b.step()
    assert a.outcomes == b.outcomes
    assert np.array_equal(a.state.tie_trust, b.state.tie_trust)


def _desk(m: OrgModel, holder: int, answerable: bool) -> tuple[int, int]:
    """A request on `holder`'s desk about a topic their department owns; returns (customer, topic)."""
    st = m.state
    st.request_topic[:] = NO_REQUEST
    d = int(st.structure.department[holder])
    topic = int(np.flatnonzero(st.dimension_owner == d)[0])
    st.beliefs[0, holder, topic] = st.reality[0, topic] * (1 if answerable else -1)
    requests.open_request(st, np.array([0]), np.array([topic]), np.array([holder]), True)
    return 0, topic


def test_a_passed_request_goes_where_the_participant_said():
    m = model(**{"customers.handovers": 1, "customers.escalate_after": 0})
    st = m.state
    structure = st.structure
    i = person_with_ties(m)
    mates = structure.indices[structure.indptr[i] : structure.indptr[i + 1]]
    target = int(
        mates[structure.department[mates] == structure.department[i]][-1]
    )  # inside: always goes
    c, topic = _desk(m, i, answerable=True)  # even one they could answer
    st.decisions = Decisions.empty(st)
    st.decisions.decided_by[c], st.decisions.pass_to[c] = i, target
    resolved, *_ = requests.requests_travel(st, RunStreams([np.random.default_rng(0)]))
    assert len(resolved) == 0 and st.request_holder[c] == target
    assert st.request_from[c] == i


def test_an_answer_is_right_only_when_the_person_knows():
    for knows in (True, False):
        m = model(**{"customers.handovers": 1})
        st = m.state
        i = person_with_ties(m)
        c, _ = _desk(m, i, answerable=knows)
        st.decisions = Decisions.empty(st)
        st.decisions.decided_by[c], st.decisions.answer[c] = i, True
        resolved, failed, *_ = requests.requests_travel(st, RunStreams([np.random.default_rng(0)]))
        assert (c in resolved) is knows
        assert (c in failed) is not knows  # a wrong answer fails the request this week
        assert st.request_holder[c] == i  # it never left the desk


def test_a_decision_of_someone_who_no_longer_holds_the_request_is_dropped():
    m = model(**{"customers.handovers": 1})
    st = m.state
    i = person_with_ties(m)
    c, _ = _desk(m, i, answerable=False)
    st.decisions = Decisions.empty(st)
    other = int(st.structure.indices[st.structure.indptr[i]])
    st.decisions.decided_by[c], st.decisions.answer[c] = other, True  # not the holder
    resolved, failed, *_ = requests.requests_travel(st, RunStreams([np.random.default_rng(0)]))
    assert c not in failed and st.decisions.decided_by[c] == decisions.RULES


@pytest.mark.parametrize("lives", [0, 1])
def test_a_leader_not_living_the_vision_lowers_practice(lives):
    def run(choice: int | None) -> OrgModel:
        m = OrgModel(small("social_business", **{"culture.practice": 0.3}), seed=3)
        if choice is not None:
            m.state.decisions = Decisions.empty(m.state)
            leaders = m.state.structure.is_leader
            m.state.decisions.played[leaders] = True
            m.state.decisions.lives_vision[leaders] = choice
        for _ in range(8):
            m.step()
        return m

    rules, played = run(None), run(lives)
    structure = rules.state.structure
    lead, staff = structure.is_leader, ~structure.is_leader
    if lives == 0:  # only announcing: leaders drift back to habit, and their people see it
        assert played.state.practice[lead].mean() < rules.state.practice[lead].mean() - 0.05
        assert played.state.practice[staff].mean() < rules.state.practice[staff].mean()
    else:  # living it (it is the walk-the-talk here): as the rules have them do
        assert played.state.practice[lead].mean() >= rules.state.practice[lead].mean() - 1e-9
