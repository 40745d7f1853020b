"""OrgModel: the organization as a Mesa model.

The model owns the state arrays, the clock, the event schedule of interventions and the
DataCollector. `step()` calls the mechanisms in the order of MODEL.md; each mechanism draws from
its own random stream (randomness.py), so the same seed gives the same run on any machine.
"""

from __future__ import annotations

from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from simorg import agent_hooks, conventions, mesa_space, structures
from simorg.agents import Customer, Employee, Leader
from simorg.mechanisms import conversations, culture, customers, interventions, learning, requests
from simorg.mechanisms import turnover as turnover_mechanism
from simorg.outcomes import OUTCOMES, compute
from simorg.randomness import spawn_streams
from simorg.scenario import Intervention, Scenario
from simorg.state import NO_REQUEST, State

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
        self.streams = spawn_streams(seed)
        self.department_names = scenario.department_names()[: scenario.organization.employees]
        self.state = self._initial_state()
        self.totals: dict[str, float] = {}
        self.applied: list[tuple[int, str]] = []  # (step, label) of interventions applied
        self._events: list[partial] = []  # strong references: Mesa holds callbacks weakly

        self.employee_at: list[Employee] = [
            self._new_employee(slot) for slot in range(self.state.n)
        ]
        self.customer_at = [
            self.customer_class(self, c) for c in range(len(self.state.customer_trust))
        ]
        agent_hooks.schedule(self)

        for iv in scenario.interventions:
            self.schedule_intervention(iv)

        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_report, name=name) for name in OUTCOMES}
        )
        self.state.tally = {}
        self.outcomes = compute(self.state, self.totals)
        self.datacollector.collect(self)

    # --- set-up ------------------------------------------------------------------------------

    def _initial_state(self) -> State:
        sc = self.config
        org, cu, cult = sc.organization, sc.customers, sc.culture
        reality, beliefs, code = learning.initial_knowledge(
            self.streams["knowledge"], org.employees, sc.learning.dimensions
        )
        s = structures.build(org, self.streams["structure"])
        d = s.departments
        rng = self.streams["culture_init"]
        practice = np.clip(cult.practice + cult.practice_spread * rng.standard_normal(s.n), 0, 1)
        if cult.early_adopters > 0:
            followers = np.flatnonzero(~s.is_leader)
            ranked = followers[
                np.lexsort((rng.random(len(followers)), ~s.informal_leader[followers]))
            ]
            practice[ranked[: int(round(cult.early_adopters * len(followers)))]] = (
                cult.early_adopter_practice
            )
        facing = {
            "none": np.zeros(s.n, dtype=bool),
            "team": s.media_team.copy(),
            "everyone": np.ones(s.n, dtype=bool),
        }[org.customer_facing]

        crng = self.streams["customers"]
        C = cu.count
        half = cu.ties / 2
        src = (
            np.repeat(np.arange(C), crng.poisson(half, size=C)) if C and half else np.empty(0, int)
        )
        dst = crng.integers(0, max(C, 1), size=len(src))
        cindptr, cindices, *_ = structures.to_csr(
            C, np.stack([src, dst], axis=1).astype(np.int64), np.zeros(len(src), dtype=np.int64)
        )
        state = State(
            structure=s,
            reality=reality,
            code=code,
            beliefs=beliefs,
            dimension_owner=np.arange(sc.learning.dimensions) % d,
            practice=practice,
            old_practice=practice.copy(),
            department_culture=np.full(d, cult.practice),
            leadership_trust=np.full(s.n, cult.leadership_trust),
            tie_trust=np.full(len(s.indices), sc.conversation.initial_tie_trust),
            customer_facing=facing,
            permeability=np.full(d, org.permeability),
            vision=np.full(d, cult.vision),
            walk=np.full(d, cult.walk_the_talk),
            platform=np.full(d, org.platform),
            friction=np.zeros(d),
            customer_trust=np.full(C, cu.initial_trust),
            needs=crng.integers(0, sc.learning.dimensions, size=(C, cu.needs)),
            customer_indptr=cindptr,
            customer_indices=cindices,
            request_topic=np.full(C, NO_REQUEST),
            request_holder=np.zeros(C, dtype=np.int64),
            request_receiver=np.zeros(C, dtype=np.int64),
            request_age=np.zeros(C, dtype=np.int64),
            request_acknowledged=np.zeros(C, dtype=bool),
        )
        culture.anchor_practice(state)
        state.old_practice[:] = state.practice
        return state

    # --- interventions (Mesa events) -----------------------------------------------------------

    def schedule_intervention(self, iv: Intervention) -> None:
        """Schedule every stage of `iv`; a stage due before step k runs at time k − 0.5."""
        for at, departments in interventions.stages(iv, self.department_names):
            fn = partial(self._apply_stage, iv, departments)
            self._events.append(fn)
            if at - 0.5 <= self.time:
                fn()
            else:
                self.schedule_event(fn, at=at - 0.5)

    def intervene(self, iv: Intervention) -> None:
        """Apply an intervention now (the explorer's live buttons); stepwise stages follow in time."""
        self.schedule_intervention(iv.model_copy(update={"at": self.steps + 1}))

    def _apply_stage(self, iv: Intervention, departments: np.ndarray) -> None:
        interventions.apply(self, iv, departments)
        names = ", ".join(self.department_names[d] for d in departments)
        whole = len(departments) == len(self.department_names)
        self.applied.append((self.steps + 1, f"{iv.action}" + ("" if whole else f" ({names})")))

    def restructure(self, new: structures.Structure) -> None:
        """Swap in a new tie structure, carrying trust over on the ties that survive."""
        old = self.state.structure
        old_key = old.source * old.n + old.indices
        new_key = new.source * new.n + new.indices
        pos = np.clip(np.searchsorted(old_key, new_key), 0, max(len(old_key) - 1, 0))
        kept = (len(old_key) > 0) & (old_key[pos] == new_key)
        trust = np.full(len(new_key), self.config.conversation.initial_tie_trust)
        trust[kept] = self.state.tie_trust[pos[kept]]
        self.state.structure = new
        self.state.tie_trust = trust
        self.state.invalidate()
        self.__dict__.pop("graph", None)
        if "space" in self.__dict__:
            mesa_space.rebuild(self)

    # --- the step ------------------------------------------------------------------------------

    def step(self) -> None:
        sc = self.config
        st = self.state
        st.tally = {}
        org = sc.organization
        if (
            org.structure == "fluid"
            and org.team_reform_every
            and self.steps % org.team_reform_every == 0
        ):
            self.restructure(
                structures.rebuild_projects(
                    st.structure, org.project_team_size, self.streams["structure"]
                )
            )
        if len(st.customer_trust):
            requests.customers_speak(st, sc, self.streams["requests"])
            resolved, failed = requests.requests_travel(st, sc, self.streams["requests"])
            customers.customers_judge(st, sc, resolved, failed, self.streams["customers"])
        conversations.colleagues_talk(st, sc, self.streams["conversations"])
        self._organizational_learning()
        culture.culture_moves(st, sc, self.streams["culture"])
        left = turnover_mechanism.people_leave(st, sc, self.streams["turnover"])
        self._replace_agents(left)
        if len(st.customer_trust):
            customers.customers_buy(st, sc, self.streams["purchases"])
        self.outcomes = compute(st, self.totals)
        self.datacollector.collect(self)

    def _organizational_learning(self) -> None:
        sc, st = self.config, self.state
        lr = sc.learning
        voice = None
        if lr.voice_hierarchy > 0:
            heard = 1.0 - lr.voice_hierarchy * (1.0 - st.practice)
            draw = self.streams["voice"].random(st.n, dtype=np.float32)
            voice = (st.structure.is_leader | (draw < heard))[None, :]
        if lr.turbulence > 0:  # the market moves first, as in March's program
            learning.turbulence(st.reality, lr.turbulence, self.streams["knowledge"])
        became_right = learning.knowledge_step(
            st.beliefs,
            st.code,
            st.reality,
            lr.socialization,
            lr.code_learning,
            self.streams["learning"],
            voice=voice,
        )
        st.tally["innovations"] = float(became_right.sum())

    def _replace_agents(self, slots: np.ndarray) -> None:
        """A leaver's agent is removed and a new agent takes the slot, so counts add up."""
        for slot in slots.tolist():  # only the few who left this step
            self.employee_at[slot].remove()
            self.employee_at[slot] = self._new_employee(slot)

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
            f"{len(self.customer_at)} customers, step {self.steps} of {self.config.steps}, "
            f"seed {self.seed}>"
        )

    # --- views for users and the explorer ------------------------------------------------------

    @cached_property
    def graph(self):
        """The employee network as networkx (built on demand: the step never needs it)."""
        import networkx as nx

        s = self.state.structure
        g = nx.Graph()
        g.add_nodes_from(range(s.n))
        first = s.source < s.indices
        kinds = structures.TIE_KINDS
        g.add_edges_from(
            (int(a), int(b), {"kind": kinds[k]})
            for a, b, k in zip(s.source[first], s.indices[first], s.kind[first], strict=True)
        )
        return g

    @property
    def employees(self) -> mesa.agent.AgentSet:
        return self.agents.select(agent_type=Employee)

    @property
    def customers(self) -> mesa.agent.AgentSet:
        return self.agents.select(agent_type=Customer)
