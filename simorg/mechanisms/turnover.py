"""People leave and join (MODEL.md process 8).

Each employee leaves with probability base_rate + trust_sensitivity × (1 − trust), where trust is the
mean of their trust in leadership and their mean tie trust. A new hire takes the slot: random
beliefs, practice drawn around the department's starting culture, starting trust in leadership, and
every tie of the slot back at the initial tie trust.
"""

from __future__ import annotations

import numpy as np

from simorg.mechanisms.culture import anchor_practice
from simorg.mechanisms.sampling import expand_rows
from simorg.scenario import Scenario
from simorg.state import State


def people_leave(state: State, sc: Scenario, rng: np.random.Generator) -> np.ndarray:
    """Replace leavers in place; returns their slots."""
    to = sc.turnover
    if to.base_rate == 0 and to.trust_sensitivity == 0:
        state.tally["leavers"] = 0.0
        return np.empty(0, dtype=np.int64)
    s = state.structure
    trust = (state.leadership_trust + state.mean_tie_trust()) / 2
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
    state.leadership_trust[slots] = sc.culture.leadership_trust
    _, ties = expand_rows(s.indptr, slots)  # every tie of a leaver, seen from both ends
    state.tie_trust[ties] = sc.conversation.initial_tie_trust
    state.tie_trust[s.reverse.take(ties)] = sc.conversation.initial_tie_trust
    anchor_practice(state)
    return slots
