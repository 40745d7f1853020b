"""docs/results.md's generator (.ci/results.py): the two-modes test finds two modes where there
are two and not in one normal, verdicts follow the intervals, and every marked block of
docs/results.md is one the generator writes (and nothing else is)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / ".ci"))
results = pytest.importorskip("results")


def test_two_modes_found_in_a_mixture_not_in_one_normal() -> None:
    rng = np.random.default_rng(3)
    normal = [results.modes(rng.normal(size=50)) for _ in range(50)]
    assert sum(m is not None for m in normal) <= 2
    mixture = np.r_[rng.normal(0, 1, 40), rng.normal(8, 1, 10)]
    m = results.modes(mixture)
    assert m is not None
    assert m["low"] == pytest.approx(0.8, abs=0.05) and m["high"] == pytest.approx(0.2, abs=0.05)
    assert m["low_median"] < 1 < 7 < m["high_median"]


def test_two_modes_need_enough_runs_and_values() -> None:
    assert results.modes(np.r_[np.zeros(8), np.full(8, 5.0)]) is None  # 16 runs
    assert results.modes(np.r_[np.zeros(30), np.full(20, 5.0)]) is None  # two values only


def test_verdicts_follow_the_intervals() -> None:
    up = {"mean": 1.0, "ci_low": 0.5, "ci_high": 1.5}
    down = {"mean": -1.0, "ci_low": -1.5, "ci_high": -0.5}
    zero = {"mean": 0.1, "ci_low": -0.2, "ci_high": 0.4}
    assert results.verdict(up, down) == "**reversed**"
    assert results.verdict(up, zero) == "**gone**"
    assert results.verdict(up, {"mean": 0.5, "ci_low": 0.2, "ci_high": 0.8}).startswith(
        "holds (50%"
    )
    assert results.verdict(zero, down) == "**appears** (−)"


def test_every_marked_block_is_generated(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    marked = re.findall(r"<!-- results:(\w+) -->", text)
    assert len(marked) == len(set(marked)) == len(re.findall(r"<!-- /results:\w+ -->", text))
    written = dict(results.blocks(tmp_path, figures=None))  # no sweeps: every block says so
    assert set(written) == set(marked)
    assert "not run" in written["provenance"] and "Not generated" in written["social"]
    out = text
    for key, body in written.items():
        out = results.replace_block(out, key, body)
    assert re.findall(r"<!-- results:(\w+) -->", out) == marked


def test_make_results_sweeps_runs_every_sweep_the_page_reads() -> None:
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    listed = re.search(r"RESULTS_SWEEPS :=(.*?)\n(?!\t)", make, re.S)
    assert listed is not None
    assert sorted(listed.group(1).replace("\\", " ").split()) == sorted(results.SWEEPS)
    for name in results.SWEEPS:
        assert (ROOT / "experiments" / f"{name}.toml").is_file()
