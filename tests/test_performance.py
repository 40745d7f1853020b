"""The one definition of performance: March's additive score and NK landscapes, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from simorg import performance as P


def test_additive_is_sum_of_choice_times_reality():
    reality = np.array([[1, -1, 1]], dtype=np.int8)
    choices = np.array([[[1, -1, 1], [0, 1, 1], [-1, 1, -1]]], dtype=np.int8)
    assert P.additive(choices, reality).tolist() == [[3, 0, -3]]
    assert P.additive_one(choices[:, 1], reality).tolist() == [0]


def _by_hand(land, r, solution):
    total = 0.0
    for i in range(land.n):
        x = sum(int(solution[d]) << j for j, d in enumerate(land.dependencies[r, i]))
        total += land.contributions[r, i, x]
    return total / land.n


@pytest.mark.parametrize("interaction", ["random", "adjacent"])
def test_nk_fitness_is_the_mean_contribution(interaction):
    rng = np.random.default_rng(3)
    land = P.nk_landscapes(rng, 4, 8, 3, interaction)
    deps = land.dependencies
    assert (deps[:, :, 0] == np.arange(8)).all()  # each dimension depends on itself
    for r in range(4):  # and on K distinct others
        for i in range(8):
            assert len(set(deps[r, i].tolist())) == 4
    solutions = rng.integers(0, 2, (4, 5, 8), dtype=np.uint8)
    f = P.nk_fitness(land, solutions)
    for r in range(4):
        for a in range(5):
            assert f[r, a] == pytest.approx(_by_hand(land, r, solutions[r, a]))


def test_k_zero_is_additive_and_one_flip_changes_one_contribution():
    land = P.nk_landscapes(np.random.default_rng(0), 1, 6, 0)
    s = np.zeros((1, 1, 6), dtype=np.uint8)
    t = s.copy()
    t[0, 0, 2] = 1
    diff = P.nk_contributions(land, t) - P.nk_contributions(land, s)
    assert np.count_nonzero(diff) == 1 and diff[0, 0, 2] != 0


def test_maximum_is_exact_by_brute_force():
    land = P.nk_landscapes(np.random.default_rng(5), 3, 11, 4)
    every = P.nk_solutions_of(np.arange(2**11), 11)
    f = P.nk_fitness(land, np.broadcast_to(every, (3, *every.shape)).copy())
    np.testing.assert_allclose(P.nk_maximum(land), f.max(axis=1), rtol=0, atol=1e-12)


def test_normalised_scores_peak_at_one_and_the_power_spreads_them():
    land = P.nk_landscapes(np.random.default_rng(2), 2, 10, 2)
    best = P.nk_maximum(land)
    task = P.NKTask(land, best, power=8.0)
    every = P.nk_solutions_of(np.arange(2**10), 10)
    scores = task.score(np.broadcast_to(every, (2, *every.shape)).copy())
    assert np.allclose(scores.max(axis=1), 1.0)
    raw = P.NKTask(land, best).score(np.broadcast_to(every, (2, *every.shape)).copy())
    assert (scores.mean(axis=1) < raw.mean(axis=1) ** 4).all()  # most solutions look mediocre
    np.testing.assert_allclose(scores, raw**8)


def test_bad_k_is_refused():
    with pytest.raises(ValueError, match="K must be"):
        P.nk_landscapes(np.random.default_rng(0), 1, 5, 5)
