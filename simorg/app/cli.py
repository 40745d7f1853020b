"""`simorg explore`: serve the explorer (registered by simorg/cli.py).

This module is imported every time `simorg` starts, so it imports neither solara nor matplotlib:
the server is a separate `solara run` process that this command becomes.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

APP_MODULE = "simorg.app.app"


def server_command(host: str, port: int) -> list[str]:
    """The `solara run` command line that serves the explorer (offline, production mode)."""
    return [
        sys.executable, "-m", "solara", "run", APP_MODULE,
        "--production", "--host", host, "--port", str(port), "--no-open",
    ]  # fmt: skip


def server_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the server: no telemetry, whatever the caller's environment says."""
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    return env


def explore_command(
    host: Annotated[
        str, typer.Option(help="Address to listen on (default: this machine only)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on", min=0, max=65535)] = 8765,
) -> None:
    """Open the explorer in your browser: watch, steer and compare organizations (http://HOST:PORT)."""
    cmd = server_command(host, port)
    env = server_env()
    typer.echo(f"simorg explorer: http://{host}:{port}  (Ctrl-C to stop)", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # become the server: signals (Ctrl-C, a test's terminate()) reach it directly
    os.execve(sys.executable, cmd, env)


def register(app: typer.Typer) -> None:
    app.command("explore")(explore_command)
