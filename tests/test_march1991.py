"""March (1991): the knowledge submodel's rules, March's orderings, and `simorg validate march1991`.

Every simulation here is seeded; the orderings use enough runs that they hold by many standard
errors (checked over many seeds), so they fail only if the mechanism changes.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from simorg.mechanisms import learning
from simorg.randomness import spawn_streams
from simorg.validation import march1991 as m91
from simorg.validation.cli import validate_app

# Workiewicz's recreation, 10,000 runs per cell (github.com/Mac13kW/March_1991_Original);
# equilibrium code knowledge for p1 = 0.1..0.9 at each p2
RECREATION = {
    0.1: (0.8633, 0.8171, 0.8051, 0.8021, 0.7994, 0.8032, 0.8060, 0.8090, 0.8132),
    0.5: (0.9543, 0.9088, 0.8691, 0.8371, 0.8106, 0.7867, 0.7679, 0.7540, 0.7421),
    0.9: (0.9724, 0.9404, 0.9081, 0.8737, 0.8401, 0.8067, 0.7796, 0.7561, 0.7284),
}


# --- the rules, against a loop-by-loop reading of MODEL.md -----------------------------------


def reference_step(beliefs, code, reality, p1, p2, rng, voice=None, socialize=None):
    """MODEL.md's rules written out person by person, drawing what learning.py documents."""
    runs, n, m = beliefs.shape
    bits = np.unpackbits(rng.integers(0, 256, size=(runs * n * m + 7) // 8, dtype=np.uint8))
    coin = bits[: runs * n * m].reshape(runs, n, m)
    u_social = rng.random((runs, n, m), dtype=np.float32)
    u_code = rng.random((runs, m))
    old_b, old_c = beliefs.copy(), code.copy()
    innovations = np.zeros((runs, m), dtype=bool)
    for r in range(runs):
        score = sum(int(old_c[r, j]) * int(reality[r, j]) for j in range(m))
        superior = []
        for i in range(n):
            act = [int(old_b[r, i, j]) or (1 if coin[r, i, j] else -1) for j in range(m)]
            beats = sum(a * int(reality[r, j]) for j, a in enumerate(act)) > score
            if beats and (voice is None or voice[r, i]):
                superior.append(act)
        for i in range(n):
            if socialize is not None and not socialize[r, i]:
                continue
            for j in range(m):
                c = int(old_c[r, j])
                if c != 0 and old_b[r, i, j] != c and u_social[r, i, j] < np.float32(p1[r, i]):
                    beliefs[r, i, j] = old_b[r, i, j] + c
        for j in range(m):
            s = sum(act[j] for act in superior)
            target = (s > 0) - (s < 0)
            if target and target != old_c[r, j] and u_code[r, j] < 1 - (1 - p2[r]) ** abs(s):
                code[r, j] = target
                innovations[r, j] = target == reality[r, j]
    return innovations


@pytest.mark.parametrize("seed", range(6))
def test_step_follows_model_md_rules_exactly(seed):
    rng = np.random.default_rng(seed)
    runs, n, m = 3, 7, 11
    reality, beliefs, _ = learning.initial_knowledge(rng, n, m, runs)
    code = rng.integers(-1, 2, size=(runs, m), dtype=np.int8)  # a code that has learned something
    p1 = rng.random((runs, n))  # per person
    p2 = rng.random(runs)  # per run
    voice = rng.random((runs, n)) < 0.7 if seed % 2 else None
    socialize = rng.random((runs, n)) < 0.8 if seed % 3 else None
    b_ref, c_ref = beliefs.copy(), code.copy()
    ref_rng, step_rng = np.random.default_rng(seed + 100), np.random.default_rng(seed + 100)
    for _ in range(5):  # same draws, step after step: the documented draw order holds
        expected = reference_step(b_ref, c_ref, reality, p1, p2, ref_rng, voice, socialize)
        got = learning.knowledge_step(
            beliefs, code, reality, p1[:, :, None], p2, step_rng, voice, socialize
        )
        np.testing.assert_array_equal(beliefs, b_ref)
        np.testing.assert_array_equal(code, c_ref)
        np.testing.assert_array_equal(got, expected)


def test_initial_knowledge_draws_reality_then_beliefs():
    reality, beliefs, code = learning.initial_knowledge(np.random.default_rng(5), 50, 30, runs=4)
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(reality, rng.integers(0, 2, (4, 30), dtype=np.int8) * 2 - 1)
    np.testing.assert_array_equal(beliefs, rng.integers(0, 3, (4, 50, 30), dtype=np.int8) - 1)
    assert reality.dtype == beliefs.dtype == code.dtype == np.int8
    assert not code.any()
    assert set(np.unique(reality)) == {-1, 1} and set(np.unique(beliefs)) == {-1, 0, 1}


def test_values_stay_in_range_with_turnover_and_turbulence():
    streams = spawn_streams(3)
    reality, beliefs, code = learning.initial_knowledge(streams["knowledge"], 50, 30, runs=40)
    innovations = 0
    for _ in range(60):
        learning.turbulence(reality, 0.05, streams["knowledge"])
        learning.replace_people(beliefs, 0.1, streams["turnover"])
        innovations += learning.knowledge_step(
            beliefs, code, reality, 0.5, np.linspace(0.1, 0.9, 40)[:, None], streams["learning"]
        ).sum()
        assert set(np.unique(beliefs)) <= {-1, 0, 1}
        assert set(np.unique(code)) <= {-1, 0, 1}
        assert set(np.unique(reality)) <= {-1, 1}
    assert beliefs.dtype == code.dtype == reality.dtype == np.int8
    assert innovations > 0


def test_replace_people_returns_who_left_and_keeps_the_rest():
    rng = np.random.default_rng(0)
    _, beliefs, _ = learning.initial_knowledge(rng, 50, 30, runs=20)
    before = beliefs.copy()
    left = learning.replace_people(beliefs, 0.3, rng)
    assert left.shape == (20, 50) and 0.2 < left.mean() < 0.4
    np.testing.assert_array_equal(beliefs[~left], before[~left])


def test_at_equilibrium_rule():
    reality = np.array([[1, -1, 1, 1]], dtype=np.int8)
    code = reality.copy()
    beliefs = np.repeat(code[:, None, :], 3, axis=1)
    assert learning.at_equilibrium(beliefs, code, reality).tolist() == [True]
    beliefs[0, 1, 2] = 0  # differs from a non-zero code value: socialization not done
    assert learning.at_equilibrium(beliefs, code, reality).tolist() == [False]
    code[0, 3] = 0  # code silent on dimension 3; a person with belief 0 there could beat it
    beliefs = np.repeat(code[:, None, :], 3, axis=1)
    assert learning.at_equilibrium(beliefs, code, reality).tolist() == [False]
    beliefs[0, :, 3] = -1  # all wrong where the code is silent: nobody can beat it
    assert learning.at_equilibrium(beliefs, code, reality).tolist() == [True]
    voice = np.zeros((1, 3), dtype=bool)
    beliefs[0, 0, 3] = 0  # this person could beat the code, but has no voice
    assert learning.at_equilibrium(beliefs, code, reality, voice=voice).tolist() == [True]


def test_equilibrium_is_absorbing():
    code, beliefs, reality = m91.run_single(11, 0.3, 0.5)
    assert learning.at_equilibrium(beliefs[None], code[None], reality[None]).all()
    b, c = beliefs[None].copy(), code[None].copy()
    rng = np.random.default_rng(1)
    for _ in range(30):
        assert not learning.knowledge_step(b, c, reality[None], 0.3, 0.5, rng).any()
    np.testing.assert_array_equal(b[0], beliefs)
    np.testing.assert_array_equal(c[0], code)


def test_run_single_is_the_model_recipe():
    """run_single == initial_knowledge(knowledge stream) then knowledge_step(learning stream)."""
    streams = spawn_streams(8)
    reality, beliefs, code = learning.initial_knowledge(streams["knowledge"], 50, 30)
    for _ in range(25):
        learning.knowledge_step(beliefs, code, reality, 0.2, 0.6, streams["learning"])
    c, b, r = m91.run_single(8, 0.2, 0.6, max_periods=25, stop_at_equilibrium=False)
    np.testing.assert_array_equal(c, code[0])
    np.testing.assert_array_equal(b, beliefs[0])
    np.testing.assert_array_equal(r, reality[0])


# --- March's claims ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grid():
    rows = m91.figure1(runs=300, seed=2024)
    return {(r["p1"], r["p2"]): r for r in rows}


def _clearly_greater(a: dict, b: dict, z: float = 3.0) -> bool:
    return a["mean"] - b["mean"] > z * math.hypot(a["sem"], b["sem"])


def test_fast_socialization_lowers_knowledge_when_code_learns_fast(grid):
    p1s = [0.1, 0.3, 0.5, 0.7, 0.9]
    for slow, fast in zip(p1s, p1s[1:], strict=False):
        assert _clearly_greater(grid[slow, 0.9], grid[fast, 0.9]), (slow, fast)
    assert grid[0.1, 0.9]["mean"] > 0.95 and grid[0.9, 0.9]["mean"] < 0.76


def test_faster_code_learning_raises_knowledge_when_socialization_is_slow(grid):
    assert _clearly_greater(grid[0.1, 0.5], grid[0.1, 0.1])
    assert _clearly_greater(grid[0.1, 0.9], grid[0.1, 0.5])


def test_figure1_agrees_with_the_recreation(grid):
    for p2, values in RECREATION.items():
        for i, expected in enumerate(values):
            row = grid[round(0.1 * (i + 1), 1), p2]
            assert abs(row["mean"] - expected) < 4 * row["sem"] + 0.005, (row, expected)
            assert row["unsettled"] == 0


def test_more_fast_learners_lower_equilibrium_knowledge():
    rows = m91.mixed(fast=(0, 25, 50), runs=200, seed=5)
    assert _clearly_greater(rows[0], rows[1]) and _clearly_greater(rows[1], rows[2])
    mixed = rows[1]
    assert mixed["fast_at"] > mixed["slow_at"]  # in period 20 the fast learners know more


def test_a_mix_of_fast_and_slow_learners_beats_everyone_at_the_mean_rate():
    (row,) = m91.mixed(fast=(25,), runs=200, seed=9)
    twin = {"mean": row["homogeneous"], "sem": row["homogeneous_sem"]}
    assert _clearly_greater(row, twin)


def test_moderate_turnover_helps_only_fast_socializers():
    rows = m91.turnover(p1s=(0.1, 0.9), p3s=(0.0, 0.2), runs=200, seed=6)
    cell = {(r["p1"], r["p3"]): r for r in rows}
    assert _clearly_greater(cell[0.9, 0.2], cell[0.9, 0.0])
    assert _clearly_greater(cell[0.1, 0.0], cell[0.1, 0.2])


def test_turbulence_erodes_knowledge_unless_people_turn_over():
    rows = m91.turbulence_series(p3s=(0.0, 0.1), runs=150, seed=7)
    at = {(r["p3"], r["period"]): r for r in rows}
    assert _clearly_greater(at[0.0, 10], at[0.0, 100])
    assert _clearly_greater(at[0.1, 100], at[0.0, 100])


@pytest.mark.slow
def test_whole_figure1_runs():
    # how fast it runs is measured by benchmarks, not asserted here (a shared machine is noisy)
    rows = m91.figure1()  # 9 x 3 cells x 80 runs, to equilibrium
    assert len(rows) == 27 and all(r["runs"] == 80 for r in rows)


# --- the command line -------------------------------------------------------------------------

runner = CliRunner()


def test_cli_json_is_only_a_list_of_rows():
    result = runner.invoke(
        validate_app, ["march1991", "--runs", "6", "--p1", "0.1,0.9", "--p2", "0.5", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["p1"], r["p2"], r["runs"]) for r in rows] == [(0.1, 0.5, 6), (0.9, 0.5, 6)]
    assert all(0 <= r["mean"] <= 1 and r["sem"] >= 0 for r in rows)


@pytest.mark.parametrize("experiment", ["mixed", "turnover", "turbulence"])
def test_cli_other_experiments_print_json(experiment):
    result = runner.invoke(validate_app, ["march1991", "-e", experiment, "--runs", "4", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and {"p1", "p2", "runs", "mean", "sem"} <= set(rows[0])


def test_cli_table_and_outputs(tmp_path):
    args = ["march1991", "--runs", "5", "--p1", "0.2,0.8", "--out", str(tmp_path / "fig")]
    result = runner.invoke(validate_app, args)
    assert result.exit_code == 0, result.output
    assert "p2 = 0.9" in result.stdout and "±" in result.stdout
    for suffix in ("csv", "png", "svg"):
        assert (tmp_path / "fig" / f"march1991_figure1.{suffix}").stat().st_size > 0


@pytest.mark.parametrize(
    "args",
    [
        ["--p1", "1.5"],
        ["--p1", "0.1,abc"],
        ["--p2", ""],
        ["--runs", "0"],
        ["--runs", "many"],
        ["--seed", "x"],
        ["-e", "nope"],
        ["--p3", "0.1"],
        ["-e", "mixed", "--p1", "0.1"],
        ["-e", "turnover", "--p2", "0.1,0.5"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args):
    result = runner.invoke(validate_app, ["march1991", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("simorg: error: ")


def test_cli_bad_input_in_a_real_process_has_no_traceback():
    code = "from simorg.validation.cli import validate_app; validate_app()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "march1991", "--p1", "0.1,2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "simorg: error: --p1: 2 is outside [0, 1]"
    assert "Traceback" not in proc.stderr


def test_a_batch_ends_in_its_final_state():
    streams = spawn_streams(3)
    reality, beliefs, code = learning.initial_knowledge(streams["knowledge"], 50, 30, runs=60)
    p1 = np.repeat([0.1, 0.5, 0.9], 20)
    out = m91.run_organizations(reality, beliefs, code, p1, 0.5, streams, periods=m91.MAX_PERIODS)
    assert out.settled.all()
    assert learning.at_equilibrium(beliefs, code, reality).all()
    np.testing.assert_allclose(learning.code_knowledge(code, reality), out.final["code"])
