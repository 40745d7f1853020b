"""`simorg workshop`: serve a workshop, a room that plays one organization (registered by cli.py).

Like `simorg explore`, the command checks what it was given, prints the links, then becomes a
`solara run` server (offline, production mode) for simorg.workshop.app. The facilitator's token
and the join code are made here, printed in the terminal, and handed to the server in its
environment; nothing is written to disk.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from simorg.app.cli import DataOption, is_loopback, server_command, server_env
from simorg.errors import fail, one_line_errors

APP_MODULE = "simorg.workshop.app"
DEFAULT_SCENARIO = "traditional_silos"
#: The settings the server reads (simorg/workshop/app.py).
ENV = {
    "scenario": "SIMORG_WORKSHOP_SCENARIO",
    "compare": "SIMORG_WORKSHOP_COMPARE",
    "round_weeks": "SIMORG_WORKSHOP_ROUND_WEEKS",
    "token": "SIMORG_WORKSHOP_TOKEN",
    "code": "SIMORG_WORKSHOP_CODE",
    "join_url": "SIMORG_WORKSHOP_JOIN_URL",
    "week_seconds": "SIMORG_WORKSHOP_WEEK_SECONDS",
}
#: A closed participant page is dropped this soon (its person is back on the rules at once
#: anyway; the participant rejoins with the same name).
CULL_TIMEOUT = "20s"


def scenario_path(ref: str, data: Path | None) -> str:
    """What the server loads: a file in `--data DIR` when one matches, else the reference as
    `simorg.scenario.load` takes it (a shipped name, `workshop/<name>` or a path)."""
    if data is not None:
        for candidate in (data / ref, data / f"{ref}.toml"):
            if candidate.is_file():
                return str(candidate.resolve())
    return ref


def lan_address() -> str:
    """This machine's address on the local network (for the join link when serving 0.0.0.0)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.254.254.254", 1))  # no packet is sent: this only picks the route
            return str(s.getsockname()[0])
    except OSError:
        return "127.0.0.1"


def links(host: str, port: int, token: str, code: str) -> tuple[str, str]:
    """(facilitator link, join link) as people in the room type them."""
    shown = lan_address() if host in ("0.0.0.0", "::", "") else host
    base = f"http://{shown}:{port}"
    return f"{base}/facilitator?token={token}", f"{base}/join?code={code}"


def workshop_command(
    scenario: Annotated[
        str,
        typer.Argument(
            help="The scenario the room plays: a shipped name, workshop/<name> or a file"
        ),
    ] = DEFAULT_SCENARIO,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on (default: this machine only; 0.0.0.0 for a classroom LAN)"
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on", min=0, max=65535)] = 8766,
    compare: Annotated[
        str | None,
        typer.Option(help="A second scenario the reveal compares the room with (same seed)"),
    ] = None,
    round_weeks: Annotated[int, typer.Option(help="Weeks one round runs", min=1, max=520)] = 4,
    data: DataOption = None,
) -> None:
    """Run a workshop: a room plays one organization from their browsers, a facilitator leads."""
    from simorg.scenario import load
    from simorg.workshop.room import new_code, new_token

    main = scenario_path(scenario, data)
    played = load(main)  # a bad scenario is one line here, before anything is served
    other = scenario_path(compare, data) if compare else ""
    if other:
        load(other)
    people = int(played.organization.employees)
    if people < 2:
        raise fail(
            f"{scenario}: organization.employees is {people}; a workshop needs at least 2 people"
        )
    token, code = new_token(), new_code()
    facilitator, join = links(host, port, token, code)
    env = server_env(host=host, data=data)
    env["SOLARA_KERNEL_CULL_TIMEOUT"] = CULL_TIMEOUT
    env.update({
        ENV["scenario"]: main, ENV["compare"]: other, ENV["round_weeks"]: str(round_weeks),
        ENV["token"]: token, ENV["code"]: code, ENV["join_url"]: join,
    })  # fmt: skip
    typer.echo(f"simorg workshop: {played.name}, rounds of {round_weeks} weeks"
               + (f", compared at the reveal with {compare}" if compare else ""))  # fmt: skip
    typer.echo(f"  facilitator (keep this link to yourself): {facilitator}")
    typer.echo(f"  participants join at: {join}   join code: {code}")
    if is_loopback(host):
        typer.echo("  (this machine only: for a classroom, serve with --host 0.0.0.0)")
    typer.echo("Ctrl-C to stop.")
    sys.stdout.flush()
    sys.stderr.flush()
    cmd = server_command(host, port, APP_MODULE)
    os.execve(sys.executable, cmd, env)


def register(app: typer.Typer) -> None:
    app.command("workshop")(one_line_errors(workshop_command))
