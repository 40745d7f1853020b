"""A room on one explorer server (issue 12): what keeps memory and Pause in check when many
pages play and leave. The load itself is measured by benchmarks/explorer_load.py."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("solara")

import solara.server.app  # noqa: E402, F401  (as in the server: threads adopt their creator's context)
from solara.server import kernel_context  # noqa: E402

from simorg.app import session  # noqa: E402
from simorg.app.app import Followed  # noqa: E402
from simorg.app.player import page_connected  # noqa: E402


@pytest.fixture
def page_context():
    """A Solara session as the server makes one for a page, current in this thread."""
    from solara.server.kernel import Kernel

    ctx = kernel_context.VirtualKernelContext(id="room-test", kernel=Kernel(), session_id="s")
    key = kernel_context.get_current_thread_key()
    before = kernel_context.current_context.get(key)
    kernel_context.current_context[key] = ctx
    yield ctx
    kernel_context.current_context[key] = before


def test_the_memory_releaser_belongs_to_no_page(page_context, monkeypatch) -> None:
    """The first page starts it; it must not keep that page's session alive for the server's life."""
    monkeypatch.setattr(session, "_releaser", None)
    assert threading.Thread(target=lambda: None).current_context is page_context  # the trap
    session.start_memory_releaser(lambda: 0)
    assert session._releaser is not None and session._releaser.current_context is None


def test_connection_threads_left_idle_by_closed_pages_are_ended(monkeypatch) -> None:
    """Solara serves each page's connection in an AnyIO pool thread, which AnyIO ends only when it
    next hands out work; after a room empties the releaser asks the loop to, so the threads (and
    the malloc caches that pin the heap) go. A real AnyIO loop; its idle limit set to 0 s."""
    import anyio
    import anyio._backends._asyncio as backend

    monkeypatch.setattr(backend.WorkerThread, "MAX_IDLE_TIME", 0)
    stop, idle = threading.Event(), threading.Event()
    loop = []

    def pool() -> list[threading.Thread]:  # this loop's pool (other tests may leave their own)
        return [t for t in threading.enumerate()
                if t.name == session.ANYIO_WORKER and getattr(t, "loop", None) in loop]  # fmt: skip

    async def server() -> None:
        import asyncio

        loop.append(asyncio.get_running_loop())
        release = threading.Event()
        async with anyio.create_task_group() as tg:  # three pages connected at once
            for _ in range(3):
                tg.start_soon(anyio.to_thread.run_sync, release.wait)
            while len(pool()) < 3:
                await anyio.sleep(0.01)
            release.set()  # ... and closed
        idle.set()
        while not stop.is_set():
            await anyio.sleep(0.01)

    loop_thread = threading.Thread(target=anyio.run, args=(server,))
    loop_thread.start()
    try:
        assert idle.wait(10) and len(pool()) == 3
        assert session.end_idle_connection_threads() >= 1
        for _ in range(500):  # until the ended threads have gone (at most 5 s)
            if len(pool()) <= 1:
                break
            threading.Event().wait(0.01)
        assert len(pool()) == 1  # the one that ran the empty job; the idle two were ended
    finally:
        stop.set()
        loop_thread.join(10)


def test_play_stops_when_every_page_of_the_session_has_gone(page_context) -> None:
    assert page_connected()  # a session with no page yet (solara.render in tests): keep playing
    page_context.page_status["a"] = kernel_context.PageStatus.CONNECTED
    page_context.page_status["b"] = kernel_context.PageStatus.DISCONNECTED
    assert page_connected()
    page_context.page_status["a"] = kernel_context.PageStatus.CLOSED
    assert not page_connected()


def test_a_link_the_page_pushed_is_an_echo_not_a_navigation() -> None:
    """Pause during a frame pushes two links; the first coming back must not rebuild the run."""
    followed = Followed()
    followed.push("scenario=traditional_silos&seed=42&step=239")
    followed.push("scenario=traditional_silos&seed=42&step=241")
    assert followed.current.endswith("step=241")
    assert followed.echo("scenario=traditional_silos&seed=42&step=239")
    assert followed.echo("scenario=traditional_silos&seed=42&step=241")
    # once back, the same link later (the browser's Back) is a navigation again
    assert not followed.echo("scenario=traditional_silos&seed=42&step=239")
    assert not followed.echo("scenario=social_business&seed=1")
    for step in range(100):
        followed.push(f"step={step}")
    assert len(followed.pushed) <= 8


def test_playing_pages_take_turns_one_at_a_time_in_order() -> None:
    """Thirty players at once: never two frames in the gate together, and each waits its turn."""
    from simorg.app.player import Gate

    gate = Gate(duty=1.0)  # no rest: the test is about order, not pace
    inside, most, order = [0], [0], []
    lock = threading.Lock()
    go = threading.Barrier(8)

    def player(k: int) -> None:
        go.wait()
        for _ in range(5):
            assert gate.enter(lambda: False)
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                order.append(k)
            threading.Event().wait(0.002)  # a frame being drawn: another player could come in
            with lock:
                inside[0] -= 1
            gate.leave(0.0)

    threads = [threading.Thread(target=player, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert most[0] == 1 and len(order) == 40 and gate.turns == 40 and gate.waiting() == 0


def test_a_paused_player_gives_up_its_place_and_the_next_one_goes() -> None:
    from simorg.app.player import Gate

    gate = Gate(duty=1.0)
    assert gate.enter(lambda: False)  # someone is drawing a frame
    paused = threading.Event()
    gave_up = []
    waiter = threading.Thread(target=lambda: gave_up.append(not gate.enter(paused.is_set)))
    waiter.start()
    for _ in range(500):  # until the waiter is in the queue (at most 5 s)
        if gate.waiting():
            break
        threading.Event().wait(0.01)
    assert gate.waiting() == 1
    paused.set()
    gate.wake_all()  # what a Pause does: the waiter looks at once
    waiter.join(5)
    assert gave_up == [True] and gate.waiting() == 0 and gate.turns == 1
    gate.leave(0.0)
    assert gate.enter(lambda: False)  # the gate is free again


def test_after_a_turn_the_gate_rests_as_long_as_the_turn_used_cpu() -> None:
    """With duty 1/2 a turn of 0.4 s CPU is followed by 0.4 s in which no turn starts (a clock
    the test moves: no wall-clock time is measured)."""
    from simorg.app.player import Gate

    now = [100.0]
    gate = Gate(duty=0.5, clock=lambda: now[0])
    assert gate.enter(lambda: False)
    gate.leave(0.4)
    starts = []

    def look() -> bool:  # called each time the waiter wakes: move the clock on a little
        now[0] += 0.1
        return False

    assert gate.enter(look)
    starts.append(now[0])
    assert 100.4 - 1e-9 <= starts[0] < 100.5


def test_the_servers_gate_rests_a_quarter_of_each_turns_cpu() -> None:
    """The gate the explorer uses (PLAY_DUTY 0.8): after a turn of 0.4 s CPU the next one starts
    0.1 s later; not at once (clicks and loading pages get a fifth of the CPU), and not after a
    rest as long as the turn (duty 1/2, which halved the steps per second of a room of 30)."""
    from simorg.app.player import GATE, PLAY_DUTY, Gate

    assert GATE.duty == PLAY_DUTY == 0.8
    now = [100.0]
    gate = Gate(clock=lambda: now[0])
    assert gate.enter(lambda: False)
    gate.leave(0.4)

    def look() -> bool:  # each time the waiter wakes: move the clock on 20 ms
        now[0] += 0.02
        return False

    assert gate.enter(look)
    assert 100.1 - 1e-9 <= now[0] < 100.1 + 0.02 + 1e-9
