"""People leave and join (process 8).

Each employee leaves with probability base_rate + trust_sensitivity × (1 − trust), where trust is
the mean of their trust in leadership and their trust over the ties they use (Mobley 1977: low
attachment drives the intention to quit). A new hire takes the slot: random beliefs, practice drawn
around the department's starting culture, the starting trust in leadership, a stranger's trust
(`newcomer_trust`) on every tie of the slot, both ways, and no recent contact on them (their ties
are dormant until used); they remember no expert. Colleagues who remembered the leaver as the one
who answers a topic keep asking the position until the new hire fails to answer (requests.py). A
new leader takes up the department's walk-the-talk.
"""

from __future__ import annotations

import numpy as np

from simorg.mechanisms.culture import commit_leaders, keep_media_team
from simorg.mechanisms.sampling import expand_rows
from simorg.state import State


def people_leave(state: State, rng: np.random.Generator) -> np.ndarray:
    """Replace leavers in place; returns their slots."""
    sc = state.params
    to = sc.turnover
    if to.base_rate == 0 and to.trust_sensitivity == 0:
        state.tally["leavers"] = 0.0
        return np.empty(0, dtype=np.int64)
    s = state.structure
    trust = (state.leadership_trust + state.trust_in_use()) / 2
    leave = rng.random(s.n, dtype=np.float32) < to.base_rate + to.trust_sensitivity * (1.0 - trust)
    slots = np.flatnonzero(leave)
    state.tally["leavers"] = float(len(slots))
    if len(slots) == 0:
        return slots
    m = state.m
    state.beliefs[0, slots] = rng.integers(-1, 2, size=(len(slots), m), dtype=np.int8)
    start = state.department_culture[s.department[slots]]
    fresh = np.clip(start + sc.culture.practice_spread * rng.standard_normal(len(slots)), 0, 1)
    state.practice[slots] = fresh
    state.old_practice[slots] = fresh
    state.friction[slots] = 0.0
    state.seen_target[slots] = np.nan
    state.leadership_trust[slots] = sc.culture.leadership_trust
    _, ties = expand_rows(s.indptr, slots)  # every tie of a leaver, seen from both ends
    for side in (ties, s.reverse.take(ties)):
        state.tie_trust[side] = to.newcomer_trust
        state.tie_recent[side] = 0.0
    state.known_expert[slots] = -1
    state.expertise_draw[slots] = rng.integers(0, 256, size=(len(slots), m), dtype=np.uint8)
    commit_leaders(state, slots)
    keep_media_team(state)
    old = state.old_practice
    old[slots] = state.practice[slots]
    return slots
