"""Organizational learning (process 6): March (1991) with voice, and learning from failure.

The market moves first (turbulence, from the stream that drew reality, as March's program does),
then one period of mutual learning (learning.knowledge_step), in which only people whose voice
reaches the code count in the superior group: leaders always, others with probability
1 − v·(1 − s). A code dimension that becomes right is an *innovation* unless the market had
flipped it away from a value the code had right (then it is *re-learning*).

Learning from failure (problemistic search, Cyert & March 1963): a failed or escalated request is
a complaint that tells the organization what the customer needed. With probability
`failure_learning` it corrects the code on the request's topic, and each person who got it wrong
(the holder who failed it or escalated it, the receiver who passed it on) learns the customer's
true value.
"""

from __future__ import annotations

import numpy as np

from simorg import performance
from simorg.mechanisms import learning
from simorg.state import State


def organizational_learning(state: State, streams: dict[str, np.random.Generator]) -> None:
    lr = state.params.learning
    voice = None
    if lr.voice_hierarchy > 0:
        heard = 1.0 - lr.voice_hierarchy * (1.0 - state.practice)
        draw = streams["voice"].random(state.n, dtype=np.float32)
        voice = (state.structure.is_leader | (draw < heard))[None, :]
    if lr.turbulence > 0:  # the market moves first, as in March's program
        right = state.code == state.reality
        if state.task is None:
            learning.turbulence(state.reality, lr.turbulence, streams["knowledge"])
        else:
            _nk_market_moves(state, lr.turbulence, streams["knowledge"])
        now_wrong = state.code != state.reality
        state.flipped_away |= right & now_wrong
        state.flipped_away &= now_wrong  # a dimension the market flipped back is right again
    became_right = learning.knowledge_step(
        state.beliefs,
        state.code,
        state.reality,
        lr.socialization,
        lr.code_learning,
        streams["learning"],
        voice=voice,
        task=state.task,
    )
    _count_improvements(state, became_right)
    if state.department_code is not None:
        department_learning(state, voice, streams["department_codes"])


def _nk_market_moves(state: State, p4: float, rng: np.random.Generator) -> None:
    """Turbulence on an NK task: each dimension's contribution table is redrawn with probability
    p4 (`performance.nk_turbulence`); what is right (reality, the optimum) is found again."""
    assert state.task is not None
    if performance.nk_turbulence(state.task.landscape, p4, rng).any():
        state.task.refresh()
        state.reality[:] = state.task.optimum


def _departments(state: State) -> list[np.ndarray]:
    """The members of each department, in slot order."""
    dept = state.structure.department
    return [np.flatnonzero(dept == d) for d in range(state.structure.departments)]


def department_learning(state: State, voice: np.ndarray | None, rng: np.random.Generator) -> None:
    """Department codes (sub-unit routines), after the organization's: each department's code
    learns by March's rule from the members of that department who beat it (and have voice),
    and socializes only them (rate `department_socialization`), one department after the other.
    Members act again for their department's code (a second sample of the same beliefs, after
    this period's socialization into the organization's code)."""
    lr = state.params.learning
    assert state.department_code is not None
    for d, members in enumerate(_departments(state)):
        if len(members) == 0:
            continue
        sub = state.beliefs[:, members]
        learning.knowledge_step(
            sub,
            state.department_code[d : d + 1],
            state.reality,
            lr.department_socialization,
            lr.code_learning,
            rng,
            voice=None if voice is None else voice[:, members],
            task=state.task,
        )
        state.beliefs[:, members] = sub


def departments_settled(state: State) -> np.ndarray:
    """(1,) no department code nor its socialization can change anything more (voice ignored,
    as `simulate.at_equilibrium` does)."""
    lr = state.params.learning
    assert state.department_code is not None
    done = np.ones(1, dtype=bool)
    for d, members in enumerate(_departments(state)):
        done &= learning.settled(
            state.beliefs[:, members],
            state.department_code[d : d + 1],
            state.reality,
            np.zeros(0, dtype=np.intp),
            np.zeros(0, dtype=np.intp),
            "conformity",
            code_learns=lr.code_learning > 0,
            socializes=lr.department_socialization > 0,
            task=state.task,
        )
    return done


def learn_from_failure(
    state: State,
    topics: np.ndarray,
    people: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Complaints on `topics` (one per failed or escalated request) reach the code and the
    `people` (k, r) who handled each of them (-1 = nobody)."""
    p = state.params.learning.failure_learning
    if p <= 0 or len(topics) == 0:
        return
    truth = state.reality[0]
    wrong = state.code[0, topics] != truth[topics]
    fix = np.unique(topics[wrong & (rng.random(len(topics)) < p)])
    became = np.zeros((state.runs, state.m), dtype=bool)
    became[0, fix] = True
    state.code[0, fix] = truth[fix]
    _count_improvements(state, became)
    who = people.reshape(-1)
    topic = np.repeat(topics, people.shape[1])
    ok = (who >= 0) & (rng.random(len(who)) < p)
    who, topic = who[ok], topic[ok]
    was_wrong = state.beliefs[0, who, topic] != truth[topic]
    state.tally.lessons += state.people_per_run(who[was_wrong])
    state.beliefs[0, who, topic] = truth[topic]


def _count_improvements(state: State, became_right: np.ndarray) -> None:
    """Count code dimensions that became right ((R, m) bool) as innovations or re-learning."""
    again = became_right & state.flipped_away
    state.flipped_away &= ~became_right
    t = state.tally
    t.innovations += np.count_nonzero(became_right & ~again, axis=1)
    t.relearned += np.count_nonzero(again, axis=1)
