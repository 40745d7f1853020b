"""The simorg explorer page (`simorg explore` serves it with `solara run simorg.app.app`).

Mesa's shape: the model (simorg/model.py) and agents (simorg/agents.py) know nothing of this file.
Every piece of state below is created inside `Page`, so each browser page (each Solara virtual
kernel) gets its own models: two people in a room never step the same organization.
"""

from __future__ import annotations

import solara

from simorg.app import layout
from simorg.app.about import About
from simorg.app.compare import CompareState, CompareView, build_runs
from simorg.app.explore import ExploreState, ExploreView
from simorg.app.player import DEFAULT_SPEED
from simorg.app.session import DEFAULT_SCENARIO, Run, scenario_catalogue
from simorg.app.style import CSS
from simorg.model import OrgModel

VIEWS = ("Explore", "Compare", "About")
COMPARE_DEFAULT = ("traditional_silos", "social_business")


def run_of(model: OrgModel) -> Run:
    """The explorer's Run around a model the user built (a notebook's `Page(model=...)`)."""
    run = Run(model.config, model.seed, label=model.config.name)
    run.model = model
    run.layout = layout.compute(model.state.structure, model.seed)
    return run


@solara.component
def Page(model: OrgModel | None = None):
    """The explorer; in a notebook, `Page(model=OrgModel(...))` explores that model."""
    catalogue = solara.use_reactive(solara.use_memo(scenario_catalogue, []))
    first = catalogue.value.get(DEFAULT_SCENARIO) or next(iter(catalogue.value.values()))
    first_name = (
        DEFAULT_SCENARIO if DEFAULT_SCENARIO in catalogue.value else next(iter(catalogue.value))
    )
    if model is not None:
        first, first_name = model.config, model.config.name

    def first_run():
        return run_of(model) if model is not None else Run(first, first.seed, label=first_name)

    explore = ExploreState(
        catalogue=catalogue,
        scenario_name=solara.use_reactive(first_name),
        overrides=solara.use_reactive({}),
        seed=solara.use_reactive(int(first.seed)),
        run=solara.use_reactive(solara.use_memo(first_run, [])),
        tick=solara.use_reactive(0),
        playing=solara.use_reactive(False),
        speed=solara.use_reactive(DEFAULT_SPEED),
        variable=solara.use_reactive("practice"),
        error=solara.use_reactive(""),
    )
    a, b = (x if x in catalogue.value else first_name for x in COMPARE_DEFAULT)

    def first_pair():
        return build_runs(a, b, int(first.seed), catalogue.value, first)

    compare = CompareState(
        a=solara.use_reactive(a),
        b=solara.use_reactive(b),
        seed=solara.use_reactive(int(first.seed)),
        runs=solara.use_reactive(solara.use_memo(first_pair, [])),
        tick=solara.use_reactive(0),
        playing=solara.use_reactive(False),
        speed=solara.use_reactive(DEFAULT_SPEED),
        variable=solara.use_reactive("practice"),
    )
    view = solara.use_reactive(VIEWS[0])

    def switch(v: str):
        explore.playing.set(False)  # a view that is not shown does not run
        compare.playing.set(False)
        view.set(v)

    solara.Title("simorg explorer")
    solara.Style(CSS)
    with solara.Div(classes=["simorg-page"]):
        with solara.Div(classes=["simorg-header"]):
            solara.Text("simorg", classes=["simorg-title"])
            solara.Text(
                "how an organization communicates, and what follows", classes=["simorg-tagline"]
            )
            solara.ToggleButtonsSingle(
                value=view.value, values=list(VIEWS), on_value=switch, mandatory=True
            )
        if view.value == "Explore":
            ExploreView(explore)
        elif view.value == "Compare":
            CompareView(compare, catalogue.value, explore.run.value.scenario)
        else:
            About()


# The module-level element Mesa's and Solara's docs use; `Page` is what `solara run` serves.
page = Page()


@solara.component
def Layout(children=[]):  # noqa: B006 (solara's signature)
    """No app bar or drawer: the page lays itself out."""
    return solara.Column(children=children, gap="0px")
