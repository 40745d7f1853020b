"""Culture moves (process 7): practice, friction as people experience it, trust in leadership.

Social practice s moves toward what people see (Friedkin & Johnsen 1990: social influence with
anchoring). The role model is one's manager, and, with weight κ of ρ, the informal leaders among
one's ties (Bandura 1977: people imitate those they see as models); an announced vision V pulls
with weight `vision_pull`:

    model_i  = (1 − κ_i)·s[manager] + κ_i·mean s of informal leaders among i's ties
    target_i = (1 − ρ − pull)·peers_i + ρ·model_i + pull·V
    aim_i    = (1 − σ_i)·target_i + σ_i·anchor_i
    s ← s + α·[(1 − r_i)(aim_i − s) + r_i(s_old − s)],   r_i = min(1, resistance·F_i)

Employees anchor on their own habitual practice (σ_i = persistence, anchor = s_old); leaders on
their commitment w (σ_i = stubbornness, anchor = w_d): leaders are people too, and with
stubbornness below 1 they drift with their managers, reports and the vision.

Friction F_i is the change person i experienced and has not absorbed: each step the distance the
practice asked of them moved (|target_i − last step's target_i|), plus the structural changes
interventions make to their own work (interventions.py); `absorption` is worked off each step.

Trust in leadership L_i follows what i experiences of their own leader: the trust on the tie to
their manager (built in open or closed contacts; department heads: their trust over ties in use),
shifted while a vision is announced by credibility × (manager's lived practice − V). Friction
erodes it: L −= η·r_i·L.
"""

from __future__ import annotations

import numpy as np

from simorg import decisions
from simorg.randomness import RunStreams
from simorg.state import State

MEDIA_TEAM_PRACTICE = 0.9  # a social-media team works in public: its members practise at least this


def culture_moves(state: State, rng: RunStreams) -> None:
    """One step of culture (no random draws: `rng` is the culture stream, unused). Everything is
    per person, per tie or per department policy, so a batch of runs moves each run as alone."""
    cu = state.params.culture
    structure = state.structure
    p = state.practice
    d = structure.department
    F = state.friction
    r = np.minimum(1.0, cu.resistance * F)
    boss_of = state.role_model()

    if cu.adaptation > 0:
        deg = state.degree()
        peers = np.divide(state.neighbour_sums(p), deg, out=p.copy(), where=deg > 0)
        model = p.take(boss_of)
        if cu.informal_influence > 0:
            inf = state.informal_ties()
            seen = state.informal_means(p, model)
            kappa = np.where(inf > 0, cu.informal_influence, 0.0)
            model = (1 - kappa) * model + kappa * seen
        v = state.vision
        pull = np.where(v > 0, cu.vision_pull, 0.0)
        rho = np.full(len(v), cu.role_modeling)
        over = rho + pull
        scale = 1.0 / np.maximum(over, 1.0)  # shares over 1 scaled down to sum to 1
        rho, pull, v = (rho * scale).take(d), (pull * scale).take(d), v.take(d)
        target = (1 - rho - pull) * peers + rho * model + pull * v
        felt = np.abs(target - state.seen_target)
        F += np.fmax(felt, 0.0)  # felt is ≥ 0 or NaN (no target seen yet): NaN adds 0
        state.seen_target = target
        leader = structure.is_leader
        anchor = np.where(leader, state.walk.take(d), state.old_practice)
        anchor = decisions.leading(state, anchor)  # human players (the workshop)
        sigma = np.where(leader, cu.stubbornness, cu.persistence)
        aim = (1 - sigma) * target + sigma * anchor
        p += cu.adaptation * ((1 - r) * (aim - p) + r * (state.old_practice - p))
    keep_media_team(state)
    np.clip(p, 0.0, 1.0, out=p)

    # trust in leadership: what each person experiences of their own leader
    mtie = state.manager_tie()
    base = state.tie_trust.take(np.maximum(mtie, 0))
    heads = np.flatnonzero(mtie < 0)
    base[heads] = state.trust_in_use(heads)
    v = state.vision.take(d)
    gap = np.where(v > 0, cu.credibility * (p.take(boss_of) - v), 0.0)
    target = np.clip(base + gap, 0.0, 1.0)
    L = state.leadership_trust
    L += cu.leadership_trust_rate * (target - L) - cu.leadership_trust_rate * r * L
    np.clip(L, 0.0, 1.0, out=L)

    np.maximum(0.0, F - cu.absorption, out=F)


def commit_leaders(state: State, who: np.ndarray | None = None) -> None:
    """Leaders (all, or the slots `who`) take up their department's walk-the-talk now."""
    structure = state.structure
    if who is None:
        mask = structure.is_leader.copy()
    else:  # the few slots `who`, as a mask (np.isin over everyone sorts them)
        mask = np.zeros(structure.n, dtype=bool)
        mask[who] = True
        mask &= structure.is_leader
    state.practice[mask] = state.walk[structure.department[mask]]


def keep_media_team(state: State) -> None:
    """Media-team members keep the practice they were trained for."""
    structure = state.structure
    team = structure.media_team & ~structure.is_leader
    state.practice[team] = np.maximum(state.practice[team], MEDIA_TEAM_PRACTICE)


def anchor_practice(state: State) -> None:
    """At start-up: leaders live their walk-the-talk; media-team members their training."""
    commit_leaders(state)
    keep_media_team(state)
