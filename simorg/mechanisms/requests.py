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
from simorg.mechanisms.sampling import expand_rows
from simorg.randomness import RunStreams
from simorg.state import EXPERTISE_LEVELS, NO_REQUEST, State

AGE_TOLERANCE = 1e-9
"""A request's age grows by 1/handovers each round, in floating point: the tolerance keeps a
request that has waited exactly `request_limit` weeks from failing for a rounding error."""

ROUTE_OWNER, ROUTE_BROKER, ROUTE_SENDER = 3.0, 2.0, -1.0
"""Routing's strict priority as one number per candidate (the highest wins, ties at random): a
colleague in the owning department 3 (one more for a report of the holder who can answer:
managers know what their reports know), someone with a tie into it 2, the holder's manager 1
(a True added), anyone 0, and the sender who just handed the request over −1 (never straight
back)."""


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
    at = people * state.m + topic  # flat (person, topic) index: one take, not 2-D indexing
    right = state.beliefs.reshape(-1).take(at) == reality_of(state, people, topic)
    expert = state.structure.department.take(people) == state.dimension_owner.take(topic)
    p_out = state.params.customers.outside_expertise
    if p_out > 0:
        expert |= state.expertise_draw.reshape(-1).take(at) < EXPERTISE_LEVELS * p_out
    return right & expert


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
    resolver, topic = state.request_holder.take(done), state.request_topic.take(done)
    memory = state.known_expert.reshape(-1)  # a view: known_expert is C-contiguous
    k = draw_sizes(done, state.run_customers, state.runs)
    for who in (state.request_receiver.take(done), state.request_from.take(done)):
        ok = (who >= 0) & (who != resolver)
        if p < 1:
            ok &= rng.random(k) < p
        ok = np.flatnonzero(ok)
        memory[who.take(ok) * state.m + topic.take(ok)] = resolver.take(ok)


def _pass_along(
    state: State, waiting: np.ndarray, rng: RunStreams
) -> tuple[np.ndarray, np.ndarray]:
    """One hand-over round for the waiting requests; returns the boundary crossings per run and
    the escalations as a flat array of (topic, holder, manager) triples."""
    structure = state.structure
    none = np.empty(0, dtype=np.int64)
    if len(waiting) == 0:
        return np.zeros(state.runs), none
    cu = state.params.customers
    holder = state.request_holder.take(waiting)
    topic = state.request_topic.take(waiting)
    to = np.full(len(waiting), -1, dtype=np.int64)
    trust = np.full(len(waiting), state.params.conversation.initial_tie_trust)

    # the holder could not answer: whoever sent it here because they remembered the holder as
    # the one who knows this topic forgets that (the memory is corrected by experience)
    sender = state.request_from.take(waiting)
    m = state.m
    mem = state.known_expert.reshape(-1)  # flat (person, topic) memory: a view
    wrong = np.flatnonzero(sender >= 0)
    at = sender.take(wrong) * m + topic.take(wrong)
    mem[at.compress(mem.take(at) == holder.take(wrong))] = -1
    expert = mem.take(holder * m + topic)
    use_expert = (expert >= 0) & (expert != holder)
    np.copyto(to, expert, where=use_expert)
    boss = structure.manager.take(holder)
    escalate = ~use_expert & (boss >= 0)
    if cu.escalate_after > 0:
        escalate &= state.request_held.take(waiting) >= cu.escalate_after
    else:
        escalate[:] = False
    np.copyto(to, boss, where=escalate)

    route = np.flatnonzero(to < 0)
    h = holder.take(route)
    pos, tie = expand_rows(structure.indptr, h)
    if len(tie):
        nb = structure.indices.take(tie)
        j = topic.take(route).take(pos)
        h = h.take(pos)
        want = state.dimension_owner.take(j)
        in_owner = structure.department.take(nb) == want
        # strict priority, one number per candidate (ROUTE_OWNER etc.)
        broker = state.reaches_department().reshape(-1).take(nb * structure.departments + want)
        broker &= ~in_owner
        score = in_owner * ROUTE_OWNER
        score += broker * ROUTE_BROKER
        score += (nb == structure.manager.take(h)) & ~in_owner & ~broker
        report = in_owner & (structure.manager.take(nb) == h)
        mine = np.flatnonzero(report)  # the few reports in the owning department: do they know?
        nm, jm = nb.take(mine), j.take(mine)
        report[mine] = belief_of(state, nm, jm) == reality_of(state, nm, jm)
        score += report
        score[nb == state.request_from.take(waiting.take(route)).take(pos)] = ROUTE_SENDER
        best = _best_per_row(pos, score, rng, draw_sizes(h, state.run_size, state.runs))
        chosen = route.take(pos.take(best))
        to[chosen] = nb.take(best)
        trust[chosen] = state.tie_trust.take(tie.take(best))

    decisions.routing(state, waiting, holder, to, escalate, trust)  # human players (workshop)
    has = np.flatnonzero(to >= 0)
    frm, dst = holder.take(has), to.take(has)
    d = structure.department
    crossing = d.take(frm) != d.take(dst)
    p = state.practice
    perm = np.minimum(state.permeability.take(d.take(frm)), state.permeability.take(d.take(dst)))
    chance = perm * ((p.take(frm) + p.take(dst)) / 2 + trust.take(has)) / 2
    moves = ~crossing | (rng.random(draw_sizes(frm, state.run_size, state.runs)) < chance)
    moved = waiting[has[moves]]
    state.request_held[waiting] += 1
    state.request_holder[moved] = dst[moves]
    state.request_from[moved] = frm[moves]
    state.request_held[moved] = 0
    esc = has[moves & escalate.take(has)]
    triples = np.stack([topic.take(esc), holder.take(esc), to.take(esc)], axis=1).reshape(-1)
    return state.customers_per_run(waiting[has[crossing & moves]]), triples.astype(np.int64)


def _best_per_row(
    pos: np.ndarray, score: np.ndarray, rng: RunStreams, sizes: int | np.ndarray
) -> np.ndarray:
    """Index of the highest score in each stretch of equal `pos` (sorted, as expand_rows gives
    them), ties broken at random (`sizes`: the candidates per run): one pass, no sort."""
    key = score + rng.random(sizes)
    first = np.flatnonzero(pos[1:] != pos[:-1])
    first += 1
    first = np.concatenate(([0], first))
    top = np.maximum.reduceat(key, first)
    hit = np.flatnonzero(key == np.repeat(top, np.diff(first, append=len(key))))
    if len(hit) == len(first):  # one best per row (exact draws of the same key are rare)
        return hit
    at = pos.take(hit)
    return hit[np.concatenate(([True], at[1:] != at[:-1]))]
