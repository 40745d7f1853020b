"""Fang, Lee & Schilling (2010): the runner is the full model's submodels, and what it finds.

`run_single` equals `OrgModel` in the special case step for step, so the validation tests the
model's own rules (better-performer conversations, March's code, degree-preserving linking).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from simorg.model import OrgModel
from simorg.simulate import equilibrium_blockers
from simorg.validation import fang2010 as fg
from simorg.validation.cli import validate_app

SMALL = fg.Design(n=60, departments=4)


@pytest.mark.parametrize(
    ("seed", "linking", "design"),
    [
        (1, 0.0, SMALL),
        (2, 0.6, SMALL),
        (3, 1.0, fg.Design(n=50, departments=5, rule="better_on_topic", p1=0.3)),
        (4, 0.3, fg.Design(n=50, departments=5, rule="conformity", p2=0.0)),
        (5, 0.3, fg.Design(n=50, departments=5, task="nk", k=3, m=12)),
        (6, 0.6, fg.Design(n=50, departments=5, task="nk", k=2, m=10, rule="better_on_topic")),
    ],
)
def test_runner_steps_like_the_full_model(seed, linking, design):
    model = OrgModel(design.scenario(seed, linking), seed=seed)
    for steps in (1, 7):
        while model.steps < steps:
            model.step()
            # the runner takes every contact as open: nothing in the special case may close one
            assert model.state.tally.open_contacts[0] == model.state.tally.contacts[0] > 0
        code, beliefs, reality = fg.run_single(seed, linking, steps, design)
        np.testing.assert_array_equal(model.state.beliefs[0], beliefs)
        np.testing.assert_array_equal(model.state.code[0], code)
        np.testing.assert_array_equal(model.state.reality[0], reality)


def test_the_special_case_switches_off_what_fang_et_al_do_not_model():
    """No source of new beliefs the design excludes (so the full model can settle), and none
    of Model 2's gates on sharing: trust does not gate sharing, leaders hold their commitment."""
    sc = fg.Design().scenario(1, 0.2)
    assert equilibrium_blockers(sc) == []
    assert sc.conversation.trust_sharing == 0 and sc.culture.stubbornness == 1
    assert sc.learning.failure_learning == 0 and sc.customers.count == 0


def test_linking_levels_report_the_share_of_ties_across_and_settle():
    rows = fg.linking_levels((0.0, 0.5, 1.0), runs=6, seed=3, design=SMALL)
    links = [r["linking"] for r in rows]
    assert links == sorted(links) and links[0] < links[-1]
    assert all(r["unsettled"] == 0 and 0 < r["mean"] <= 1 for r in rows)


def test_isolated_subgroups_know_less_without_a_code():
    """Without the organizational code, subgroups that never link end with less knowledge than
    linked ones (0.86 against 0.99 at 30 organizations per level, 100 people)."""
    design = fg.Design(n=60, departments=6, p1=0.0, p2=0.0)
    lo, hi = fg.linking_levels((0.0, 0.5), runs=16, seed=5, design=design, max_steps=1500)
    assert hi["mean"] - lo["mean"] > 3 * np.hypot(hi["sem"], lo["sem"]), (lo, hi)


runner = CliRunner()


def test_cli_json_rows_have_exactly_the_documented_keys():
    result = runner.invoke(validate_app, ["fang2010", "--runs", "3", "--linking", "0,1", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert all(set(r) == {"linking", "mean", "sem", "runs"} for r in rows)
    assert len(rows) == 2 and rows[0]["linking"] < rows[1]["linking"]


@pytest.mark.parametrize(
    "args",
    [
        ["--linking", "2"],
        ["--rule", "gossip"],
        ["--rule", "conformity,better_performer"],
        ["--runs", "1"],
        ["--p1", "-1"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args):
    result = runner.invoke(validate_app, ["fang2010", *args])
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_validate_all_prints_every_claim():
    result = runner.invoke(validate_app, ["all", "--json"])
    assert result.exit_code == 0, result.output
    claims = json.loads(result.stdout)
    papers = {c["paper"] for c in claims}
    assert papers == {"March 1991", "L&F 2007", "Fang et al. 2010"}
    assert all(c["agree"] for c in claims if c["paper"] != "Fang et al. 2010")
