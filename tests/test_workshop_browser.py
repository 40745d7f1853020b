"""A workshop in real headless Chromium, served by `simorg workshop` as a facilitator starts it.

N participant pages (each its own browser context: its own Solara session) join one workshop with
the code, each plays two rounds (holds back with one contact each round), the facilitator runs the
rounds from their page and reveals. Checked: no page error on any page and nothing alarming in the
server log; everyone plays a different person and what each round applied is their own person's
(the page reports it for that person and that contact, and the tie's trust did not rise); a
participant who closes their page is back on the rules for the next round; a wrong join code and a
missing facilitator token are refused. The 30-page run is `make test-load`; six pages run in
`make test` (timings in docs/workshop/README.md).
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest
from test_app_browser import ARGS, ARTIFACTS, CHROMIUM, ROOT, served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing: apt-get install -y chromium"
    ),
]

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

SCENARIO = """
description = "A small traditional organization for the workshop browser test"
steps = 40
seed = 11

[organization]
employees = 120
structure = "silos"
permeability = 0.3

[customers]
count = 200

[culture]
practice = 0.4
vision = 0.7
walk_the_talk = 0.3
"""
WAIT = 120_000  # ms: a loaded 2-core machine with 31 pages is slow, never wrong
BAD_LOG = ("Traceback", "Too many renders", "Could not load URL")


def links(log: Path) -> tuple[str, str, str]:
    """The facilitator link, join link and code, read from what the command printed."""
    deadline = time.monotonic() + 30
    while True:
        text = log.read_text()
        fac = re.search(r"facilitator \(keep this link to yourself\): (\S+)", text)
        join = re.search(r"participants join at: (\S+)\s+join code: (\w+)", text)
        if fac and join:
            return fac.group(1), join.group(1), join.group(2)
        assert time.monotonic() < deadline, text
        time.sleep(0.1)


class Participant:
    def __init__(self, browser, url: str, name: str, errors: list[str]):
        self.context = browser.new_context(viewport={"width": 900, "height": 800})
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: errors.append(f"{name}: {e}"))
        self.name, self.person, self.held = name, -1, []
        self.page.goto(url)

    def join(self) -> None:
        self.page.get_by_label("Your name (kept in this room only)").fill(self.name)
        self.page.get_by_role("button", name="Join").click()

    def joined(self) -> None:
        you = self.page.locator(".simorg-ws-you")
        expect(you).to_be_visible(timeout=WAIT)
        self.person = int(re.search(r"you are #(\d+)", you.inner_text()).group(1))

    def decide(self, rnd: int) -> None:
        page = self.page
        expect(page.get_by_text(f"Round {rnd}: decide", exact=False)).to_be_visible(timeout=WAIT)
        first = page.locator(".simorg-ws-contact").first
        self.held.append(int(re.search(r"Hold back with #(\d+)", first.inner_text()).group(1)))
        first.get_by_role("checkbox").check(force=True)
        page.get_by_role("button", name="Decide for this round").click()

    def decided(self) -> None:
        expect(self.page.get_by_text("You have decided", exact=False)).to_be_visible(timeout=WAIT)

    def check_report(self, rnd: int) -> None:
        """The page says what round `rnd` applied: to this person, on the contact held back."""
        page = self.page
        expect(page.get_by_text(f"Round {rnd + 1}: decide", exact=False)).to_be_visible(
            timeout=WAIT
        )
        report = page.locator(".simorg-ws-report").inner_text()
        assert f"Round {rnd}, as #{self.person}:" in report, (self.name, report)
        held = re.findall(r"held back with #(\d+): trust ([\d.]+) -> ([\d.]+)", report)
        assert [int(j) for j, _, _ in held] == [self.held[rnd - 1]], (self.name, report)
        assert all(float(after) <= float(before) for _, before, after in held), report


def run_workshop(n: int, port: int, tmp_path: Path) -> dict[str, float]:
    ARTIFACTS.mkdir(exist_ok=True)
    scenario = tmp_path / "room.toml"
    scenario.write_text(SCENARIO)
    log = ARTIFACTS / f"workshop_server_{n}.log"
    exe = Path(sys.executable).parent / "simorg"
    cmd = [str(exe), "workshop", str(scenario), "--port", str(port),
           "--compare", "social_business", "--round-weeks", "2"]  # fmt: skip
    os.environ["SIMORG_WORKSHOP_WEEK_SECONDS"] = "0.05"
    figures: dict[str, float] = {}
    errors: list[str] = []
    started = time.monotonic()
    try:
        with (
            served(cmd, f"http://127.0.0.1:{port}/", log, ROOT, 120),
            playwright_sync.sync_playwright() as p,
        ):
            figures["server_ready_s"] = time.monotonic() - started
            fac_url, join_url, code = links(log)
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            fac = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
            fac.on("pageerror", lambda e: errors.append(f"facilitator: {e}"))
            fac.goto(fac_url)
            expect(fac.get_by_text("0 joined")).to_be_visible(timeout=WAIT)

            # refused: no token, a wrong token, a wrong join code
            other = browser.new_context().new_page()
            other.on("pageerror", lambda e: errors.append(f"intruder: {e}"))
            for url in (fac_url.split("?")[0], fac_url + "x"):
                other.goto(url)
                expect(other.locator(".simorg-ws-refused")).to_be_visible(timeout=WAIT)
                expect(other.get_by_role("button", name="Start")).to_have_count(0)
            wrong = "Z" * len(code) if code != "Z" * len(code) else "Y" * len(code)
            other.goto(join_url.replace(code, wrong))
            other.get_by_label("Your name (kept in this room only)").fill("Mallory")
            other.get_by_role("button", name="Join").click()
            expect(other.get_by_text("not this workshop's join code", exact=False)).to_be_visible(
                timeout=WAIT
            )
            other.context.close()

            t0 = time.monotonic()
            people = [Participant(browser, join_url, f"P{k:02d}", errors) for k in range(n)]
            for pp in people:
                pp.join()
            for pp in people:
                pp.joined()
            expect(fac.get_by_text(f"{n} joined")).to_be_visible(timeout=WAIT)
            figures["join_s"] = time.monotonic() - t0
            assert len({pp.person for pp in people}) == n, "two participants share a person"
            fac.get_by_role("button", name="Start").click()

            for rnd in (1, 2):
                t0 = time.monotonic()
                for pp in people:
                    pp.decide(rnd)
                for pp in people:
                    pp.decided()
                if rnd == 2:  # the first participant leaves after deciding
                    people[0].context.close()
                    expect(fac.get_by_text(f"{n - 1} joined")).to_be_visible(timeout=WAIT)
                    expect(fac.get_by_text("left (rules)", exact=False)).to_have_count(1)
                fac.get_by_role("button", name=re.compile("Run a round")).click()
                stay = people[1:] if rnd == 2 else people
                for pp in stay:
                    pp.check_report(rnd)
                figures[f"round_{rnd}_s"] = time.monotonic() - t0

            # who left is back on the rules: rejoining, their last applied round is round 1
            back = Participant(browser, join_url, people[0].name, errors)
            back.join()
            back.joined()
            assert back.person == people[0].person
            report = back.page.locator(".simorg-ws-report").inner_text()
            assert "Round 1," in report and "Round 2," not in report, report

            fac.get_by_role("button", name="Reveal").click()
            table = fac.locator(".simorg-ws-reveal")
            expect(table).to_be_visible(timeout=WAIT)
            for column in ("room", "twin", "social business"):
                expect(table.get_by_text(column, exact=True)).to_have_count(1)
            expect(fac.get_by_text(f"{n} people played by a human", exact=False)).to_be_visible()
            fac.screenshot(path=str(ARTIFACTS / f"workshop_facilitator_{n}.png"))
            back.page.screenshot(path=str(ARTIFACTS / f"workshop_participant_{n}.png"))
            browser.close()
            text = log.read_text()  # (before the server stops: Solara may log at shutdown)
    finally:
        os.environ.pop("SIMORG_WORKSHOP_WEEK_SECONDS", None)
    figures["total_s"] = time.monotonic() - started
    assert not errors, errors
    assert not [bad for bad in BAD_LOG if bad in text], text[-3000:]
    return figures


@pytest.mark.parametrize(
    ("n", "port"),
    [
        pytest.param(6, 11201, id="6-pages"),
        pytest.param(30, 11202, id="30-pages", marks=pytest.mark.load),
    ],
)
def test_a_room_plays_two_rounds_and_the_facilitator_reveals(n, port, tmp_path):
    figures = run_workshop(n, port, tmp_path)
    (ARTIFACTS / f"workshop_{n}.json").write_text(
        "{" + ", ".join(f'"{k}": {v:.1f}' for k, v in figures.items()) + "}\n"
    )


#: Every visible element box of the page inside the viewport's width (an element inside a box that
#: clips or scrolls it is judged by that box), no box whose content is cut off or scrolls sideways,
#: and no horizontal scrolling of the page.
WIDTH_JS = """
() => {
  const W = window.innerWidth, bad = [];
  const clipper = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o !== 'visible') return a;
    }
    return null;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') continue;
    if (el.closest('.v-ripple__container')) continue;  // a click's ripple, clipped by its button
    const box = (clipper(el) || el).getBoundingClientRect();
    const left = Math.max(r.left, box.left), right = Math.min(r.right, box.right);
    if (right <= left) continue;  // scrolled out of its box: not visible
    if (left < -1 || right > W + 1)
      bad.push(`${el.tagName}.${el.getAttribute('class') || ''} ${r.left|0}..${r.right|0}`);
    if (s.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1 && !el.closest('.v-btn'))
      bad.push(`${el.tagName}.${el.getAttribute('class') || ''} cuts its content: ` +
               `${el.scrollWidth} px wide in ${el.clientWidth}`);
  }
  return {bad, scroll: document.documentElement.scrollWidth, width: W};
}
"""


def assert_fits_width(page, what: str) -> None:
    found = page.evaluate(WIDTH_JS)
    assert not found["bad"], f"{what}: outside the {found['width']} px width: {found['bad'][:8]}"
    assert found["scroll"] <= found["width"] + 1, f"{what}: scrolls sideways ({found})"


@pytest.mark.load  # 30-40 s on a loaded 2-core machine (a server, three browser pages, a round)
def test_the_facilitator_page_fits_a_1280_by_720_projector(tmp_path):
    """The facilitator's page is the room's projector view: in the lobby (join link, QR code,
    roster), during a round and at the reveal (results beside the organization) nothing sticks out
    of a 1280×720 screen sideways."""
    from test_app_browser import free_port

    scenario = tmp_path / "room.toml"
    scenario.write_text(SCENARIO)
    port = free_port()
    log = ARTIFACTS / "workshop_server_fit.log"
    ARTIFACTS.mkdir(exist_ok=True)
    exe = Path(sys.executable).parent / "simorg"
    cmd = [str(exe), "workshop", str(scenario), "--port", str(port),
           "--compare", "social_business", "--round-weeks", "2"]  # fmt: skip
    os.environ["SIMORG_WORKSHOP_WEEK_SECONDS"] = "0.05"
    errors: list[str] = []
    try:
        with (
            served(cmd, f"http://127.0.0.1:{port}/", log, ROOT, 120),
            playwright_sync.sync_playwright() as p,
        ):
            fac_url, join_url, _ = links(log)
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            fac = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
            fac.on("pageerror", lambda e: errors.append(f"facilitator: {e}"))
            fac.goto(fac_url)
            people = [Participant(browser, join_url, f"Participant with a long name {k}", errors)
                      for k in range(2)]  # fmt: skip
            for pp in people:
                pp.join()
            expect(fac.get_by_text("2 joined")).to_be_visible(timeout=WAIT)
            expect(fac.locator(".simorg-ws-qr svg")).to_be_visible()
            assert_fits_width(fac, "lobby")
            fac.get_by_role("button", name="Start").click()
            fac.get_by_role("button", name=re.compile("Run a round")).click()
            expect(fac.get_by_text("round 2 · week 2", exact=False)).to_be_visible(timeout=WAIT)
            assert_fits_width(fac, "after a round")
            fac.get_by_role("button", name="Reveal").click()
            expect(fac.locator(".simorg-ws-reveal")).to_be_visible(timeout=WAIT)
            assert_fits_width(fac, "reveal")
            fac.screenshot(path=str(ARTIFACTS / "workshop_facilitator_1280x720.png"))
            browser.close()
    finally:
        os.environ.pop("SIMORG_WORKSHOP_WEEK_SECONDS", None)
    assert not errors, errors
