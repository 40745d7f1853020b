"""The workshop's pages (`simorg workshop` serves them with `solara run simorg.workshop.app`).

/facilitator (with the token printed in the terminal): the join link, code and QR code, "N joined",
the controls and the projector view of the whole organization, who is played by a human, and at
the reveal the room against its twin and the second scenario. /join: a participant joins with the
code and a display name and plays one person, seeing only what that person sees.

All pages share the one Room of this server process (room.py). Each page redraws when the room
changes from a watcher thread of its own, one redraw at a time: it waits for a change, redraws,
and only then waits again, so however fast rounds run no page ever queues renders (no "Too many
renders"). Every action passes the page's credential to the room, which checks it.
"""

from __future__ import annotations

import logging
import os
from html import escape
from urllib.parse import parse_qs

import numpy as np
import reacton.core
import solara

from simorg.app import charts, network, palette
from simorg.app import layout as layout_mod
from simorg.app.style import CSS
from simorg.scenario import load
from simorg.workshop.cli import ENV
from simorg.workshop.room import REVEAL_OUTCOMES, PersonView, Refused, Room

logger = logging.getLogger("simorg.workshop")

_ROOM: Room | None = None


def room() -> Room:
    """This server's room, built from the settings `simorg workshop` put in the environment."""
    global _ROOM
    if _ROOM is None:
        compare = os.environ.get(ENV["compare"], "")
        _ROOM = Room(
            load(os.environ.get(ENV["scenario"], "traditional_silos")),
            token=os.environ[ENV["token"]],
            code=os.environ[ENV["code"]],
            round_weeks=int(os.environ.get(ENV["round_weeks"], "4")),
            compare=load(compare) if compare else None,
            join_url=os.environ.get(ENV["join_url"], ""),
            week_seconds=float(os.environ.get(ENV["week_seconds"], "0.4")),
        )
    return _ROOM


def query(search: str | None, name: str) -> str:
    values = parse_qs(search or "").get(name, [])
    return values[0] if values else ""


def use_room_version(r: Room) -> int:
    """The room's version, redrawing this page (from its own thread) when it changes."""
    version = solara.use_reactive(r.version)
    rc = reacton.core.get_render_context(required=False)

    def watch(cancel):
        seen = version.value
        while not cancel.is_set():
            now = r.wait_change(seen, 0.5)
            if now != seen and not cancel.is_set():
                seen = now
                if rc is not None:
                    with rc:
                        version.set(now)
                else:
                    version.set(now)

    solara.use_thread(watch, dependencies=[id(r)], intrusive_cancel=False)
    return version.value


WORKSHOP_CSS = """
.simorg-ws-bar > * { margin-right: 14px; }
.simorg-ws-bar { display:flex; flex-wrap:wrap; gap:12px; align-items:center; padding:8px 0;
  border-bottom:2px solid #e6e6e6; margin-bottom:10px; }
.simorg-ws-big { font-size:24px; font-weight:700; }
.simorg-ws-link { font-size:20px; word-break:break-all; }
.simorg-ws-code { font-size:36px; font-weight:800; letter-spacing:0.12em; font-family:monospace; }
.simorg-ws-body { display:flex; gap:18px; align-items:flex-start; flex-wrap:wrap; }
.simorg-ws-side { flex:0 0 330px; max-width:330px; }
.simorg-ws-main { flex:1 1 600px; min-width:0; }
.simorg-ws-stage { display:flex; gap:16px; align-items:flex-start; }
.simorg-ws-network { flex:1 1 55%; min-width:420px; }
.simorg-ws-network svg { max-height: calc(100vh - 150px) !important; }
.simorg-ws-reveal-box { flex:0 1 45%; max-height:calc(100vh - 150px); overflow-y:auto; }
.simorg-ws-reveal { font-size:17px; width:100%; }
.simorg-ws-reveal td { white-space:nowrap; }
.simorg-ws-roster { max-height:34vh; overflow-y:auto; font-size:16px; }
.simorg-ws-assign { display:flex; gap:8px; align-items:center; flex-wrap:wrap; }

.simorg-ws-table { border-collapse:collapse; font-size:18px; }
.simorg-ws-table td, .simorg-ws-table th { padding:4px 10px; border-bottom:1px solid #e6e6e6;
  text-align:right; }
.simorg-ws-table td:first-child, .simorg-ws-table th:first-child { text-align:left; }
.simorg-ws-person { max-width:760px; margin:0 auto; font-size:18px; }
.simorg-ws-contact { display:flex; align-items:center; gap:12px; flex-wrap:wrap; }
"""


def played_overlay(svg: str, lay: layout_mod.Positions, played: np.ndarray) -> str:
    """The network drawing with a thick ring around each person a human plays."""
    who = np.flatnonzero(played[: lay.n])
    if len(who) == 0:
        return svg
    rr = 2.4 * lay.node_radius
    rings = "".join(
        f'<circle cx="{lay.x[i]:.1f}" cy="{lay.y[i]:.1f}" r="{rr:.1f}"/>' for i in who.tolist()
    )
    g = (
        f'<g class="simorg-ws-played" fill="none" stroke="#d55e00" '
        f'stroke-width="{max(lay.node_radius / 1.8, 1.5):.1f}">{rings}</g>'
    )
    return svg.replace("</svg>", g + "</svg>")


def reveal_html(result: dict[str, dict[str, float]]) -> str:
    names = list(result)
    head = "".join(f"<th>{escape(n.replace('_', ' '))}</th>" for n in names)
    rows = []
    for k in REVEAL_OUTCOMES:
        room_v = result["room"][k]
        cells = "".join(f"<td>{result[n][k]:,.2f}</td>" for n in names)
        twin_gap = room_v - result["twin"][k]
        rows.append(
            f"<tr><td>{escape(k.replace('_', ' '))}</td>{cells}<td>{twin_gap:+,.2f}</td></tr>"
        )
    return (
        '<table class="simorg-ws-table simorg-ws-reveal"><tr><th>outcome</th>'
        f"{head}<th>room − twin</th></tr>{''.join(rows)}</table>"
    )


REVEAL_CHARTS = (("peer_trust", "Trust between colleagues"), ("practice", "Openness (social practice)"),
                 ("customer_trust", "Customers' trust"))  # fmt: skip


def reveal_charts_html(histories: dict[str, dict[str, np.ndarray]]) -> str:
    """The room, its twin and the second scenario week by week on the same axes, one chart for
    each of trust, openness and customers' trust."""
    runs = list(histories)
    weeks = max(len(next(iter(h.values()))) - 1 for h in histories.values())
    legend = "".join(
        f'<span style="margin-right:14px"><svg width="34" height="12"><line x1="1" y1="6" x2="33" '
        f'y2="6" stroke="{palette.SERIES[k % len(palette.SERIES)]}" stroke-width="4"'
        + (
            f' stroke-dasharray="{palette.DASHES[k % len(palette.DASHES)]}"'
            if palette.DASHES[k % len(palette.DASHES)]
            else ""
        )
        + f"/></svg> {escape(name.replace('_', ' '))}</span>"
        for k, name in enumerate(runs)
    )
    out = [f'<div class="simorg-ws-legend">{legend}</div>']
    for key, title in REVEAL_CHARTS:
        spec = charts.ChartSpec(f"reveal-{key}", title, "reveal", tuple(runs), (0.0, 1.0))
        merged = {name: histories[name][key] for name in runs}
        out.append(f'<div class="simorg-chart-title">{escape(title)}</div>')
        out.append(charts.overlay_svg(spec, [(merged, [])], max(weeks, 1)))
    return "".join(out)


# --- the facilitator ---------------------------------------------------------------------------


@solara.component
def Facilitator():
    router = solara.use_router()
    token = query(router.search, "token")
    r = room()
    message = solara.use_reactive("")
    solara.Title("simorg workshop: facilitator")
    solara.Style(CSS + WORKSHOP_CSS)
    try:
        r.check_token(token)
    except Refused as exc:
        with solara.Div(classes=["simorg-page"]):
            solara.Error(str(exc), classes=["simorg-error", "simorg-ws-refused"])
        return
    _ = use_room_version(r)
    lay = solara.use_memo(
        lambda: layout_mod.compute(r.model.state.structure, r.model.seed), [id(r.model)]
    )

    def do(action, *args):
        def handler():
            try:
                action(token, *args)
                message.set("")
            except Refused as exc:
                message.set(str(exc))

        return handler

    with r.lock:
        phase, rnd, weeks, total = r.phase, r.round, r.model.steps, r.scenario.steps
        svg = network.network_svg(
            r.model.state, lay, "practice", r.model.department_names, label_size=40
        )
        played = r.played_now()
        joined = r.joined()
        roster = r.roster()
        revealed = r.revealed
        histories = dict(r.histories)
        error = r.error
    with solara.Div(classes=["simorg-page"]):
        with solara.Div(classes=["simorg-ws-bar"]):
            solara.Text(f"{r.scenario.name.replace('_', ' ')}", classes=["simorg-ws-big"])
            solara.Text(f"{joined} joined", classes=["simorg-ws-big", "simorg-ws-joined"])
            where = f"round {rnd}" if rnd else "not started"
            solara.Text(f"{where} · week {weeks} of {total} · {phase}",
                        classes=["simorg-ws-big", "simorg-ws-phase"])  # fmt: skip
            solara.Button("Start", on_click=do(r.start), disabled=phase != "lobby", color="primary")
            solara.Button(f"Run a round ({r.round_weeks} weeks)", on_click=do(r.run_round),
                          disabled=phase in ("lobby", "running", "ended"), color="primary")  # fmt: skip
            solara.Button("Pause", on_click=do(r.pause), disabled=phase != "running")
            solara.Button("Reveal", on_click=do(r.reveal), disabled=phase in ("lobby", "running", "ended"))  # fmt: skip
            solara.Button("Reset", on_click=do(r.reset), disabled=phase == "ended")
            solara.Button("End", on_click=do(r.end), disabled=phase == "ended")
        if message.value:
            solara.Error(message.value, classes=["simorg-error"])
        if error:
            solara.Error(error, classes=["simorg-error"])
        with solara.Div(classes=["simorg-ws-body"]):
            if revealed is None:  # at the reveal the results take the room
                with solara.Div(classes=["simorg-ws-side"]):
                    solara.HTML(tag="div", unsafe_innerHTML=join_html(r.join_url, r.code))
                    if r.join_url:
                        solara.HTML(tag="div", unsafe_innerHTML=qr_svg(r.join_url),
                                    classes=["simorg-ws-qr"])  # fmt: skip
                    Roster(r, token, roster, message)
            with solara.Div(classes=["simorg-ws-main"]):
                solara.Text(f"{int(played.sum())} people played by a human (ringed), "
                            "coloured by openness", classes=["simorg-muted"])  # fmt: skip
                with solara.Div(classes=["simorg-ws-stage"]):
                    solara.HTML(tag="div", unsafe_innerHTML=played_overlay(svg, lay, played),
                                classes=["simorg-network", "simorg-ws-network"])  # fmt: skip
                    if revealed is not None:
                        with solara.Div(classes=["simorg-ws-reveal-box"]):
                            solara.Text("The room against its twin (same seed, no humans)"
                                        + (f" and {r.compare.name}" if r.compare else ""),
                                        classes=["simorg-section-title"])  # fmt: skip
                            solara.HTML(tag="div", unsafe_innerHTML=reveal_html(revealed))
                            solara.HTML(tag="div", unsafe_innerHTML=reveal_charts_html(histories),
                                        classes=["simorg-ws-reveal-charts"])  # fmt: skip


def join_html(url: str, code: str) -> str:
    return (
        '<div class="simorg-section-title">Join at</div>'
        f'<div class="simorg-ws-link">{escape(url or "/join")}</div>'
        f'<div class="simorg-muted">join code</div><div class="simorg-ws-code">{escape(code)}</div>'
    )


def qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, dark="#222")


@solara.component
def Roster(r: Room, token: str, roster, message):
    """Who plays whom, whether they decided this round, and giving someone a leader to play."""
    leaders = r.free_leaders()
    names = {row["name"]: row["key"] for row in roster if row["connected"]}
    who = solara.use_reactive("")
    leader = solara.use_reactive("")

    def assign():
        try:
            if who.value not in names or not leader.value:
                raise Refused("Pick a participant and a leader first.")
            r.assign_leader(token, names[who.value], int(leader.value.lstrip("#")))
            message.set("")
        except Refused as exc:
            message.set(str(exc))

    rows = []
    for row in roster:
        state = "decided" if row["decided"] else "deciding"
        if not row["connected"]:
            state = "left (rules)"
        role = "leader" if row["leader"] else "employee"
        rows.append(
            f"<div>{escape(row['name'])}: {role} #{row['person']}, "
            f"{escape(row['department'])} · <b>{state}</b></div>"
        )
    solara.Text("Participants", classes=["simorg-section-title"])
    solara.HTML(tag="div", unsafe_innerHTML="".join(rows) or "nobody yet",
                classes=["simorg-ws-roster"])  # fmt: skip
    if names and leaders:
        with solara.Div(classes=["simorg-ws-assign"]):
            solara.Select(label="participant", value=who, values=sorted(names))
            solara.Select(label="leader", value=leader, values=[f"#{p}" for p in leaders])
            solara.Button("Make leader", on_click=assign, outlined=True)


# --- participants ------------------------------------------------------------------------------


@solara.component
def Join():
    router = solara.use_router()
    r = room()
    code = solara.use_reactive(query(router.search, "code"))
    name = solara.use_reactive("")
    key = solara.use_reactive("")
    message = solara.use_reactive("")
    solara.Title("simorg workshop")
    solara.Style(CSS + WORKSHOP_CSS)
    _ = use_room_version(r)

    def attend_while_open():
        k = key.value
        if not k:
            return None
        r.attend(k)
        return lambda: r.leave(k)

    solara.use_effect(attend_while_open, [key.value])

    def join():
        try:
            key.set(r.join(code.value, name.value))
            message.set("")
        except Refused as exc:
            message.set(str(exc))

    with solara.Div(classes=["simorg-page", "simorg-ws-person"]):
        if not key.value:
            solara.Text("Join the workshop", classes=["simorg-title"])
            solara.InputText("Join code", value=code, continuous_update=True)
            solara.InputText("Your name (kept in this room only)", value=name,
                             continuous_update=True)  # fmt: skip
            solara.Button("Join", on_click=join, color="primary")
            if message.value:
                solara.Error(message.value, classes=["simorg-error"])
            return
        try:
            view = r.view(code.value, key.value)
        except Refused as exc:
            solara.Error(str(exc), classes=["simorg-error"])
            solara.Button("Join again", on_click=lambda: key.set(""))
            return
        PersonPanel(r, code.value, key.value, name.value, view)


@solara.component
def PersonPanel(r: Room, code: str, key: str, name: str, view: PersonView):
    hold = solara.use_reactive(list(view.choices.get("hold_back", [])))
    passes = solara.use_reactive(dict(view.choices.get("requests", {})))
    lives = solara.use_reactive(view.choices.get("lives_vision", True))
    message = solara.use_reactive("")

    def decide():
        choice = {"hold_back": hold.value, "requests": passes.value}
        if view.is_leader and view.vision > 0:
            choice["lives_vision"] = lives.value
        try:
            r.act(code, key, choice)
            message.set("")
        except Refused as exc:
            message.set(str(exc))

    solara.Text(f"{name}: you are #{view.person}, {view.title.lower()} in {view.department}",
                classes=["simorg-section-title", "simorg-ws-you"])  # fmt: skip
    if view.phase == "ended":
        solara.Info("The workshop has ended. Thank you for playing!")
        return
    status = {
        "lobby": "Waiting for the facilitator to start.",
        "running": f"Round {view.round} is running…",
        "paused": f"Round {view.round} is paused.",
        "deciding": f"Round {view.round}: decide what you do these weeks.",
    }[view.phase]
    if view.decided and view.phase in ("deciding", "paused"):
        status += " You have decided; you can still change your mind."
    solara.Text(status, classes=["simorg-ws-status"])
    if view.report:
        lines = "".join(f"<div>{escape(line)}</div>" for line in view.report)
        solara.HTML(tag="div", unsafe_innerHTML=lines, classes=["simorg-card", "simorg-ws-report"])
    mood = view.department_mood
    solara.Text(
        f"Your openness {view.openness:.2f}, your trust in leadership {view.leadership_trust:.2f}. "
        f"{view.department}: openness {mood['openness']:.2f}, trust in leadership "
        f"{mood['trust in leadership']:.2f}, strain from change {mood['strain from change']:.2f}.",
        classes=["simorg-ws-mood"],
    )
    solara.Text("Your contacts this week (tick to hold back; the rest you share with openly)",
                classes=["simorg-section-title"])  # fmt: skip
    for c in view.contacts:

        def toggle(value, j=c.person):
            now = [x for x in hold.value if x != j]
            hold.set(now + [j] if value else now)

        with solara.Div(classes=["simorg-ws-contact"]):
            solara.Checkbox(label=f"Hold back with {c.label}: your trust {c.trust:.2f}",
                            value=c.person in hold.value, on_value=toggle)  # fmt: skip
    solara.Text("Requests on your desk", classes=["simorg-section-title"])
    if not view.desk:
        solara.Text("none right now", classes=["simorg-muted"])
    options = ["leave it to routine", "answer it myself"] + [f"pass to {c.label}" for c in view.contacts]  # fmt: skip
    by_label = {f"pass to {c.label}": c.person for c in view.contacts}
    for q in view.desk:
        belief = {1: "you think the answer is yes", -1: "you think the answer is no"}.get(
            q.belief, "you have no idea"
        )
        solara.Text(f"Customer {q.customer} ({q.mood}) asks a {q.department} question, "
                    f"waiting {q.weeks:.1f} weeks; {belief}.")  # fmt: skip
        now = passes.value.get(q.customer)
        shown = (
            "answer it myself"
            if now == "answer"
            else next((lab for lab, p in by_label.items() if p == now), options[0])
        )

        def choose(value, c=q.customer):
            d = dict(passes.value)
            d.pop(c, None)
            if value == "answer it myself":
                d[c] = "answer"
            elif value in by_label:
                d[c] = by_label[value]
            passes.set(d)

        solara.Select(label=f"customer {q.customer}", value=shown, values=options, on_value=choose)
    if view.is_leader:
        solara.Text("As a leader", classes=["simorg-section-title"])
        if view.vision > 0:
            solara.Checkbox(label=f"Live the announced vision (openness {view.vision:.1f})",
                            value=lives)  # fmt: skip
        else:
            solara.Text(
                "No vision has been announced in your department.", classes=["simorg-muted"]
            )
    solara.Button("Decide for this round", on_click=decide, color="primary",
                  disabled=view.phase not in ("deciding", "paused"))  # fmt: skip
    if message.value:
        solara.Error(message.value, classes=["simorg-error"])


@solara.component
def Home():
    solara.Style(CSS + WORKSHOP_CSS)
    with solara.Div(classes=["simorg-page"]):
        solara.Text("simorg workshop", classes=["simorg-title"])
        solara.Text("Participants: open the join link on the screen (or go to /join and type the "
                    "code). Facilitators: open the link printed in the terminal.")  # fmt: skip


@solara.component
def Layout(children=[]):  # noqa: B006 (solara's signature)
    """Solara's page frame (solara looks it up by this name): no app bar or drawer."""
    return solara.Column(children=children, gap="0px")


routes = [
    solara.Route(path="/", component=Home, layout=Layout),
    solara.Route(path="facilitator", component=Facilitator, layout=Layout),
    solara.Route(path="join", component=Join, layout=Layout),
]
