"""Run one replication of a scenario: the single entry point the CLI, experiments and benchmarks use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simorg.mechanisms import learning
from simorg.mechanisms.organizational_learning import departments_settled
from simorg.model import OrgModel
from simorg.scenario import Scenario

__all__ = ["RunResult", "run_to_equilibrium", "simulate"]


# run_to_equilibrium's default cap: March's organizations settle within a few hundred steps, so a
# run still moving at this many has no equilibrium to wait for (it is reported at the cap).
MAX_EQUILIBRIUM_STEPS = 5_000
SHOWN_OUTCOMES = 4  # RunResult's repr names the first few outcomes and counts the rest


@dataclass
class RunResult:
    scenario: str
    seed: int
    steps: int
    final: dict[str, float]  # outcomes after the last step
    trajectory: pd.DataFrame  # one row per recorded step, column "step" plus every outcome

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:.4g}" for k, v in list(self.final.items())[:SHOWN_OUTCOMES])
        more = len(self.final) - SHOWN_OUTCOMES
        return (
            f"RunResult(scenario={self.scenario!r}, seed={self.seed}, steps={self.steps}, "
            f"final={{{shown}{f', … {more} more' if more > 0 else ''}}}, "
            f"trajectory={len(self.trajectory)} rows × {self.trajectory.shape[1]} columns)"
        )


def simulate(
    scenario: Scenario,
    steps: int | None = None,
    seed: int | None = None,
    every: int = 1,
    on_step: Callable[[], None] | None = None,
) -> RunResult:
    """Run `steps` steps (default: the scenario's) with `seed` (default: the scenario's);
    `on_step` is called after each step (progress bars)."""
    steps = scenario.steps if steps is None else steps
    model = OrgModel(scenario, seed=scenario.seed if seed is None else seed)
    model.record_every, model.record_last = max(every, 1), steps  # only these steps are measured
    if on_step is None:
        model.run_for(steps)
    else:
        for _ in range(steps):
            model.run_for(1)
            on_step()
    frame = model.datacollector.get_model_vars_dataframe()
    frame.insert(0, "step", model.recorded_steps)
    frame = frame.reset_index(drop=True)
    return RunResult(scenario.name, model.seed, steps, dict(model.outcomes), frame)


def equilibrium_blockers(scenario: Scenario) -> list[str]:
    """Why a scenario has no equilibrium to detect (empty if it has one): what keeps bringing in
    new beliefs or changing who can talk."""
    sc = scenario
    out = []
    if sc.learning.turbulence > 0:
        out.append("learning.turbulence > 0 (reality keeps moving)")
    if sc.turnover.base_rate > 0 or sc.turnover.trust_sensitivity > 0:
        out.append("turnover (newcomers bring new beliefs)")
    if sc.customers.count > 0 and sc.learning.listening > 0:
        out.append(
            "customers with listening > 0 (customers teach their needs, in requests and in "
            "public conversations)"
        )
    if sc.customers.count > 0 and sc.learning.failure_learning > 0:
        out.append(
            "customers with learning.failure_learning > 0 (failed and escalated requests "
            "correct the code and the people who handled them)"
        )
    if sc.organization.platform:
        out.append("organization.platform (contacts with anyone; detection covers ties only)")
    if sc.organization.structure == "fluid" and sc.organization.team_reform_every:
        out.append("fluid project teams (ties keep changing)")
    if sc.interventions:
        out.append("interventions (the organization is changed during the run)")
    return out


def learning_ties(model: OrgModel) -> tuple[np.ndarray, np.ndarray]:
    """Directed ties (source, target) along which a person can still learn from a colleague:
    weight > 0 and both sharing at all (a contact can open), when peer learning is on.

    Someone at practice 0 may still come to share while culture adapts (leaders too, unless
    held at their commitment by stubbornness 1); with trust_sharing 1 a tie at zero trust can
    never open again (trust only rises in an open contact)."""
    st = model.state
    sc = st.params
    structure = st.structure
    if sc.learning.peer_learning <= 0 or sc.conversation.contacts == 0:
        return structure.source[:0], structure.indices[:0]
    cu = sc.culture
    shares = st.practice > 0
    if cu.adaptation > 0:
        held = np.where(structure.is_leader, cu.stubbornness, cu.persistence) >= 1.0
        shares |= ~held
    usable = (
        (st.tie_permeability() > 0) & shares.take(structure.source) & shares.take(structure.indices)
    )
    if sc.conversation.trust_sharing >= 1.0:
        t = st.tie_trust
        usable &= (t > 0) & (t.take(structure.reverse) > 0)
    return structure.source[usable], structure.indices[usable]


def at_equilibrium(model: OrgModel) -> bool:
    """The model's knowledge can no longer change (see `learning.settled`); voice is ignored
    (anyone might get a voice), so this never holds early."""
    st, lr = model.state, model.config.learning
    source, target = learning_ties(model)
    done = learning.settled(
        st.beliefs,
        st.code,
        st.reality,
        source,
        target,
        lr.peer_rule,
        code_learns=lr.code_learning > 0,
        socializes=lr.socialization > 0,
        task=st.task,
    )
    if st.department_code is not None:
        done &= departments_settled(st)
    return bool(done[0])


def run_to_equilibrium(
    scenario: Scenario,
    max_steps: int = MAX_EQUILIBRIUM_STEPS,
    seed: int | None = None,
    check_every: int = 1,
) -> tuple[OrgModel, int | None]:
    """Step until knowledge is at equilibrium (checked every `check_every` steps) or `max_steps`.

    Returns the model and the step at which equilibrium was found (None if the step limit came
    first). Refuses scenarios without an equilibrium (`equilibrium_blockers`): report those at a
    fixed step instead.
    """
    blockers = equilibrium_blockers(scenario)
    if blockers:
        raise ValueError("no equilibrium to detect: " + "; ".join(blockers))
    model = OrgModel(scenario, seed=seed)
    for step in range(max_steps + 1):
        if step % check_every == 0 and at_equilibrium(model):
            return model, step
        if step < max_steps:
            model.step()
    return model, None
