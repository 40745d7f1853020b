"""Colleagues talk (MODEL.md process 5).

Each person makes `contacts` contacts along their ties; a cross-department tie is chosen with weight
equal to the silo permeability it crosses. With the enterprise platform on, a person also reaches
colleagues anywhere, in proportion to their social practice. A contact is open when both sides share
(each with probability equal to their practice): then tie trust rises and, on each of the contact's
`topics` (dimensions drawn at random: a conversation is about a few things, not everything), a
differing non-zero belief passes one step with probability p_peer × trust, both ways. A closed or one-way contact erodes tie trust.
"""

from __future__ import annotations

import numpy as np

from simorg.mechanisms.sampling import choose_ties
from simorg.scenario import Scenario
from simorg.state import State


def colleagues_talk(state: State, sc: Scenario, rng: np.random.Generator) -> None:
    s = state.structure
    conv = sc.conversation
    n = s.n
    callers = np.repeat(np.arange(n), conv.contacts)
    who, tie = choose_ties(s.indptr, state.tie_permeability(), state.strongest_tie(), callers, rng)
    partner = s.indices[tie]

    # the platform: extra contacts anywhere, for people whose department has it
    plat_who = np.empty(0, dtype=np.int64)
    if state.platform.any() and conv.platform_contacts > 0:
        on = state.platform[s.department]
        lam = np.where(on, conv.platform_contacts * state.practice, 0.0)
        plat_who = np.repeat(np.arange(n), rng.poisson(lam))
    plat_partner = rng.integers(0, n, size=len(plat_who))
    keep = plat_partner != plat_who
    plat_who, plat_partner = plat_who[keep], plat_partner[keep]

    a = np.concatenate([who, plat_who])
    b = np.concatenate([partner, plat_partner])
    p = state.practice
    open_ = (rng.random(len(a)) < p[a]) & (rng.random(len(a)) < p[b])

    # tie trust: both directions of the tie move together
    t = state.tie_trust
    k = len(who)
    o_tie = open_[:k]
    for idx in (tie, s.reverse[tie]):
        t[idx[o_tie]] += conv.trust_gain * (1.0 - t[idx[o_tie]])
        t[idx[~o_tie]] *= 1.0 - conv.trust_decay

    cross = s.department[a] != s.department[b]
    state.tally["contacts"] = float(len(a))
    state.tally["cross_contacts"] = float(cross.sum())
    state.tally["open_contacts"] = float(open_.sum())

    if sc.learning.peer_learning > 0 and open_.any():
        trust = np.concatenate([t[tie], np.full(len(plat_who), conv.initial_tie_trust)])[open_]
        la, lb = a[open_], b[open_]
        topics = rng.integers(0, state.m, size=(len(la), min(conv.topics, state.m)))
        _exchange(state.beliefs[0], la, lb, sc.learning.peer_learning * trust, topics, rng)


def _exchange(
    beliefs: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    p: np.ndarray,
    topics: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Both sides of each open contact talk about its topics: on each, a person moves one step
    toward the other's differing, non-zero belief with probability p (beliefs as before the talk)."""
    ba = beliefs[a[:, None], topics]
    bb = beliefs[b[:, None], topics]
    p = p.astype(np.float32)[:, None]
    a_learns = (bb != 0) & (bb != ba) & (rng.random(ba.shape, dtype=np.float32) < p)
    b_learns = (ba != 0) & (ba != bb) & (rng.random(ba.shape, dtype=np.float32) < p)
    toward = np.sign(bb - ba)  # int8; beliefs are in {-1, 0, 1}, so the difference fits
    beliefs[a[:, None], topics] = ba + toward * a_learns
    beliefs[b[:, None], topics] = bb - toward * b_learns
