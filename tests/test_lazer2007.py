"""Lazer & Friedman (2007): networks as the paper draws them, its orderings, and the command line.

The orderings are checked on 30 landscapes (N = 20, K = 5) over 50 rounds, where they hold by 4-11
standard errors (measured with seeds 1-4), so they fail only if the mechanism changes.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from simorg.validation import lazer2007 as lf
from simorg.validation.cli import validate_app


@pytest.mark.parametrize("kind", lf.NETWORKS)
def test_networks_have_the_papers_shape(kind):
    pairs = lf.network_pairs(kind, 100, np.random.default_rng(0))
    degree = np.bincount(pairs.ravel(), minlength=100)
    key = set(map(tuple, np.sort(pairs, axis=1).tolist()))
    assert len(key) == len(pairs) and (pairs[:, 0] != pairs[:, 1]).all()
    if kind == "linear":
        assert (degree == 2).all()
    elif kind == "totally connected":
        assert (degree == 99).all()
    elif kind == "small world":
        assert len(pairs) == 100 + lf.SHORTCUTS and (degree >= 2).all()
    else:
        assert 3 < degree.mean() < 5


@pytest.fixture(scope="module")
def rows():
    return lf.series(landscapes=30, rounds=50, seed=11)


def test_scores_start_low_and_never_fall(rows):
    for kind in lf.NETWORKS:
        means = [r["mean"] for r in rows if r["network"] == kind]
        assert means[0] < 0.1  # a random solution is mediocre after the 8th power
        assert all(b >= a - 1e-12 for a, b in zip(means, means[1:], strict=False))


def test_efficient_network_wins_early_and_loses_late(rows):
    at = {(r["network"], r["t"]): r for r in rows}
    full, line = "totally connected", "linear"
    assert at[full, 10]["mean"] - at[line, 10]["mean"] > 3 * at[full, 10]["sem"]
    assert at[line, 50]["mean"] - at[full, 50]["mean"] > 3 * at[line, 50]["sem"]
    assert all(ok for _, _, ok in lf.claims(rows))


def test_same_seed_same_numbers():
    a = lf.series(("linear",), landscapes=3, rounds=5, seed=2)
    b = lf.series(("linear",), landscapes=3, rounds=5, seed=2)
    assert a == b


runner = CliRunner()


def test_cli_json_rows_have_exactly_the_documented_keys():
    result = runner.invoke(
        validate_app,
        [
            "lazer2007",
            "--landscapes",
            "3",
            "--rounds",
            "4",
            "--networks",
            "linear,small_world",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert all(set(r) == {"network", "t", "mean", "sem", "runs"} for r in rows)
    assert [(r["network"], r["t"]) for r in rows][:2] == [("linear", 0), ("linear", 1)]
    assert len(rows) == 2 * 5 and all(r["runs"] == 3 for r in rows)


def test_cli_table():
    result = runner.invoke(validate_app, ["lazer2007", "--landscapes", "3", "--rounds", "12"])
    assert result.exit_code == 0, result.output
    assert "totally connected" in result.stdout and "agree" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--landscapes", "1"],
        ["--networks", "star"],
        ["--copy-error", "2"],
        ["--velocity", "x"],
        ["--rounds", "0"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args):
    result = runner.invoke(validate_app, ["lazer2007", *args])
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("simorg: error: ")
