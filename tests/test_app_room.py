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
