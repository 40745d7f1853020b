"""OrgModel in Mesa's own SolaraViz (simorg/app/mesa_viz.py), served by `solara run` and driven in
real Chromium (Debian's) as a Mesa user would: the page draws the network and the charts, Step
advances the model and redraws, Reset rebuilds it from the sidebar's parameters (Mesa passes its
own Scenario into OrgModel then).

Skipped, with the reason, only when /usr/bin/chromium is missing (.ci/run installs it).
"""

from __future__ import annotations

import sys

import pytest
from test_app_browser import ARGS, ARTIFACTS, CHROMIUM, expect, playwright_sync, pytestmark, served

PORT = 11010  # issue 10's range (11000-11099): the team's rule for servers in tests
__all__ = ["pytestmark"]  # browser-marked, skipped without Chromium, as test_app_browser is


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`solara run simorg.app.mesa_viz` on loopback, from outside the repository."""
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "mesa_viz_server.log"
    cmd = [sys.executable, "-m", "solara", "run", "simorg.app.mesa_viz", "--production",
           "--host", "127.0.0.1", "--port", str(PORT), "--no-open"]  # fmt: skip
    url = f"http://127.0.0.1:{PORT}/"
    with served(cmd, url, log_path, tmp_path_factory.mktemp("mesa_viz")):
        yield url, log_path


def test_solaraviz_shows_orgmodel_steps_and_resets(server) -> None:
    url, log_path = server
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            images = page.locator(".vue-grid-item img")
            expect(images).to_have_count(3, timeout=60_000)  # network + two charts
            expect(page.get_by_text("Time: 0.0")).to_be_visible()
            summary = page.locator(".simorg-mesa-summary")
            expect(summary).to_have_text(
                "<OrgModel 'social_business': 120 employees, 1000 customers, step 0 of 200, seed 42>"
            )
            network_before = images.nth(0).get_attribute("src")

            page.get_by_role("button", name="Step").click()
            expect(page.get_by_text("Time: 1.0")).to_be_visible(timeout=30_000)
            page.get_by_role("button", name="Step").click()
            expect(page.get_by_text("Time: 2.0")).to_be_visible(timeout=30_000)
            expect(summary).to_contain_text("step 2 of 200")
            expect(images).to_have_count(3)
            assert images.nth(0).get_attribute("src") != network_before, "the network redraws"
            page.screenshot(path=str(ARTIFACTS / "mesa_viz_step2.png"))

            # Reset with another scenario chosen in the sidebar: Mesa builds
            # OrgModel(scenario=<Mesa Scenario>, scenario_or_config=..., rng=..., ...)
            page.get_by_role("button", name="Scenario social_business").click()
            page.get_by_role("option", name="traditional_silos").click()
            page.get_by_role("button", name="Reset").click()
            expect(page.get_by_text("Time: 0.0")).to_be_visible(timeout=30_000)
            expect(summary).to_have_text(
                "<OrgModel 'traditional_silos': 120 employees, 1000 customers, step 0 of 200, seed 42>"
            )
            expect(images).to_have_count(3)
            page.get_by_role("button", name="Step").click()
            expect(page.get_by_text("Time: 1.0")).to_be_visible(timeout=30_000)
            assert not page.get_by_text("error in").is_visible()
            page.screenshot(path=str(ARTIFACTS / "mesa_viz_reset.png"))
            assert not errors, f"page errors: {errors}"
        finally:
            browser.close()
    log = log_path.read_text()
    assert "Traceback" not in log, log[-3000:]
    assert "Could not load URL" not in log, "the page must not load anything from a CDN"
