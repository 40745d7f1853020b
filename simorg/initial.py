"""The initial state of a run: the organization, its culture and its market before step 1.

Draws come from named streams in a fixed order (knowledge, structure, culture_init, customers), so
the same scenario and seed give the same start on any machine, and the March (1991) special case
starts exactly where the validation runner does.
"""

from __future__ import annotations

import numpy as np

from simorg import performance, structures
from simorg.mechanisms import culture, learning
from simorg.scenario import Scenario
from simorg.state import EXPERTISE_LEVELS, NO_REQUEST, State

WORD_OF_MOUTH_TIES = 4
"""Mean word-of-mouth ties per person of the market. Not a parameter: averaging toward one's
contacts' mean trust moves no outcome with the number of contacts (4 -> 8 or 40, or 0 against
word_of_mouth = 0: docs/results.md), so `customers.word_of_mouth` is the one lever of word of mouth."""


def _task(state: State, sc: Scenario, rng: np.random.Generator) -> None:
    """An NK task (issue 9): a landscape from its own stream, and reality becomes its optimum
    (what is right on each dimension), so beliefs start exactly as on the additive task.
    Department codes start neutral, like the organization's."""
    lr = sc.learning
    if lr.task == "nk":
        land = performance.nk_landscapes(rng, 1, lr.dimensions, lr.nk_k, lr.nk_interaction)
        state.task = performance.NKBeliefTask(land, lr.nk_normalise, lr.nk_power)
        state.reality[:] = state.task.optimum
    if lr.department_codes:
        state.department_code = np.zeros((state.structure.departments, lr.dimensions), np.int8)


def initial_state(sc: Scenario, streams: dict[str, np.random.Generator]) -> State:
    """Build the state a run starts from; `sc` is copied, so the state never shares the scenario."""
    org, cu, cult = sc.organization, sc.customers, sc.culture
    reality, beliefs, code = learning.initial_knowledge(
        streams["knowledge"], org.employees, sc.learning.dimensions
    )
    structure = structures.build(org, streams["structure"])
    d = structure.departments
    rng = streams["culture_init"]
    practice = np.clip(
        cult.practice + cult.practice_spread * rng.standard_normal(structure.n), 0, 1
    )
    if cult.early_adopters > 0:
        followers = np.flatnonzero(~structure.is_leader)
        ranked = followers[
            np.lexsort((rng.random(len(followers)), ~structure.informal_leader[followers]))
        ]
        practice[ranked[: int(round(cult.early_adopters * len(followers)))]] = (
            cult.early_adopter_practice
        )
    facing = {
        "none": np.zeros(structure.n, dtype=bool),
        "team": structure.media_team.copy(),
        "everyone": np.ones(structure.n, dtype=bool),
    }[org.customer_facing]

    crng = streams["customers"]
    C = cu.count
    half = WORD_OF_MOUTH_TIES / 2
    src = np.repeat(np.arange(C), crng.poisson(half, size=C)) if C and half else np.empty(0, int)
    dst = crng.integers(0, max(C, 1), size=len(src))
    cindptr, cindices, *_ = structures.to_csr(
        C, np.stack([src, dst], axis=1).astype(np.int64), np.zeros(len(src), dtype=np.int64)
    )
    needs = crng.integers(0, sc.learning.dimensions, size=(C, cu.needs))
    active = crng.random(C) < cu.initial_share
    E = len(structure.indices)
    state = State(
        params=sc.model_copy(deep=True),
        structure=structure,
        reality=reality,
        code=code,
        beliefs=beliefs,
        dimension_owner=np.arange(sc.learning.dimensions) % d,
        practice=practice,
        old_practice=practice.copy(),
        department_culture=np.full(d, cult.practice),
        leadership_trust=np.full(structure.n, cult.leadership_trust),
        tie_trust=np.full(E, sc.conversation.initial_tie_trust),
        customer_facing=facing,
        permeability=np.full(d, org.permeability),
        vision=np.full(d, cult.vision),
        walk=np.full(d, cult.walk_the_talk),
        platform=np.full(d, org.platform),
        friction=np.zeros(structure.n),
        seen_target=np.full(structure.n, np.nan),
        # the ties people have at the start are in use: one contact's worth of recent use
        tie_recent=np.ones(E, dtype=np.float32),
        expertise_draw=rng.integers(
            0, EXPERTISE_LEVELS, size=(structure.n, sc.learning.dimensions), dtype=np.uint8
        ),
        known_expert=np.full((structure.n, sc.learning.dimensions), -1, dtype=np.int32),
        flipped_away=np.zeros((1, sc.learning.dimensions), dtype=bool),
        customer_trust=np.full(C, cu.initial_trust),
        customer_active=active,
        needs=needs,
        customer_indptr=cindptr,
        customer_indices=cindices,
        request_topic=np.full(C, NO_REQUEST),
        request_holder=np.zeros(C, dtype=np.int64),
        request_receiver=np.zeros(C, dtype=np.int64),
        request_age=np.zeros(C),
        request_acknowledged=np.zeros(C, dtype=bool),
        request_held=np.zeros(C, dtype=np.int64),
        request_from=np.full(C, -1, dtype=np.int64),
    )
    _task(state, sc, streams["task"])
    culture.anchor_practice(state)
    state.old_practice[:] = state.practice
    return state
