"""The explorer in a real headless Chromium (Debian's), served by `simorg explore` as a user starts it.

One server for the module; each test opens its own browser context (its own Solara session). Waits
are playwright `expect`s, never sleeps. Screenshots of each view go to tests/artifacts/ (gitignored);
the measured speed goes to tests/artifacts/explorer_speed.json.

Skipped, with the reason, only when /usr/bin/chromium is missing (.ci/run installs it).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing: apt-get install -y chromium"
    ),
]

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

SPEED: dict[str, float] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(cmd: list[str], url: str, log_path: Path, cwd: Path, ready_within: float = 90.0):
    """Run a server command (stdout and stderr to `log_path`), wait until `url`/readyz answers,
    and stop the process when the block ends; yields the process."""
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="False")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    try:
        deadline = time.monotonic() + ready_within
        while True:  # poll /readyz (the page itself is then waited for with expect)
            assert proc.poll() is None, f"server exited: {log_path.read_text()}"
            try:
                with urllib.request.urlopen(url + "readyz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"server not ready within {ready_within:g} s"
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server():
    """`simorg explore --port N` as a subprocess; yields (url, log path)."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    log_path = ARTIFACTS / "explorer_server.log"
    exe = Path(sys.executable).parent / "simorg"
    url = f"http://127.0.0.1:{port}/"
    started = time.monotonic()
    try:
        with served([str(exe), "explore", "--port", str(port)], url, log_path, ROOT, 60):
            SPEED["server_ready_s"] = round(time.monotonic() - started, 2)
            yield url, log_path
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "explorer_speed.json").write_text(json.dumps(SPEED, indent=1) + "\n")


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Page:
    """A browser context with one explorer page, collecting page errors and every URL it requests."""

    def __init__(
        self, browser, url: str, viewport=(1600, 1000), link: str = "", accept_downloads=True
    ):
        w, h = viewport
        self.context = browser.new_context(viewport={"width": w, "height": h},
                                           accept_downloads=accept_downloads)  # fmt: skip
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = url
        started = time.monotonic()
        self.page.goto(url + link)
        expect(self.step_indicator).to_have_text(re.compile(r"Step \d+"), timeout=60_000)
        expect(self.page.locator("svg.simorg-network-svg circle").first).to_be_visible()
        self.load_seconds = time.monotonic() - started

    @property
    def step_indicator(self):
        return self.page.locator(".simorg-step")

    def steps(self) -> int:
        return int(self.step_indicator.inner_text().split()[1])

    def wait_for_steps(self, at_least: int, timeout: float = 20_000):
        """Wait (in the browser) until Step N shows at least `at_least`."""
        self.page.wait_for_function(
            "n => parseInt(document.querySelector('.simorg-step').textContent.split(' ')[1]) >= n",
            arg=at_least, timeout=timeout,
        )  # fmt: skip

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def shot(self, name: str):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"explorer_{name}.png"), full_page=True)

    def close(self):
        assert not self.errors, f"page errors: {self.errors}"
        foreign = [
            u
            for u in self.requests
            if not u.startswith(self.url) and not u.startswith(("data:", "blob:"))
        ]
        assert not foreign, f"requests outside the server: {foreign[:5]}"
        self.context.close()


@pytest.fixture
def page(server, browser):
    url, _ = server
    p = Page(browser, url)
    yield p
    p.close()


def test_page_is_usable_soon_and_steps_plays_and_pauses(page):
    SPEED["page_usable_s"] = round(page.load_seconds, 2)  # measured, not asserted: noisy
    page.button("Step").click()
    expect(page.step_indicator).to_have_text("Step 1")
    page.shot("explore")
    page.button("Play").click()
    expect(page.button("Pause")).to_be_enabled()
    expect(page.step_indicator).to_have_text(re.compile(r"Step ([3-9]|\d\d+)$"))
    page.button("Pause").click()
    expect(page.button("Play")).to_be_enabled()
    expect(page.button("Step")).to_be_enabled()
    n = page.steps()
    page.button("Step").click()  # a step still under way at Pause may land first: at most one
    expect(page.step_indicator).to_have_text(re.compile(rf"Step ({n + 1}|{n + 2})$"))


def test_play_runs_with_drawing_and_its_speed_is_recorded(page):
    """The default scenario (300 employees, 1,000 customers) at speed 10, measured from Step N."""
    page.button("Play").click()
    expect(page.step_indicator).to_have_text(re.compile(r"Step ([2-9]|\d\d+)$"))
    n0, t0 = page.steps(), time.monotonic()
    page.wait_for_steps(n0 + 30)
    rate = (page.steps() - n0) / (time.monotonic() - t0)
    page.button("Pause").click()
    SPEED["play_steps_per_s_at_speed_10"] = round(rate, 1)  # measured, not asserted: noisy
    assert page.steps() >= n0 + 30
    # as fast as it goes: 50 steps/s asked, several steps per frame
    page.button("50").click()
    page.button("Play").click()
    expect(page.button("Pause")).to_be_enabled()
    n0, t0 = page.steps(), time.monotonic()
    page.wait_for_steps(n0 + 100, timeout=30_000)
    SPEED["play_steps_per_s_at_speed_50"] = round((page.steps() - n0) / (time.monotonic() - t0), 1)
    page.button("Pause").click()


def test_change_scenario_and_apply_an_intervention(page):
    page.page.locator(".v-select").filter(has_text="Scenario").click()
    page.page.get_by_role("option", name="social_media_team").click()
    title = page.page.locator(".simorg-section-title").filter(has_text="people")
    expect(title).to_contain_text("social_media_team · seed 42 · 300 people")
    expect(page.page.locator("svg.simorg-network-svg")).to_contain_text("Customer Service")
    page.button("Step").click()
    expect(page.step_indicator).to_have_text("Step 1")
    page.button("Open silos").click()
    expect(page.page.get_by_text("queued, before step 2: Open silos to 0.6")).to_be_visible()
    page.button("Step").click()
    expect(page.step_indicator).to_have_text("Step 2")
    expect(page.page.get_by_text("before step 2: Open silos to 0.6", exact=True)).to_be_visible()
    expect(page.page.locator('svg[data-chart="trust"]')).to_contain_text("open silos")
    page.shot("intervention")
    with page.page.expect_download() as download:
        page.button("Data (CSV)").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0].startswith("scenario,seed,step,") and len(lines) == 1 + 3
    assert "Open silos to 0.6" in lines[-1]
    with page.page.expect_download() as download:
        page.button("Charts (PNG)").click()
    assert Path(download.value.path()).read_bytes()[:4] == b"\x89PNG"


def test_compare_view_and_about_page(page):
    page.button("Compare").click()
    expect(page.page.locator(".v-select").filter(has_text="Scenario B")).to_contain_text(
        "social_business"
    )
    expect(page.page.locator("svg.simorg-network-svg")).to_have_count(2)
    page.button("Step").click()
    expect(page.step_indicator).to_have_text("Step 1")
    page.button("Play").click()
    expect(page.step_indicator).to_have_text(re.compile(r"Step ([5-9]|\d\d+)$"))
    page.button("Pause").click()
    expect(page.button("Play")).to_be_enabled()
    expect(page.page.locator('svg[data-chart="trust"]')).to_have_count(1)  # A and B overlaid
    expect(page.page.locator('svg[data-chart="trust"] polyline[data-run="B"]')).to_have_count(3)
    expect(page.page.locator(".simorg-table").get_by_text("B − A")).to_be_visible()
    page.shot("compare")
    page.button("About").click()
    expect(page.page.get_by_role("heading", name="Things to try")).to_be_visible()
    page.shot("about")


def test_two_browser_sessions_never_share_a_model(server, browser):
    url, _ = server
    one, two = Page(browser, url), Page(browser, url)
    try:
        for k in (1, 2, 3):
            one.button("Step").click()
            expect(one.step_indicator).to_have_text(f"Step {k}")
        expect(two.step_indicator).to_have_text("Step 0")
        two.button("Step").click()
        expect(two.step_indicator).to_have_text("Step 1")
        expect(one.step_indicator).to_have_text("Step 3")
    finally:
        one.close()
        two.close()


# --- projector mode, links, saved scenario files, a room of pages ----------------------------------

PROJECTOR_TEXT_PX = 20

OVERFLOW_JS = """
() => {
  const W = window.innerWidth, H = window.innerHeight, bad = [];
  const root = document.querySelector('.simorg-projector');
  for (const el of root.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('.v-ripple__container')) continue;  // a click's ripple: clipped by its button, gone in ms
    if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1)
      bad.push(`${el.tagName}.${el.getAttribute('class') || ''} ${r.left|0},${r.top|0},${r.right|0},${r.bottom|0}`);
  }
  const small = [];
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.getBoundingClientRect().width === 0) continue;
    let px = parseFloat(getComputedStyle(el).fontSize);
    const svg = el.closest('svg');
    if (svg && el.tagName !== 'svg') {  // SVG text is scaled with its drawing
      const vb = svg.viewBox.baseVal, r = svg.getBoundingClientRect();
      const size = parseFloat(el.getAttribute('font-size') || el.closest('[font-size]').getAttribute('font-size'));
      px = size * Math.min(r.width / vb.width, r.height / vb.height);
    }
    if (px < MIN_PX) small.push(`${el.tagName} ${px.toFixed(1)}px: ${el.textContent.trim().slice(0, 30)}`);
  }
  return {bad, small};
}
""".replace("MIN_PX", str(PROJECTOR_TEXT_PX))


@pytest.mark.parametrize("viewport", [(1280, 720), (1920, 1080)])
def test_projector_mode_fits_one_screen_with_large_text(server, browser, viewport):
    url, _ = server
    p = Page(browser, url, viewport=viewport, link="?scenario=social_media_team&projector=1")
    try:
        expect(p.page.locator(".simorg-projector")).to_be_visible()
        p.button("Step").click()
        expect(p.step_indicator).to_have_text("Step 1")
        for part in ("svg.simorg-network-svg", 'svg[data-chart="trust"]', ".simorg-step"):
            expect(p.page.locator(part)).to_be_in_viewport(ratio=1.0)
        found = p.page.evaluate(OVERFLOW_JS)
        assert not found["bad"], f"outside the {viewport} screen: {found['bad'][:8]}"
        assert not found["small"], f"text under {PROJECTOR_TEXT_PX} px: {found['small'][:8]}"
        assert p.page.evaluate("document.documentElement.scrollHeight") <= viewport[1] + 1
        p.page.screenshot(path=str(ARTIFACTS / f"explorer_projector_{viewport[0]}.png"))
        p.button("Exit projector").click()
        expect(p.page.get_by_role("button", name="Projector")).to_be_visible()
        expect(p.page).not_to_have_url(re.compile("projector"))
    finally:
        p.close()


def outcome_cells(p: Page) -> list[str]:
    return p.page.locator(".simorg-table td.num").all_inner_texts()


def test_a_shared_link_restores_the_run_and_the_saved_file_reproduces_it(server, browser, tmp_path):
    url, _ = server
    one = Page(browser, url)
    two = None
    try:
        one.page.locator(".v-select").filter(has_text="Scenario").click()
        one.page.get_by_role("option", name="big_bang").click()
        expect(one.page.locator(".simorg-section-title").filter(has_text="people")).to_contain_text(
            "big_bang · seed 42"
        )
        for k in (1, 2):
            one.button("Step").click()
            expect(one.step_indicator).to_have_text(f"Step {k}")
        one.button("Open silos").click()
        for k in (3, 4, 5):
            one.button("Step").click()
            expect(one.step_indicator).to_have_text(f"Step {k}")
        expect(one.page).to_have_url(re.compile(r"step=5"))
        link = one.page.url
        assert "scenario=big_bang" in link and "move=3:open_silos:level=0.6" in link
        shown = outcome_cells(one)
        two = Page(browser, url, link="?" + link.split("?", 1)[1])  # a new session, the same link
        expect(two.step_indicator).to_have_text("Step 5")
        expect(two.page.get_by_text("before step 3: Open silos to 0.6", exact=True)).to_be_visible()
        assert outcome_cells(two) == shown  # the same run, number for number
        with one.page.expect_download() as download:
            one.button("Save as scenario file").click()
        saved = tmp_path / "saved.toml"
        saved.write_bytes(Path(download.value.path()).read_bytes())
        with one.page.expect_download() as download:
            one.button("Data (CSV)").click()
        import pandas as pd

        csv = pd.read_csv(download.value.path())
        assert csv["interventions"].iloc[3] == "Open silos to 0.6"
        assert csv["organization.permeability"].iloc[0] == 0.05
    finally:
        one.close()
        if two is not None:
            two.close()
    from simorg.model import OrgModel
    from simorg.outcomes import OUTCOMES
    from simorg.scenario import load

    sc = load(str(saved))  # what `simorg run saved.toml` runs
    model = OrgModel(sc, seed=sc.seed)
    for _ in range(5):
        model.step()
    again = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    for name in OUTCOMES:
        assert list(again[name]) == pytest.approx(list(csv[name]), rel=0, abs=0), name


@pytest.mark.slow
@pytest.mark.load
def test_thirty_sessions_play_at_once_without_a_traceback(server, browser):
    """A room: 30 pages play on one server; none is replaced by a traceback, all advance, each
    answers Pause. (The figures, steps/s and Pause latency, come from benchmarks/explorer_load.py.)"""
    url, _ = server
    pages = [Page(browser, url, viewport=(1280, 720), link="?scenario=traditional_silos&step=201")
             for _ in range(30)]  # fmt: skip
    try:
        for p in pages:
            expect(p.step_indicator).to_have_text("Step 201", timeout=60_000)
            p.button("Play").click()
        for p in pages:
            p.wait_for_steps(211, timeout=120_000)
        for p in pages:
            p.button("Pause").click()
            expect(p.button("Play")).to_be_enabled(timeout=30_000)
        for p in pages:
            assert "Traceback" not in p.page.inner_text("body")
    finally:
        for p in pages:
            p.close()


def test_server_log_shows_no_cdn_fetch(server):
    _, log_path = server
    log = log_path.read_text()
    assert "Could not load URL" not in log
    assert "cdn.jsdelivr" not in log and "unpkg.com" not in log
    assert "Traceback" not in log, log[-2000:]
