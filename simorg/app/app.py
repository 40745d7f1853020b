"""The simorg explorer page (`simorg explore` serves it with `solara run simorg.app.app`).

Mesa's shape: the model (simorg/model.py) and agents (simorg/agents.py) know nothing of this file.
Every piece of state below is created inside `Page`, so each browser page (each Solara virtual
kernel) gets its own models: two people in a room never step the same organization.

The link in the address bar always describes the run on the screen (scenario, seed, changes,
live moves, and the step while paused: share.py), so a reload or a shared link gives the same run.
One error boundary per page turns an unexpected error into a one-line message (the traceback goes
to the server log) and keeps the page usable.
"""

from __future__ import annotations

import logging
from typing import cast

import solara

from simorg.app import layout, share
from simorg.app.about import About
from simorg.app.compare import CompareState, CompareView, build_runs
from simorg.app.explore import ExploreState, ExploreView
from simorg.app.player import DEFAULT_SPEED
from simorg.app.projector import ProjectorView
from simorg.app.session import DEFAULT_SCENARIO, Run, scenario_catalogue, start_memory_releaser
from simorg.app.style import CSS
from simorg.model import OrgModel
from simorg.scenario import ScenarioError, shipped_scenarios

VIEWS = ("Explore", "Compare", "About")
COMPARE_DEFAULT = ("traditional_silos", "social_business")

logger = logging.getLogger("simorg.app")


def session_count() -> int:
    """Open sessions (Solara virtual kernels) on this server."""
    from solara.server import kernel_context

    return len(kernel_context.contexts)


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


@solara.component
def ErrorBoundary(children=[], on_recover=None):  # noqa: B006 (solara's signature)
    """Catches what its children raise while drawing: one line on the page, the traceback in the
    server log, and a button that redraws the page (after `on_recover`, which pauses the run)."""
    exc, clear = solara.use_exception()
    logged = solara.use_ref(cast(BaseException | None, None))
    if exc is None:
        solara.Div(children=children)
        return
    if logged.current is not exc:
        logged.current = exc
        logger.error("simorg explorer: a page part failed", exc_info=exc)

    def recover():
        if on_recover is not None:
            on_recover()
        clear()

    with solara.Div(classes=["simorg-card"]):
        solara.Error(
            f"Something went wrong on this page ({one_line(exc)}). The run is paused; "
            "the server log has the details.",
            classes=["simorg-error"],
        )
        solara.Button("Carry on", icon_name="mdi-refresh", on_click=recover, color="primary")


#: Links a page remembers having pushed itself (see Followed.pushed).
MAX_ECHOES = 8


class Followed:
    """The link the page last followed or pushed (`current`) and the links it pushed that have not
    come back through the router yet (`pushed`): those are echoes, never navigations."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.pushed: list[str] = []

    def push(self, query: str) -> None:
        self.current = query
        self.pushed[:] = [*self.pushed[-(MAX_ECHOES - 1) :], query]

    def echo(self, search: str) -> bool:
        """Whether `search` is a link this page pushed coming back (forgotten once back, so a
        later back / forward to it is followed)."""
        if search not in self.pushed:
            return False
        del self.pushed[: self.pushed.index(search) + 1]
        return True


@solara.component
def LinkKeeper(explore: ExploreState, projector, view, followed, ready):
    """Keeps the address bar on the run shown: redrawn with each frame (it reads `tick`), it
    pushes a new link whenever the run, its moves or (while paused) its step change."""
    router = solara.use_router()
    _ = explore.tick.value
    run = explore.run.value
    current = (
        ""
        if explore.playing.value
        else share.run_query(run, run.steps, projector.value, view.value)
    )

    def update_link():
        # read the values now, not at render time: a link followed in this same pass has just
        # replaced the run; nothing before the page's own link was followed
        if explore.playing.value or not ready.value:
            return
        r = explore.run.value
        q = share.run_query(r, r.steps, projector.value, view.value)
        if q != (router.search or "") and router.set_path is not None:
            followed.push(q)
            router.push(f"{router.path or '/'}?{q}")

    solara.use_effect(update_link, [current, ready.value])


def run_of(model: OrgModel) -> Run:
    """The explorer's Run around a model the user built (a notebook's `Page(model=...)`)."""
    run = Run(model.config, model.seed, label=model.config.name)
    run.model = model
    run.layout = layout.compute(model.state.structure, model.seed)
    return run


@solara.component
def Page(model: OrgModel | None = None):
    """The explorer; in a notebook, `Page(model=OrgModel(...))` explores that model."""
    router = solara.use_router()
    catalogue = solara.use_reactive(solara.use_memo(scenario_catalogue, []))
    first_name = (
        DEFAULT_SCENARIO if DEFAULT_SCENARIO in catalogue.value else next(iter(catalogue.value))
    )
    first = catalogue.value[first_name]
    shipped = solara.use_memo(lambda: set(shipped_scenarios()), [])

    def read_link():
        try:
            return share.parse(router.search, shipped)
        except ScenarioError:
            return None  # said on the page by follow_link below

    link = solara.use_memo(read_link, [])
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
    view = solara.use_reactive(link.view if link and link.view in VIEWS else VIEWS[0])
    projector = solara.use_reactive(bool(link and link.projector))

    # the link the page was opened with (and later ones: back / forward) rebuilds its run
    followed = solara.use_memo(Followed, [])
    ready = solara.use_reactive(False)  # the link the page was opened with has been followed

    def follow_link():
        search = router.search or ""
        if followed.echo(search):
            # a link this page pushed itself, coming back through the router, perhaps after a
            # later one (a Pause during a frame pushes two): not a navigation; following it would
            # rebuild the run and replay it to an older step while the person waits for Pause
            return
        if search == followed.current:
            return
        followed.current = search
        ready.set(True)
        try:
            shared = share.parse(search, shipped)
        except ScenarioError as exc:
            explore.error.set(str(exc))
            return
        if shared is None:
            return
        if shared.scenario:
            explore.restore(shared)
        projector.set(shared.projector)
        if shared.view in VIEWS:
            view.set(shared.view)

    solara.use_effect(follow_link, [router.search])
    solara.use_effect(lambda: start_memory_releaser(session_count), [])

    def switch(v: str):
        explore.playing.set(False)  # a view that is not shown does not run
        compare.playing.set(False)
        view.set(v)

    def pause_all():
        explore.playing.set(False)
        compare.playing.set(False)

    solara.Title("simorg explorer")
    solara.Style(CSS)
    LinkKeeper(explore, projector, view, followed, ready)
    if projector.value and view.value == "Explore":
        with (
            solara.Div(classes=["simorg-page", "simorg-page-projector"]),
            ErrorBoundary(on_recover=pause_all),
        ):
            ProjectorView(explore, on_exit=lambda: projector.set(False),
                          on_error=explore.error.set)  # fmt: skip
        return
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
                solara.Button("Projector", icon_name="mdi-projector-screen", outlined=True,
                              on_click=lambda: projector.set(True))  # fmt: skip
        with ErrorBoundary(on_recover=pause_all):
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
    """Solara's page frame (solara looks it up by this name; where people are drawn is
    `layout.Positions`): no app bar or drawer, the page lays itself out."""
    return solara.Column(children=children, gap="0px")
