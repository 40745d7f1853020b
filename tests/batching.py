"""The oracle of the replication axis: a mechanism applied to a batch of runs does to each run
exactly what it does to that run alone (every array bit for bit, the tallies, and how far each
run's random streams advanced)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import numpy as np

from simorg import batch
from simorg.model import OrgModel
from simorg.randomness import RunStreams, run_streams
from simorg.scenario import Scenario
from simorg.state import State
from simorg.structures import Structure
from simorg.tally import Tally

Mechanism = Callable[[State, dict[str, RunStreams]], Any]


def warmed(scenario: Scenario, seed: int, steps: int) -> tuple[State, dict[str, RunStreams]]:
    """A run of `scenario` after `steps` steps alone: its state and streams."""
    model = OrgModel(scenario, seed=seed)
    model.run_for(steps)
    return model.state, model.streams


def assert_same_state(alone: State, batched_run: State, where: str = "") -> None:
    """Every field of two one-run states is equal (NaN equal to NaN)."""
    for f in fields(State):
        a, b = getattr(alone, f.name), getattr(batched_run, f.name)
        if f.name in ("params", "changes", "decisions", "_cache"):
            continue
        if isinstance(a, Structure):
            for g in fields(Structure):
                x, y = getattr(a, g.name), getattr(b, g.name)
                assert np.array_equal(x, y), f"{where}structure.{g.name} differs"
        elif isinstance(a, Tally):
            for name in Tally.names():
                assert np.array_equal(getattr(a, name), getattr(b, name)), f"{where}tally.{name}"
        elif f.name == "task":
            if a is not None:
                assert np.array_equal(a.landscape.contributions, b.landscape.contributions)
                assert np.array_equal(a.optimum, b.optimum), f"{where}task.optimum differs"
        elif isinstance(a, np.ndarray):
            assert a.shape == b.shape, f"{where}{f.name}: shape {a.shape} vs {b.shape}"
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f"{where}{f.name} differs"
        else:
            assert a == b, f"{where}{f.name}: {a!r} vs {b!r}"


def check_batched(
    scenario: Scenario, mechanism: Mechanism, seeds: tuple[int, ...] = (1, 2, 3), warmup: int = 3
) -> tuple[list[Any], Any]:
    """Warm each seed up alone, then apply `mechanism` to each run alone and, on copies, to the
    batch of them; assert each run of the batch equals the run alone. Returns what the mechanism
    returned alone (per seed) and batched, for the caller to compare."""
    starts = [warmed(scenario, seed, warmup) for seed in seeds]
    alone_out, alone_states, alone_streams = [], [], []
    for state, streams in copy.deepcopy(starts):
        state.tally = Tally(1)
        alone_out.append(mechanism(state, streams))
        alone_states.append(state)
        alone_streams.append(streams)
    copies = copy.deepcopy(starts)
    stacked = batch.stack([state for state, _ in copies])
    streams = run_streams([{k: s.gens[0] for k, s in streams.items()} for _, streams in copies])
    batched_out = mechanism(stacked, streams)
    for r, seed in enumerate(seeds):
        assert_same_state(alone_states[r], batch.split(stacked, r), f"seed {seed}: ")
        for name, rng in streams.items():
            assert (
                rng.gens[r].bit_generator.state
                == alone_streams[r][name].gens[0].bit_generator.state
            ), f"seed {seed}: stream {name!r} drew differently"
    return alone_out, batched_out
