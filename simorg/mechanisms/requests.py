"""Customers speak and requests travel (processes 2 and 3): requests are answered by people.

A request on dimension j belongs to the department that owns j. Its holder answers it when they
know the answer: their belief on j is right and they are in the owning department (or, with
probability `outside_expertise`, they can answer it from outside). The organizational code never
answers a customer by itself; it shapes what people believe (socialization).

A holder who cannot answer passes the request on, up to `handovers` times per step (a week), so a
request that must cross the organization takes days to weeks. In order of preference the holder
hands it (1) to the person they remember answering this topic before (transactive memory, Wegner
1987), (2) to their manager after keeping it `escalate_after` hand-overs without progress
(escalation), or (3) along a tie: to a report they know can answer (a manager knows what their
reports know), a colleague in the owning department, someone who knows someone there, the
manager, anyone, never straight back to who handed it over. A hand-over across a department
boundary succeeds with probability min(π_a, π_b)·((s_a + s_b)/2 + t_ab)/2 (t_ab the tie's trust,
or a first meeting's for a remembered expert); inside a department it always does. When a request
is resolved, its receiver and whoever handed it to the resolver remember who answered the topic;
who handed a request to a remembered expert who then cannot answer it forgets them.

In a batch of runs (simorg.batch) every run draws its own numbers: the draws go per run, over
items kept run-major (each run's in the order the run alone has them), so run r gives exactly
what it gives alone.
"""

from __future__ import annotations

import numpy as np

from simorg import decisions
from simorg.batch import draw_sizes, in_run_order, pick_in_runs
from simorg.randomness import RunStreams
from simorg.state import EXPERTISE_LEVELS, NO_REQUEST, State

AGE_TOLERANCE = 1e-9
"""A request's age grows by 1/handovers each round, in floating point: the tolerance keeps a
request that has waited exactly `request_limit` weeks from failing for a rounding error."""

ROUTE_OWNER, ROUTE_BROKER, ROUTE_SENDER = 3.0, 2.0, -1.0
"""Routing's strict priority as one number per candidate (the highest wins, ties at random): a
colleague in the owning department 3 (one more for a report of the holder who can answer:
managers know what their reports know), someone with a tie into it 2, the holder's manager 1
(a True added), anyone 0, and the sender who just handed the request over −1 (no ping-pong: they
get it back only when they are the holder's only tie)."""


def reality_of(state: State, people: np.ndarray, topic: np.ndarray) -> np.ndarray:
    """The true value of `topic` in each person's run (reality[0] for a run alone)."""
    if state.runs == 1:
        return state.reality[0].take(topic)
    return state.reality.reshape(-1).take(people // state.run_size * state.m + topic)


def belief_of(state: State, people: np.ndarray, topic: np.ndarray) -> np.ndarray:
    """Each person's belief on `topic` (people are batch slots)."""
    return state.beliefs.reshape(-1).take(people * state.m + topic)


def customers_speak(state: State, rng: RunStreams) -> np.ndarray:
    """Customers without an open request raise one with probability λ; returns who raised one
    (run-major)."""
    cu = state.params.customers
    structure = state.structure
    idle = (state.request_topic == NO_REQUEST) & state.customer_active
    draw = rng.random(state.every_customer(), dtype=np.float32)
    raising = np.flatnonzero(idle & (draw < cu.request_rate))
    state.tally.requests_opened = state.customers_per_run(raising)
    if len(raising) == 0:
        return raising
    k = draw_sizes(raising, state.run_customers, state.runs)
    topic = state.needs[raising, rng.integers(0, state.needs.shape[1], k)]
    # each run's customer-facing people, or (nobody on public channels) its Customer Service queue
    R, n = state.runs, state.run_size
    pool = np.flatnonzero(state.customer_facing)
    count = draw_sizes(pool, n, R)
    acknowledged = np.asarray(count) > 0
    if not acknowledged.all():
        queue = (structure.department == 0) & np.repeat(~acknowledged, n)
        pool = np.flatnonzero(state.customer_facing | queue)
        count = draw_sizes(pool, n, R)
    receiver = pick_in_runs(rng, pool, count, k)
    ack = bool(acknowledged) if R == 1 else np.repeat(acknowledged, k)
    open_request(state, raising, topic, receiver, ack)
    return raising


def open_request(
    state: State,
    customers: np.ndarray,
    topic: np.ndarray,
    receiver: np.ndarray,
    ack: bool | np.ndarray,
) -> None:
    state.request_topic[customers] = topic
    state.request_holder[customers] = receiver
    state.request_receiver[customers] = receiver
    state.request_age[customers] = 0.0
    state.request_acknowledged[customers] = ack
    state.request_held[customers] = 0
    state.request_from[customers] = -1


def can_answer(state: State, people: np.ndarray, topic: np.ndarray) -> np.ndarray:
    """Whether each person can answer a question on `topic`: a right belief, and expertise: the
    owning department's, or (a fixed share `outside_expertise` of person-topic pairs, drawn at
    hire) an outsider's."""
    from simorg import kernels

    knows = np.empty(len(people), dtype=bool)
    kernels.can_answer(
        people,
        topic,
        state.beliefs.reshape(-1, state.m),
        state.reality,
        state.run_size,
        state.structure.department,
        state.dimension_owner,
        state.expertise_draw,
        EXPERTISE_LEVELS * state.params.customers.outside_expertise,
        knows,
    )
    return knows


def requests_travel(
    state: State, rng: RunStreams
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Answer what can be answered, pass the rest on, `handovers` rounds per step.

    Returns (resolved, failed) customers and the escalations of this step as (topics, (k, 2)
    people: the holder who escalated and the manager who received it), all run-major."""
    cu = state.params.customers
    dt = 1.0 / cu.handovers
    open_ = np.flatnonzero(state.request_topic != NO_REQUEST)
    resolved: list[np.ndarray] = []
    escalations: list[np.ndarray] = []
    crossings = np.zeros(state.runs)
    for _ in range(cu.handovers):
        if len(open_) == 0:
            break
        holder = state.request_holder.take(open_)
        knows = can_answer(state, holder, state.request_topic.take(open_))
        knows = decisions.answering(state, open_, holder, knows)  # human players (workshop)
        done = open_[knows]
        _remember(state, done, rng)
        resolved.append(done)
        open_ = open_[~knows]
        crossed, escalated = _pass_along(state, open_, rng)
        crossings += crossed
        escalations.append(escalated)
        state.request_age[open_] += dt
    failed = open_[state.request_age.take(open_) > cu.request_limit + AGE_TOLERANCE]
    esc = np.concatenate(escalations) if escalations else np.empty(0, dtype=np.int64)
    esc = esc.reshape(-1, 3)
    done = np.concatenate(resolved) if resolved else open_[:0]
    if state.runs > 1:  # the rounds one after another: each run's own, round by round
        (done,) = in_run_order(done // state.run_customers, state.runs, done)
        (esc,) = in_run_order(esc[:, 1] // state.run_size, state.runs, esc)
    state.tally.crossings = crossings
    state.tally.escalations = state.people_per_run(esc[:, 1])
    return done, failed, esc[:, 0], esc[:, 1:]


def _remember(state: State, done: np.ndarray, rng: RunStreams) -> None:
    """Who received a resolved request and who handed it to the resolver remember the resolver
    as the one who knows its topic (transactive memory); see _pass_along for forgetting."""
    p = state.params.learning.transactive_memory
    if p <= 0 or len(done) == 0:
        return
    from simorg.kernels import remember

    k = draw_sizes(done, state.run_customers, state.runs)
    u_receiver = rng.random(k) if p < 1 else np.empty(0)  # the receivers' draws, then senders'
    u_sender = rng.random(k) if p < 1 else np.empty(0)
    remember(
        state.request_holder.take(done),
        state.request_topic.take(done),
        state.request_receiver.take(done),
        state.request_from.take(done),
        u_receiver,
        u_sender,
        p,
        state.known_expert,
    )


def _pass_along(
    state: State, waiting: np.ndarray, rng: RunStreams
) -> tuple[np.ndarray, np.ndarray]:
    """One hand-over round for the waiting requests; returns the boundary crossings per run and
    the escalations as a flat array of (topic, holder, manager) triples. The loops over requests
    and their holders' ties are compiled (simorg.kernels); the draws are made here."""
    from simorg import kernels

    structure = state.structure
    crossings = np.zeros(state.runs)
    if len(waiting) == 0:
        return crossings, np.empty(0, dtype=np.int64)
    holder = state.request_holder.take(waiting)
    topic = state.request_topic.take(waiting)
    sender = state.request_from.take(waiting)
    to = np.full(len(waiting), -1, dtype=np.int64)
    escalate = np.zeros(len(waiting), dtype=bool)
    trust = np.full(len(waiting), state.params.conversation.initial_tie_trust)
    # the holder could not answer: who sent it here remembering the holder as the one who knows
    # forgets that (memory corrected by experience); the holder's own remembered expert, or
    # after a wait the manager (escalation)
    kernels.expert_or_boss(
        holder,
        topic,
        sender,
        state.request_held.take(waiting),
        structure.manager,
        state.known_expert,
        state.params.customers.escalate_after,
        to,
        escalate,
    )
    # the rest along a tie, by routing's priorities (ROUTE_OWNER etc.), ties at random
    route = np.flatnonzero(to < 0)
    h = holder.take(route)
    degree = state.degree().take(h)  # each holder's candidates: one draw per tie
    if state.runs == 1:
        sizes: int | np.ndarray = int(degree.sum())
    else:
        sizes = np.bincount(h // state.run_size, weights=degree, minlength=state.runs)
        sizes = sizes.astype(np.int64)
    if np.any(sizes):
        u = rng.random(sizes)  # one per candidate tie: breaks ties between equal scores
        best = np.empty(len(route), dtype=np.int64)
        kernels.route_along_ties(
            structure.indptr,
            structure.indices,
            h,
            topic.take(route),
            sender.take(route),
            state.dimension_owner,
            structure.department,
            structure.manager,
            state.reaches_department(),
            state.beliefs.reshape(-1, state.m),
            state.reality,
            state.run_size,
            u,
            best,
        )
        found = best >= 0
        chosen = route[found]
        tie = best[found]
        to[chosen] = structure.indices.take(tie)
        trust[chosen] = state.tie_trust.take(tie)

    decisions.routing(state, waiting, holder, to, escalate, trust)  # human players (workshop)
    has = np.flatnonzero(to >= 0)
    u = rng.random(draw_sizes(holder.take(has), state.run_size, state.runs))
    triples = np.empty(3 * len(has), dtype=np.int64)
    k = kernels.hand_over(
        waiting,
        has,
        holder,
        to,
        trust,
        escalate,
        topic,
        structure.department,
        state.permeability,
        state.practice,
        u,
        state.request_holder,
        state.request_from,
        state.request_held,
        max(state.run_customers, 1),
        crossings,
        triples,
    )
    return crossings, triples[:k]
