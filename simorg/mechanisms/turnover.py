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

from simorg.batch import draw_sizes
from simorg.mechanisms.culture import commit_leaders, keep_media_team
from simorg.mechanisms.sampling import expand_rows
from simorg.randomness import RunStreams
from simorg.state import EXPERTISE_LEVELS, State


def people_leave(state: State, rng: RunStreams) -> np.ndarray:
    """Replace leavers in place; returns their slots (run-major in a batch, each run drawing
    its own leavers and then its own newcomers, as alone)."""
    sc = state.params
    to = sc.turnover
    if to.base_rate == 0 and to.trust_sensitivity == 0:
        state.tally.leavers = np.zeros(state.runs)
        return np.empty(0, dtype=np.int64)
    structure = state.structure
    u = rng.random(state.everyone(), dtype=np.float32)
    # trust is in [0, 1], so only who drew below the zero-trust chance can leave: their trust
    # alone is computed (as row sums, so the numbers are those of everyone's)
    maybe = np.flatnonzero(u < np.float64(to.base_rate + to.trust_sensitivity))
    trust = (state.leadership_trust.take(maybe) + state.trust_in_use_rows(maybe)) / 2
    leave = u.take(maybe) < to.base_rate + to.trust_sensitivity * (1.0 - trust)
    slots = maybe[leave]
    state.tally.leavers = state.people_per_run(slots)
    if len(slots) == 0:
        return slots
    m, n = state.m, state.run_size
    counts = draw_sizes(slots, n, state.runs)  # newcomers per run: each run draws its own
    beliefs = rng.integers(-1, 2, counts, np.int8, tail=(m,))
    if state.runs == 1:
        state.beliefs[0, slots] = beliefs
    else:
        state.beliefs[slots // n, slots % n] = beliefs
    start = state.department_culture[structure.department[slots]]
    fresh = np.clip(start + sc.culture.practice_spread * rng.standard_normal(counts), 0, 1)
    state.practice[slots] = fresh
    state.old_practice[slots] = fresh
    state.friction[slots] = 0.0
    state.seen_target[slots] = np.nan
    state.leadership_trust[slots] = sc.culture.leadership_trust
    _, ties = expand_rows(structure.indptr, slots)  # every tie of a leaver, seen from both ends
    for side in (ties, structure.reverse.take(ties)):
        state.tie_trust[side] = to.newcomer_trust
        state.tie_recent[side] = 0.0
    state.known_expert[slots] = -1
    state.expertise_draw[slots] = rng.integers(0, EXPERTISE_LEVELS, counts, np.uint8, tail=(m,))
    commit_leaders(state, slots)
    keep_media_team(state)
    old = state.old_practice
    old[slots] = state.practice[slots]
    return slots
