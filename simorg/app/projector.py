"""Projector mode: the organization, one key outcome chart and the step counter on one screen.

Made for the back of a room: everything fits a 1280×720 projector without scrolling, all text is at
least 20 px, and the controls a facilitator needs (Step, Play, Pause, Reset) stay on the screen.
The page switches to it with the "Projector" toggle or `?projector=1` in the link.
"""

from __future__ import annotations

from html import escape

import solara

from simorg.app import charts
from simorg.app.explore import ExploreState, NetworkView
from simorg.app.player import RunControls
from simorg.app.session import Run
from simorg.outcomes import OUTCOMES

#: The chart the projector shows: trust (colleagues, leadership, customers), the model's headline.
KEY_CHART = charts.CHARTS[0]
CHART_FONT = 1.6  # chart text 24 / 22 / 21 units on a 520-wide chart: >= 20 px from 440 px wide
LABEL_SIZE = 52  # department names, in the network drawing's 1,000-unit width


def key_chart_html(run: Run) -> str:
    spec = KEY_CHART
    history = run.history()
    xmax = charts.x_extent(run.scenario.steps, run.steps)
    rows = []
    for k, name in enumerate(spec.series):
        colour = charts.palette.SERIES[k % len(charts.palette.SERIES)]
        dash = charts.palette.DASHES[k % len(charts.palette.DASHES)]
        now = float(history[name][-1]) if len(history[name]) else float("nan")
        rows.append(
            f'<div class="simorg-legend-row"><svg width="40" height="14" style="flex:none;margin-top:8px">'
            f'<line x1="1" y1="7" x2="39" y2="7" stroke="{colour}" stroke-width="4"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + f"/></svg><span>{escape(name.replace('_', ' '))} <b>{now:.2f}</b></span></div>"
        )
    return (
        f'<div class="simorg-chart-title">{escape(spec.title)}, week by week</div>'
        + charts.overlay_svg(spec, [(history, run.applied())], xmax, font=CHART_FONT)
        + f'<div class="simorg-proj-legend" title="{escape(OUTCOMES[spec.series[0]][1])}">'
        + "".join(rows)
        + "</div>"
    )


@solara.component
def KeyChart(run: Run, tick: solara.Reactive[int]):
    _ = tick.value
    solara.HTML(tag="div", unsafe_innerHTML=key_chart_html(run), classes=["simorg-proj-chart"])


@solara.component
def ProjectorView(st: ExploreState, on_exit, on_error=None):
    run = st.run.value
    with solara.Div(classes=["simorg-projector"]):
        with solara.Div(classes=["simorg-proj-bar"]):
            solara.Text(run.label.replace("_", " "), classes=["simorg-proj-title"])
            RunControls([run], st.tick, st.playing, st.speed, st.reset, run.scenario.steps,
                        on_error=on_error, compact=True)  # fmt: skip
            solara.Button("Exit projector", icon_name="mdi-fullscreen-exit", on_click=on_exit,
                          outlined=True)  # fmt: skip
        if st.error.value:
            solara.Error(st.error.value, classes=["simorg-error"])
        with solara.Div(classes=["simorg-proj-body"]):
            with solara.Div(classes=["simorg-proj-network"]):
                NetworkView(run, st.tick, st.variable.value, LABEL_SIZE)
            with solara.Div(classes=["simorg-proj-side"]):
                KeyChart(run, st.tick)
