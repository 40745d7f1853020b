"""OrgModel in Mesa's own SolaraViz: `solara run simorg.app.mesa_viz`, or `Page(model=...)` in a notebook.

The simorg explorer (simorg/app/app.py) is the app made for this model; this page is what a Mesa
user builds with Mesa's tools, and it shows that OrgModel follows Mesa's conventions: the network
comes from `make_space_component` drawing `model.space` (a `mesa.discrete_space.Network`), the
outcome charts from `make_plot_component` over the DataCollector, and Reset rebuilds the model from
the sidebar's parameters the way Mesa does (keyword arguments plus a Mesa `Scenario`).

People are drawn at seeded positions computed once per model (simorg/app/layout.py: departments as
clusters, each team around its leader), never with a spring layout per frame; colour is social
practice (viridis), squares are formal leaders.
"""

from __future__ import annotations

import weakref

import solara
from mesa.visualization import SolaraViz, make_plot_component, make_space_component
from mesa.visualization.components import AgentPortrayalStyle
from mesa.visualization.utils import update_counter

from simorg.agents import Employee, Leader
from simorg.app import layout
from simorg.app.palette import viridis
from simorg.model import OrgModel
from simorg.scenario import shipped_scenarios

DEFAULT_SCENARIO = "social_business"
DEFAULT_EMPLOYEES = 120  # small enough that matplotlib redraws the network quickly

MODEL_PARAMS = {
    "scenario_or_config": {
        "type": "Select",
        "value": DEFAULT_SCENARIO,
        "values": sorted(shipped_scenarios()),
        "label": "Scenario",
    },
    "organization_employees": {
        "type": "SliderInt",
        "value": DEFAULT_EMPLOYEES,
        "min": 20,
        "max": 600,
        "step": 10,
        "label": "Employees",
    },
    "rng": {"type": "InputText", "value": "42", "label": "Random seed"},
}


def portray(agent: Employee) -> AgentPortrayalStyle:
    leader = isinstance(agent, Leader)
    return AgentPortrayalStyle(
        color=viridis(agent.practice),
        marker="s" if leader else "o",
        size=110 if leader else 55,
        # zorder stays 1: Mesa 3.5.1's _scatter masks with `z_order == zorder & mask_marker`,
        # which (by operator precedence) draws nothing for any other zorder
        zorder=1,
        edgecolors="#1a1a1a" if leader else None,
        linewidths=0.6,
    )


_positions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class FixedLayout:
    """A networkx-style layout function that returns positions computed once (draw_network's hook)."""

    def __init__(self, positions: dict[int, tuple[float, float]]) -> None:
        self.positions = positions

    def __call__(self, graph, **_) -> dict[int, tuple[float, float]]:
        return self.positions


def positions(model: OrgModel) -> dict[int, tuple[float, float]]:
    """Seeded positions of every slot, kept per model (they depend on the reporting lines only)."""
    key = layout.structure_key(model.state.structure)
    cached = _positions.get(model)
    if cached is None or cached[0] != key:
        lay = layout.compute(model.state.structure, model.seed)
        pos = {i: (float(x), -float(y)) for i, (x, y) in enumerate(zip(lay.x, lay.y, strict=True))}
        cached = _positions[model] = (key, pos)
    return cached[1]


def quiet_ties(ax) -> None:
    """Ties thin and light under the people (draw_network draws them dashed at alpha 0.5)."""
    from matplotlib.collections import LineCollection

    for collection in ax.collections:
        if isinstance(collection, LineCollection):
            collection.set(alpha=0.12, linewidth=0.5, linestyle="-")


def NetworkView(model: OrgModel):
    """Mesa's space component over model.space, with the fixed positions."""
    component = make_space_component(
        portray,
        post_process=quiet_ties,
        draw_grid=True,
        layout_alg=FixedLayout(positions(model)),
        layout_kwargs={},
    )
    return component(model)


@solara.component
def Summary(model: OrgModel):
    """Which organization this is, at which step, from which seed (the model's repr)."""
    update_counter.get()  # redraw after every step, as Mesa's own components do
    solara.Text(repr(model), classes=["simorg-mesa-summary"])


COMPONENTS = [
    Summary,
    NetworkView,
    make_plot_component(["practice", "peer_trust", "leadership_trust", "customer_trust"]),
    make_plot_component(["requests_resolved", "requests_failed"]),
]


def initial_model() -> OrgModel:
    return OrgModel(DEFAULT_SCENARIO, rng=42, organization_employees=DEFAULT_EMPLOYEES)


@solara.component
def Page(model: OrgModel | None = None):
    """SolaraViz over `model`, or over a fresh model per browser page (pages never share one)."""
    current = solara.use_memo(lambda: model if model is not None else initial_model(), [model])
    return SolaraViz(
        current, components=COMPONENTS, model_params=MODEL_PARAMS, name="simorg in Mesa's SolaraViz"
    )


page = Page()
