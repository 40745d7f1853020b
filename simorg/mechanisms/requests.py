"""Customers speak and requests travel (MODEL.md processes 2 and 3).

A request on dimension j belongs to the department that owns j. It is resolved when it sits with
someone of that department whose belief on j is right, or when the organizational code is right on j.
Otherwise its holder hands it along one tie per step toward the owning department: to a colleague in
that department if they know one, else to someone who does, else up to their manager, else anyone. A
hand-over across a department boundary succeeds with probability
permeability × (mean practice of both + their mutual trust) / 2; inside a department it always does.
"""

from __future__ import annotations

import numpy as np

from simorg.mechanisms.sampling import best_tie_per_group, expand_rows
from simorg.scenario import Scenario
from simorg.state import NO_REQUEST, State


def customers_speak(state: State, sc: Scenario, rng: np.random.Generator) -> None:
    cu = sc.customers
    s = state.structure
    idle = state.request_topic == NO_REQUEST
    raising = np.flatnonzero(idle & (rng.random(len(idle), dtype=np.float32) < cu.request_rate))
    state.tally["requests_opened"] = float(len(raising))
    if len(raising) == 0:
        return
    topic = state.needs[raising, rng.integers(0, state.needs.shape[1], size=len(raising))]
    facing = np.flatnonzero(state.customer_facing)
    acknowledged = len(facing) > 0
    if not acknowledged:  # nobody on public channels: the Customer Service queue
        facing = np.flatnonzero(s.department == 0)
    receiver = facing[rng.integers(0, len(facing), size=len(raising))]
    state.request_topic[raising] = topic
    state.request_holder[raising] = receiver
    state.request_receiver[raising] = receiver
    state.request_age[raising] = 0
    state.request_acknowledged[raising] = acknowledged


def requests_travel(
    state: State, sc: Scenario, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Resolve what can be resolved, pass the rest along; returns (resolved, failed) customers."""
    s = state.structure
    open_ = np.flatnonzero(state.request_topic != NO_REQUEST)
    holder = state.request_holder[open_]
    topic = state.request_topic[open_]
    owner = state.dimension_owner[topic]
    right_here = (s.department[holder] == owner) & (
        state.beliefs[0, holder, topic] == state.reality[0, topic]
    )
    right = right_here | (state.code[0, topic] == state.reality[0, topic])
    resolved = open_[right]

    waiting = open_[~right]
    _pass_along(state, waiting, rng)
    state.request_age[waiting] += 1
    failed = waiting[state.request_age[waiting] > sc.customers.request_limit]
    return resolved, failed


def _pass_along(state: State, waiting: np.ndarray, rng: np.random.Generator) -> None:
    s = state.structure
    if len(waiting) == 0:
        return
    holder = state.request_holder[waiting]
    owner = state.dimension_owner[state.request_topic[waiting]]
    pos, tie = expand_rows(s.indptr, holder)
    if len(tie) == 0:
        return
    nb = s.indices[tie]
    reaches = state.reaches_department()
    want = owner[pos]
    # strict priority: a colleague in the owning department, else someone who knows one there,
    # else one's manager, else anyone
    score = np.where(
        s.department[nb] == want,
        3.0,
        np.where(reaches[nb, want], 2.0, np.where(nb == s.manager[holder[pos]], 1.0, 0.0)),
    )
    which, best = best_tie_per_group(pos, tie, score, rng)
    frm, to = holder[which], s.indices[best]
    crossing = s.department[frm] != s.department[to]
    p = state.practice
    perm = np.minimum(state.permeability[s.department[frm]], state.permeability[s.department[to]])
    chance = perm * ((p[frm] + p[to]) / 2 + state.tie_trust[best]) / 2
    moves = ~crossing | (rng.random(len(which)) < chance)
    state.request_holder[waiting[which[moves]]] = to[moves]
    state.tally["crossings"] = float((crossing & moves).sum())
