"""One step (a week) of the model: the mechanisms in the order of docs/odd.md.

Shared by `OrgModel.step` (one run, with Mesa agents) and `replications.simulate_batch` (R runs as
one array program): the same calls on a state of one run or of many.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simorg import structures
from simorg.mechanisms import conversations, culture, customers, requests
from simorg.mechanisms import turnover as turnover_mechanism
from simorg.mechanisms.organizational_learning import (
    complaints,
    learn_from_failure,
    organizational_learning,
)
from simorg.randomness import RunStreams
from simorg.state import State
from simorg.tally import Tally


def advance(
    state: State,
    streams: dict[str, RunStreams],
    step: int,
    restructure: Callable[[structures.Structure], np.ndarray],
) -> np.ndarray:
    """Run step number `step` (1 for the first) on `state`; returns the slots of who left (a new
    hire took each). `restructure` swaps in a new tie structure (fluid project teams re-form at
    the steps that are multiples of `team_reform_every`)."""
    st = state
    sc = st.params
    st.tally = Tally(st.runs)
    org = sc.organization
    if org.structure == "fluid" and org.team_reform_every and step % org.team_reform_every == 0:
        restructure(rebuild_projects(st, org.project_team_size, streams["structure"]))
    if len(st.customer_trust):
        rng = streams["requests"]
        raised = requests.customers_speak(st, rng)
        resolved, failed, esc_topics, esc_people = requests.requests_travel(st, rng)
        topics, people = complaints(st, failed, esc_topics, esc_people)
        learn_from_failure(st, topics, people, streams["failure"])
        customers.customers_judge(st, raised, resolved, failed, streams["customers"])
    conversations.colleagues_talk(st, sc, streams["conversations"])
    organizational_learning(st, streams)
    culture.culture_moves(st, streams["culture"])
    left = turnover_mechanism.people_leave(st, streams["turnover"])
    if len(st.customer_trust):
        customers.customers_buy(st, streams["purchases"])
    return left


def rebuild_projects(
    state: State,
    size: int,
    rng: RunStreams,
    eligible: np.ndarray | None = None,
) -> structures.Structure:
    """New project teams in every run (`structures.rebuild_projects` run by run, each from its
    own stream), as one batch structure."""
    if state.runs == 1:
        return structures.rebuild_projects(state.structure, size, rng.gens[0], eligible)
    from simorg.batch import split_structure, stack_structures

    n = state.run_size
    parts = split_structure(state.structure, state.runs)
    return stack_structures(
        [
            structures.rebuild_projects(
                part, size, g, None if eligible is None else eligible[r * n : (r + 1) * n]
            )
            for r, (part, g) in enumerate(zip(parts, rng.gens, strict=True))
        ]
    )
