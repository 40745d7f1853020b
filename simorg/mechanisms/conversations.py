"""Colleagues talk (docs/odd.md, process 5).

Each person makes `contacts` contacts along their ties; a cross-department tie is chosen with weight
equal to the silo permeability it crosses. With the enterprise platform on, a person also reaches
colleagues anywhere, in proportion to their social practice. A contact is open when both sides share
(each with probability equal to their practice): then tie trust rises and, on each of the contact's
`topics` (dimensions drawn at random: a conversation is about a few things, not everything), a
differing non-zero belief passes one step with probability p_peer × trust, both ways, from whoever
the peer rule lets teach (`interpersonal.peer_gates`: anyone, or only a better performer). A closed
or one-way contact erodes tie trust. Willingness to share rises with trust: each side shares with
probability s·(1 − τ + 2τ·t), t its trust in the other (Mayer, Davis & Schoorman 1995: trust is
the willingness to be vulnerable), so trust and practice co-evolve. Each tie keeps a decaying count
of recent contacts (ties in use).

Batched over runs (simorg.batch): each run draws its contacts, opens, topics and adoptions from its
own stream, in the order it has them alone (its tie contacts, then its platform contacts).
"""

from __future__ import annotations

import numpy as np

from simorg import decisions
from simorg.batch import run_major
from simorg.mechanisms import interpersonal
from simorg.mechanisms.sampling import choose_ties, thinned
from simorg.randomness import Random, RunStreams
from simorg.scenario import Conversation, Scenario
from simorg.state import State


def colleagues_talk(state: State, sc: Scenario, rng: RunStreams) -> None:
    a, b, trust = _meet(state, sc.conversation, rng)
    if sc.learning.peer_learning > 0 and len(a):
        per_contact = min(sc.conversation.topics, state.m)
        if state.runs == 1:
            run = None
            topics = rng.integers(0, state.m, size=(len(a), per_contact), dtype=np.int16)
            beliefs, reality = state.beliefs[0], state.reality[0]
        else:  # contacts are run-major (_meet): each run draws its own contacts' topics
            run = a // state.run_size
            counts = np.bincount(run, minlength=state.runs)
            topics = rng.integers(0, state.m, counts, np.int16, tail=(per_contact,))
            beliefs, reality = state.beliefs.reshape(-1, state.m), state.reality
        gates = interpersonal.peer_gates(
            sc.learning.peer_rule, beliefs, reality, a, b, topics, state.task
        )
        p = sc.learning.peer_learning * trust
        _exchange(beliefs, a, b, p, topics, rng, gates, run)


def trust_factor[T: (float, np.ndarray)](tau: float, trust: T) -> T:
    """How trust in the other raises or lowers one's willingness to share: 1 − τ + 2τ·t (1 at
    t = 1/2; τ = 0: trust does not matter). Willingness = practice × this factor."""
    return 1.0 - tau + 2.0 * tau * trust


def _meet(
    state: State, conv: Conversation, rng: RunStreams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Everyone makes their contacts; tie trust moves; returns the open contacts (a, b) with the
    trust they talk under (the tie's, after this step's move; a stranger's on the platform),
    run-major in a batch, each run's in its own order (its tie contacts, then its platform's)."""
    structure = state.structure
    p = state.practice
    runs, n = state.runs, state.run_size
    who, start, degree = state.callers(conv.contacts)
    if runs == 1:
        tie = choose_ties(start, degree, state.tie_acceptance(), rng)
    else:  # each run's block of ties starts at its first person's row
        run_ties = structure.indptr[::n]
        tie = choose_ties(
            start, degree, state.tie_acceptance(), rng, run=who // n, run_ties=run_ties
        )
    plat_who, plat_partner = _platform_contacts(state, conv.platform_contacts, rng)
    a = np.concatenate([who, plat_who])
    b = np.concatenate([structure.indices.take(tie), plat_partner])
    # open when both share: one draw against the product of the two independent chances; each
    # side's willingness is their practice, raised or lowered by their trust in the other
    t = state.tie_trust
    rev = structure.reverse.take(tie)  # the same ties seen from the other end
    share = p.take(a) * p.take(b)
    tau = conv.trust_sharing
    if tau > 0:  # on ties, each side's trust; on the platform, a stranger's both ways
        k = len(tie)
        share[:k] *= trust_factor(tau, t.take(tie)) * trust_factor(tau, t.take(rev))
        stranger = trust_factor(tau, conv.initial_tie_trust)
        share[k:] *= stranger * stranger
    share = decisions.sharing(state, tau, tie, share)  # human players (the workshop)
    order: np.ndarray | None = None
    if runs == 1:
        open_ = rng.random(len(a), dtype=np.float32) < share
    else:  # a is the runs' tie contacts, then their platform contacts: draw run by run
        run = a // n
        order = run_major(run, runs)
        assert order is not None
        open_ = np.empty(len(a), dtype=bool)
        u = rng.random(np.bincount(run, minlength=runs), dtype=np.float32)
        open_[order] = u < share.take(order)
    _use(state, tie, conv.contact_memory, rev)

    # tie trust: both directions of the tie move together (an open and a closed contact on the
    # same tie in one step both apply: rise, then erode, first from one side, then the other)
    on_tie = open_[: len(tie)]
    rise, erode = np.compress(on_tie, tie), np.compress(~on_tie, tie)
    for up, down in ((rise, erode), (np.compress(on_tie, rev), np.compress(~on_tie, rev))):
        t[up] = conv.trust_gain + (1.0 - conv.trust_gain) * t.take(up)
        t[down] = (1.0 - conv.trust_decay) * t.take(down)

    d = structure.department
    crossing = np.concatenate(
        [state.tie_crosses().take(tie), d.take(plat_who) != d.take(plat_partner)]
    )
    tally = state.tally
    tally.contacts = state.people_per_run(a)
    tally.cross_contacts = state.people_where(a, crossing)
    tally.open_contacts = state.people_where(a, open_)

    if order is None:
        opened = np.flatnonzero(open_)
        on_platform = len(opened) - len(rise)
        trust = np.concatenate([t.take(rise), np.full(on_platform, conv.initial_tie_trust)])
        return a.take(opened), b.take(opened), trust
    opened = order.compress(open_.take(order))  # the open contacts, run-major
    trust = np.full(len(opened), conv.initial_tie_trust)
    on = opened < len(tie)
    trust[on] = t.take(tie.take(opened[on]))
    return a.take(opened), b.take(opened), trust


def _use(state: State, tie: np.ndarray, memory: float, reverse: np.ndarray | None = None) -> None:
    """Recent contacts per tie, both directions: last step's weighed by `memory`, plus one for a
    contact this step from either side (several from one side in one step count once); peer
    trust is weighted by them and a tie without recent contact is dormant. `reverse`: the
    reverse ties of `tie`, when the caller has them."""
    r = state.tie_recent
    r *= memory
    r[tie] += 1.0
    r[state.structure.reverse.take(tie) if reverse is None else reverse] += 1.0


def _platform_contacts(
    state: State, per_person: float, rng: RunStreams
) -> tuple[np.ndarray, np.ndarray]:
    """(who, partner) of the platform's extra contacts: Poisson(per_person × practice) each, for
    people whose department has the platform, with anyone (of their run) but oneself.

    Drawn by thinning: Poisson(per_person × users) proposed contacts spread uniformly over the
    users, each kept with probability the caller's practice: the same Poisson counts as one
    Poisson draw per person, at a fraction of the cost. One uniform serves each proposal: its
    integer part (× users) picks the caller, its fractional part decides. In random order (each
    run's, run-major in a batch).
    """
    users = state.platform_users()
    if len(users) == 0 or per_person <= 0:
        return users[:0], users[:0]
    runs, n = state.runs, state.run_size
    who = thinned(rng, users, per_person, state.practice, n, runs)
    if runs == 1:
        partner = rng.integers(0, state.n, size=len(who))
    else:  # per run: partners among the caller's own run
        run = who // n
        partner = rng.integers(0, n, size=np.bincount(run, minlength=runs)) + run * n
    other = partner != who
    return who[other], partner[other]


def _exchange(
    beliefs: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    p: np.ndarray,
    topics: np.ndarray,
    rng: Random,
    gates: tuple[np.ndarray, np.ndarray] | None = None,
    run: np.ndarray | None = None,
) -> None:
    """Both sides of each open contact talk about its topics: on each, a person moves one step
    toward the other's differing, non-zero belief with probability p (beliefs as before the talk),
    where the peer rule's `gates` (a may learn from b, b from a; (contacts, topics)) allow it.

    Only beliefs that moved are written back, so a contact in which nothing was adopted cannot undo
    an adoption from another contact of the same step; when one belief moves in several contacts,
    the last of them (b's side after a's) decides it. Uniforms are drawn only where a belief can move.

    A batch (`rng` a RunStreams of R > 1 runs) needs `run`, each contact's run (contacts run-major,
    so the (contact, topic) positions that can move are too): each run draws its own. One
    Generator (the validation runners' many organizations): one population.
    """
    m = beliefs.shape[1]
    flat = beliefs.reshape(-1)
    per_contact = topics.shape[1]
    at_a = (a * m).repeat(per_contact).reshape(topics.shape)  # (contacts, topics), as below
    at_a += topics
    at_b = (b * m).repeat(per_contact).reshape(topics.shape)
    at_b += topics
    ba, bb = flat.take(at_a), flat.take(at_b)
    toward = np.sign(bb - ba)  # int8; beliefs are in {-1, 0, 1}, so the difference fits
    p = p.astype(np.float32)
    a_ok, b_ok = (bb != 0) & (bb != ba), (ba != 0) & (ba != bb)
    if gates is not None:
        a_ok &= gates[0]
        b_ok &= gates[1]
    a_can, b_can = np.flatnonzero(a_ok), np.flatnonzero(b_ok)
    runs = rng.runs if isinstance(rng, RunStreams) else 1
    for mine, at, can, step in ((ba, at_a, a_can, toward), (bb, at_b, b_can, -toward)):
        contact = can // per_contact
        size: int | np.ndarray = len(can)
        if runs > 1:
            assert run is not None, "a batch needs each contact's run"
            size = np.bincount(run.take(contact), minlength=runs)
        moves = can[rng.random(size, dtype=np.float32) < p.take(contact)]
        flat[at.reshape(-1).take(moves)] = mine.reshape(-1).take(moves) + step.reshape(-1).take(
            moves
        )
