"""The replication axis (simorg.batch): stacking runs and splitting them back, and the oracle."""

from __future__ import annotations

import numpy as np
import pytest

from simorg import batch
from simorg.initial import initial_state
from simorg.randomness import spawn_streams
from simorg.tally import Tally

from batching import assert_same_state, check_batched
from conftest import small


@pytest.mark.parametrize(
    "name", ["social_business", "traditional_silos", "fluid_work", "social_media_team"]
)
def test_a_run_split_from_a_batch_is_the_run_alone(name: str) -> None:
    sc = small(name)
    alone = [initial_state(sc, spawn_streams(seed)) for seed in (4, 5, 6)]
    stacked = batch.stack(alone)
    assert stacked.runs == 3 and stacked.run_size == alone[0].n
    for r, state in enumerate(alone):
        assert_same_state(state, batch.split(stacked, r), f"run {r}: ")


def test_runs_of_a_batch_never_touch() -> None:
    sc = small()
    stacked = batch.stack([initial_state(sc, spawn_streams(seed)) for seed in (1, 2)])
    structure, n = stacked.structure, stacked.run_size
    assert np.array_equal(structure.source // n, structure.indices // n)  # no tie crosses runs
    assert np.all(structure.reverse[structure.reverse] == np.arange(len(structure.reverse)))
    managed = structure.manager >= 0
    assert np.array_equal(structure.manager[managed] // n, np.flatnonzero(managed) // n)


def test_the_oracle_sees_a_mechanism_that_mixes_runs() -> None:
    """A 'mechanism' that lets run 0's practice leak into run 1 must fail the oracle."""

    def leaky(state, streams):
        n = state.run_size
        if state.runs > 1:
            state.practice[n] = state.practice[0]

    with pytest.raises(AssertionError, match="practice"):
        check_batched(small(), leaky, seeds=(1, 2))


def test_the_oracle_sees_a_draw_from_the_wrong_stream() -> None:
    def wrong_stream(state, streams):
        if state.runs > 1:
            streams["culture"].gens[0].random(3)  # run 0 draws what run 1 should
        else:
            streams["culture"].gens[0].random(0)

    with pytest.raises(AssertionError, match="stream 'culture'"):
        check_batched(small(), wrong_stream, seeds=(1, 2))


def test_tallies_count_per_run() -> None:
    t = Tally(3)
    assert t.contacts.shape == (3,) and Tally.names()[0] == "contacts"


def test_customers_buy_run_by_run() -> None:
    from simorg.mechanisms.customers import customers_buy

    check_batched(small(), lambda st, streams: customers_buy(st, streams["purchases"]))
