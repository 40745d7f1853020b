"""OrgModel as Mesa users call it: rng=, a Mesa Scenario, keyword levers, running, batch_run,
the Network space, agent subclasses with a per-step hook, and reprs."""

from __future__ import annotations

import multiprocessing
import warnings

import mesa
import numpy as np
import pytest
from mesa.discrete_space import Network
from mesa.experimental.scenarios import Scenario as MesaScenario

from simorg.agents import ArrayViewWarning, Customer, Employee, Leader
from simorg.model import OrgModel
from simorg.scenario import ScenarioError
from simorg.simulate import simulate

from conftest import ROOT, small

TINY = {"organization_employees": 40, "customers_count": 60}


def final(model: OrgModel, steps: int = 4) -> dict[str, float]:
    model.run_for(steps)
    return dict(model.outcomes)


def test_rng_as_mesa_takes_it() -> None:
    assert final(OrgModel(rng=1, **TINY)) == final(OrgModel(rng=1, **TINY))
    assert final(OrgModel(rng=1, **TINY)) != final(OrgModel(rng=2, **TINY))
    assert OrgModel(rng=7, **TINY).seed == 7 == OrgModel(seed=7, **TINY).seed
    a = OrgModel(rng=np.random.default_rng(3), **TINY)
    b = OrgModel(rng=np.random.default_rng(3), **TINY)
    assert a.seed == b.seed and final(a) == final(b)
    assert (
        OrgModel(rng=np.random.SeedSequence(5), **TINY).seed
        == OrgModel(rng=np.random.SeedSequence(5), **TINY).seed
    )
    with pytest.raises(ValueError, match="rng or seed, not both"):
        OrgModel(rng=1, seed=1)
    with pytest.raises(ScenarioError, match="not a whole number"):
        OrgModel(seed="forty-two")


def test_no_seed_means_fresh_entropy_recorded_so_the_run_can_be_repeated() -> None:
    sc = small()
    a, b = OrgModel(sc), OrgModel(sc)
    assert a.seed != b.seed
    assert a.config.seed == a.seed  # the config is the complete record of the run
    again = OrgModel(sc, seed=a.seed)
    assert final(a) == final(again)
    # the scenario file's seed stays the default of simulate (and of `simorg run`)
    assert simulate(sc, steps=2).seed == sc.seed


def test_keyword_levers_short_identifier_and_dotted() -> None:
    assert OrgModel(permeability=0.4, **TINY).config.organization.permeability == 0.4
    m = OrgModel("traditional_silos", culture_walk_the_talk=0.9, seed=1, **TINY)
    assert m.config.name == "traditional_silos" and m.config.culture.walk_the_talk == 0.9
    m = OrgModel(small(), overrides={"culture.vision": 0.7, "learning.socialization": 0.3}, seed=1)
    assert (m.config.culture.vision, m.config.learning.socialization) == (0.7, 0.3)
    assert OrgModel(small(), steps=7, seed=1).config.steps == 7
    with pytest.raises(
        ScenarioError, match="ambiguous: use one of customers_trust_gain, conversation_trust_gain"
    ):
        OrgModel(trust_gain=0.2)
    with pytest.raises(ScenarioError, match="unknown parameter 'permeabilty'"):
        OrgModel(permeabilty=0.2)
    with pytest.raises(
        ScenarioError, match=r"permeability: Input should be less than or equal to 1"
    ):
        OrgModel(permeability=3)


def test_a_mesa_scenario_is_read_as_keyword_levers() -> None:
    ms = MesaScenario(rng=5, scenario_or_config="traditional_silos", permeability=0.3, **TINY)
    m = OrgModel(scenario=ms)
    assert m.config.name == "traditional_silos" and m.config.organization.permeability == 0.3
    assert m.seed == 5 and isinstance(m.scenario, MesaScenario) and m.scenario.rng == 5
    # what SolaraViz's Reset passes: keyword parameters plus an empty Mesa Scenario (rng None)
    m = OrgModel(scenario=MesaScenario(), scenario_or_config="social_business", rng="11", **TINY)
    assert m.seed == 11 and m.scenario.rng == 11 and m.config.name == "social_business"
    with pytest.raises(ValueError, match="must be the same"):
        OrgModel(scenario=MesaScenario(rng=1), rng=2)


def test_running_turns_false_at_the_planned_steps() -> None:
    m = OrgModel(small(), seed=1, steps=4)
    assert m.running
    for _ in range(50):  # Mesa's run_model() loop, bounded so that a broken `running` fails
        if not m.running:
            break
        m.step()
    assert m.steps == 4 and not m.running
    m.step()  # stepping on is still allowed; running stays False
    assert m.steps == 5 and not m.running
    m2 = OrgModel(small(), seed=1, steps=10)
    m2.running = False
    assert not m2.running


@pytest.fixture
def restore_start_method():
    method = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(method, force=True)  # batch_run forces "spawn" globally


def test_mesa_batch_run_keyword_parameters_and_distinct_seeds(restore_start_method) -> None:
    params = {
        "scenario_or_config": "social_business",
        "permeability": [0.1, 0.9],
        "steps": 3,
        **TINY,
    }
    rows = mesa.batch_run(
        OrgModel, parameters=params, rng=[None] * 3, max_steps=50, display_progress=False
    )
    assert len(rows) == 6 and {r["Step"] for r in rows} == {3}  # stopped by running, not max_steps
    for perm in (0.1, 0.9):
        trust = [r["customer_trust"] for r in rows if r["permeability"] == perm]
        assert len(set(trust)) == 3, "three iterations, three different runs"
    seeded = mesa.batch_run(
        OrgModel, parameters=params, rng=[1, 2], max_steps=50, display_progress=False
    )
    again = mesa.batch_run(
        OrgModel, parameters=params, rng=[1, 2], max_steps=50, display_progress=False
    )
    assert [r["customer_trust"] for r in seeded] == [r["customer_trust"] for r in again]
    assert {r["seed"] for r in seeded} == {1, 2}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Mesa deprecates iterations=
        old = mesa.batch_run(OrgModel, parameters=params, iterations=2, display_progress=False)
    assert len({r["customer_trust"] for r in old if r["permeability"] == 0.1}) == 2


def neighbours(agent: Employee) -> set[int]:
    return {c.coordinate for c in agent.cell.neighborhood}


def test_space_is_a_mesa_network_kept_in_sync() -> None:
    sc = small("fluid_work", **{"organization.team_reform_every": 2, "turnover.base_rate": 0.2})
    m = OrgModel(sc, seed=3)
    space = m.space
    assert isinstance(space, Network) and len(space.agents) == sc.organization.employees
    # no spring layout: a cell's "position" is Mesa's default for topological cells, its coordinate
    assert all(float(c.position) == c.coordinate for c in space.all_cells)
    for agent in m.employee_at[:20]:
        assert agent.cell.coordinate == agent.slot
        assert neighbours(agent) == {c.slot for c in agent.colleagues}
    old = [a.unique_id for a in m.employee_at]
    m.run_for(5)  # teams re-form (restructure) and people leave and are replaced
    hired = [a for a, i in zip(m.employee_at, old, strict=True) if a.unique_id != i]
    assert hired, "turnover happened"
    # a new hire takes the leaver's slot, its agent object and its cell, under a new id
    assert all(a.cell.coordinate == a.slot and a in m.space.agents for a in hired)
    assert m.space is not space  # rebuilt on restructuring
    assert len(m.space.agents) == sc.organization.employees
    for agent in m.employee_at:
        assert agent.cell.coordinate == agent.slot
        assert neighbours(agent) == {c.slot for c in agent.colleagues}


class Counting(Employee):
    calls = 0
    seen_steps: list[int] = []

    def step(self) -> None:
        type(self).calls += 1
        type(self).seen_steps.append(self.model.steps)
        self.practice = 0.0  # behaviour changes go through the arrays


class CountingLeader(Leader):
    calls = 0

    def step(self) -> None:
        type(self).calls += 1


class Patient(Customer):
    def step(self) -> None:
        self.trust = 1.0


class Extended(OrgModel):
    employee_class = Counting
    leader_class = CountingLeader
    customer_class = Patient


def test_agent_subclasses_are_created_and_step_before_the_mechanisms() -> None:
    Counting.calls, Counting.seen_steps, CountingLeader.calls = 0, [], 0
    sc = small(**{"turnover.base_rate": 0.3, "culture.adaptation": 0.0})
    m = Extended(sc, seed=2)
    n_staff = sum(isinstance(a, Counting) for a in m.employee_at)
    n_leaders = sum(isinstance(a, CountingLeader) for a in m.employee_at)
    assert n_staff + n_leaders == sc.organization.employees and n_leaders > 0
    m.run_for(2)
    before = [a.unique_id for a in m.employee_at]
    m.step()
    assert Counting.calls == 3 * n_staff and CountingLeader.calls == 3 * n_leaders
    assert sorted(set(Counting.seen_steps)) == [0, 1, 2]  # before step k, k - 1 steps are done
    assert m.outcomes["turnover_total"] > 0
    assert all(isinstance(a, Counting | CountingLeader) for a in m.employee_at), "new hires too"
    hooked = ~m.state.structure.is_leader & np.array(
        [a.unique_id == b for a, b in zip(m.employee_at, before, strict=True)]
    )
    assert hooked.sum() > 0 and m.state.practice[hooked].max() == 0.0  # the writes reach the arrays
    assert len(m.customers) == sc.customers.count
    plain = OrgModel(sc, seed=2)
    plain.run_for(3)
    assert m.outcomes["customer_trust"] > plain.outcomes["customer_trust"]


def test_hook_order_is_random_but_seeded() -> None:
    orders: list[list[int]] = []

    class Recording(Employee):
        def step(self) -> None:
            orders[-1].append(self.slot)

    class M(OrgModel):
        employee_class = Recording

    for seed in (4, 4, 5):
        orders.append([])
        M(small(), seed=seed).run_for(1)
    assert orders[0] == orders[1] != orders[2]
    assert orders[0] != sorted(orders[0])


def test_overriding_an_array_view_warns() -> None:
    with pytest.warns(ArrayViewWarning, match=r"Stubborn.practice overrides Employee.practice"):

        class Stubborn(Employee):
            @property
            def practice(self) -> float:
                return 0.0

    with pytest.warns(ArrayViewWarning, match=r"Sceptic.trust overrides Customer.trust"):

        class Sceptic(Customer):
            trust = 0.0


def test_reprs_say_what_they_are() -> None:
    m = OrgModel(small(), seed=9)
    m.run_for(2)
    assert (
        repr(m)
        == "<OrgModel 'social_business': 80 employees, 150 customers, step 2 of 200, seed 9>"
    )
    leader = next(a for a in m.employee_at if isinstance(a, Leader))
    assert repr(leader).startswith(f"<Leader {leader.unique_id} slot {leader.slot}: ")
    assert "practice" in repr(m.employee_at[-1]) and "trust" in repr(m.customer_at[0])
    r = simulate(small(), steps=3, seed=1)
    assert repr(r).startswith("RunResult(scenario='social_business', seed=1, steps=3, final={")
    assert "trajectory=4 rows" in repr(r) and len(repr(r)) < 300


def readme_block(heading: str) -> str:
    """The first ```python block after `heading` in README.md."""
    text = (ROOT / "README.md").read_text()
    after = text[text.index(heading) :]
    start = after.index("```python\n") + len("```python\n")
    return after[start : after.index("```\n", start)]


@pytest.mark.parametrize(
    "heading", ["### Extending agents", "### OrgModel's arguments", "### Calling simorg"]
)
def test_readme_examples_run(heading: str, capsys) -> None:
    exec(compile(readme_block(heading), f"README.md {heading}", "exec"), {"__name__": "readme"})


def test_readme_extension_changes_what_the_mechanisms_compute() -> None:
    ns: dict = {"__name__": "readme"}
    exec(readme_block("### Extending agents"), ns)
    plain = OrgModel(ns["load_scenario"]("traditional_silos"), seed=1)
    plain.run_for(52)
    model = ns["model"]
    assert model.outcomes["customer_trust"] > plain.outcomes["customer_trust"]
    assert model.outcomes["practice"] < plain.outcomes["practice"]
