"""The explorer without a browser: drawing, runs, controls, and the page's wiring via solara.render.

The real-browser checks (page loads offline, Play speed, two browser sessions) are in
test_app_browser.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

from simorg.app import charts, layout, network  # noqa: E402
from simorg.app.cli import server_command, server_env  # noqa: E402
from simorg.app.session import MOVES, Run, scenario_catalogue, scenario_from_upload  # noqa: E402
from simorg.outcomes import OUTCOMES  # noqa: E402
from simorg.scenario import ScenarioError, load, with_overrides  # noqa: E402


def small(name: str = "traditional_silos", **overrides):
    base = {"organization.employees": 90, "customers.count": 200}
    base.update(overrides)
    return with_overrides(load(name), base)


# --- the command ---------------------------------------------------------------------------------


def test_simorg_startup_imports_no_solara_nor_matplotlib():
    code = (
        "import sys, simorg.cli\n"
        "bad = [m for m in ('solara', 'matplotlib', 'ipyvuetify') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_explore_command_serves_the_app_offline_on_localhost(run_cli):
    cmd = server_command("127.0.0.1", 8765)
    assert cmd[1:4] == ["-m", "solara", "run"]
    assert "simorg.app.app" in cmd and "--production" in cmd and "--no-open" in cmd
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert (
        server_env({"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "True"})["SOLARA_TELEMETRY_MIXPANEL_ENABLE"]
        == "False"
    )
    from simorg.app.cli import DATA_ENV
    from simorg.scenario import SCENARIO_DIR

    assert server_env({}, host="127.0.0.1")[DATA_ENV] == str(SCENARIO_DIR)
    assert server_env({}, host="0.0.0.0")[DATA_ENV] == ""  # beyond loopback: path loading off
    here = server_env({}, host="0.0.0.0", data=SCENARIO_DIR.parent)[DATA_ENV]
    assert str(SCENARIO_DIR.parent.resolve()) in here.split(os.pathsep)
    assert server_env({})["SOLARA_KERNEL_CULL_TIMEOUT"] == "90s"
    out = run_cli("explore", "--help")
    assert out.returncode == 0
    assert "--host" in out.stdout and "127.0.0.1" in out.stdout and "8765" in out.stdout


# --- layout --------------------------------------------------------------------------------------


def test_layout_is_seeded_and_puts_departments_in_their_own_discs():
    run = Run(small(), 3)
    structure = run.model.state.structure
    a = layout.compute(structure, 3)
    b = layout.compute(structure, 3)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, layout.compute(structure, 4).x)  # the seed matters (jitter)
    dist = np.hypot(
        a.x - a.centre[structure.department, 0], a.y - a.centre[structure.department, 1]
    )
    assert np.all(dist <= a.radius[structure.department] + 1e-6)
    # clusters do not overlap
    for i in range(structure.departments):
        for j in range(i + 1, structure.departments):
            gap = np.hypot(*(a.centre[i] - a.centre[j]))
            assert gap > a.radius[i] + a.radius[j]
    # heads at the centre of their department
    heads = np.flatnonzero(structure.manager < 0)
    np.testing.assert_allclose(a.x[heads], a.centre[structure.department[heads], 0])
    assert a.x.min() >= 0 and a.x.max() <= a.width and a.y.min() >= 0 and a.y.max() <= a.height


def test_layout_is_computed_once_and_survives_restructuring_and_turnover():
    run = Run(small("traditional_silos"), 5)
    first = run.layout
    run.step(3)
    run.intervene("project_teams")  # new ties, same people and reporting lines
    run.step(2)
    assert run.model.state.structure.project_team.max() >= 0
    assert run.layout is first


def test_layout_handles_one_department_and_large_organizations():
    one = Run(small(**{"organization.departments": 1}), 1)
    assert len(one.layout.x) == one.model.state.n
    big = load("traditional_silos")
    big = with_overrides(big, {"organization.employees": 20000, "customers.count": 10})
    from simorg import structures

    structure = structures.build(big.organization, np.random.default_rng(0))
    lay = layout.compute(structure, 0)
    assert np.isfinite(lay.x).all() and np.isfinite(lay.y).all()


# --- drawing -------------------------------------------------------------------------------------


def test_network_svg_encodes_leaders_customer_facing_and_trust():
    run = Run(small("social_media_team"), 2)
    run.step(2)
    st = run.model.state
    structure = st.structure
    svg = run.network_svg("practice")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    informal = structure.informal_leader & ~structure.is_leader
    assert svg.count("<rect") == int(structure.is_leader.sum())
    assert (
        svg.count("<circle")
        == int((~structure.is_leader & ~informal).sum()) + structure.departments
    )
    assert "stroke-dasharray" in svg  # customer-facing rings (the social-media team)
    for name in run.model.department_names:
        assert name.replace("&", "&amp;") in svg
    for colour in palette_trust_colours_used(run):
        assert f'stroke="{colour}"' in svg
    for var in network.VARIABLES:
        assert run.network_svg(var).count("<rect") == int(structure.is_leader.sum())


def palette_trust_colours_used(run):
    from simorg.app import palette

    _, _, trust = network.tie_trust_undirected(run.model.state)
    bins = np.minimum((trust * 5).astype(int), 4)
    return {palette.TRUST_BINS[b] for b in np.unique(bins)}


def test_node_colour_scale_is_fixed_and_knowledge_is_belief_times_reality():
    run = Run(small(), 1)
    st = run.model.state
    k = network.node_values(st, "knowledge")
    i = 7
    assert k[i] == pytest.approx(float(st.beliefs[0][i] @ st.reality[0]) / st.m)
    from simorg.app import palette

    assert (
        palette.viridis(0.0) == palette.VIRIDIS[0] and palette.viridis(1.0) == palette.VIRIDIS[-1]
    )
    assert palette.viridis(-1.0, -1, 1) == palette.VIRIDIS[0]
    with pytest.raises(KeyError):
        network.node_values(st, "nonsense")


def test_customers_panel_counts_open_requests_by_department():
    run = Run(small(), 1)
    run.step(3)
    st = run.model.state
    svg = run.customers_svg()
    assert f"Open requests: {int((st.request_topic >= 0).sum())}" in svg
    assert "Customer trust" in svg and f"{len(st.customer_trust):,} customers" in svg
    none = Run(small(**{"customers.count": 0}), 1)
    assert "No customers" in none.customers_svg()


def test_large_organizations_are_drawn_as_a_sample():
    sc = with_overrides(
        load("traditional_silos"), {"organization.employees": 4000, "customers.count": 50}
    )
    run = Run(sc, 1)
    svg = run.network_svg("practice")
    assert "showing" in svg and "of 4,000 people" in svg
    assert len(svg) < 600_000


def test_every_outcome_is_charted_or_tabled_and_legends_say_what_lines_mean():
    charted = {k for spec in charts.CHARTS for k in spec.series}
    assert charted <= set(OUTCOMES)
    groups = {OUTCOMES[k][0] for k in charted}
    assert {"trust", "innovation", "customers"} <= groups
    for spec in charts.CHARTS:
        legend = charts.legend_html(spec)
        for k in spec.series:
            assert OUTCOMES[k][1].replace("'", "&#x27;") in legend


def test_chart_svg_has_a_line_per_series_and_marks_interventions():
    run = Run(small(), 1)
    run.step(2)
    run.intervene("open_silos", level=0.7)
    run.step(3)
    spec = charts.CHARTS[0]
    svg = charts.chart_svg(spec, run.history(), run.applied(), xmax=200)
    assert svg.count("<polyline") == len(spec.series)
    assert "open silos" in svg
    assert run.applied() == [(3, "open_silos")]


def test_shared_axes_cover_both_runs():
    spec = next(s for s in charts.CHARTS if s.ylim is None)
    a = {k: np.array([0.0, 5.0]) for k in spec.series}
    b = {k: np.array([0.0, 130.0]) for k in spec.series}
    lo, hi = charts.y_range(spec, [a, b])
    assert lo == 0 and hi >= 130 and hi == charts.y_range(spec, [b, a])[1]
    assert charts.nice_top(0) == 1.0 and charts.nice_top(97) == 100
    assert charts.x_extent(200, 50) == 200 and charts.x_extent(200, 230) >= 230


# --- runs, exports, uploads ------------------------------------------------------------------------


def test_run_steps_intervenes_and_exports():
    run = Run(small("traditional_silos"), 9)
    run.step(4)
    for action, (_, _, level, size) in MOVES.items():
        run.intervene(action, level=0.7 if level else None, size=6 if size else None)
    run.step(1)
    assert run.steps == 5
    applied = {label.split(" ")[0] for _, label in run.applied()}
    assert set(MOVES) <= applied
    assert all(step == 5 for step, _ in run.log)
    csv = run.csv()
    header = csv.splitlines()[0].split(",")
    assert header[:3] == ["scenario", "seed", "step"] and set(OUTCOMES) <= set(header)
    assert len(csv.splitlines()) == 1 + 6
    import csv as csvlib

    rows = list(csvlib.DictReader(csv.splitlines()))
    assert "Open silos to 0.7" in rows[-1]["interventions"]  # the level travels with the move
    assert "Create a social-media team of 6" in rows[-1]["interventions"]
    assert rows[0]["interventions"] == ""
    from simorg.scenario import parameters

    for p in parameters():  # every parameter of the run, one column each
        section, name = p.key.split(".", 1)
        assert rows[0][p.key] == str(getattr(getattr(run.scenario, section), name))
    png = run.charts_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_exports_hold_both_runs():
    from simorg.app.session import compare_csv, compare_png

    a, b = Run(small("traditional_silos"), 4), Run(small("social_business"), 4)
    a.step(2)
    b.step(2)
    lines = compare_csv(a, b).splitlines()
    assert lines[0].startswith("run,scenario,seed,step,")
    assert [line.split(",")[0] for line in lines[1:]] == ["A"] * 3 + ["B"] * 3
    assert compare_png(a, b)[:8] == b"\x89PNG\r\n\x1a\n"


def test_stepwise_live_intervention_reaches_one_department_at_a_time():
    run = Run(small("traditional_silos"), 9)
    run.intervene("open_silos", level=0.9, pace="stepwise", every=2)
    run.step(5)
    assert [s for s, _ in run.applied()] == [1, 3, 5]
    assert "(Customer Service)" in run.applied()[0][1]


def test_same_seed_same_run_and_runs_are_independent():
    a, b = Run(small(), 11), Run(small(), 11)
    a.step(6)
    b.step(6)
    np.testing.assert_array_equal(a.history()["peer_trust"], b.history()["peer_trust"])
    a.step(1)
    assert (a.steps, b.steps) == (7, 6)


def test_uploaded_scenarios_validate_with_one_line_errors():
    sc = scenario_from_upload("mine.toml", b'description = "x"\n[organization]\nemployees = 40\n')
    assert sc.name == "mine" and sc.organization.employees == 40
    with pytest.raises(ScenarioError, match="unknown key"):
        scenario_from_upload("bad.toml", b"[organization]\nemployes = 40\n")
    with pytest.raises(ScenarioError, match="TOML"):
        scenario_from_upload("bad.toml", b"[organization\n")
    assert "traditional_silos" in scenario_catalogue()


def test_parameter_controls_come_from_the_schema():
    from simorg.app import controls
    from simorg.scenario import parameters

    params = {p.key: p for p in parameters()}
    by_section = controls.catalogue_by_section()
    assert sum(len(v) for v in by_section.values()) == len(params)
    assert controls.uses_slider(params["culture.vision"])
    assert not controls.uses_slider(
        params["organization.employees"]
    )  # 10 … 1,000,000: a number field
    p = params["organization.employees"]
    assert controls.parse_number(p, "5") == (None, "at least 10")
    assert controls.parse_number(p, "250") == (250, None)
    assert controls.parse_number(p, "x")[1].startswith("enter")


def test_about_page_follows_netlogo_info_tab_and_loads_nothing_from_a_cdn():
    from simorg.app.about import about_html

    html = about_html()
    for heading in ("What is it?", "How it works", "How to use it", "Things to notice", "Things to try",
                    "Extending the model", "Credits and references"):  # fmt: skip
        assert f"<h2>{heading}</h2>" in html
    assert "http" not in html and "katex" not in html.lower()


# --- the page, rendered without a browser -----------------------------------------------------------

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")


@pytest.fixture
def page():
    from simorg.app.app import Page

    box, rc = solara.render(Page(), handle_error=False)
    yield rc
    rc.close()


def button(rc, label: str):
    def named(w):
        return any(
            isinstance(c, str) and (c == label or c.startswith(label + "  (")) for c in w.children
        )

    found = [w for w in rc.find(v.Btn).widgets if named(w)]
    assert len(found) == 1, f"{len(found)} buttons labelled {label!r}"
    return found[0]


def step_text(rc) -> str:
    return rc.find(v.Html, class_="simorg-step").widget.children[0]


def html_containing(rc, text: str) -> list[str]:
    from solara.widgets import HTML

    return [w.unsafe_innerHTML for w in rc.find(HTML).widgets if text in (w.unsafe_innerHTML or "")]


def until(predicate, timeout: float = 15.0):
    """Wait for a background thread (Play) to make `predicate` true."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def choose_view(rc, name: str):
    toggle = [
        w for w in rc.find(v.BtnToggle).widgets if any(name in b.children for b in w.children)
    ]
    assert len(toggle) == 1
    toggle[0].v_model = [b.children for b in toggle[0].children].index([name])


def test_page_steps_resets_and_shows_step_n(page):
    assert step_text(page) == "Step 0"
    button(page, "Step").click()
    button(page, "Step").click()
    assert step_text(page) == "Step 2"
    assert html_containing(page, 'class="simorg-network-svg"')
    charts_html = html_containing(page, 'class="simorg-charts"')[0]
    assert charts_html.count('data-series="peer_trust"') == 1
    button(page, "Reset").click()
    assert step_text(page) == "Step 0"


def steps_shown(rc) -> int:
    return int(step_text(rc).split()[1])


def test_play_and_pause(page):
    button(page, "Play").click()
    assert button(page, "Play").disabled and not button(page, "Pause").disabled
    until(lambda: steps_shown(page) >= 3)
    button(page, "Pause").click()
    until(lambda: not button(page, "Play").disabled)
    # a step under way when Pause was pressed may still land; after that the count stands still
    seen = [steps_shown(page)]
    until(lambda: seen.append(steps_shown(page)) or (len(seen) > 10 and seen[-1] == seen[-10]))
    n = seen[-1]
    button(page, "Step").click()
    until(lambda: steps_shown(page) == n + 1)


def test_a_scenario_file_loads_and_play_stops_by_itself_at_its_planned_end(tmp_path, monkeypatch):
    from simorg.app.app import Page
    from simorg.app.session import DATA_ENV

    monkeypatch.setenv(DATA_ENV, str(tmp_path))  # what `simorg explore --data DIR` sets
    _, page = solara.render(Page(), handle_error=False)
    try:
        path_field = page.find(v.TextField, label="…or a file on the server").widget
        path_field.v_model = "missing.toml"
        button(page, "Load").click()
        assert any("no such scenario file" in str(w.children) for w in page.find(v.Alert).widgets)
        (tmp_path / "latin1.toml").write_bytes('description = "café"\n'.encode("latin-1"))
        path_field.v_model = "latin1.toml"
        button(page, "Load").click()
        assert any("not a UTF-8 text file" in str(w.children) for w in page.find(v.Alert).widgets)
        f = tmp_path / "short.toml"
        f.write_text(
            'description = "six weeks"\nsteps = 6\n[organization]\nemployees = 60\n'
            "[customers]\ncount = 80\n"
        )
        path_field.v_model = "short.toml"
        button(page, "Load").click()
        assert page.find(v.Select, label="Scenario").widget.v_model == "short (file)"
        assert not page.find(v.Alert).widgets
        assert "of 6 planned" in page.find(v.Html, class_="simorg-step-of").widget.children[0]
        button(page, "50").click()
        button(page, "Play").click()
        until(lambda: not button(page, "Play").disabled and step_text(page) == "Step 6")
    finally:
        page.close()


def test_path_loading_reads_only_inside_the_allowed_folders(tmp_path, monkeypatch):
    from simorg.app.session import DATA_ENV, load_from_path

    inside = tmp_path / "data"
    inside.mkdir()
    (inside / "ok.toml").write_text('description = "x"\n[organization]\nemployees = 40\n')
    (tmp_path / "secret.toml").write_text('description = "outside"\n')
    (inside / "link.toml").symlink_to(tmp_path / "secret.toml")
    monkeypatch.setenv(DATA_ENV, str(inside))
    assert load_from_path("ok.toml").organization.employees == 40
    assert load_from_path(str(inside / "ok.toml")).organization.employees == 40
    for probe in ("/etc/passwd", "../secret.toml", str(tmp_path / "secret.toml"), "link.toml",
                  "/etc/hostname"):  # fmt: skip
        with pytest.raises(ScenarioError) as err:
            load_from_path(probe)
        assert "only these folders are read" in str(err.value) or "not a .toml" in str(err.value)
        assert "TOML syntax" not in str(err.value) and "outside" not in str(err.value)
    monkeypatch.setenv(DATA_ENV, "")  # beyond loopback without --data: off
    with pytest.raises(ScenarioError, match="loading by path is off"):
        load_from_path("ok.toml")
    monkeypatch.delenv(DATA_ENV)  # a bare `solara run`: the shipped scenarios only
    assert load_from_path("big_bang.toml").name == "big_bang"


def run_title(rc) -> str:
    return next(
        w.children[0]
        for w in rc.find(v.Html, class_="simorg-section-title").widgets
        if "people" in w.children[0]
    )


def test_scenario_change_seed_and_parameters_apply_on_reset(page):
    page.find(v.Select, label="Scenario").widget.v_model = "big_bang"
    assert step_text(page) == "Step 0"
    assert run_title(page).startswith("big_bang · seed 42")
    assert html_containing(page, "walk the talk")  # the planned interventions are listed
    page.find(v.TextField, label="Seed").widget.v_model = "7"
    button(page, "Culture").click()
    page.find(v.Slider, label="vision: 0").widget.v_model = 0.7
    assert "(1 changed)" in button(page, "Culture").children[-1]
    hint = page.find(v.Html, class_="simorg-reset-hint").widget.children[0]
    assert hint == "Press Reset to apply: 1 parameter change, seed 7"
    button(page, "Step").click()
    assert run_title(page).startswith("big_bang · seed 42")  # not applied before Reset
    button(page, "Reset").click()
    assert step_text(page) == "Step 0"
    assert run_title(page).startswith("big_bang + 1 change · seed 7")
    assert not page.find(v.Html, class_="simorg-reset-hint").widgets
    page.find(
        v.Select, label="Scenario"
    ).widget.v_model = "traditional_silos"  # its own values again
    assert run_title(page).startswith("traditional_silos · seed 42")
    assert "(1 changed)" not in button(page, "Culture").children[-1]


def test_an_organization_too_big_for_a_browser_is_refused_with_a_reason(page):
    button(page, "Organization").click()
    page.find(v.TextField, label="employees (10 … 1e+06)").widget.v_model = "900000"
    button(page, "Reset").click()
    alert = page.find(v.Alert).widget.children[0]
    assert "up to 50,000 employees" in alert and "simorg run" in alert
    assert run_title(page).startswith("traditional_silos · seed 42 · 300 people")


def test_live_intervention_is_applied_before_the_next_step_and_marked(page):
    button(page, "Step").click()
    button(page, "Open silos").click()
    assert html_containing(page, "queued")
    button(page, "Step").click()
    log = html_containing(page, "Interventions so far")[0]
    assert "before step 2: Open silos to 0.6" in log
    assert "open silos" in html_containing(page, 'class="simorg-charts"')[0]


def test_compare_view_steps_both_scenarios_in_lockstep(page):
    choose_view(page, "Compare")
    assert page.find(v.Select, label="Scenario B").widget.v_model == "social_business"
    button(page, "Step").click()
    button(page, "Step").click()
    assert step_text(page) == "Step 2"
    nets = html_containing(page, "simorg-network-svg")
    assert len(nets) == 2 and "traditional_silos" in nets[0] and "social_business" in nets[1]
    charts_html = html_containing(page, 'class="simorg-charts"')[0]
    # overlaid: one trust chart holding A (solid) and B (dashed), a shaded gap, a legend for both
    assert charts_html.count('data-chart="trust"') == 1
    assert charts_html.count('data-series="peer_trust" data-run="A"') == 1
    assert charts_html.count('data-series="peer_trust" data-run="B"') == 1
    assert 'class="simorg-gap"' in charts_html and "B − A" in charts_html
    assert "e+0" not in charts_html
    assert len(html_containing(page, 'class="simorg-customers"')) == 2  # customers of A and B
    table = html_containing(page, "simorg-table")[0]
    assert "A: traditional_silos" in table and "B: social_business" in table
    page.find(v.Select, label="Scenario B").widget.v_model = "big_bang"
    assert step_text(page) == "Step 0"
    assert "big_bang" in html_containing(page, "simorg-network-svg")[1]
    choose_view(page, "About")
    assert html_containing(page, "Things to try")
    choose_view(page, "Explore")
    assert step_text(page) == "Step 0"


def test_two_pages_never_share_a_model():
    from simorg.app.app import Page

    _, rc1 = solara.render(Page(), handle_error=False)
    _, rc2 = solara.render(Page(), handle_error=False)
    try:
        for _ in range(3):
            button(rc1, "Step").click()
        assert step_text(rc1) == "Step 3" and step_text(rc2) == "Step 0"
        button(rc2, "Step").click()
        assert step_text(rc1) == "Step 3" and step_text(rc2) == "Step 1"
    finally:
        rc1.close()
        rc2.close()


# --- sharing: links and scenario files ----------------------------------------------------------------


def played(run: Run) -> Run:
    """A run with everything a link and a file must carry: changes, live moves (one stepwise)."""
    run.overrides = {"culture.vision": 0.3}
    run.step(2)
    run.intervene("open_silos", level=0.7)
    run.step(3)
    run.intervene("walk_the_talk", level=0.9, pace="stepwise", every=2)
    run.intervene("social_media_team", size=5)
    run.step(4)
    return run


def test_saved_scenario_file_reproduces_the_run_step_for_step(tmp_path):
    sc = small("big_bang", **{"culture.vision": 0.3})
    run = played(Run(sc, 13))
    text = run.scenario_file()
    f = tmp_path / "saved.toml"
    f.write_text(text)
    again = load(str(f))  # the CLI's loader: `simorg run saved.toml` runs the same
    assert again.seed == 13 and again.culture.vision == 0.3
    assert len(again.interventions) == len(sc.interventions) + 3
    replayed = Run(again, again.seed)
    replayed.step(run.steps)
    a, b = run.history(), replayed.history()
    for name in OUTCOMES:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert replayed.applied() == run.applied()


def test_a_link_carries_scenario_seed_changes_moves_and_step():
    from simorg.app import share

    sc = small("traditional_silos")
    run = played(Run(with_overrides(sc, {"culture.vision": 0.3}), 21, label="traditional_silos"))
    q = share.run_query(run, run.steps, projector=True)
    assert "scenario=traditional_silos" in q and "seed=21" in q and f"step={run.steps}" in q
    assert "move=3:open_silos:level=0.7" in q and "every=2" in q and "projector=1" in q
    link = share.parse(q, {"traditional_silos"})
    assert link.projector and link.overrides == {"culture.vision": 0.3} and link.step == run.steps
    rebuilt = Run(with_overrides(sc, link.overrides), link.seed)
    share.replay(rebuilt, link.moves, link.step)
    assert rebuilt.steps == run.steps
    for name in OUTCOMES:
        np.testing.assert_array_equal(rebuilt.history()[name], run.history()[name], err_msg=name)
    assert share.parse("", {"x"}) is None
    for bad, says in (("scenario=nope", "not a shipped scenario"), ("scenario=x&seed=-1", "seed"),
                      ("scenario=x&set=culture.nothing:1", "unknown parameter"),
                      ("scenario=x&move=2:fly", "unknown action"), ("scenario=x&step=99999", "step"),
                      ("scenario=x&move=2:open_silos", "needs a level")):  # fmt: skip
        with pytest.raises(ScenarioError, match=says) as err:
            share.parse(bad, {"x"})
        assert "\n" not in str(err.value)


def test_the_log_the_plan_and_the_csv_say_each_moves_level():
    from simorg.app.explore import planned_text

    assert "step 20: Set learning.voice_hierarchy to 0.1" in planned_text(load("big_bang"))
    assert "step 20: Open silos to 0.6" in planned_text(load("big_bang"))
    run = Run(small("stepwise"), 3)
    run.intervene("open_silos", level=0.45, pace="stepwise", every=2)
    run.step(3)
    log = run.describe_applied()
    assert log[0] == (1, "Open silos to 0.45 (Customer Service)")
    assert run.log == [(1, "Open silos to 0.45, one department every 2 steps")]


def test_marker_labels_sit_beside_their_line_and_stop_above_the_axis():
    run = Run(small(), 1)
    run.intervene("social_media_team", size=4)
    run.intervene("announce_vision", level=0.8)
    run.intervene("open_silos", level=0.6)
    run.step(3)
    svg = charts.chart_svg(charts.CHARTS[0], run.history(), run.applied(), xmax=50)
    import re

    (line_x,) = re.findall(r'<line x1="([\d.]+)" x2="[\d.]+" y1="14" y2="212"', svg)
    (label,) = re.findall(r"translate\(([\d.]+),18\) rotate\(90\)[^>]*>([^<]*)<", svg)
    assert float(label[0]) > float(line_x)  # beside the dashed line, not on it
    assert "dominant-baseline" not in svg
    plot_chars = (250 - 14 - 38 - 8) / (0.58 * 13)
    assert len(label[1]) <= plot_chars  # cut to end above the x axis


def test_large_organizations_are_drawn_as_a_sample_of_everyone():
    sc = with_overrides(
        load("traditional_silos"), {"organization.employees": 15000, "customers.count": 10}
    )
    run = Run(sc, 1)
    st = run.model.state
    drawn = network._drawn_people(st.n, st)
    structure = st.structure
    assert len(drawn) <= network.MAX_PEOPLE_DRAWN
    share_drawn = np.bincount(structure.department[drawn], minlength=structure.departments) / len(
        drawn
    )
    share_all = np.bincount(structure.department, minlength=structure.departments) / structure.n
    np.testing.assert_allclose(share_drawn, share_all, atol=0.02)  # every department, in proportion
    assert (~structure.is_leader[drawn]).mean() == pytest.approx(
        (~structure.is_leader).mean(), abs=0.03
    )


def test_numbers_are_written_for_people():
    from simorg.app.explore import number

    assert number(18070.4) == "18,070" and number(0.7341) == "0.734" and number(12) == "12"
    assert number(-3.25, sign=True) == "-3.25" and number(0.5, sign=True) == "+0.500"


def test_seed_minus_one_then_reset_says_so_in_one_line(page):
    page.find(v.TextField, label="Seed").widget.v_model = "-1"
    button(page, "Reset").click()
    alert = page.find(v.Alert).widget.children[0]
    assert alert.startswith("seed: must be from 0") and "\n" not in alert
    assert run_title(page).startswith("traditional_silos · seed 42")  # the run is untouched
    button(page, "Step").click()
    assert step_text(page) == "Step 1"
    choose_view(page, "Compare")
    page.find(v.TextField, label="Seed (both)").widget.v_model = "-1"
    button(page, "Reset").click()
    assert "seed: must be from 0" in page.find(v.Alert).widget.children[0]


def test_an_error_while_drawing_shows_one_line_and_the_page_carries_on(page, monkeypatch):
    from simorg.app import explore

    real = explore.Run.network_svg
    broken = {"on": True}

    def flaky(self, *a, **k):
        if broken["on"]:
            raise RuntimeError("drawing failed\nsecond line")
        return real(self, *a, **k)

    monkeypatch.setattr(explore.Run, "network_svg", flaky)
    button(page, "Step").click()
    alert = page.find(v.Alert).widget.children[0]
    assert "RuntimeError: drawing failed" in alert and "second line" not in alert
    broken["on"] = False
    button(page, "Carry on").click()
    assert step_text(page) == "Step 1" and html_containing(page, 'class="simorg-network-svg"')


def test_a_link_opens_its_run_and_the_address_follows_the_run():
    from simorg.app.app import Page

    link = "/?scenario=big_bang&seed=7&set=culture.vision:0.4&move=2:open_silos:level=0.7&step=3"
    _, rc = solara.render(solara.RoutingProvider(children=[Page()], pathname=link),
                          handle_error=False)  # fmt: skip
    try:
        assert step_text(rc) == "Step 3"
        assert run_title(rc).startswith("big_bang + 1 change · seed 7")
        assert "before step 2: Open silos to 0.7" in html_containing(rc, "Interventions so far")[0]
        button(rc, "Step").click()
        nav = rc.find(solara.widgets.Navigator).widget
        assert "step=4" in nav.location and "move=2:open_silos:level=0.7" in nav.location
    finally:
        rc.close()
    _, rc = solara.render(solara.RoutingProvider(children=[Page()], pathname="/?scenario=nope"),
                          handle_error=False)  # fmt: skip
    try:
        assert "not a shipped scenario" in rc.find(v.Alert).widget.children[0]
        assert step_text(rc) == "Step 0"
    finally:
        rc.close()
