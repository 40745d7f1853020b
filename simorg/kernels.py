"""Compiled inner loops of the mechanisms (numba), for work that is many small steps per item.

A mechanism that handles each request or contact in a dozen numpy calls spends most of its time
in the calls themselves when there are a few thousand items (about 10 µs each on arrays of that
size). Here such loops are written once as plain loops and compiled. The kernels make no random
draws: the caller draws with numpy, in the order and sizes it always has, and hands the draws
over, so a kernel gives bit for bit what the numpy code gave. Passes over every tie (colleagues
talk) wait on memory, not on numpy: compiled, they were no faster in the step, so they stay numpy.

Imported only when a step runs (numba takes about a second to import), never by `simorg --help`
or the explorer's start; compiled code is cached beside this file (numba's `cache=True`; numba's
user cache folder when this one is read-only), so only the first run after an install compiles.
"""

from __future__ import annotations

import numba
import numpy as np

from simorg.mechanisms.requests import ROUTE_BROKER, ROUTE_OWNER, ROUTE_SENDER


@numba.njit(cache=True, nogil=True)
def route_along_ties(
    indptr: np.ndarray,
    indices: np.ndarray,
    holder: np.ndarray,
    topic: np.ndarray,
    sender: np.ndarray,
    owner: np.ndarray,
    department: np.ndarray,
    manager: np.ndarray,
    reach: np.ndarray,
    beliefs: np.ndarray,
    reality: np.ndarray,
    run_size: int,
    u: np.ndarray,
    best: np.ndarray,
) -> None:
    """For each request i (held by holder[i], on topic[i], handed over by sender[i]), the tie of
    the holder whose candidate scores highest (requests.ROUTE_OWNER etc.; u: one uniform per
    candidate, in order, breaks ties): best[i] its tie index, -1 for a holder without ties.

    reach (n, D) bool; beliefs (n, m); reality (R, m), person p's run p // run_size."""
    c = 0
    for i in range(len(holder)):
        h, j = holder[i], topic[i]
        want = owner[j]
        boss = manager[h]
        top = -np.inf
        pick = -1
        for e in range(indptr[h], indptr[h + 1]):
            nb = indices[e]
            if nb == sender[i]:
                score = ROUTE_SENDER
            elif department[nb] == want:
                score = ROUTE_OWNER
                if manager[nb] == h and beliefs[nb, j] == reality[nb // run_size, j]:
                    score += 1.0
            elif reach[nb, want]:
                score = ROUTE_BROKER
            elif nb == boss:
                score = 1.0
            else:
                score = 0.0
            key = score + u[c]
            c += 1
            if key > top:
                top = key
                pick = e
        best[i] = pick


@numba.njit(cache=True, nogil=True)
def expert_or_boss(
    holder: np.ndarray,
    topic: np.ndarray,
    sender: np.ndarray,
    held: np.ndarray,
    manager: np.ndarray,
    known_expert: np.ndarray,
    escalate_after: int,
    to: np.ndarray,
    escalate: np.ndarray,
) -> None:
    """The first two routes of requests that could not be answered (requests._pass_along): the
    sender who remembered the holder as the one who knows the topic forgets that (all of them
    first); then each holder hands the request to the expert they remember (to[i]), or, kept
    `escalate_after` hand-overs (> 0) without progress, to their manager (escalate[i]).
    known_expert (n, m) int, -1 for nobody; to[i] stays -1 where neither applies."""
    for i in range(len(holder)):
        s = sender[i]
        if s >= 0 and known_expert[s, topic[i]] == holder[i]:
            known_expert[s, topic[i]] = -1
    for i in range(len(holder)):
        h = holder[i]
        expert = known_expert[h, topic[i]]
        if expert >= 0 and expert != h:
            to[i] = expert
        elif escalate_after > 0 and manager[h] >= 0 and held[i] >= escalate_after:
            to[i] = manager[h]
            escalate[i] = True


@numba.njit(cache=True, nogil=True)
def hand_over(
    waiting: np.ndarray,
    has: np.ndarray,
    holder: np.ndarray,
    to: np.ndarray,
    trust: np.ndarray,
    escalate: np.ndarray,
    topic: np.ndarray,
    department: np.ndarray,
    permeability: np.ndarray,
    practice: np.ndarray,
    u: np.ndarray,
    request_holder: np.ndarray,
    request_from: np.ndarray,
    request_held: np.ndarray,
    run_customers: int,
    crossings: np.ndarray,
    escalations: np.ndarray,
) -> int:
    """The hand-overs of waiting requests (customers `waiting`) to their chosen receivers
    (to[i] for i in `has`): inside a department it always happens, across a boundary with
    probability min(π_a, π_b)·((s_a + s_b)/2 + t)/2 against u (one uniform per item of `has`).
    Every waiting request counts one more hand-over kept; a moved one starts again at 0 with its
    new holder and who handed it over. Counts each run's boundary crossings (`crossings`, (R,))
    and writes the escalations that moved as (topic, holder, manager) triples into
    `escalations`; returns how many values it wrote there."""
    for i in range(len(waiting)):
        request_held[waiting[i]] += 1
    k = 0
    for c in range(len(has)):
        i = has[c]
        a, b = holder[i], to[i]
        da, db = department[a], department[b]
        crossing = da != db
        if crossing:
            perm = min(permeability[da], permeability[db])
            chance = perm * ((practice[a] + practice[b]) / 2 + trust[i]) / 2
            if not u[c] < chance:
                continue
            crossings[waiting[i] // run_customers] += 1.0
        customer = waiting[i]
        request_holder[customer] = b
        request_from[customer] = a
        request_held[customer] = 0
        if escalate[i]:
            escalations[k] = topic[i]
            escalations[k + 1] = a
            escalations[k + 2] = b
            k += 3
    return k


@numba.njit(cache=True, nogil=True)
def propose_ties(
    start: np.ndarray,
    degree: np.ndarray,
    accept: np.ndarray,
    u: np.ndarray,
    tie: np.ndarray,
    redo: np.ndarray,
) -> int:
    """One round of sampling.choose_ties' rejection sampling: entry i proposes tie
    start[i] + ⌊u[i]·degree[i]⌋ (tie[i]) and keeps it when the fractional part of u[i]·degree[i]
    is below the tie's `accept`; the entries that did not keep theirs go into `redo` (in order);
    returns how many."""
    k = 0
    for i in range(len(start)):
        x = u[i] * degree[i]
        pick = np.intp(x)
        tie[i] = start[i] + pick
        redo[k] = i
        k += x - pick >= accept[tie[i]]
    return k


@numba.njit(cache=True, nogil=True)
def can_answer(
    people: np.ndarray,
    topic: np.ndarray,
    beliefs: np.ndarray,
    reality: np.ndarray,
    run_size: int,
    department: np.ndarray,
    owner: np.ndarray,
    expertise_draw: np.ndarray,
    outside: float,
    knows: np.ndarray,
) -> None:
    """knows[i]: person people[i] can answer a question on topic[i] (requests.can_answer): their
    belief is right (reality (R, m), person p's run p // run_size) and they are of the owning
    department or have outside expertise (expertise_draw (n, m) below `outside`)."""
    for i in range(len(people)):
        p, j = people[i], topic[i]
        right = beliefs[p, j] == reality[p // run_size, j]
        expert = department[p] == owner[j] or expertise_draw[p, j] < outside
        knows[i] = right and expert


@numba.njit(cache=True, nogil=True)
def remember(
    resolver: np.ndarray,
    topic: np.ndarray,
    receiver: np.ndarray,
    sender: np.ndarray,
    u_receiver: np.ndarray,
    u_sender: np.ndarray,
    p: float,
    known_expert: np.ndarray,
) -> None:
    """Transactive memory (requests._remember): for each resolved request, its receiver, then
    (in a second pass) whoever handed it to the resolver, remembers the resolver as the one who
    knows its topic, unless they are the resolver or nobody (-1); with p < 1 only where their
    uniform (u_receiver, u_sender; empty for p = 1) is below p. Later writes win."""
    for who, u in ((receiver, u_receiver), (sender, u_sender)):
        for i in range(len(resolver)):
            w = who[i]
            if w >= 0 and w != resolver[i] and (p >= 1.0 or u[i] < p):
                known_expert[w, topic[i]] = resolver[i]
