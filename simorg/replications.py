"""Many replications of one scenario as one array program (the replication axis).

`simulate_batch(scenario, seeds)` runs R replications side by side in one state (simorg.batch):
the same step (simorg.step) on arrays with R runs in them, so the fixed cost of each numpy call is
paid once per step for all R instead of once per run. Each replication draws from its own streams,
so its numbers are those of `simulate(scenario, seed=seed)`, bit for bit (tests/test_replications.py).
Interventions are applied before the step they are due, as the model's Mesa events are. No Mesa
agents are built: a batch is for sweeps and comparisons; `OrgModel` is the model with agents.

`batch_size` picks how many replications to batch from the memory a run needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from simorg import batch, limits
from simorg.initial import initial_state
from simorg.mechanisms import interventions
from simorg.outcomes import OUTCOMES, accumulate, compute
from simorg.randomness import run_streams, spawn_streams
from simorg.scenario import Scenario
from simorg.simulate import RunResult
from simorg.step import advance
from simorg.structures import Structure

MAX_BATCH = 32
"""The most replications batched by default: beyond about 16–32 runs the fixed cost per numpy call is
already a small share of a step, and larger batches only hold more memory (docs/performance.md)."""

MEMORY_SHARE = 0.25
"""The share of the available memory a batch may take (workers and the results writer share it)."""


class Replications:
    """R replications of one scenario stepping together; `state` holds them all (simorg.batch)."""

    def __init__(self, scenario: Scenario, seeds: Sequence[int]) -> None:
        generators = [spawn_streams(int(seed)) for seed in seeds]
        self.config = scenario
        self.seeds = [int(seed) for seed in seeds]
        self.state = batch.stack([initial_state(scenario, g) for g in generators])
        self.streams = run_streams(generators)
        self.steps = 0
        self.totals: dict[str, np.ndarray] = {}
        self.department_names = scenario.department_names()[: scenario.organization.employees]
        due = [
            (at, order, iv, departments)
            for order, (iv, (at, departments)) in enumerate(
                (iv, stage)
                for iv in scenario.interventions
                for stage in interventions.stages(iv, self.department_names)
            )
        ]
        self._due = sorted(due, key=lambda d: (d[0], d[1]))  # in time, then as scheduled
        accumulate(self.state.tally, self.totals)  # (the totals start at zero, as the model's)
        self._apply_due(0)

    def _apply_due(self, before_step: int) -> None:
        """Apply the stages due before step `before_step` (a stage due at step k runs at k − 0.5)."""
        while self._due and self._due[0][0] <= before_step:
            _, _, iv, departments = self._due.pop(0)
            interventions.apply(self, iv, departments)

    def restructure(self, new: Structure) -> np.ndarray:
        return self.state.restructure(new)

    def step(self) -> None:
        self._apply_due(self.steps + 1)
        self.steps += 1
        advance(self.state, self.streams, self.steps, self.restructure)
        accumulate(self.state.tally, self.totals)

    def outcomes(self) -> list[dict[str, float]]:
        """Every outcome of each replication after the last step."""
        return compute(self.state, self.totals, tally=False)


def simulate_batch(
    scenario: Scenario,
    seeds: Sequence[int],
    steps: int | None = None,
    every: int = 1,
    on_step: Callable[[], None] | None = None,
) -> list[RunResult]:
    """Run `steps` steps of each seed's replication in one batch; returns what `simulate` returns
    for each seed (the same numbers), recorded at step 0, every `every`-th step and the last."""
    steps = scenario.steps if steps is None else steps
    every = max(every, 1)
    runs = Replications(scenario, seeds)
    rows: list[list[dict[str, float]]] = [runs.outcomes()]
    recorded = [0]
    for k in range(1, steps + 1):
        runs.step()
        if k % every == 0 or k == steps:
            rows.append(runs.outcomes())
            recorded.append(k)
        if on_step is not None:
            on_step()
    final = rows[-1] if recorded[-1] == steps else runs.outcomes()
    results = []
    for r, seed in enumerate(runs.seeds):
        frame = pd.DataFrame([row[r] for row in rows], columns=list(OUTCOMES))
        frame.insert(0, "step", recorded)
        results.append(RunResult(scenario.name, seed, steps, dict(final[r]), frame))
    return results


def batch_size(scenario: Scenario, steps: int, requested: int | None = None) -> int:
    """How many replications to batch: `requested`, or as many as fit in MEMORY_SHARE of the
    available memory, at most MAX_BATCH."""
    if requested is not None:
        return max(1, requested)
    need = limits.run_bytes(
        scenario.organization.employees,
        scenario.customers.count,
        steps,
        len(OUTCOMES),
        scenario.learning.dimensions,
    )
    avail = limits.available_bytes()
    if avail is None:
        return MAX_BATCH
    return int(max(1, min(MAX_BATCH, MEMORY_SHARE * avail // max(need, 1))))
