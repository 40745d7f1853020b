"""Culture moves (MODEL.md process 7).

Social practice s moves toward what people see: a mix of their colleagues' mean practice and their
manager's practice (role modeling, weight ρ), pulled toward an announced vision V with weight
`vision_pull`:

    target = (1 − ρ − pull)·peers + ρ·manager + pull·V
    s ← s + α·[(1 − r)(target − s) + r(s_old − s)],  r = min(1, resistance × friction_d)

Friction is a department's stock of unabsorbed change (interventions add their size, each step
`absorption` is worked off), so change that comes faster than people absorb pushes practice back
toward the old culture. Leaders' practice is their walk-the-talk w, set by policy; the members of a
social-media team keep the practice they were trained for.

Trust in leadership L follows the trust on the tie to one's manager (department heads: their mean
tie trust); while a vision is announced the target shifts by credibility × (w − V): a vision that
leaders do not live lowers it, one they live raises it. Friction erodes it: L −= rate·r·L.
"""

from __future__ import annotations

import numpy as np

from simorg.scenario import Scenario
from simorg.state import State


def culture_moves(state: State, sc: Scenario, rng: np.random.Generator) -> None:
    cu = sc.culture
    s = state.structure
    p = state.practice
    d = s.department
    r = np.minimum(1.0, cu.resistance * state.friction).take(d)

    if cu.adaptation > 0:
        deg = state.degree()
        peers = np.divide(state.neighbour_sums(p), deg, out=p.copy(), where=deg > 0)
        boss = p.take(state.role_model())
        # weights per department (a vision pulls only where one is announced), then per person
        v = state.vision
        pull = np.where(v > 0, cu.vision_pull, 0.0)
        rho = np.full(len(v), cu.role_modeling)
        over = rho + pull
        scale = np.where(over > 1, 1.0 / np.maximum(over, 1e-12), 1.0)
        rho, pull, v = (rho * scale).take(d), (pull * scale).take(d), v.take(d)
        target = (1 - rho - pull) * peers + rho * boss + pull * v
        p += cu.adaptation * ((1 - r) * (target - p) + r * (state.old_practice - p))
    anchor_practice(state)
    np.clip(p, 0.0, 1.0, out=p)

    # trust in leadership: the trust on the tie to one's manager (heads: their mean tie trust)
    mtie = state.manager_tie()
    base = state.tie_trust.take(np.maximum(mtie, 0))
    heads = np.flatnonzero(mtie < 0)
    base[heads] = state.mean_tie_trust(heads)
    v = state.vision
    gap = np.where(v > 0, cu.credibility * (state.walk - v), 0.0).take(d)
    target = np.clip(base + gap, 0.0, 1.0)
    L = state.leadership_trust
    L += cu.leadership_trust_rate * (target - L) - cu.leadership_trust_rate * r * L
    np.clip(L, 0.0, 1.0, out=L)

    state.friction[:] = np.maximum(0.0, state.friction - cu.absorption)


def anchor_practice(state: State) -> None:
    """Leaders live their walk-the-talk; media-team members keep their trained practice."""
    s = state.structure
    state.practice[s.is_leader] = state.walk[s.department[s.is_leader]]
    team = s.media_team & ~s.is_leader
    state.practice[team] = np.maximum(state.practice[team], MEDIA_TEAM_PRACTICE)


MEDIA_TEAM_PRACTICE = 0.9
