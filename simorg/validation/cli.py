"""`simorg validate ...`: reproduce published models with simorg's own submodels.

    simorg validate march1991 [--experiment figure1|mixed|turnover|turbulence] [--runs N]
        [--p1 LIST] [--p2 LIST] [--p3 LIST] [--p4 X] [--fast LIST] [--period T] [--seed S]
        [--json] [--out DIR]

Numbers are taken as text and parsed here, so that any bad value ends in one line on stderr and exit
code 2 (Click's own messages for a bad type span several lines).
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from simorg.validation import march1991_design as d91

if TYPE_CHECKING:  # rich loads in about 0.1 s: only the commands that print tables import it
    from rich.console import Console
    from rich.table import Table

validate_app = typer.Typer(
    help="Check simorg's submodels against the published models they come from.",
    no_args_is_help=True,
    add_completion=False,
)


class InputError(ValueError):
    """Bad command-line input: reported as one line on stderr, exit code 2."""


@validate_app.callback()
def _validate() -> None:
    """Check simorg's submodels against the published models they come from."""


# --- parsing ---------------------------------------------------------------------------------


def _number(text: str, option: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{option}: {text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(f"{option}: {text!r} is not a finite number")
    return value


def parse_rates(text: str, option: str) -> tuple[float, ...]:
    """A comma-separated list of probabilities, each in [0, 1]."""
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise InputError(f"{option}: expected a comma-separated list of numbers, got {text!r}")
    values = tuple(_number(item, option) for item in items)
    for value in values:
        if not 0.0 <= value <= 1.0:
            raise InputError(f"{option}: {value:g} is outside [0, 1]")
    return values


def parse_rate(text: str, option: str) -> float:
    """Exactly one probability in [0, 1]."""
    values = parse_rates(text, option)
    if len(values) != 1:
        raise InputError(f"{option}: expected one value for this experiment, got {text!r}")
    return values[0]


def parse_int(text: str, option: str, low: int, high: int | None = None) -> int:
    """One integer within [low, high]."""
    try:
        value = int(text.strip())
    except ValueError:
        raise InputError(f"{option}: {text!r} is not a whole number") from None
    if value < low or (high is not None and value > high):
        bound = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise InputError(f"{option}: {value} must be {bound}")
    return value


def parse_ints(text: str, option: str, low: int, high: int) -> tuple[int, ...]:
    """A comma-separated list of integers within [low, high]."""
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise InputError(
            f"{option}: expected a comma-separated list of whole numbers, got {text!r}"
        )
    return tuple(parse_int(item, option, low, high) for item in items)


# --- progress --------------------------------------------------------------------------------


class LazyProgress:
    """A rich progress bar on stderr, shown only on a terminal and only after `delay` seconds."""

    def __init__(self, description: str, delay: float = 1.5) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.description = description
        self.delay = delay
        self.start = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.console.is_terminal:
            return
        if self.bar is None:
            if time.monotonic() - self.start < self.delay:
                return
            from rich.progress import Progress

            self.bar = Progress(console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.description, total=total)
        self.bar.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


# --- tables ----------------------------------------------------------------------------------


def _ms(mean: float | None, sem: float | None) -> str:
    if mean is None or mean != mean:
        return "–"
    if sem is None or sem != sem:
        return f"{mean:.3f}"
    return f"{mean:.3f} ± {sem:.3f}"


def _f(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:.3f}"


def _pivot(rows: list[dict], row_key: str, col_key: str, title: str, row_label: str) -> Table:
    from rich.table import Table

    cols = list(dict.fromkeys(r[col_key] for r in rows))
    table = Table(title=title)
    table.add_column(row_label, justify="right")
    for col in cols:
        table.add_column(f"{col_key} = {col:g}", justify="right")
    cells = {(r[row_key], r[col_key]): r for r in rows}
    for key in dict.fromkeys(r[row_key] for r in rows):
        table.add_row(
            f"{key:g}",
            *(
                _ms(cells[key, c]["mean"], cells[key, c]["sem"]) if (key, c) in cells else "–"
                for c in cols
            ),
        )
    return table


def make_table(rows: list[dict], experiment: str, seconds: float) -> tuple[Table, str]:
    """The result as March would tabulate it (mean ± standard error over runs), and a note."""
    from rich.table import Table

    first = rows[0]
    runs = first["runs"]
    if experiment == "figure1":
        table = _pivot(
            rows, "p1", "p2", "March (1991) Figure 1: code knowledge at equilibrium", "p1"
        )
        unsettled = sum(r["unsettled"] for r in rows)
        longest = max(r["periods_max"] for r in rows)
        note = f"longest run {longest} periods; {unsettled} runs stopped by the cap"
    elif experiment == "mixed":
        period = first["period"]
        table = Table(title="March (1991) Figures 2-3: fast and slow learners")
        for header in (
            "fast",
            "mean p1",
            "equilibrium code",
            "same mean p1",
            f"code @{period}",
            f"fast @{period}",
            f"slow @{period}",
        ):
            table.add_column(header, justify="right")
        for r in rows:
            table.add_row(
                str(r["fast"]),
                f"{r['p1']:.2f}",
                _ms(r["mean"], r["sem"]),
                _ms(r["homogeneous"], r["homogeneous_sem"]),
                _f(r["code_at"]),
                _f(r["fast_at"]),
                _f(r["slow_at"]),
            )
        note = (
            f"p1 slow = {first['p1_slow']:g}, fast = {first['p1_fast']:g}, p2 = {first['p2']:g}; "
            "homogeneous: everyone at the mean p1; @t: knowledge in period t"
        )
    elif experiment == "turnover":
        table = _pivot(
            rows,
            "p3",
            "p1",
            f"March (1991) Figure 4: code knowledge in period {first['period']}",
            "p3",
        )
        note = f"p2 = {first['p2']:g}"
    else:
        shown = [r for r in rows if r["period"] % 10 == 0 or r["period"] == rows[-1]["period"]]
        table = _pivot(
            shown,
            "period",
            "p3",
            f"March (1991) Figure 5: code knowledge under turbulence p4 = {first['p4']:g}",
            "period",
        )
        note = f"p1 = {first['p1']:g}, p2 = {first['p2']:g}"
    return (
        table,
        f"mean ± s.e. over {runs} runs per cell, seed {first['seed']}; {note}; {seconds:.1f} s",
    )


# --- the command -----------------------------------------------------------------------------


def _fail(message: str) -> NoReturn:
    print(f"simorg: error: {message}", file=sys.stderr)
    raise typer.Exit(code=2)


@contextmanager
def _one_line_on_bad_input(progress: LazyProgress) -> Iterator[None]:
    """Parse and run a validation: a bad option ends in one line on stderr and exit 2, and the
    progress bar is closed either way."""
    try:
        yield
    except InputError as err:
        _fail(str(err))
    finally:
        progress.close()


def _unused(experiment: str, given: dict[str, str | None], allowed: set[str]) -> None:
    for option, value in given.items():
        if value is not None and option not in allowed:
            raise InputError(f"{option} does not apply to --experiment {experiment}")


def _run(
    experiment: str, runs: int, seed: int, options: dict[str, str | None], progress: LazyProgress
) -> list[dict]:
    """Parse the options that apply to `experiment` (defaults: March's settings) and run it."""
    from simorg.validation import march1991 as m91

    def rates(option: str, default: tuple[float, ...]) -> tuple[float, ...]:
        text = options[option]  # given but empty is an error, not the default
        return default if text is None else parse_rates(text, option)

    def rate(option: str, default: float) -> float:
        text = options[option]
        return default if text is None else parse_rate(text, option)

    def period(default: int, low: int = 0) -> int:
        text = options["--period"]
        return default if text is None else parse_int(text, "--period", low)

    common: dict[str, Any] = {"runs": runs, "seed": seed, "progress": progress}
    if experiment == "figure1":
        _unused(experiment, options, {"--p1", "--p2", "--period"})
        return m91.figure1(
            rates("--p1", d91.DEFAULT_P1),
            rates("--p2", d91.DEFAULT_P2),
            max_periods=period(d91.MAX_PERIODS, low=1),
            **common,
        )
    if experiment == "mixed":
        _unused(experiment, options, {"--p1", "--p2", "--fast", "--period"})
        slow_fast = rates("--p1", d91.MIXED_P1)
        if len(slow_fast) != 2:
            raise InputError("--p1: mixed needs two rates, slow,fast (e.g. 0.1,0.9)")
        fast = options["--fast"]
        return m91.mixed(
            d91.MIXED_FAST if fast is None else parse_ints(fast, "--fast", 0, d91.N_PEOPLE),
            p1_slow=slow_fast[0],
            p1_fast=slow_fast[1],
            p2=rate("--p2", d91.MIXED_P2),
            period=period(d91.MIXED_PERIOD),
            **common,
        )
    if experiment == "turnover":
        _unused(experiment, options, {"--p1", "--p2", "--p3", "--period"})
        return m91.turnover(
            rates("--p1", d91.TURNOVER_P1),
            rates("--p3", d91.TURNOVER_P3),
            p2=rate("--p2", d91.TURNOVER_P2),
            period=period(d91.TURNOVER_PERIOD),
            **common,
        )
    _unused(experiment, options, {"--p1", "--p2", "--p3", "--p4", "--period"})
    return m91.turbulence_series(
        rates("--p3", d91.TURBULENCE_P3),
        p1=rate("--p1", d91.TURBULENCE_P1),
        p2=rate("--p2", d91.TURBULENCE_P2),
        p4=rate("--p4", d91.TURBULENCE_P4),
        periods=period(d91.TURBULENCE_PERIODS),
        **common,
    )


@validate_app.command("march1991")
def march1991(
    experiment: Annotated[
        str,
        typer.Option(
            "--experiment",
            "-e",
            metavar="NAME",
            help="figure1 (p1 x p2 at equilibrium), mixed (fast/slow learners), "
            "turnover (p3, period 20) or turbulence (p4 over 100 periods).",
        ),
    ] = "figure1",
    runs: Annotated[
        str, typer.Option(metavar="N", help="Independent runs per cell (March used 80).")
    ] = str(d91.RUNS),
    p1: Annotated[
        str | None,
        typer.Option(
            metavar="LIST",
            help="Socialization rates, e.g. 0.1,0.5,0.9. figure1: default 0.1..0.9; mixed: "
            "slow,fast (0.1,0.9); turnover: 0.1,0.9; turbulence: one value (0.5).",
        ),
    ] = None,
    p2: Annotated[
        str | None,
        typer.Option(
            metavar="LIST",
            help="Code learning rates. figure1: default 0.1,0.5,0.9; others: one value (0.5).",
        ),
    ] = None,
    p3: Annotated[
        str | None,
        typer.Option(metavar="LIST", help="Turnover rates (turnover, turbulence)."),
    ] = None,
    p4: Annotated[
        str | None, typer.Option(metavar="X", help="Turbulence rate (turbulence; 0.02).")
    ] = None,
    fast: Annotated[
        str | None,
        typer.Option(metavar="LIST", help="Numbers of fast learners of 50 (mixed; 0,5,..,50)."),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            metavar="T",
            help="Reporting period: mixed/turnover 20, turbulence last period 100; "
            "figure1: safety cap on periods to equilibrium (10000).",
        ),
    ] = None,
    seed: Annotated[str, typer.Option(metavar="S", help="Seed of the random streams.")] = str(
        d91.SEED
    ),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print only a JSON list of result rows.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Also write the table as CSV and a figure (PNG, SVG)."),
    ] = None,
) -> None:
    """Reproduce March (1991), "Exploration and exploitation in organizational learning".

    Runs simorg's knowledge submodel in March's special case and prints mean code knowledge
    (Σ code·reality / m) with its standard error over runs.
    """
    options = {"--p1": p1, "--p2": p2, "--p3": p3, "--p4": p4, "--fast": fast, "--period": period}
    progress = LazyProgress(f"March 1991 {experiment}")
    with _one_line_on_bad_input(progress):
        if experiment not in d91.EXPERIMENTS:
            raise InputError(
                f"--experiment: {experiment!r} is not one of {', '.join(d91.EXPERIMENTS)}"
            )
        n_runs = parse_int(runs, "--runs", 1)
        seed_value = parse_int(seed, "--seed", 0)
        if out is not None and out.exists() and not out.is_dir():
            raise InputError(f"--out: {out} exists and is not a directory")
        started = time.perf_counter()
        rows = _run(experiment, n_runs, seed_value, options, progress)
        seconds = time.perf_counter() - started
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
            from simorg.validation.march1991_figures import write_figure
            from simorg.validation.rows import write_csv

            stem = out / f"march1991_{experiment}"
            write_csv(rows, stem.with_suffix(".csv"))
            write_figure(rows, experiment, stem)
        except OSError as err:
            print(f"simorg: error: --out: {err.strerror or err}: {out}", file=sys.stderr)
            raise typer.Exit(code=1) from None
        print(f"wrote {stem}.csv, {stem}.png, {stem}.svg", file=sys.stderr)
    if as_json:
        from simorg.validation.rows import json_rows

        print(json.dumps(json_rows(rows), indent=1))
    else:
        table, note = make_table(rows, experiment, seconds)
        console = _console()
        console.print(table)
        console.print(note, style="dim", soft_wrap=True)


# --- Lazer & Friedman (2007) -------------------------------------------------------------------

LF_SHOWN = (0, 1, 2, 5, 10, 15, 20, 30, 50, 75, 100)


def parse_names(text: str, option: str, known: tuple[str, ...]) -> tuple[str, ...]:
    """A comma-separated list of names from `known` (spaces, '-' and '_' are alike)."""
    canon = {k.replace(" ", "_"): k for k in known}
    items = [item.strip().lower().replace("-", "_").replace(" ", "_") for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise InputError(f"{option}: expected a comma-separated list, got {text!r}")
    for item in items:
        if item not in canon:
            raise InputError(f"{option}: {item!r} is not one of {', '.join(canon)}")
    return tuple(canon[item] for item in items)


def _claims_table(title: str, claims: list[tuple[str, str, str, bool]]) -> Table:
    from rich.table import Table

    table = Table(title=title)
    for header in ("paper", "published claim", "simorg", "verdict"):
        table.add_column(header, overflow="fold")
    for paper, claim, ours, ok in claims:
        table.add_row(paper, claim, ours, "[green]agree[/]" if ok else "[red]disagree[/]")
    return table


def _console() -> Console:
    """The terminal's console; to a file or a pipe, one that does not wrap tables at 80 columns."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)


@validate_app.command("lazer2007")
def lazer2007(
    landscapes: Annotated[
        str, typer.Option(metavar="N", help="NK landscapes (runs) per network.")
    ] = "100",
    rounds: Annotated[str, typer.Option(metavar="T", help="Rounds to run.")] = "100",
    networks: Annotated[
        str,
        typer.Option(
            metavar="LIST", help="linear, totally_connected, random, small_world (default: all)."
        ),
    ] = ",".join(
        n.replace(" ", "_") for n in ("linear", "totally connected", "random", "small world")
    ),
    copy_error: Annotated[
        str, typer.Option(metavar="X", help="Chance each bit fails to copy (0).")
    ] = "0",
    velocity: Annotated[
        str, typer.Option(metavar="X", help="Chance per round an agent looks at neighbours (1).")
    ] = "1",
    seed: Annotated[str, typer.Option(metavar="S", help="Seed of the random streams.")] = "2007",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print only a JSON list of result rows.")
    ] = False,
) -> None:
    """Reproduce Lazer & Friedman (2007), "The network structure of exploration and exploitation".

    100 agents on NK landscapes (N = 20, K = 5), scores (value / maximum)^8; each round an agent
    copies a better neighbour or else tries a one-bit change. Prints the mean score per network.
    """
    from simorg.validation import lazer2007 as lf

    progress = LazyProgress("Lazer & Friedman 2007")
    with _one_line_on_bad_input(progress):
        kinds = parse_names(networks, "--networks", lf.NETWORKS)
        n_land = parse_int(landscapes, "--landscapes", 2)
        n_rounds = parse_int(rounds, "--rounds", 1, 100_000)
        error = parse_rate(copy_error, "--copy-error")
        speed = parse_rate(velocity, "--velocity")
        seed_value = parse_int(seed, "--seed", 0)
        started = time.perf_counter()
        rows = lf.series(kinds, n_land, n_rounds, seed_value, error, speed, progress)
        seconds = time.perf_counter() - started
    if as_json:
        print(json.dumps(lf.json_rows(rows), indent=1))
        return
    shown = [r for r in rows if r["t"] in LF_SHOWN or r["t"] == n_rounds]
    from rich.table import Table

    table = Table(title="Lazer & Friedman (2007): mean normalised score (score / max)^8")
    table.add_column("t", justify="right")
    for kind in kinds:
        table.add_column(kind, justify="right")
    cell = {(r["network"], r["t"]): r for r in shown}
    for t in dict.fromkeys(r["t"] for r in shown):
        table.add_row(str(t), *(_ms(cell[k, t]["mean"], cell[k, t]["sem"]) for k in kinds))
    console = _console()
    console.print(table)
    claims = [("L&F 2007", c, o, ok) for c, o, ok in lf.claims(rows)]
    if claims:
        console.print(_claims_table("Claims", claims))
    console.print(
        f"mean ± s.e. over {n_land} landscapes per network (same landscapes and starting "
        f"solutions for every network), seed {seed_value}; {seconds:.1f} s",
        style="dim",
        soft_wrap=True,
    )


# --- Fang, Lee & Schilling (2010) ---------------------------------------------------------------


@validate_app.command("fang2010")
def fang2010(
    runs: Annotated[str, typer.Option(metavar="N", help="Organizations per linking level.")] = "50",
    linking: Annotated[
        str,
        typer.Option(
            metavar="LIST",
            help="Shares of within-department ties rewired across departments (0 … 1).",
        ),
    ] = "0,0.02,0.05,0.1,0.2,0.4,0.7,1",
    rule: Annotated[
        str,
        typer.Option(
            metavar="NAME", help="Peer rule: better_performer, better_on_topic, conformity."
        ),
    ] = "better_performer",
    p1: Annotated[str, typer.Option(metavar="X", help="Socialization rate (0.1).")] = "0.1",
    p2: Annotated[str, typer.Option(metavar="X", help="Code learning rate (0.5).")] = "0.5",
    peer: Annotated[str, typer.Option(metavar="X", help="Peer learning rate (0.3).")] = "0.3",
    seed: Annotated[str, typer.Option(metavar="S", help="Seed of the random streams.")] = "2010",
    task: Annotated[
        str, typer.Option(metavar="NAME", help="Task: additive (March's reality) or nk.")
    ] = "additive",
    k: Annotated[
        str | None, typer.Option(metavar="K", help="K of the NK task (5; with --task nk).")
    ] = None,
    dimensions: Annotated[
        str | None,
        typer.Option(metavar="M", help="Dimensions of the task (30 additive, 20 nk; nk <= 22)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print only a JSON list of result rows.")
    ] = False,
) -> None:
    """Reproduce Fang, Lee & Schilling (2010): subgroup isolation and organizational learning.

    Departments as semi-isolated subgroups; March's code plus learning from better-performing
    colleagues; cross-department linking varied at constant degree; knowledge at equilibrium.
    """
    from simorg.mechanisms.interpersonal import PEER_RULES
    from simorg.validation import fang2010 as fg

    progress = LazyProgress("Fang, Lee & Schilling 2010")
    with _one_line_on_bad_input(progress):
        n_runs = parse_int(runs, "--runs", 2)
        levels = parse_rates(linking, "--linking")
        rule_names = parse_names(rule, "--rule", PEER_RULES)
        if len(rule_names) != 1:
            raise InputError(f"--rule: expected one rule, got {rule!r}")
        rule_name = rule_names[0]
        task_name = parse_names(task, "--task", ("additive", "nk"))
        if len(task_name) != 1:
            raise InputError(f"--task: expected one task, got {task!r}")
        nk = task_name[0] == "nk"
        if k is not None and not nk:
            raise InputError("--k applies to --task nk only")
        m = parse_int(dimensions, "--dimensions", 1, 22 if nk else 1000) if dimensions else None
        m = m or (20 if nk else fg.M_DIMENSIONS)
        k_value = parse_int(k, "--k", 0, m - 1) if k is not None else min(5, m - 1)
        design = fg.Design(
            p1=parse_rate(p1, "--p1"),
            p2=parse_rate(p2, "--p2"),
            peer=parse_rate(peer, "--peer"),
            rule=rule_name,
            task=task_name[0],
            k=k_value,
            m=m,
        )
        seed_value = parse_int(seed, "--seed", 0)
        started = time.perf_counter()
        rows = fg.linking_levels(levels, n_runs, seed_value, design, progress=progress)
        seconds = time.perf_counter() - started
    if as_json:
        print(json.dumps(fg.json_rows(rows), indent=1))
        return
    from rich.table import Table

    table = Table(title="Fang, Lee & Schilling (2010): knowledge at equilibrium by linking")
    for header in (
        "rewired",
        "linking (share of ties across)",
        "individual knowledge",
        "code knowledge",
        "steps",
        "unsettled",
    ):
        table.add_column(header, justify="right")
    for r in rows:
        table.add_row(
            f"{r['rewired']:g}",
            f"{r['linking']:.3f}",
            _ms(r["mean"], r["sem"]),
            _ms(r["code"], r["code_sem"]),
            "–" if r["steps_mean"] != r["steps_mean"] else f"{r['steps_mean']:.0f}",
            str(r["unsettled"]),
        )
    console = _console()
    console.print(table)
    console.print(_claims_table("Claims", [("Fang et al. 2010", *c) for c in fg.claims(rows)]))
    console.print(
        f"mean ± s.e. over {n_runs} organizations per level ({design.n} people, "
        f"{design.departments} departments); rule {design.rule}, p1 = {design.p1:g}, "
        f"p2 = {design.p2:g}, peer = {design.peer:g}; task {design.task}"
        + (f" (N = {design.m}, K = {design.k}, normalised)" if nk else f" (m = {design.m})")
        + f"; seed {seed_value}; {seconds:.1f} s",
        style="dim",
        soft_wrap=True,
    )


# --- every validation -------------------------------------------------------------------------


def march_claims(runs: int, seed: int) -> list[tuple[str, str, bool]]:
    """March's (1991) claims, checked at `runs` runs per cell."""
    from simorg.validation import march1991 as m91

    def clear(a: dict, b: dict) -> tuple[float, bool]:
        d = a["mean"] - b["mean"]
        return d, d > 2 * math.hypot(a["sem"], b["sem"])

    grid = {(r["p1"], r["p2"]): r for r in m91.figure1((0.1, 0.9), (0.1, 0.9), runs, seed)}
    out = []
    d, ok = clear(grid[0.1, 0.9], grid[0.9, 0.9])
    out.append(
        (
            "Slow socialization gives higher equilibrium knowledge (Fig. 1)",
            f"p2 = 0.9: p1 = 0.1 {grid[0.1, 0.9]['mean']:.3f} vs p1 = 0.9 "
            f"{grid[0.9, 0.9]['mean']:.3f}",
            ok,
        )
    )
    d, ok = clear(grid[0.1, 0.9], grid[0.1, 0.1])
    out.append(
        (
            "With slow socialization a fast-learning code does better (Fig. 1)",
            f"p1 = 0.1: p2 = 0.9 {grid[0.1, 0.9]['mean']:.3f} vs p2 = 0.1 "
            f"{grid[0.1, 0.1]['mean']:.3f}",
            ok,
        )
    )
    (mix,) = m91.mixed(fast=(25,), runs=runs, seed=seed)
    twin = {"mean": mix["homogeneous"], "sem": mix["homogeneous_sem"]}
    d, ok = clear(mix, twin)
    out.append(
        (
            "A mix of fast and slow learners beats everyone at the mean rate (Fig. 2)",
            f"25 fast of 50: {mix['mean']:.3f} vs homogeneous {twin['mean']:.3f}",
            ok,
        )
    )
    cell = {
        (r["p1"], r["p3"]): r for r in m91.turnover((0.1, 0.9), (0.0, 0.2), runs=runs, seed=seed)
    }
    d, ok = clear(cell[0.9, 0.2], cell[0.9, 0.0])
    out.append(
        (
            "Moderate turnover helps an organization that socializes fast (Fig. 4)",
            f"p1 = 0.9, period 20: p3 = 0.2 {cell[0.9, 0.2]['mean']:.3f} vs none "
            f"{cell[0.9, 0.0]['mean']:.3f}",
            ok,
        )
    )
    at = {
        (r["p3"], r["period"]): r
        for r in m91.turbulence_series((0.0, 0.1), runs=runs, seed=seed)
        if r["period"] == 100
    }
    d, ok = clear(at[0.1, 100], at[0.0, 100])
    out.append(
        (
            "Under turbulence knowledge decays unless people turn over (Fig. 5)",
            f"period 100: p3 = 0.1 {at[0.1, 100]['mean']:.3f} vs none {at[0.0, 100]['mean']:.3f}",
            ok,
        )
    )
    return out


@validate_app.command("all")
def validate_all(
    seed: Annotated[str, typer.Option(metavar="S", help="Seed of the random streams.")] = "1",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print only a JSON list of claims.")
    ] = False,
) -> None:
    """Every validation at a size that takes under 2 minutes: each claim, simorg's number, verdict."""
    from simorg.validation import fang2010 as fg
    from simorg.validation import lazer2007 as lf

    try:
        seed_value = parse_int(seed, "--seed", 0)
    except InputError as err:
        _fail(str(err))
    started = time.perf_counter()
    claims = [("March 1991", *c) for c in march_claims(200, seed_value)]
    claims += [("L&F 2007", *c) for c in lf.claims(lf.series(landscapes=40, seed=seed_value))]
    claims += [
        ("Fang et al. 2010", *c) for c in fg.claims(fg.linking_levels(runs=40, seed=seed_value))
    ]
    seconds = time.perf_counter() - started
    if as_json:
        keys = ("paper", "claim", "simorg", "agree")
        print(json.dumps([dict(zip(keys, c, strict=True)) for c in claims], indent=1))
        return
    console = _console()
    console.print(_claims_table("simorg against the published results", claims))
    agree = sum(c[3] for c in claims)
    console.print(
        f"{agree} of {len(claims)} claims agree; March 200 runs per cell, L&F 40 landscapes, "
        f"Fang 40 organizations per level; seed {seed_value}; {seconds:.1f} s "
        "(full sizes: simorg validate march1991 | lazer2007 | fang2010)",
        style="dim",
        soft_wrap=True,
    )
