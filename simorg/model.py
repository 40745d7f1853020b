"""OrgModel: the organization as a Mesa model.

The model is wiring: it owns the state (built by initial.py), the clock, the event schedule of
interventions and the DataCollector, and `step()` calls the mechanisms in the order of docs/odd.md.
`model.config` is the scenario the user passed and never changes; the state (`state.params`) holds
the current levels. Each mechanism draws from its own random stream (randomness.py), so the same
seed gives the same run on any machine.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from simorg import agent_hooks, conventions, mesa_space, structures
from simorg.agent_hooks import BETWEEN_STEPS
from simorg.agents import Customer, Employee, Leader
from simorg.initial import initial_state
from simorg.mechanisms import interventions
from simorg.outcomes import OUTCOMES, accumulate, compute
from simorg.randomness import run_streams, spawn_streams
from simorg.scenario import Intervention, Scenario
from simorg.step import advance

__all__ = ["OrgModel"]


if TYPE_CHECKING:
    from mesa.discrete_space import Network as DiscreteNetwork
    from mesa.experimental.scenarios import Scenario as MesaScenario


def _report(model: OrgModel, name: str) -> float:
    return model.outcomes[name]


class OrgModel(mesa.Model):
    """An organization of employees, leaders and customers; see docs/odd.md."""

    # The agent classes the model creates, new hires included: subclass and set these to extend
    # agents (README, "Extending agents"). An agent class that defines `step` has it called once
    # per step, before the mechanisms run.
    employee_class: type[Employee] = Employee
    leader_class: type[Leader] = Leader
    customer_class: type[Customer] = Customer

    def __init__(
        self,
        scenario_or_config: Scenario | str | Path | MesaScenario | None = None,
        *,
        rng: Any = None,
        seed: int | None = None,
        scenario: Scenario | str | Path | MesaScenario | None = None,
        overrides: dict[str, Any] | None = None,
        **levers: Any,
    ) -> None:
        """See simorg/conventions.py: Mesa's conventions for the scenario, rng/seed and levers."""
        scenario, mesa_scenario, seed = conventions.resolve(
            scenario_or_config, scenario=scenario, rng=rng, seed=seed, overrides=overrides,
            levers=levers,
        )  # fmt: skip
        super().__init__(rng=seed, scenario=mesa_scenario)
        self.seed = seed
        self.config = scenario  # (Mesa 3.5 reserves `scenario` for its own Scenario class)
        generators = spawn_streams(seed)
        self.department_names = scenario.department_names()[: scenario.organization.employees]
        self.state = initial_state(scenario, generators)
        self.streams = run_streams([generators])  # the same Generators, as a batch of one run
        self._totals: dict[str, np.ndarray] = {}  # running sums (per run: one)
        self.applied: list[tuple[int, str]] = []  # (step, label) of interventions applied
        # strong references: Mesa holds callbacks weakly
        self._events: list[Callable[..., Any]] = []

        self._employee_at: list[Employee] | None = None  # Mesa agents: built on first use
        self._customer_at: list[Customer] = []
        agent_hooks.schedule(self)

        for iv in scenario.interventions:
            self.schedule_intervention(iv)

        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_report, name=name) for name in OUTCOMES}
        )
        # Which steps the DataCollector records: every `record_every`-th and the last planned
        # one (`record_last`, default the scenario's steps). Outcomes are computed when recorded
        # or read (`model.outcomes`), not at every step: same numbers, less work in sweeps.
        self.record_every = 1
        self.record_last: int | None = None
        self.recorded_steps: list[int] = []
        self._outcomes: dict[str, float] | None = compute(self.state, self._totals)[0]
        self._record()

    # --- interventions (Mesa events) -----------------------------------------------------------

    def schedule_intervention(self, iv: Intervention) -> None:
        """Schedule every stage of `iv`; a stage due before step k runs at time k − 0.5."""
        for at, departments in interventions.stages(iv, self.department_names):
            fn = partial(self._apply_stage, iv, departments)
            self._events.append(fn)
            if at - BETWEEN_STEPS <= self.time:
                fn()
            else:
                self.schedule_event(fn, at=at - BETWEEN_STEPS)

    def intervene(self, iv: Intervention) -> None:
        """Apply an intervention now (the explorer's live buttons); stepwise stages follow in time."""
        self.schedule_intervention(iv.model_copy(update={"at": self.steps + 1}))

    def _apply_stage(self, iv: Intervention, departments: np.ndarray) -> None:
        if "_outcomes" in self.__dict__:
            self.outcomes  # noqa: B018 (measure the last step before its state changes)
        changed = interventions.apply(self, iv, departments)
        names = ", ".join(self.department_names[d] for d in departments)
        whole = len(departments) == len(self.department_names)
        self.applied.append((self.steps + 1, f"{iv.action}" + ("" if whole else f" ({names})")))
        self.state.changes.append(
            {
                "step": self.steps + 1,
                "action": iv.action,
                "departments": [self.department_names[d] for d in departments],
                "changed": changed,
            }
        )

    def restructure(self, new: structures.Structure) -> np.ndarray:
        """Swap in a new tie structure (state.restructure); returns which new ties survived."""
        kept = self.state.restructure(new)
        self.__dict__.pop("graph", None)
        if "space" in self.__dict__:
            mesa_space.rebuild(self)
        return kept

    # --- the step ------------------------------------------------------------------------------

    def step(self) -> None:
        """One week: the mechanisms in the order of docs/odd.md (simorg.step), then recording."""
        left = advance(self.state, self.streams, self.steps, self.restructure)  # Mesa counted it
        self._replace_agents(left)
        accumulate(self.state.tally, self._totals)
        self._outcomes = None  # measured when recorded or read
        last = self.config.steps if self.record_last is None else self.record_last
        if self.steps % max(self.record_every, 1) == 0 or self.steps == last:
            self._record()

    @property
    def outcomes(self) -> dict[str, float]:
        """Every outcome (simorg.outcomes.OUTCOMES) after the last step, measured on first read."""
        if self._outcomes is None:
            self._outcomes = compute(self.state, self._totals, tally=False)[0]
        return self._outcomes

    @property
    def totals(self) -> dict[str, float]:
        """The running sums of the step tallies (simorg.outcomes.CUMULATIVE) so far."""
        return {name: float(v[0]) for name, v in self._totals.items()}

    def _record(self) -> None:
        self.recorded_steps.append(self.steps)
        self.datacollector.collect(self)

    # --- Mesa agents: views of the arrays, built on first use --------------------------------

    def _build_agents(self) -> list[Employee]:
        """Create the agents (employees by slot, then customers) the first time anyone asks for
        them: the step never needs them, so a run that only computes (a sweep, the benchmark, a
        million employees) builds none. Ids are given in that order when they are built."""
        if self._employee_at is None:
            self._employee_at = []  # (re-entry: _new_employee reads the space, not the agents)
            self._employee_at.extend(self._new_employee(slot) for slot in range(self.state.n))
            self._customer_at = [
                self.customer_class(self, c) for c in range(len(self.state.customer_trust))
            ]
        return self._employee_at

    @property
    def employee_at(self) -> list[Employee]:
        """The agent of each employee slot."""
        return self._build_agents()

    @property
    def customer_at(self) -> list[Customer]:
        """The agent of each customer slot."""
        self._build_agents()
        return self._customer_at

    @property
    def agents(self) -> mesa.agent.AgentSet:
        self._build_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, mesa.agent.AgentSet]:
        self._build_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        self._build_agents()
        return super().agent_types

    def _replace_agents(self, slots: np.ndarray) -> None:
        """A new hire takes the leaver's slot. simorg's agents are views of a slot's arrays, so
        the slot's agent object is kept (with its cell) and takes a new `unique_id`: ids still
        count people, and no agent is destroyed and re-created. Agents of a class with its own
        `__init__` may hold per-person state: those are removed and created anew."""
        if self._employee_at is None:  # no agents built yet: nothing to replace
            return
        for slot in slots.tolist():  # only the few who left this step
            agent = self._employee_at[slot]
            if type(agent).__init__ is Employee.__init__:
                agent.unique_id = self.agent_id_counter
                self.agent_id_counter += 1
            else:
                agent.remove()
                self._employee_at[slot] = self._new_employee(slot)

    def _new_employee(self, slot: int) -> Employee:
        """The agent for `slot` (at start-up and for a new hire), of the model's agent classes."""
        cls = self.leader_class if self.state.structure.is_leader[slot] else self.employee_class
        agent = cls(self, slot)
        if "space" in self.__dict__:  # the Mesa space is built: the new hire takes the slot's cell
            agent.cell = self.space[slot]
        return agent

    # --- Mesa conventions: running, the space, repr ----------------------------------------------

    @property
    def running(self) -> bool:
        """True until the scenario's planned steps are done (or someone sets it False)."""
        config = self.__dict__.get("config")
        return self._running and (config is None or self.steps < config.steps)

    @running.setter
    def running(self, value: bool) -> None:
        self._running = bool(value)

    @cached_property
    def space(self) -> DiscreteNetwork:
        """The employee network as a Mesa `Network` (built on first use, then kept in sync)."""
        return mesa_space.build(self)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.config.name!r}: {self.state.n} employees, "
            f"{len(self.state.customer_trust)} customers, step {self.steps} of {self.config.steps}, "
            f"seed {self.seed}>"
        )

    # --- views for users and the explorer ------------------------------------------------------

    @cached_property
    def graph(self):
        """The employee network as networkx (built on demand: the step never needs it)."""
        import networkx as nx

        structure = self.state.structure
        g = nx.Graph()
        g.add_nodes_from(range(structure.n))
        first = structure.source < structure.indices
        kinds = structures.TIE_KINDS
        g.add_edges_from(
            (int(a), int(b), {"kind": kinds[k]})
            for a, b, k in zip(
                structure.source[first],
                structure.indices[first],
                structure.kind[first],
                strict=True,
            )
        )
        return g

    @property
    def employees(self) -> mesa.agent.AgentSet:
        return self.agents.select(agent_type=Employee)

    @property
    def customers(self) -> mesa.agent.AgentSet:
        return self.agents.select(agent_type=Customer)
