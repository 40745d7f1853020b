"""Step, Play, Pause, Reset, a speed control and the Step N indicator, for one run or several in
lockstep (the compare view).

Play runs in a thread of this page (solara.use_thread). The loop never asks the page to redraw
faster than it draws: after each frame it waits until the page has rendered it (an effect of the
Step N indicator acknowledges every tick), so at most one redraw per page is ever pending, and a
slow page (a busy server, thirty pages playing at once) gets fewer frames rather than a render
storm. Steps are due by the clock, not by the frame: when frames come slower, each frame takes
several steps, so the run keeps its speed.

Pages that play at the same time take turns (GATE): one frame (its steps and its render) at a time
on the whole server, first come first served, with a rest after each turn of a quarter of the
turn's CPU time, so playing leaves the server's Python at least a fifth of its CPU however many
pages play (measured with 30 pages: a rest as long as the turn, half the CPU, halved the steps
per second and did not make Pause faster; see docs/explorer.md). Thirty threads stepping and
rendering at once would each hold the GIL a thirtieth of the time and make every frame, and every
Pause arriving meanwhile, wait seconds; with turns, a Pause waits for at most the one frame being
drawn. A page waiting for its turn gives it up as soon as it is paused. The loop polls its cancel
event itself (intrusive cancel traces every line and would slow the model down); an error in it is
logged and shown on the page, and playing stops.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import nullcontext

import reacton.core
import solara

from simorg.app.session import Run

logger = logging.getLogger("simorg.app")

SPEEDS = (1, 2, 5, 10, 20, 50)  # steps per second
DEFAULT_SPEED = 10
MAX_FPS = 10.0
#: A frame waits at most this long for the page to draw the previous one.
DRAW_TIMEOUT = 5.0
#: When frames come slowly, a frame takes at most this many seconds' worth of steps.
MAX_CATCH_UP_S = 4.0
#: The share of the server's CPU that playing pages may take between them (the rest answers
#: clicks, Pause first, and serves pages that load). Pause does not need the rest: with one
#: player at a time its click shares the GIL with one thread, not thirty; the rest keeps some CPU
#: free for pages that load while a room plays.
PLAY_DUTY = 0.8
#: A waiting player looks at least this often whether it is still wanted (seconds). Pause wakes
#: it at once (see use_player); this is only a safety net (thirty threads polling every 50 ms
#: would wake 600 times a second, each time needing the GIL).
SAFETY_POLL_S = 1.0


class Gate:
    """Turns for playing pages (one server process): one frame at a time, first come first served,
    and after each turn a rest of `cpu × (1 − duty) / duty`, where `cpu` is the CPU time the turn
    used, so playing pages together use at most `duty` of the CPU the server's Python gets. (CPU,
    not wall time: on a machine shared with other processes a turn takes longer than its CPU, and
    resting for its wall time would leave the server idle while pages wait.)

    Only the first in the queue is awake (it waits out the rest); the others sleep on their own
    event until they are first or `wake_all` asks them to look whether they are still wanted.
    """

    def __init__(self, duty: float = PLAY_DUTY, clock: Callable[[], float] = time.perf_counter):
        self.duty = duty
        self.clock = clock
        self._lock = threading.Lock()
        self._queue: deque[threading.Event] = deque()
        self._busy = False
        self._free_at = 0.0  # clock time before which no turn starts (the rest)
        self.turns = 0

    def _wake_first(self) -> None:  # with self._lock held
        if self._queue and not self._busy:
            self._queue[0].set()

    def enter(self, stop: Callable[[], bool]) -> bool:
        """Wait for this thread's turn; False (and no turn) once `stop()` says it is no longer
        wanted (the page was paused or closed while it waited)."""
        me = threading.Event()
        with self._lock:
            self._queue.append(me)
            self._wake_first()
        timeout = SAFETY_POLL_S
        try:
            while True:
                me.wait(timeout)
                if stop():
                    return False
                with self._lock:
                    me.clear()
                    timeout = SAFETY_POLL_S
                    if self._queue[0] is me and not self._busy:
                        rest = self._free_at - self.clock()
                        if rest <= 0:
                            self._queue.popleft()
                            self._busy = True
                            self.turns += 1
                            return True
                        timeout = min(rest, SAFETY_POLL_S)
        finally:
            with self._lock:
                if me in self._queue:  # gave up waiting
                    self._queue.remove(me)
                    self._wake_first()

    def leave(self, cpu: float) -> None:
        """End the turn that used `cpu` seconds of CPU; the next one starts after the rest."""
        with self._lock:
            self._busy = False
            self._free_at = self.clock() + max(cpu, 0.0) * (1.0 - self.duty) / self.duty
            self._wake_first()

    def wake_all(self) -> None:
        """Every waiting player looks at once whether it is still wanted (called on Pause)."""
        with self._lock:
            for event in self._queue:
                event.set()

    def waiting(self) -> int:
        with self._lock:
            return len(self._queue)


GATE = Gate()


class Frames:
    """One page's frame hand-shake: the player bumps `tick`, the page acknowledges when drawn.

    In a browser, FrameAck answers once the browser has painted the frame (so a slow device or a
    slow connection gets fewer frames, never a backlog); without one (solara.render in tests) the
    end of the server's render pass answers.
    """

    def __init__(self) -> None:
        self.drawn = threading.Event()
        self.drawn.set()
        self.render_s = 0.0  # how long the last frame took to draw (seconds)
        self.tick = 0  # the frame last asked for
        self.browser = False  # a browser has answered: only its answers count from now on

    def rendered(self) -> None:
        if not self.browser:
            self.drawn.set()

    def painted(self, tick) -> None:
        self.browser = True
        try:
            done = int(tick) >= self.tick
        except (TypeError, ValueError):
            done = True
        if done:
            self.drawn.set()


@solara.component_vue("frame_ack.vue")
def FrameAck(frame: int, event_drawn: Callable[[int], None]):
    """Invisible: answers `event_drawn(frame)` once the browser has painted frame `frame`."""


def use_bump(tick: solara.Reactive[int]) -> Callable[[], None]:
    """A function that bumps `tick` and redraws every part that reads it in one render pass.

    Each component that reads `tick` would otherwise get its own pass over the whole widget tree;
    entering the page's render context batches them (measured: 88 ms → 20 ms per frame).
    """
    rc = reacton.core.get_render_context(required=False)

    def bump() -> None:
        with rc if rc is not None else nullcontext():
            tick.set(tick.value + 1)

    return bump


def frame_interval(speed: float, render_s: float) -> float:
    """Seconds between frames: no faster than MAX_FPS or one step, and twice the time a frame
    takes to draw (the page gets half its time back). Pages playing at once share the server
    through GATE, which spaces their frames further when it is busy."""
    return max(1.0 / MAX_FPS, 1.0 / max(speed, 1e-9) if speed < MAX_FPS else 0.0,
               2.0 * render_s)  # fmt: skip


def page_connected() -> bool:
    """Whether a browser still shows the page this thread plays for (False once every page of its
    Solara session has disconnected or closed; True outside a server, e.g. solara.render)."""
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
    except Exception:  # no server, no kernel context: nothing says the page is gone
        return True
    status = getattr(context, "page_status", None)
    if not status:
        return True
    return any(s == kernel_context.PageStatus.CONNECTED for s in status.values())


def use_player(
    runs: Sequence[Run],
    tick: solara.Reactive[int],
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    stop_at: int,
    frames: Frames,
    on_error: Callable[[str], None] | None = None,
) -> None:
    """While `playing`, step `runs` in lockstep at `speed`; pause by itself on reaching `stop_at`."""
    bump = use_bump(tick)

    def loop(cancel):
        if not playing.value or not runs:
            return

        def paused() -> bool:
            return cancel.is_set() or not playing.value

        try:
            rate = float(speed.value)
            limit = stop_at if runs[0].steps < stop_at else None
            owed = 0.0  # steps due but not taken (fractions carry over)
            last = time.perf_counter()
            while not paused():
                asked = time.perf_counter()
                if not GATE.enter(paused):  # paused while waiting for its turn: no more steps
                    return
                began, cpu = time.perf_counter(), time.thread_time()
                try:
                    owed = min(owed + (began - last) * rate, max(rate * MAX_CATCH_UP_S, 1.0))
                    last = began
                    k = max(1, int(owed + 1e-9))
                    if limit is not None:
                        k = max(0, min(k, limit - runs[0].steps))
                    owed = max(0.0, owed - k)
                    for run in runs:
                        run.step(k)
                    frames.drawn.clear()
                    frames.tick = tick.value + 1
                    bump()
                finally:
                    GATE.leave(time.thread_time() - cpu)
                # coalesce: no new frame before the page drew this one (or gave up waiting)
                frames.drawn.wait(DRAW_TIMEOUT)  # set early by a Pause (wake below)
                frames.render_s = time.perf_counter() - began
                if limit is not None and runs[0].steps >= limit:
                    playing.set(False)
                    return
                if not page_connected():  # the browser left: stop drawing for nobody until the
                    playing.set(False)  # session is culled; a page that reconnects finds it paused
                    return
                delay = frame_interval(rate, frames.render_s) - (time.perf_counter() - asked)
                if delay > 0:
                    cancel.wait(delay)
        except Exception as exc:  # shown on the page and logged; the page stays usable
            logger.exception("simorg explorer: Play stopped by an error")
            if on_error is not None:
                on_error(f"Play stopped: {type(exc).__name__}: {exc}".splitlines()[0])
            playing.set(False)

    def wake() -> None:
        # a change of `playing` (Pause) wakes this page's player wherever it sleeps: waiting for
        # its turn or for the browser (its cancel event, set by use_thread, ends the other waits)
        frames.drawn.set()
        GATE.wake_all()

    solara.use_effect(lambda: wake, [playing.value])
    solara.use_thread(
        loop,
        dependencies=[playing.value, speed.value, tuple(id(r) for r in runs)],
        intrusive_cancel=False,
    )


@solara.component
def RunControls(
    runs: Sequence[Run],
    tick: solara.Reactive[int],
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    on_reset: Callable[[], None],
    planned: int,
    reset_hint: str = "",
    on_error: Callable[[str], None] | None = None,
    compact: bool = False,
):
    frames = solara.use_memo(Frames, [])
    # every drawn frame acknowledges its tick: the browser once painted, else the render pass
    solara.use_effect(frames.rendered, [tick.value])
    FrameAck(frame=tick.value, event_drawn=frames.painted)
    use_player(runs, tick, playing, speed, planned, frames, on_error)
    bump = use_bump(tick)
    is_playing = playing.value
    steps = runs[0].steps if runs else 0

    def step_once():
        for run in runs:
            run.step(1)
        bump()

    def reset():
        playing.set(False)
        on_reset()

    with solara.Div(classes=["simorg-controls"]):
        solara.Button("Step", icon_name="mdi-step-forward", on_click=step_once, disabled=is_playing,
                      color="primary")  # fmt: skip
        solara.Button("Play", icon_name="mdi-play", on_click=lambda: playing.set(True), disabled=is_playing,
                      color="primary")  # fmt: skip
        solara.Button("Pause", icon_name="mdi-pause", on_click=lambda: playing.set(False),
                      disabled=not is_playing, color="primary", outlined=True)  # fmt: skip
        solara.Button("Reset", icon_name="mdi-restart", on_click=reset,
                      color="warning" if reset_hint else None, outlined=not reset_hint)  # fmt: skip
        with solara.Div(style={"display": "none" if compact else "flex", "align-items": "center",
                               "gap": "6px"}):  # fmt: skip
            solara.Text("Speed", classes=["simorg-muted"])
            solara.ToggleButtonsSingle(value=str(speed.value), values=[str(s) for s in SPEEDS],
                                       on_value=lambda v: speed.set(int(v)), dense=True)  # fmt: skip
            solara.Text("steps/s", classes=["simorg-muted"])
        with solara.Div(style={"display": "flex", "align-items": "baseline"}):
            solara.Text(f"Step {steps}", classes=["simorg-step"])
            solara.Text(
                f"of {planned} planned" + (" · playing" if is_playing else ""),
                classes=["simorg-step-of"],
            )
    if reset_hint:
        solara.Text(reset_hint, classes=["simorg-reset-hint"])
