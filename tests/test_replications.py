"""The replication axis end to end: a replication in a batch gives the numbers of its seed alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from test_model_invariants import scenarios

from simorg.replications import Replications, batch_size, simulate_batch
from simorg.scenario import shipped_scenarios
from simorg.simulate import simulate

from conftest import small


def assert_same_results(scenario, seeds, steps, every=1) -> None:
    batched = simulate_batch(scenario, seeds, steps=steps, every=every)
    for seed, got in zip(seeds, batched, strict=True):
        alone = simulate(scenario, steps=steps, seed=seed, every=every)
        assert got.seed == seed and got.steps == alone.steps
        assert got.final == alone.final, f"seed {seed}: final outcomes differ"
        pd.testing.assert_frame_equal(got.trajectory, alone.trajectory, check_exact=True)


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_every_shipped_scenario_batched_is_each_seed_alone(name: str) -> None:
    """Interventions (big bang, stepwise, media team, project teams), fluid teams, platform..."""
    assert_same_results(small(name), (11, 12, 13), steps=30, every=5)


def test_a_batch_of_one_is_the_run_alone() -> None:
    assert_same_results(small(), (5,), steps=20)


@settings(max_examples=12)
@given(scenarios())
def test_any_valid_scenario_batched_is_each_seed_alone(sc) -> None:
    assert_same_results(sc, (sc.seed, sc.seed + 1), steps=12, every=3)


def test_replications_never_share_a_stream() -> None:
    runs = Replications(small(), [1, 2])
    for rng in runs.streams.values():
        assert rng.gens[0] is not rng.gens[1]
    a, b = runs.state.practice[: runs.state.run_size], runs.state.practice[runs.state.run_size :]
    assert not np.array_equal(a, b)  # different seeds: different organizations


def test_batch_size_follows_memory(monkeypatch) -> None:
    sc = small()
    monkeypatch.setenv("SIMORG_MAX_RUN_MEMORY", "1G")
    roomy = batch_size(sc, 200)
    monkeypatch.setenv("SIMORG_MAX_RUN_MEMORY", "1M")
    assert batch_size(sc, 200) == 1 < roomy
    assert batch_size(sc, 200, requested=7) == 7
