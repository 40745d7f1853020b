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

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:.4g}" for k, v in list(self.final.items())[:4])
        more = len(self.final) - 4
        return (
            f"RunResult(scenario={self.scenario!r}, seed={self.seed}, steps={self.steps}, "
            f"final={{{shown}{f', … {more} more' if more > 0 else ''}}}, "
            f"trajectory={len(self.trajectory)} rows × {self.trajectory.shape[1]} columns)"
        )


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
    model = OrgModel(scenario, seed=scenario.seed if seed is None else seed)
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
