"""The Explore view: pick a scenario, tune it, run it, steer it with live interventions, export it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from html import escape
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import solara

from simorg.app import charts, network
from simorg.app.controls import ParameterPanel
from simorg.app.import_org import ImportOrganization  # issue 13
from simorg.app.player import RunControls, use_bump
from simorg.app.session import (
    MAX_FILE_BYTES,
    MOVES,
    Run,
    check_seed,
    data_folders,
    describe,
    load_from_path,
    scenario_from_upload,
)
from simorg.app.share import Shared, replay
from simorg.outcomes import OUTCOMES
from simorg.scenario import Scenario, ScenarioError, with_overrides

MAX_EMPLOYEES = 50_000
MAX_CUSTOMERS = 1_000_000


def check_size(sc: Scenario) -> None:
    """The browser is for organizations a person can watch; bigger ones belong to the CLI."""
    if sc.organization.employees > MAX_EMPLOYEES or sc.customers.count > MAX_CUSTOMERS:
        raise ScenarioError(
            f"the explorer runs up to {MAX_EMPLOYEES:,} employees and {MAX_CUSTOMERS:,} customers "
            f"(got {sc.organization.employees:,} and {sc.customers.count:,}); use 'simorg run' for more"
        )


@dataclass(eq=False)
class ExploreState:
    """The Explore view's state: reactive values owned by one page (see app.Page)."""

    catalogue: solara.Reactive[dict]  # name -> Scenario (shipped, then loaded by the user)
    scenario_name: solara.Reactive[str]
    overrides: solara.Reactive[dict]  # pending parameter edits, applied on Reset
    seed: solara.Reactive[int | None]  # None while the seed box is empty
    run: solara.Reactive[Run]
    tick: solara.Reactive[int]
    playing: solara.Reactive[bool]
    speed: solara.Reactive[int]
    variable: solara.Reactive[str]
    error: solara.Reactive[str]

    @property
    def base(self) -> Scenario:
        return self.catalogue.value[self.scenario_name.value]

    def effective(self) -> Scenario:
        """The chosen scenario with the user's edits (raises ScenarioError if they don't validate)."""
        return (
            with_overrides(self.base, self.overrides.value, "explorer")
            if self.overrides.value
            else self.base
        )

    def pending(self) -> str:
        """What Reset would change, in words (empty when the run matches the controls)."""
        changes = []
        run = self.run.value
        if self.overrides.value != getattr(run, "overrides", {}):
            n = len(self.overrides.value)
            changes.append(
                f"{n} parameter change{'s' if n != 1 else ''}"
                if n
                else "parameters back to the scenario's"
            )
        if self.seed.value != run.seed:
            changes.append(f"seed {self.seed.value}")
        return ("Press Reset to apply: " + ", ".join(changes)) if changes else ""

    def build(self) -> Run:
        """A fresh run of the controls' scenario, changes and seed (ScenarioError if they don't
        validate)."""
        sc = self.effective()
        check_size(sc)
        run = Run(sc, check_seed(self.seed.value), label=self.scenario_name.value)
        run.overrides = dict(self.overrides.value)
        return run

    def reset(self) -> None:
        self.playing.set(False)
        try:
            run = self.build()
        except ScenarioError as exc:
            self.error.set(str(exc))
            return
        self.error.set("")
        self.run.set(run)

    def restore(self, shared: Shared) -> None:
        """Rebuild the run a link describes (see share.py)."""
        self.playing.set(False)
        self.scenario_name.set(shared.scenario)
        self.overrides.set(dict(shared.overrides))
        self.seed.set(
            shared.seed
            if shared.seed is not None
            else int(self.catalogue.value[shared.scenario].seed)
        )
        try:
            run = self.build()
            replay(run, shared.moves, shared.step)
        except ScenarioError as exc:
            self.error.set(str(exc))
            return
        self.error.set("")
        self.run.set(run)

    def choose(self, name: str) -> None:
        """Switch scenario: its own values and seed, a fresh run."""
        self.playing.set(False)
        self.scenario_name.set(name)
        self.overrides.set({})
        self.seed.set(int(self.catalogue.value[name].seed))
        self.reset()


# --- the scenario side bar ------------------------------------------------------------------------


def planned_text(sc: Scenario) -> str:
    """The scenario's planned moves in words, with their levels."""
    return "; ".join(f"step {iv.at}: {describe(iv)}" for iv in sc.interventions)


@solara.component
def ScenarioPicker(st: ExploreState):
    names = list(st.catalogue.value)
    base = st.base
    path, set_path = solara.use_state("")
    # a new key remounts the drop zone and the picker: a refused file's name does not stay
    uploads, set_uploads = solara.use_state(0)
    folders = solara.use_memo(data_folders, [])

    def add(sc: Scenario, label: str):
        key = (
            label
            if label not in st.catalogue.value or label.endswith("(file)")
            else f"{label} (file)"
        )
        st.catalogue.set({**st.catalogue.value, key: sc})
        st.choose(key)

    def take(name: str, data: bytes):
        set_uploads(uploads + 1)
        try:
            if len(data) > MAX_FILE_BYTES:
                raise ScenarioError(f"{name}: larger than 1 MB; not a scenario file")
            sc = scenario_from_upload(name, bytes(data))
            check_size(sc)
        except ScenarioError as exc:
            st.error.set(str(exc))
            return
        add(sc, f"{Path(name).stem} (file)")

    def on_file(info):
        take(info["name"], info["data"])

    def on_pick(value):
        if value:
            take(value[0]["name"], value[0]["content"])

    def load_path():
        try:
            sc = load_from_path(path)
            check_size(sc)
        except ScenarioError as exc:
            st.error.set(str(exc))
            return
        add(sc, f"{Path(path.strip()).stem} (file)")

    def set_seed(v):
        st.seed.set(v if v is None else int(v))

    solara.Select(label="Scenario", value=st.scenario_name.value, values=names, on_value=st.choose)
    if base.description:
        solara.Text(base.description, classes=["simorg-muted"])
    if base.interventions:
        solara.HTML(tag="div", unsafe_innerHTML="<b>Planned:</b> " + escape(planned_text(base)),
                    classes=["simorg-muted"])  # fmt: skip
    with solara.Div(classes=["simorg-drop"]):
        solara.FileDrop(label="Drop a scenario .toml file here", on_file=on_file, lazy=False).key(
            f"drop-{uploads}"
        )
        widgets.FileUpload.element(
            accept=".toml", multiple=False, description="…or choose a file", on_value=on_pick,
            layout=widgets.Layout(width="auto"),
        ).key(f"pick-{uploads}")  # fmt: skip
    if folders:
        with solara.Row(gap="6px", style={"align-items": "center"}):
            solara.InputText(
                "…or a file on the server", value=path, on_value=set_path, continuous_update=True
            )
            solara.Button("Load", on_click=load_path, disabled=not path.strip(), outlined=True)
        solara.Text(
            "from " + ", ".join(str(f) for f in folders), classes=["simorg-muted", "simorg-wrap"]
        )
    ImportOrganization(base, on_scenario=add, on_error=st.error.set)  # issue 13: own files
    solara.InputInt("Seed", value=st.seed.value, on_value=set_seed, continuous_update=True)
    if st.error.value:
        solara.Error(st.error.value, classes=["simorg-error"])
    solara.Text("Parameters", classes=["simorg-section-title"])
    solara.Text("Changes apply on Reset.", classes=["simorg-muted"])
    ParameterPanel(base, st.overrides)


# --- live parts (they read `tick`, so they redraw every frame) -------------------------------------


@solara.component
def NetworkView(run: Run, tick: solara.Reactive[int], variable: str, label_size: float = 24):
    _ = tick.value
    solara.HTML(tag="div", unsafe_innerHTML=run.network_svg(variable, label_size),
                classes=["simorg-network"])  # fmt: skip


@solara.component
def CustomersView(run: Run, tick: solara.Reactive[int]):
    _ = tick.value
    solara.HTML(tag="div", unsafe_innerHTML=run.customers_svg())


@solara.component
def ChartsView(run: Run, tick: solara.Reactive[int]):
    _ = tick.value
    history, applied = run.history(), run.applied()
    xmax = charts.x_extent(run.scenario.steps, run.steps)
    html = ['<div class="simorg-charts">']
    group = None
    for spec in charts.CHARTS:
        if spec.group != group:
            group = spec.group
            html.append(f'<div class="simorg-group-title">{escape(group)}</div>')
        html.append(charts.chart_block(spec, history, applied, xmax))
    html.append("</div>")
    solara.HTML(tag="div", unsafe_innerHTML="".join(html), classes=["simorg-charts-box"])


def number(v: float, sign: bool = False) -> str:
    """A value as people read it: 18,070 · 0.734 · 12 (never 1.807e+04)."""
    plus = "+" if sign else ""
    if not np.isfinite(v):
        return "–"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:{plus},.0f}"
    return f"{v:{plus}.2f}" if abs(v) >= 1 else f"{v:{plus}.3f}"


def outcomes_table(columns: list[tuple[str, dict[str, float]]], diff: bool = False) -> str:
    head = "".join(f'<th class="num">{escape(label)}</th>' for label, _ in columns)
    if diff:
        head += '<th class="num">B − A</th>'
    rows = []
    for name, (group, meaning) in OUTCOMES.items():
        cells = "".join(f'<td class="num">{number(values[name])}</td>' for _, values in columns)
        if diff:
            d = columns[1][1][name] - columns[0][1][name]
            cells += f'<td class="num">{number(d, sign=True)}</td>'
        rows.append(
            f"<tr><td><b>{escape(name.replace('_', ' '))}</b></td>{cells}"
            f'<td class="simorg-muted">{escape(meaning)} <i>({group})</i></td></tr>'
        )
    return (
        f'<table class="simorg-table"><thead><tr><th>outcome</th>{head}<th>meaning</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


@solara.component
def OutcomesView(run: Run, tick: solara.Reactive[int]):
    _ = tick.value
    solara.HTML(tag="div", unsafe_innerHTML=outcomes_table([("now", run.outcomes())]))


@solara.component
def InterventionLog(run: Run, tick: solara.Reactive[int]):
    _ = tick.value
    applied = run.describe_applied()
    now = run.steps
    queued = [(s, w) for s, w in run.log if s > now]
    items = [f"<li>before step {s}: {escape(label)}</li>" for s, label in applied]
    items += [f"<li><b>queued</b>, before step {s}: {escape(w)}</li>" for s, w in queued]
    body = (
        "<ul class='simorg-log'>" + "".join(items) + "</ul>"
        if items
        else "<p class='simorg-muted'>None yet.</p>"
    )
    solara.HTML(tag="div", unsafe_innerHTML="<b>Interventions so far</b>" + body)


# --- interventions ---------------------------------------------------------------------------------


@solara.component
def InterventionPanel(run: Run, tick: solara.Reactive[int]):
    levels, set_levels = solara.use_state(
        {"announce_vision": 0.8, "walk_the_talk": 0.8, "open_silos": 0.6}
    )
    size, set_size = solara.use_state(10)
    pace, set_pace = solara.use_state("all departments at once")
    every, set_every = solara.use_state(5)
    bump = use_bump(tick)

    def apply(action: str):
        stepwise = pace != "all departments at once"
        run.intervene(action, level=levels.get(action), size=size,
                      pace="stepwise" if stepwise else "big_bang", every=every)  # fmt: skip
        bump()

    solara.Text("Transform the organization now", classes=["simorg-section-title"])
    solara.Text(
        "Each move takes effect before the next step and is marked on the charts.",
        classes=["simorg-muted"],
    )
    with solara.Row(gap="14px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.ToggleButtonsSingle(value=pace, values=["all departments at once", "one department at a time"],
                                   on_value=set_pace, dense=True)  # fmt: skip
        if pace != "all departments at once":
            solara.SliderInt(
                "every (steps)",
                value=every,
                min=1,
                max=20,
                on_value=set_every,
                thumb_label="always",
            )

    def set_level(action: str, value: float) -> None:
        set_levels({**levels, action: float(value)})

    with solara.Div(style={"display": "grid", "grid-template-columns": "repeat(auto-fill, minmax(290px, 1fr))",
                           "gap": "8px 18px", "margin-top": "6px"}):  # fmt: skip
        for action, (label, help_, needs_level, needs_size) in MOVES.items():
            with solara.Div(style={"border-left": "3px solid #0072B2", "padding-left": "8px"}):
                solara.Button(label, on_click=lambda a=action: apply(a), color="primary", outlined=True,
                              style={"width": "100%"})  # fmt: skip
                if needs_level:
                    solara.SliderFloat(f"level: {levels[action]:.2f}", value=levels[action], min=0, max=1, step=0.05,
                                       on_value=functools.partial(set_level, action))  # fmt: skip
                if needs_size:
                    solara.SliderInt(
                        f"team size: {size}", value=size, min=2, max=40, on_value=set_size
                    )
                solara.Text(help_, classes=["simorg-muted"])
    InterventionLog(run, tick)


# --- export ----------------------------------------------------------------------------------------


@solara.component
def ExportButtons(run: Run, variable: str):
    stem = f"simorg_{run.scenario.name}_seed{run.seed}"
    # stable callables (FileDownload restarts when `data` changes); each is called only on a click
    csv = solara.use_memo(lambda: run.csv, [run])
    png = solara.use_memo(lambda: run.charts_png, [run])
    svg = solara.use_memo(lambda: lambda: run.network_svg(variable), [run, variable])
    toml = solara.use_memo(lambda: run.scenario_file, [run])
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
        solara.FileDownload(csv, filename=f"{stem}.csv", label="Data (CSV)", mime_type="text/csv")
        solara.FileDownload(toml, filename=f"{stem}.toml", label="Save as scenario file",
                            mime_type="application/toml")  # fmt: skip
        solara.FileDownload(
            png, filename=f"{stem}_charts.png", label="Charts (PNG)", mime_type="image/png"
        )
        solara.FileDownload(
            svg, filename=f"{stem}_network.svg", label="Network (SVG)", mime_type="image/svg+xml"
        )


def run_title(run: Run) -> str:
    """What is running: scenario, the user's changes, seed, size."""
    n = len(run.overrides)
    changes = f" + {n} change{'s' if n != 1 else ''}" if n else ""
    return f"{run.label}{changes} · seed {run.seed} · {run.model.state.n} people"


@solara.component
def VariablePicker(variable: solara.Reactive[str]):
    """Colour people by: one of network.VARIABLES, shown by its label."""
    by_label = {v.label: k for k, v in network.VARIABLES.items()}
    solara.ToggleButtonsSingle(value=network.VARIABLES[variable.value].label, values=list(by_label),
                               on_value=lambda label: variable.set(by_label[label]), dense=True)  # fmt: skip


# --- the view ---------------------------------------------------------------------------------------


@solara.component
def ExploreView(st: ExploreState):
    run = st.run.value
    variable = st.variable.value
    with solara.Div(classes=["simorg-body"]):
        with solara.Div(classes=["simorg-sidebar", "simorg-card"]):
            ScenarioPicker(st)
        with solara.Div(classes=["simorg-main"]):
            with solara.Div(classes=["simorg-card"]):
                RunControls([run], st.tick, st.playing, st.speed, st.reset, run.scenario.steps,
                            st.pending(), on_error=st.error.set)  # fmt: skip
            with solara.Div(classes=["simorg-visual"], style={"margin-top": "12px"}):
                with solara.Div(classes=["simorg-network-box", "simorg-card"]):
                    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                        solara.Text(run_title(run), classes=["simorg-section-title"])
                        VariablePicker(st.variable)
                    NetworkView(run, st.tick, variable)
                with solara.Div(classes=["simorg-side-box"]):
                    with solara.Div(classes=["simorg-card"]):
                        CustomersView(run, st.tick)
                    with solara.Div(classes=["simorg-card"], style={"margin-top": "12px"}):
                        solara.HTML(tag="div", unsafe_innerHTML=network.legend_html(variable))
            with solara.Div(classes=["simorg-card"], style={"margin-top": "12px"}):
                InterventionPanel(run, st.tick)
            with solara.Div(classes=["simorg-card"], style={"margin-top": "12px"}):
                with solara.Row(style={"align-items": "center", "justify-content": "space-between",
                                       "flex-wrap": "wrap"}):  # fmt: skip
                    solara.Text("Outcomes over time", classes=["simorg-section-title"])
                    ExportButtons(run, variable)
                solara.Text(
                    "To share this run, copy the page's address: it holds the scenario, seed, "
                    "changes, moves and step. A run of a dropped file travels as a scenario file.",
                    classes=["simorg-muted"],
                )
                ChartsView(run, st.tick)
            with solara.Div(classes=["simorg-card"], style={"margin-top": "12px"}):
                solara.Text("Every outcome now", classes=["simorg-section-title"])
                OutcomesView(run, st.tick)
