"""Step, Play, Pause, Reset, a speed control and the Step N indicator, for one run or several in
lockstep (the compare view).

Play runs in a thread of this page (solara.use_thread): step every run, bump the page's `tick` (which
redraws what reads it), wait for the next frame. Up to 10 steps a second each step is drawn; faster
speeds take several steps per frame, so the drawing never falls behind. The loop polls its cancel
event itself (intrusive cancel traces every line and would slow the model down).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext

import reacton.core
import solara

from simorg.app.session import Run

SPEEDS = (1, 2, 5, 10, 20, 50)  # steps per second
DEFAULT_SPEED = 10
MAX_FPS = 10.0


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


def frame_plan(speed: float) -> tuple[int, float]:
    """(steps per frame, seconds per frame) for a target speed in steps per second."""
    per_frame = max(1, round(speed / MAX_FPS))
    return per_frame, per_frame / speed


def use_player(
    runs: Sequence[Run],
    tick: solara.Reactive[int],
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    stop_at: int,
) -> None:
    """While `playing`, step `runs` in lockstep at `speed`; pause by itself on reaching `stop_at`."""
    bump = use_bump(tick)

    def loop(cancel):
        if not playing.value or not runs:
            return
        per_frame, interval = frame_plan(speed.value)
        limit = stop_at if runs[0].steps < stop_at else None
        next_frame = time.perf_counter()
        while not cancel.is_set() and playing.value:
            k = per_frame if limit is None else max(0, min(per_frame, limit - runs[0].steps))
            for run in runs:
                run.step(k)
            bump()
            if limit is not None and runs[0].steps >= limit:
                playing.set(False)
                return
            next_frame += interval
            delay = next_frame - time.perf_counter()
            if delay < 0:  # drawing took longer than a frame: don't try to catch up
                next_frame = time.perf_counter()
                delay = 0.0
            cancel.wait(delay)

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
):
    _ = tick.value  # redraw the Step N indicator on every frame
    use_player(runs, tick, playing, speed, planned)
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
        with solara.Div(style={"display": "flex", "align-items": "center", "gap": "6px"}):
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
