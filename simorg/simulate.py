"""Run one replication of a scenario: the single entry point the CLI, experiments and benchmarks use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from simorg.model import OrgModel
from simorg.scenario import Scenario


@dataclass
class RunResult:
    scenario: str
    seed: int
    steps: int
    final: dict[str, float]  # outcomes after the last step
    trajectory: pd.DataFrame  # one row per recorded step, column "step" plus every outcome


def simulate(
    scenario: Scenario,
    steps: int | None = None,
    seed: int | None = None,
    every: int = 1,
    on_step: Callable[[], None] | None = None,
) -> RunResult:
    """Run `steps` steps (default: the scenario's) with `seed` (default: the scenario's);
    `on_step` is called after each step (progress bars)."""
    steps = scenario.steps if steps is None else steps
    model = OrgModel(scenario, seed=seed)
    if on_step is None:
        model.run_for(steps)
    else:
        for _ in range(steps):
            model.run_for(1)
            on_step()
    frame = model.datacollector.get_model_vars_dataframe()
    frame.insert(0, "step", range(len(frame)))
    frame = frame.reset_index(drop=True)
    if every > 1:
        keep = (frame["step"] % every == 0) | (frame["step"] == steps)
        frame = frame[keep].reset_index(drop=True)
    return RunResult(scenario.name, model.seed, steps, dict(model.outcomes), frame)
