"""`simorg explore`: serve the explorer (registered by simorg/cli.py).

This module is imported every time `simorg` starts, so it imports neither solara nor matplotlib:
the server is a separate `solara run` process that this command becomes.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

APP_MODULE = "simorg.app.app"


def server_command(host: str, port: int, module: str = APP_MODULE) -> list[str]:
    """The `solara run` command line that serves the explorer (or another app `module` of
    simorg's: the workshop) offline, in production mode."""
    return [
        sys.executable, "-m", "solara", "run", module,
        "--production", "--host", host, "--port", str(port), "--no-open",
    ]  # fmt: skip


#: Set for the server: where the "file on the server" box may read (see session.DATA_ENV).
DATA_ENV = "SIMORG_EXPLORE_DATA"
#: A closed page's session is dropped after this long (Solara keeps it 24 h by default, so
#: memory would only grow in a room where people come and go); a page that reconnects within
#: it keeps its run.
CULL_TIMEOUT = "90s"


#: `--data DIR`, declared once for `simorg explore` and `simorg workshop` (typer checks that it is
#: a readable folder): the user's own scenario files, besides the shipped ones.
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        metavar="DIR",
        help="A folder of your own scenario files: the explorer's file box may load them (without "
        "--data that box is off when --host is not this machine), and a workshop's SCENARIO and "
        "--compare may name them",
        exists=True,
        file_okay=False,
        dir_okay=True,
        readable=True,
    ),
]


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def data_setting(host: str, data: Path | None) -> str:
    """The folders loading by path may read: the shipped scenarios on loopback, `--data DIR` if
    given, and nothing (off) beyond loopback without `--data`."""
    from simorg.scenario import SCENARIO_DIR

    if data is not None:
        return os.pathsep.join([str(SCENARIO_DIR), str(data.resolve())])
    return str(SCENARIO_DIR) if is_loopback(host) else ""


def server_env(
    base: dict[str, str] | None = None, host: str = "127.0.0.1", data: Path | None = None
) -> dict[str, str]:
    """The environment of the server: no telemetry, whatever the caller's environment says;
    sessions of closed pages dropped after CULL_TIMEOUT; the folders path loading may read."""
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", CULL_TIMEOUT)
    # small objects from glibc (which malloc_trim can hand back) rather than Python's own arenas,
    # which stay with the process once a page's widgets have scattered over them
    env.setdefault("PYTHONMALLOC", "malloc")
    env.setdefault("MALLOC_ARENA_MAX", "2")
    env[DATA_ENV] = data_setting(host, data)
    return env


def explore_command(
    host: Annotated[
        str, typer.Option(help="Address to listen on (default: this machine only)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on", min=0, max=65535)] = 8765,
    data: DataOption = None,
) -> None:
    """Open the explorer in your browser: watch, steer and compare organizations (http://HOST:PORT)."""
    cmd = server_command(host, port)
    env = server_env(host=host, data=data)
    typer.echo(f"simorg explorer: http://{host}:{port}  (Ctrl-C to stop)", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # become the server: signals (Ctrl-C, a test's terminate()) reach it directly
    os.execve(sys.executable, cmd, env)


def register(app: typer.Typer) -> None:
    app.command("explore")(explore_command)
