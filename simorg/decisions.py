"""What human players decided for the people they play (the workshop, docs/odd.md "Human players").

A workshop participant plays one person. Their decisions for the current round live here, as
arrays beside the state, and the mechanisms consult them through one-line hooks:

- conversations (`sharing`): on a tie its source has decided for, that side's willingness to share
  is 1 (share openly) or 0 (hold back) instead of the rule's practice × trust; a held-back contact
  is closed (and erodes trust, as any closed contact does), an openly shared one is open when the
  other side shares by its own rule;
- requests (`answering`, `routing`): a request on the desk of the person who decided for it goes
  where they said (along the tie they chose; a hand-over across a silo boundary may still fail), or
  they answer it themselves: right if they know the answer, else a wrong answer, and the request
  fails at the end of the week as one that ran out of time does;
- culture (`leading`): a played leader who lives the announced vision anchors on it (the higher of
  the vision and their department's walk-the-talk); one who only announces it anchors on their
  department's habitual practice.

Everyone else follows the rules. With nobody playing `state.decisions` is None and every hook
returns at once: no draw is added or removed, so numbers are bit-identical to a run without them.
The hooks never draw random numbers either, so a room's run and its twin (same seed, no humans)
use the same streams and differ only by what the humans did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simorg.state import State

RULES = -1  # no decision: the person follows the model's rules


@dataclass
class Decisions:
    """This round's decisions of the people humans play (slots of the state)."""

    played: np.ndarray  # (n,) bool: a human decides for this person this round
    share: np.ndarray  # (E,) float32: willingness of the tie's source, NaN = rules
    pass_to: np.ndarray  # (C,) int64: whom the request's holder passes it to, RULES = rules
    answer: np.ndarray  # (C,) bool: the holder answers it themselves
    decided_by: np.ndarray  # (C,) int64: who decided for the request (valid while they hold it)
    lives_vision: np.ndarray  # (n,) int8: 1 lives the vision, 0 only announces it, RULES = rules
    wrong_answers: list[int] = field(default_factory=list)  # customers given a wrong answer

    @classmethod
    def empty(cls, state: State) -> Decisions:
        n, E, C = state.n, len(state.structure.indices), len(state.customer_trust)
        return cls(
            played=np.zeros(n, dtype=bool),
            share=np.full(E, np.nan, dtype=np.float32),
            pass_to=np.full(C, RULES, dtype=np.int64),
            answer=np.zeros(C, dtype=bool),
            decided_by=np.full(C, RULES, dtype=np.int64),
            lives_vision=np.full(n, RULES, dtype=np.int8),
        )


# --- the hooks (each mechanism calls one; all return at once when nobody plays) -----------------


def sharing(state: State, tau: float, tie: np.ndarray, share: np.ndarray) -> np.ndarray:
    """conversations._meet: the chance that each contact is open, with the played sides' decisions.

    The first len(tie) contacts run along `tie` (the rest are platform contacts, which follow the
    rules). A side that decided shares with probability 1 or 0, the other by the rule's
    practice × (1 − τ + 2τ·trust); the product is the chance that the contact is open."""
    d = state.decisions
    if d is None or len(d.share) != len(state.tie_trust) or len(tie) == 0:
        return share
    structure = state.structure
    back = structure.reverse.take(tie)
    mine, theirs = d.share.take(tie), d.share.take(back)
    hit = np.flatnonzero(~np.isnan(mine) | ~np.isnan(theirs))
    if len(hit) == 0:
        return share
    from simorg.mechanisms.conversations import trust_factor  # (conversations calls this module)

    t, p = state.tie_trust, state.practice
    k = tie[hit]
    rule_a = p.take(structure.source.take(k)) * trust_factor(tau, t.take(k))
    rule_b = p.take(structure.indices.take(k)) * trust_factor(tau, t.take(back[hit]))
    w_a = np.where(np.isnan(mine[hit]), rule_a, mine[hit])
    w_b = np.where(np.isnan(theirs[hit]), rule_b, theirs[hit])
    share = share.copy()
    share[hit] = w_a * w_b
    return share


def answering(state: State, open_: np.ndarray, holder: np.ndarray, knows: np.ndarray) -> np.ndarray:
    """requests.requests_travel: which open requests are answered now. A request whose holder
    decided to pass it is not answered; one they decided to answer is answered if they know the
    answer, else it is a wrong answer (pushed past the time limit: it fails at the end of the
    week). A decision made by someone who no longer holds the request is dropped."""
    d = state.decisions
    if d is None or len(open_) == 0:
        return knows
    by = d.decided_by.take(open_)
    stale = open_[(by >= 0) & (by != holder)]
    d.pass_to[stale], d.answer[stale], d.decided_by[stale] = RULES, False, RULES
    mine = (by >= 0) & (by == holder)
    if not mine.any():
        return knows
    knows = knows & ~(mine & (d.pass_to.take(open_) >= 0))
    wrong = open_[mine & d.answer.take(open_) & ~knows]
    if len(wrong):
        state.request_age[wrong] = state.params.customers.request_limit + 1.0
        d.wrong_answers.extend(wrong.tolist())
    return knows


def routing(
    state: State,
    waiting: np.ndarray,
    holder: np.ndarray,
    to: np.ndarray,
    escalate: np.ndarray,
    trust: np.ndarray,
) -> None:
    """requests._pass_along: the hand-overs the holders decided (in place): a chosen target
    replaces the rule's (with the trust of the holder's tie to them), and a request its holder
    answers (wrongly: a right answer has resolved it already) stays on their desk."""
    d = state.decisions
    if d is None or len(waiting) == 0:
        return
    mine = d.decided_by.take(waiting) == holder
    if not mine.any():
        return
    target = d.pass_to.take(waiting)
    go = np.flatnonzero(mine & (target >= 0))
    keep = np.flatnonzero(mine & d.answer.take(waiting))
    to[go], escalate[go], escalate[keep], to[keep] = target[go], False, False, -1
    structure = state.structure
    for i in go.tolist():
        row = slice(structure.indptr[holder[i]], structure.indptr[holder[i] + 1])
        at = np.flatnonzero(structure.indices[row] == to[i])
        if len(at):
            trust[i] = state.tie_trust[row.start + at[0]]


def leading(state: State, anchor: np.ndarray) -> np.ndarray:
    """culture.culture_moves: what played leaders anchor on (lives the vision or not)."""
    d = state.decisions
    if d is None:
        return anchor
    lives = np.flatnonzero((d.lives_vision >= 0) & state.structure.is_leader)
    if len(lives) == 0:
        return anchor
    dept = state.structure.department.take(lives)
    live = np.maximum(state.vision.take(dept), state.walk.take(dept))
    habit = state.department_culture.take(dept)
    anchor = anchor.copy()
    anchor[lives] = np.where(d.lives_vision.take(lives) == 1, live, habit)
    return anchor
