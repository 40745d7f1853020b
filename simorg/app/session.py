"""One run in the explorer: a model, its seeded layout, a lock, and what the page reads from it.

A `Run` belongs to one browser page (the page builds it; nothing here is module-level state), so two
people never step the same model. The page's Play loop and its buttons run in different threads;
every read and write of the model goes through `Run.lock`. No solara here: tests use it directly.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simorg.app import charts, layout, network
from simorg.app.cli import DATA_ENV
from simorg.model import OrgModel
from simorg.outcomes import OUTCOMES
from simorg.scenario import (
    SCENARIO_DIR,
    Intervention,
    Scenario,
    ScenarioError,
    anchor_paths,
    from_dict,
    load,
    parameters,
    shipped_scenarios,
)

#: The transformation moves the explorer offers as buttons: action -> (button label, what it does,
#: needs a level, needs a size).
MOVES: dict[str, tuple[str, str, bool, bool]] = {
    "announce_vision": (
        "Announce a vision",
        "Leaders announce a level of openness people should aim for",
        True,
        False,
    ),
    "walk_the_talk": ("Leaders walk the talk", "Set leaders' own social practice (w)", True, False),
    "open_silos": (
        "Open silos",
        "Raise how easily talk and requests cross departments (permeability)",
        True,
        False,
    ),
    "enable_platform": (
        "Enable the platform",
        "An enterprise social platform lets anyone reach anyone",
        False,
        False,
    ),
    "empower_everyone": (
        "Empower everyone",
        "Everyone may answer customers on public channels",
        False,
        False,
    ),
    "project_teams": (
        "Form project teams",
        "Reorganize into cross-functional project teams",
        False,
        False,
    ),
    "social_media_team": (
        "Create a social-media team",
        "Train a team in Customer Service and Marketing & Sales to answer customers",
        False,
        True,
    ),
}

DEFAULT_SCENARIO = "traditional_silos"


def scenario_catalogue(uploaded: dict[str, Scenario] | None = None) -> dict[str, Scenario]:
    """Every scenario the page can pick: the shipped ones, then the ones the user loaded."""
    out = {name: load(name) for name in shipped_scenarios()}
    out.update(uploaded or {})
    return out


# DATA_ENV names the folders the "file on the server" box may read from, separated by os.pathsep;
# `simorg explore` sets it (`--data DIR`). Empty: loading by path is off (the default beyond
# loopback). Unset (a bare `solara run`, tests): the shipped scenarios folder only.
MAX_FILE_BYTES = 1_000_000
MAX_SEED = 2**63 - 1


def data_folders() -> list[Path]:
    """Where loading by path is allowed (resolved; empty when it is off)."""
    raw = os.environ.get(DATA_ENV)
    if raw is None:
        return [Path(str(SCENARIO_DIR)).resolve()]
    return [Path(x).expanduser().resolve() for x in raw.split(os.pathsep) if x.strip()]


def load_from_path(text: str) -> Scenario:
    """A scenario file by path, only from inside `data_folders()` and only a .toml file.

    Nothing outside those folders is opened, and the message does not say whether such a file
    exists, so the box cannot be used to probe the server's files.
    """
    folders = data_folders()
    if not folders:
        raise ScenarioError(
            "loading by path is off on this server; drop or pick a file instead "
            "(the host can allow a folder with 'simorg explore --data DIR')"
        )
    raw = Path(text.strip()).expanduser()
    shown = text.strip()
    candidates = [raw] if raw.is_absolute() else [f / raw for f in folders]
    for candidate in candidates:
        path = candidate.resolve()
        if not any(path.is_relative_to(f) for f in folders):
            continue
        if path.suffix != ".toml":
            raise ScenarioError(f"{shown}: not a .toml scenario file")
        if not path.is_file():
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(f"{shown}: larger than 1 MB; not a scenario file")
        return scenario_from_upload(path.name, path.read_bytes(), path.parent)
    where = ", ".join(str(f) for f in folders)
    raise ScenarioError(f"{shown}: no such scenario file in {where} (only these folders are read)")


_releaser: threading.Thread | None = None
_releaser_lock = threading.Lock()
RELEASE_EVERY_S = 10.0
#: Looks (RELEASE_EVERY_S apart) that release memory after sessions closed: connection threads
#: are ended only once idle for 10 s (AnyIO's rule), and what they held comes back a look later.
RELEASE_LOOKS = 3
#: The name AnyIO gives the threads of its pool, in which Solara runs each page's connection.
ANYIO_WORKER = "AnyIO worker thread"


def _release_memory() -> None:
    import ctypes
    import gc

    gc.collect()
    # glibc keeps freed memory for reuse; a room that emptied should give it back
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _nothing() -> None:
    pass


def end_idle_connection_threads() -> int:
    """Ask the server's event loop to end its idle connection threads; returns the loops asked.

    Solara serves each page's connection in a thread of AnyIO's pool, and AnyIO ends a thread that
    has been idle for 10 s only when it next hands out work. After a room empties nothing is
    handed out, so the thirty threads of its closed pages would stay for the server's life, each
    keeping its malloc cache, whose chunks pin the heap's pages: measured with 30 pages, 35 MB
    that malloc_trim could not return. One empty job on the loop (AnyIO's public
    `to_thread.run_sync`) makes AnyIO end them. The loop is found through the pool's threads;
    with none (no server, or another AnyIO) nothing is done.
    """
    import asyncio

    try:
        import anyio.to_thread
    except ImportError:
        return 0
    loops = {getattr(t, "loop", None) for t in threading.enumerate() if t.name == ANYIO_WORKER}
    asked = 0
    for loop in loops:
        if isinstance(loop, asyncio.AbstractEventLoop) and loop.is_running():
            job = anyio.to_thread.run_sync(_nothing)
            try:
                loop.call_soon_threadsafe(loop.create_task, job)
                asked += 1
            except RuntimeError:  # the loop closed meanwhile
                job.close()
    return asked


def _watch_sessions(count) -> None:
    last, looks = count(), 0
    while True:
        time.sleep(RELEASE_EVERY_S)
        now = count()
        if now < last:  # sessions closed since the last look
            looks = RELEASE_LOOKS
        if looks:  # collect them, return the memory, end the threads their pages left idle
            _release_memory()
            end_idle_connection_threads()
            looks -= 1
        last = now


def start_memory_releaser(count) -> None:
    """Once per server: a thread that, whenever sessions have closed (`count()` fell), collects
    their runs and hands the freed memory back to the system, so a room that empties shrinks."""
    global _releaser
    with _releaser_lock:
        if _releaser is None:
            _releaser = threading.Thread(
                target=_watch_sessions, args=(count,), name="simorg-memory", daemon=True
            )
            # Solara's patched Thread adopts the kernel context of the page that creates it, and
            # would keep that first page's whole session (its render tree, runs and models) alive
            # for as long as the server runs: this thread belongs to no page
            _releaser.current_context = None  # type: ignore[attr-defined]
            _releaser.start()


def check_seed(value) -> int:
    """A seed as the model takes it: a whole number from 0 to 2^63 − 1 (one-line error otherwise)."""
    try:
        seed = int(value)
    except (TypeError, ValueError):
        raise ScenarioError(f"seed: enter a whole number (got {value!r})") from None
    if not 0 <= seed <= MAX_SEED:
        raise ScenarioError(f"seed: must be from 0 to {MAX_SEED:,} (got {seed})")
    return seed


def scenario_from_upload(filename: str, data: bytes, folder: Path | None = None) -> Scenario:
    """A scenario from an uploaded TOML file (validated like `simorg check`: one-line errors);
    a file read on the server from `folder` names its organization files relative to it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{filename}: not a UTF-8 text file; save it as UTF-8") from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{filename}: TOML syntax error: {exc}") from None
    parsed.setdefault("name", Path(filename).stem)
    if folder is not None:
        anchor_paths(parsed, folder)
    return from_dict(parsed, filename)


def history_of(model: OrgModel) -> dict[str, np.ndarray]:
    """Outcome name -> values at steps 0..now (straight from the DataCollector's lists)."""
    mv = model.datacollector.model_vars
    return {name: np.asarray(mv[name], dtype=float) for name in OUTCOMES}


@dataclass(eq=False)
class Run:
    """A model and everything the page draws from it."""

    scenario: Scenario
    seed: int
    label: str = ""
    model: OrgModel = field(init=False)
    layout: layout.Positions = field(init=False)
    lock: threading.RLock = field(init=False, default_factory=threading.RLock)
    log: list[tuple[int, str]] = field(init=False, default_factory=list)  # what the user did, when
    overrides: dict = field(
        init=False, default_factory=dict
    )  # the parameter edits this run was built with
    moves: list[Intervention] = field(init=False, default_factory=list)  # live moves, with `at`

    def __post_init__(self) -> None:
        self.seed = int(self.seed)
        self.model = OrgModel(self.scenario, seed=self.seed)
        self.layout = layout.compute(self.model.state.structure, self.seed)
        self.label = self.label or self.scenario.name

    # --- driving -------------------------------------------------------------------------------

    @property
    def steps(self) -> int:
        return int(self.model.steps)

    def step(self, k: int = 1) -> None:
        with self.lock:
            for _ in range(k):
                self.model.step()
            self.layout = layout.for_structure(self.model.state.structure, self.seed, self.layout)

    def intervene(
        self,
        action: str,
        level: float | None = None,
        size: int | None = None,
        pace: str = "big_bang",
        every: int = 5,
    ) -> str:
        """Apply a transformation move now (before the next step); returns what the log says."""
        with self.lock:
            iv = Intervention(at=self.steps + 1, action=action,
                              level=level if MOVES[action][2] else None,
                              size=size if MOVES[action][3] else None, pace=pace,
                              every=every)  # fmt: skip
            self.model.intervene(iv)
            self.moves.append(iv)
            what = describe(iv)
            self.log.append((iv.at, what))
        return what

    def scenario_file(self) -> str:
        """This run as a scenario file (TOML): parameters, seed and every move, planned or live.

        Running it (`simorg run FILE`, or loading it here) gives the same numbers step for step: a
        live move made at step k is written as `at = k + 1`, which the model schedules at the same
        moment (k + 0.5) and in the same order as the button did.
        """
        return scenario_toml(self.reproducible())

    def reproducible(self) -> Scenario:
        """The scenario that replays this run: its parameters, its seed and every move."""
        data = self.scenario.model_dump(exclude_none=True)
        data["seed"] = self.seed
        data["interventions"] = [
            iv.model_dump(exclude_none=True) for iv in [*self.scenario.interventions, *self.moves]
        ]
        return from_dict(data, "explorer")

    def describe_applied(self) -> list[tuple[int, str]]:
        """(step, what) for every move applied so far, with its level ("Open silos to 0.6")."""
        with self.lock:
            applied = list(self.model.applied)
        every = [*self.scenario.interventions, *self.moves]
        out = []
        for step, label in applied:
            action, _, where = label.partition(" ")
            known = [iv for iv in every if iv.action == action and iv.at <= step]
            text = describe(known[-1], with_pace=False) if known else action.replace("_", " ")
            out.append((step, text + (f" {where}" if where else "")))
        return out

    # --- reading -------------------------------------------------------------------------------

    def history(self) -> dict[str, np.ndarray]:
        with self.lock:
            return history_of(self.model)

    def applied(self) -> list[tuple[int, str]]:
        with self.lock:
            return list(self.model.applied)

    def outcomes(self) -> dict[str, float]:
        with self.lock:
            return dict(self.model.outcomes)

    def network_svg(self, variable: str, label_size: float = 24) -> str:
        with self.lock:
            return network.network_svg(
                self.model.state, self.layout, variable, self.model.department_names, label_size
            )

    def customers_svg(self) -> str:
        with self.lock:
            return network.customers_svg(self.model.state, self.model.department_names)

    def frame(self):
        """Per-step outcomes as a DataFrame: step, then every outcome (as `simorg run --out` writes)."""
        with self.lock:
            df = self.model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
            applied = list(self.model.applied)
        df.insert(0, "step", range(len(df)))
        marks: dict[int, list[str]] = {}
        for step, label in self.describe_applied() if applied else []:
            marks.setdefault(step, []).append(label)
        df["interventions"] = [" + ".join(marks.get(s, [])) for s in df["step"]]
        return df

    def csv(self) -> str:
        """One row per step: scenario, seed, step, every outcome, the moves applied before that
        step (with their levels), then every parameter of the run (one column each, dotted key)."""
        return with_parameters(self.frame(), self).to_csv(index=False)

    def charts_png(self) -> bytes:
        return charts.charts_png(
            [(self.label, self.history(), self.applied())],
            title=f"simorg: {self.scenario.name}, seed {self.seed}, step {self.steps}",
        )


def with_parameters(df, run: Run):
    """`df` with scenario and seed in front and one column per parameter of `run` at the end."""
    df.insert(0, "seed", run.seed)
    df.insert(0, "scenario", run.scenario.name)
    for p in parameters():
        section, name = p.key.split(".", 1)
        df[p.key] = getattr(getattr(run.scenario, section), name)
    return df


def describe(iv: Intervention, with_pace: bool = True) -> str:
    """A move in words, with its level: "Open silos to 0.6, one department every 5 steps"."""
    if iv.action == "set":
        return f"Set {iv.key} to {iv.value}"
    what = MOVES[iv.action][0]
    if iv.level is not None and MOVES[iv.action][2]:
        what += f" to {iv.level:g}"
    if iv.size is not None and MOVES[iv.action][3]:
        what += f" of {iv.size}"
    if with_pace and iv.pace == "stepwise" and iv.action != "social_media_team":
        what += f", one department every {iv.every} steps"
    return what


def scenario_toml(sc: Scenario) -> str:
    """A scenario as a TOML file that `simorg run`, `simorg check` and the explorer load back."""
    import tomli_w

    data = sc.model_dump(exclude_none=True)
    data["interventions"] = [
        {k: v for k, v in iv.items() if not (k == "order" and not v)}
        for iv in data["interventions"]
    ]
    head = f"# saved by the simorg explorer: {sc.name}, seed {sc.seed}\n"
    return head + tomli_w.dumps(data)


def compare_png(a: Run, b: Run) -> bytes:
    return charts.charts_png(
        [(f"A: {a.label}", a.history(), a.applied()), (f"B: {b.label}", b.history(), b.applied())],
        title=f"simorg: A = {a.label} vs B = {b.label}, seed {a.seed}, step {a.steps}",
    )


def compare_csv(a: Run, b: Run) -> str:
    import pandas as pd

    frames = []
    for tag, run in (("A", a), ("B", b)):
        df = with_parameters(run.frame(), run)
        df.insert(0, "run", tag)
        frames.append(df)
    return pd.concat(frames, ignore_index=True).to_csv(index=False)
