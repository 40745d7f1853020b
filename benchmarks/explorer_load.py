"""A room on one explorer server: N browser pages play at once; measure what each of them gets.

    .venv/bin/python benchmarks/explorer_load.py --pages 30 --seconds 30 --port 11250

Starts `simorg explore` (or uses --url), opens N headless Chromium contexts (Debian's
/usr/bin/chromium), presses Play at speed 10 on each, and reports:
- steps/s per page, read from each page's own Step N over the measuring window (median, slowest);
- Pause latency: from the click on Pause to the page showing the paused state (Play enabled
  again), timed inside the page: from the click event to the second animation frame after the
  Play button became enabled (so the paused state has been painted); median and worst. The time
  playwright's `expect` takes to notice it (it polls, up to a second apart) is reported beside it;
  after Pause, each page's step counter must stand still (`steps_after_pause_moved`: pages whose
  counter moved between two readings taken after every page was paused);
- pages replaced by a traceback (must be 0) and page errors;
- the server's memory (RSS): idle before any page, after a warm-up page closed (the baseline
  that includes every module a page loads), with N pages playing, and after they closed and
  their sessions were culled (SOLARA_KERNEL_CULL_TIMEOUT, 5 s here).
Writes the figures as JSON (--out). BENCH_CHROMIUM names another Chromium command, e.g. a script
`exec chrt -i 0 /usr/bin/chromium "$@"` that runs the 30 browsers at idle priority, so that they
take the CPU the server leaves rather than compete with it as they do when they share its
machine (in a room they are 30 other devices). Figures depend on the machine: on a shared 2-core
machine they are noisy; compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
from playwright.sync_api import expect, sync_playwright

CHROMIUM = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
]  # fmt: skip
#: Arms a page before its Pause click: times the click to the painted paused state (window.__pause).
ARM_PAUSE_JS = """() => {
  window.__pause = null;
  const play = () => [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Play');
  document.addEventListener('click', e => {
    const b = e.target.closest('button');
    if (!b || b.textContent.trim() !== 'Pause') return;
    const clicked = performance.now();
    const done = () => requestAnimationFrame(() => requestAnimationFrame(() => {
      window.__pause = (performance.now() - clicked) / 1000;
    }));
    const obs = new MutationObserver(() => {
      const p = play();
      if (p && !p.disabled) { obs.disconnect(); done(); }
    });
    obs.observe(document.body, {subtree: true, attributes: true, childList: true});
  }, {capture: true, once: true});
}"""
STEP_JS = (
    "() => { const e = document.querySelector('.simorg-step'); return e ? e.textContent : ''; }"
)


def rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        total += child.memory_info().rss
    return round(total / 2**20, 1)


def cpu_s(pid: int | None) -> float:
    if not pid:
        return 0.0
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def start_server(port: int, log: Path) -> subprocess.Popen:
    env = dict(
        os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="False", SOLARA_KERNEL_CULL_TIMEOUT="5s"
    )
    exe = Path(sys.executable).parent / "simorg"
    proc = subprocess.Popen(
        [str(exe), "explore", "--port", str(port)],
        stdout=log.open("w"), stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server not ready: {log.read_text()[-2000:]}")


def steps_of(page) -> int:
    text = page.evaluate(STEP_JS)
    return int(text.split()[1]) if text.startswith("Step ") else -1


def traceback_shown(page) -> bool:
    return "Traceback (most recent call last)" in page.evaluate("() => document.body.innerText")


#: Past the scenario's planned 200 steps, so Play never pauses by itself while we measure.
LINK = "?scenario=traditional_silos&seed=42&step=201"


def open_page(browser, url: str):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + LINK)
    expect(page.locator(".simorg-step")).to_have_text("Step 201", timeout=120_000)
    return ctx, page, errors


def measure(url: str, pages: int, seconds: float, pid: int | None) -> dict:
    out: dict = {"pages": pages, "seconds": seconds}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        if pid:
            out["rss_idle_mb"] = rss_mb(pid)
            ctx, _, _ = open_page(browser, url)
            ctx.close()
            time.sleep(12)  # the warm-up session is culled (5 s) and collected
            out["rss_baseline_mb"] = rss_mb(pid)
        opened = []
        t = time.monotonic()
        for _ in range(pages):
            opened.append(open_page(browser, url))
        out["open_all_s"] = round(time.monotonic() - t, 1)
        for _, page, _ in opened:
            page.get_by_role("button", name="Play", exact=True).click()
        for _, page, _ in opened:
            expect(page.get_by_role("button", name="Pause", exact=True)).to_be_enabled(
                timeout=60_000
            )
        time.sleep(3)  # every page settles into playing
        cpu0 = cpu_s(pid)
        start = [(steps_of(pg), time.monotonic()) for _, pg, _ in opened]
        time.sleep(seconds)
        end = [(steps_of(pg), time.monotonic()) for _, pg, _ in opened]
        if pid:  # CPU seconds the server used per second while they played (1.0 = one core)
            out["server_cpu_per_s"] = round((cpu_s(pid) - cpu0) / (end[-1][1] - start[0][1]), 2)
        rates = [(e[0] - s[0]) / (e[1] - s[1]) for s, e in zip(start, end, strict=True)]
        out["steps_per_s_median"] = round(statistics.median(rates), 2)
        out["steps_per_s_slowest"] = round(min(rates), 2)
        out["steps_per_s_fastest"] = round(max(rates), 2)
        if pid:
            out["rss_playing_mb"] = rss_mb(pid)
        latencies, noticed = [], []
        for _, page, _ in opened:  # one page at a time: the others keep playing meanwhile
            page.evaluate(ARM_PAUSE_JS)
            t = time.monotonic()
            page.get_by_role("button", name="Pause", exact=True).click()
            expect(page.get_by_role("button", name="Play", exact=True)).to_be_enabled(
                timeout=60_000
            )
            noticed.append(time.monotonic() - t)
            page.wait_for_function("() => window.__pause !== null", timeout=60_000)
            latencies.append(page.evaluate("() => window.__pause"))
        out["pause_latency_s_median"] = round(statistics.median(latencies), 2)
        out["pause_latency_s_worst"] = round(max(latencies), 2)
        out["pause_noticed_by_playwright_s_median"] = round(statistics.median(noticed), 2)
        out["pause_noticed_by_playwright_s_worst"] = round(max(noticed), 2)
        paused_at = [steps_of(pg) for _, pg, _ in opened]
        time.sleep(2)
        out["steps_after_pause_moved"] = sum(
            steps_of(pg) != n for (_, pg, _), n in zip(opened, paused_at, strict=True)
        )
        out["pages_with_traceback"] = sum(traceback_shown(pg) for _, pg, _ in opened)
        out["page_errors"] = sum(len(e) for _, _, e in opened)
        for ctx, _, _ in opened:
            ctx.close()
        browser.close()
    if pid:
        time.sleep(45)  # sessions culled after 5 s, then collected (checked every 10 s)
        out["rss_after_close_mb"] = rss_mb(pid)
        out["after_close_vs_baseline"] = round(
            out["rss_after_close_mb"] / out["rss_baseline_mb"], 3
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--port", type=int, default=11250)
    ap.add_argument("--url", help="use a running server instead (memory is then not measured)")
    ap.add_argument("--out", type=Path, default=Path("tests/artifacts/explorer_load.json"))
    args = ap.parse_args()
    proc = None
    if args.url:
        url, pid = args.url, None
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        proc = start_server(args.port, args.out.with_suffix(".log"))
        url, pid = f"http://127.0.0.1:{args.port}/", proc.pid
    try:
        figures = measure(url, args.pages, args.seconds, pid)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    if proc is not None:
        log = args.out.with_suffix(".log").read_text(errors="replace")
        figures["server_log_tracebacks"] = log.count("Traceback")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=1) + "\n")
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
