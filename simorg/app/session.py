"""One run in the explorer: a model, its seeded layout, a lock, and what the page reads from it.

A `Run` belongs to one browser page (the page builds it; nothing here is module-level state), so two
people never step the same model. The page's Play loop and its buttons run in different threads;
every read and write of the model goes through `Run.lock`. No solara here: tests use it directly.
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simorg.app import charts, layout, network
from simorg.model import OrgModel
from simorg.outcomes import OUTCOMES
from simorg.scenario import (
    Intervention,
    Scenario,
    ScenarioError,
    from_dict,
    load,
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


def scenario_from_upload(filename: str, data: bytes) -> Scenario:
    """A scenario from an uploaded TOML file (validated like `simorg check`: one-line errors)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{filename}: not a UTF-8 text file") from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{filename}: TOML syntax error: {exc}") from None
    parsed.setdefault("name", Path(filename).stem)
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
    layout: layout.Layout = field(init=False)
    lock: threading.RLock = field(init=False, default_factory=threading.RLock)
    log: list[tuple[int, str]] = field(init=False, default_factory=list)  # what the user did, when
    overrides: dict = field(
        init=False, default_factory=dict
    )  # the parameter edits this run was built with

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
        iv = Intervention(at=0, action=action, level=level if MOVES[action][2] else None,
                          size=size if MOVES[action][3] else None, pace=pace, every=every)  # fmt: skip
        with self.lock:
            self.model.intervene(iv)
            what = MOVES[action][0]
            if MOVES[action][2]:
                what += f" to {level:g}"
            if MOVES[action][3]:
                what += f" of {size}"
            if pace == "stepwise":
                what += f", one department every {every} steps"
            self.log.append((self.steps + 1, what))
        return what

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

    def network_svg(self, variable: str) -> str:
        with self.lock:
            return network.network_svg(
                self.model.state, self.layout, variable, self.model.department_names
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
        for step, label in applied:
            marks.setdefault(step, []).append(label)
        df["interventions"] = [" + ".join(marks.get(s, [])) for s in df["step"]]
        return df

    def csv(self) -> str:
        df = self.frame()
        df.insert(0, "seed", self.seed)
        df.insert(0, "scenario", self.scenario.name)
        return df.to_csv(index=False)

    def charts_png(self) -> bytes:
        return charts.charts_png(
            [(self.label, self.history(), self.applied())],
            title=f"simorg: {self.scenario.name}, seed {self.seed}, step {self.steps}",
        )


def compare_png(a: Run, b: Run) -> bytes:
    return charts.charts_png(
        [(f"A: {a.label}", a.history(), a.applied()), (f"B: {b.label}", b.history(), b.applied())],
        title=f"simorg: A = {a.label} vs B = {b.label}, seed {a.seed}, step {a.steps}",
    )


def compare_csv(a: Run, b: Run) -> str:
    import pandas as pd

    frames = []
    for tag, run in (("A", a), ("B", b)):
        df = run.frame()
        df.insert(0, "seed", run.seed)
        df.insert(0, "scenario", run.scenario.name)
        df.insert(0, "run", tag)
        frames.append(df)
    return pd.concat(frames, ignore_index=True).to_csv(index=False)
