"""The Compare view: two scenarios side by side on the same seed, stepped in lockstep, on the same axes.

Both runs use the same seed, so they share their random streams (common random numbers): what
differs between the two pictures is what differs between the scenarios, not luck. Each chart overlays A
(solid) and B (dashed) on the same axes, with the gap between them shaded, so a difference is seen
as it opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import solara

from simorg.app import charts, palette
from simorg.app.explore import VariablePicker, check_size, number, outcomes_table
from simorg.app.player import RunControls
from simorg.app.session import Run, check_seed, compare_csv, compare_png
from simorg.outcomes import OUTCOMES
from simorg.scenario import Scenario, ScenarioError

EXPLORE_SETTINGS = "your Explore settings"
TAGS = (("A", palette.OKABE_ITO["blue"]), ("B", palette.OKABE_ITO["vermillion"]))


@dataclass(eq=False)
class CompareState:
    a: solara.Reactive[str]
    b: solara.Reactive[str]
    seed: solara.Reactive[int]
    runs: solara.Reactive[tuple]
    tick: solara.Reactive[int]
    playing: solara.Reactive[bool]
    speed: solara.Reactive[int]
    variable: solara.Reactive[str]


def scenario_named(
    name: str, catalogue: dict[str, Scenario], explore_scenario: Scenario
) -> Scenario:
    """The scenario a Compare choice names: the explorer's own settings, or a shipped one."""
    return explore_scenario if name == EXPLORE_SETTINGS else catalogue[name]


def build_runs(
    a: str, b: str, seed: int, catalogue: dict[str, Scenario], explore_scenario: Scenario
) -> tuple:
    for name in (a, b):
        check_size(scenario_named(name, catalogue, explore_scenario))
    return (
        Run(scenario_named(a, catalogue, explore_scenario), seed, label=a),
        Run(scenario_named(b, catalogue, explore_scenario), seed, label=b),
    )


def tag(k: int) -> str:
    letter, colour = TAGS[k]
    return f'<span class="simorg-tag" style="background:{colour}">{letter}</span>'


@solara.component
def CompareNetworks(runs: tuple, tick: solara.Reactive[int], variable: str):
    _ = tick.value
    with solara.Div(classes=["simorg-compare-cols"]):
        for k, run in enumerate(runs):
            with solara.Div(classes=["simorg-card"]):
                solara.HTML(tag="div", unsafe_innerHTML=(
                    f'<div class="simorg-section-title">{tag(k)}{escape(run.label)}</div>'
                    f'<div class="simorg-muted">{escape(run.scenario.description)}</div>'
                    + run.network_svg(variable)
                    + f'<div class="simorg-compare-customers" data-run="{"AB"[k]}">'
                    + run.customers_svg() + "</div>"
                ))  # fmt: skip


def overlay_legend(spec: charts.ChartSpec, histories: list[dict]) -> str:
    """Which line is which (colour = outcome, solid = A, dashed = B) and the values now."""
    rows = []
    for k, name in enumerate(spec.series):
        colour = palette.SERIES[k % len(palette.SERIES)]
        now = [float(h[name][-1]) if len(h.get(name, ())) else float("nan") for h in histories]
        samples = "".join(
            f'<svg width="34" height="12" style="flex:none;margin-top:5px"><line x1="1" y1="6" x2="33" '
            f'y2="6" stroke="{colour}" stroke-width="3"'
            + (f' stroke-dasharray="{charts.RUN_DASHES[r]}"' if charts.RUN_DASHES[r] else "")
            + f'/></svg><b style="margin-right:6px">{"AB"[r]}</b>'
            for r in range(2)
        )
        rows.append(
            f'<div class="simorg-legend-row">{samples}<span><b>{escape(name.replace("_", " "))}</b>: '
            f"A {number(now[0])} · B {number(now[1])} · B − A "
            f'<b class="simorg-diff">{number(now[1] - now[0], sign=True)}</b>'
            f' <span class="simorg-muted">({escape(OUTCOMES[name][1])})</span></span></div>'
        )
    return f'<div class="simorg-chart-legend">{"".join(rows)}</div>'


@solara.component
def CompareCharts(runs: tuple, tick: solara.Reactive[int]):
    _ = tick.value
    histories = [r.history() for r in runs]
    applied = [r.applied() for r in runs]
    xmax = charts.x_extent(max(r.scenario.steps for r in runs), runs[0].steps)
    html = [
        '<div class="simorg-muted">Each chart overlays both runs on the same axes: '
        f"{tag(0)} solid lines, {tag(1)} dashed; the shaded band is the gap between A and B on "
        "the first line of the chart.</div>",
        '<div class="simorg-charts">',
    ]
    group = None
    for spec in charts.CHARTS:
        if spec.group != group:
            group = spec.group
            html.append(f'<div class="simorg-group-title">{escape(group)}</div>')
        html.append(
            f'<div class="simorg-chart-card"><div class="simorg-chart-title">{escape(spec.title)}'
            + (f' <span class="simorg-unit">({escape(spec.unit)})</span>' if spec.unit else "")
            + "</div>"
            + charts.overlay_svg(spec, list(zip(histories, applied, strict=True)), xmax)
            + overlay_legend(spec, histories)
            + "</div>"
        )
    html.append("</div>")
    solara.HTML(tag="div", unsafe_innerHTML="".join(html))


@solara.component
def CompareTable(runs: tuple, tick: solara.Reactive[int]):
    _ = tick.value
    solara.HTML(tag="div", unsafe_innerHTML=outcomes_table(
        [(f"A: {runs[0].label}", runs[0].outcomes()), (f"B: {runs[1].label}", runs[1].outcomes())], diff=True
    ))  # fmt: skip


@solara.component
def CompareView(cs: CompareState, catalogue: dict, explore_scenario: Scenario):
    runs = cs.runs.value
    names = [*catalogue, EXPLORE_SETTINGS]

    error, set_error = solara.use_state("")

    def rebuild(a: str | None = None, b: str | None = None, seed: int | None = None):
        cs.playing.set(False)
        a = cs.a.value if a is None else a
        b = cs.b.value if b is None else b
        try:
            seed = check_seed(cs.seed.value if seed is None else seed)
            new = build_runs(a, b, seed, catalogue, explore_scenario)
        except ScenarioError as exc:
            set_error(str(exc))
            return
        set_error("")
        cs.a.set(a)
        cs.b.set(b)
        cs.seed.set(seed)
        cs.runs.set(new)

    pending = f"Press Reset to use seed {cs.seed.value}" if cs.seed.value != runs[0].seed else ""
    with solara.Div(classes=["simorg-card"]):
        with solara.Row(gap="14px", style={"align-items": "center", "flex-wrap": "wrap"}):
            sides = (("A", cs.a, lambda v: rebuild(a=v)), ("B", cs.b, lambda v: rebuild(b=v)))
            for i, (side, chosen, choose) in enumerate(sides):
                solara.HTML(tag="span", unsafe_innerHTML=tag(i))
                with solara.Div(style={"min-width": "260px"}):
                    solara.Select(
                        label=f"Scenario {side}", value=chosen.value, values=names, on_value=choose
                    )
            with solara.Div(style={"width": "140px"}):
                solara.InputInt("Seed (both)", value=cs.seed.value, on_value=lambda v: cs.seed.set(v),
                                continuous_update=True)  # fmt: skip
            stem = f"simorg_compare_{runs[0].scenario.name}_vs_{runs[1].scenario.name}_seed{runs[0].seed}"
            csv = solara.use_memo(lambda: lambda: compare_csv(*runs), [runs])
            png = solara.use_memo(lambda: lambda: compare_png(*runs), [runs])
            solara.FileDownload(
                csv, filename=f"{stem}.csv", label="Data (CSV)", mime_type="text/csv"
            )
            solara.FileDownload(
                png, filename=f"{stem}.png", label="Charts (PNG)", mime_type="image/png"
            )
        if error:
            solara.Error(error, classes=["simorg-error"])
        RunControls(list(runs), cs.tick, cs.playing, cs.speed, rebuild,
                    max(r.scenario.steps for r in runs), pending)  # fmt: skip
    with solara.Row(style={"align-items": "center", "margin": "10px 0"}):
        solara.Text("Colour people by", classes=["simorg-muted"])
        VariablePicker(cs.variable)
    CompareNetworks(runs, cs.tick, cs.variable.value)
    with solara.Div(classes=["simorg-card"], style={"margin-top": "12px"}):
        solara.Text("Outcomes over time, on shared axes", classes=["simorg-section-title"])
        CompareCharts(runs, cs.tick)
    with solara.Div(classes=["simorg-card"], style={"margin-top": "12px"}):
        solara.Text("Every outcome now", classes=["simorg-section-title"])
        CompareTable(runs, cs.tick)
