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

from simorg import batch, performance
from simorg.mechanisms import learning
from simorg.randomness import RunStreams
from simorg.state import State


def organizational_learning(state: State, streams: dict[str, RunStreams]) -> None:
    lr = state.params.learning
    voice = None
    if lr.voice_hierarchy > 0:  # one draw per person, each run from its own stream
        heard = 1.0 - lr.voice_hierarchy * (1.0 - state.practice)
        draw = streams["voice"].random(state.everyone(), dtype=np.float32)
        voice = (state.structure.is_leader | (draw < heard)).reshape(state.runs, -1)
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


def _nk_market_moves(state: State, p4: float, rng: RunStreams) -> None:
    """Turbulence on an NK task: each dimension's contribution table is redrawn with probability
    p4 (`performance.nk_turbulence`); what is right (reality, the optimum) is found again, in
    the runs whose landscape moved."""
    task = state.task
    assert task is not None
    moved = performance.nk_turbulence(task.landscape, p4, rng).any(axis=1)
    if state.runs == 1:
        if moved[0]:
            task.refresh()
            state.reality[:] = task.optimum
        return
    runs = np.flatnonzero(moved)
    if len(runs):
        task.refresh(runs)
        state.reality[runs] = task.optimum[runs]


def _departments(state: State) -> list[np.ndarray]:
    """The members of each department, in slot order (of run 0: every run of a batch has the
    same departments, slot by slot; `department_learning` checks)."""
    dept = state.structure.department[: state.run_size]
    return [np.flatnonzero(dept == d) for d in range(state.structure.departments)]


def department_learning(state: State, voice: np.ndarray | None, rng: RunStreams) -> None:
    """Department codes (sub-unit routines), after the organization's: each department's code
    learns by March's rule from the members of that department who beat it (and have voice),
    and socializes only them (rate `department_socialization`), one department after the other.
    Members act again for their department's code (a second sample of the same beliefs, after
    this period's socialization into the organization's code).

    A batch takes department d of every run at once (run r's code is row r·D + d of
    `department_code`); each run draws from its own stream department 0's numbers, then
    department 1's, ..., as it does alone."""
    lr = state.params.learning
    assert state.department_code is not None
    D = state.structure.departments
    if state.runs > 1:
        dept = state.structure.department.reshape(state.runs, -1)
        if not (dept == dept[0]).all():
            raise ValueError("the runs of a batch must have the same departments")
    for d, members in enumerate(_departments(state)):
        if len(members) == 0:
            continue
        sub = state.beliefs[:, members]
        learning.knowledge_step(
            sub,
            state.department_code[d::D],  # (R, m) rows r·D + d: a view
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


def complaints(
    state: State, failed: np.ndarray, esc_topics: np.ndarray, esc_people: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The complaints of this step for `learn_from_failure`: the failed requests (customers,
    their topic, holder and receiver), then the escalations (topics, (holder, manager)). In a
    batch each part comes run-major; the whole is made run-major, each run's failures before its
    escalations, as the run alone has them."""
    topics = np.concatenate([state.request_topic[failed], esc_topics])
    people = np.concatenate(
        [np.stack([state.request_holder[failed], state.request_receiver[failed]], 1), esc_people]
    )
    if state.runs > 1:
        order = batch.run_major(people[:, 0] // state.run_size, state.runs)
        topics, people = topics[order], people[order]
    return topics, people


def learn_from_failure(
    state: State,
    topics: np.ndarray,
    people: np.ndarray,
    rng: RunStreams,
) -> None:
    """Complaints on `topics` (one per failed or escalated request) reach the code and the
    `people` (k, r) who handled each of them (-1 = nobody; the first, who held the request,
    always someone). In a batch the complaints come run-major (each run's in the order the run
    alone has them) and each reaches its own run's code and people."""
    p = state.params.learning.failure_learning
    if p <= 0 or len(topics) == 0:
        return
    m = state.m
    if state.runs == 1:
        key = topics  # (run, topic) as one number: run·m + topic
        counts: int | np.ndarray = len(topics)
    else:
        run = people[:, 0] // state.run_size
        key = run * m + topics
        counts = np.bincount(run, minlength=state.runs)
    truth = state.reality.reshape(-1)  # (R·m,): run·m + topic
    wrong = state.code.reshape(-1)[key] != truth[key]
    fix = np.unique(key[wrong & (rng.random(counts) < p)])  # sorted by run, then topic
    became = np.zeros((state.runs, m), dtype=bool)
    run_fixed, topic_fixed = np.divmod(fix, m)
    became[run_fixed, topic_fixed] = True
    state.code[run_fixed, topic_fixed] = truth[fix]
    _count_improvements(state, became)
    k = people.shape[1]
    who = people.reshape(-1)
    cell = np.repeat(key, k)
    ok = (who >= 0) & (rng.random(counts * k) < p)
    who, cell = who[ok], cell[ok]
    slot = np.divmod(who, state.run_size)  # (run, person of the run)
    topic = cell % m
    was_wrong = state.beliefs[slot[0], slot[1], topic] != truth[cell]
    state.tally.lessons += state.people_per_run(who[was_wrong])
    state.beliefs[slot[0], slot[1], topic] = truth[cell]


def _count_improvements(state: State, became_right: np.ndarray) -> None:
    """Count code dimensions that became right ((R, m) bool) as innovations or re-learning."""
    again = became_right & state.flipped_away
    state.flipped_away &= ~became_right
    t = state.tally
    t.innovations += np.count_nonzero(became_right & ~again, axis=1)
    t.relearned += np.count_nonzero(again, axis=1)
