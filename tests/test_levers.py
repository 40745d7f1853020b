"""`simorg levers` as a user calls it, on a tiny organization."""

from __future__ import annotations

import json

import pytest

from simorg.lever_effects import (
    alternative,
    fixed_functions,
    inert,
    is_lever,
    markdown,
    measure,
    switched_on,
)
from simorg.scenario import LEVER_NEEDS, parameters

from conftest import small


def test_every_lever_gets_a_different_value_in_range() -> None:
    for p in filter(is_lever, parameters()):
        to = alternative(p, p.default)
        assert to != p.default, p.key
        if p.low is not None and not p.choices and p.kind != "bool":
            assert p.low <= to <= p.high, p.key


def by_key(key: str):
    return next(p for p in parameters() if p.key == key)


@pytest.mark.parametrize(
    ("key", "value", "to"),
    [
        ("turnover.base_rate", 0.001, 0.002),  # a weekly rate: doubled, not 0.5 a week
        ("customers.churn", 0.01, 0.0198),  # odds doubled
        ("culture.stubbornness", 0.5, 0.667),
        ("learning.voice_hierarchy", 0.9, 0.947),
        ("culture.vision", 0.0, 0.5),  # a mechanism at an end of its range: the middle
        ("learning.transactive_memory", 1.0, 0.5),
        ("culture.resistance", 2.0, 4.0),  # not a share: doubled
        ("customers.public_talk", 60.0, 30.0),  # halved where doubling leaves the range
        ("organization.social_media_team", 0, 10),
        ("organization.customer_facing", "everyone", "none"),
    ],
)
def test_every_lever_moves_by_a_realistic_step(key: str, value, to) -> None:
    assert alternative(by_key(key), value) == to


def test_a_conditional_lever_is_scanned_with_its_mechanism_on() -> None:
    silos = small("traditional_silos").model_copy(update={"steps": 25})
    assert switched_on(silos, by_key("organization.rewire")) == {
        "organization.structure": "network"
    }
    assert switched_on(silos, by_key("culture.persistence")) == {}
    fluid = small("fluid_work")
    assert switched_on(fluid, by_key("organization.team_reform_every")) == {}
    assert switched_on(fluid, by_key("customers.promise_penalty")) == {}
    for key, needs in LEVER_NEEDS.items():  # every switch names a real parameter
        assert key in {p.key for p in parameters()}
        assert set(needs) <= {p.key for p in parameters()}, key
    rows = measure([silos], runs=2, keys=["organization.rewire"])
    assert {tuple(r["needs"].items()) for r in rows} == {(("organization.structure", "network"),)}
    # rewiring a small world changes who talks with whom: it moves something once it is on
    assert any(r["effect"] != 0 for r in rows)


def test_a_lever_that_moves_churn_moves_customers_and_a_dead_one_is_inert() -> None:
    base = small("traditional_silos").model_copy(update={"steps": 30})
    rows = measure([base], runs=3, keys=["customers.churn", "customers.price"])
    by = {(r["lever"], r["outcome"]): r for r in rows}
    assert by[("customers.churn", "customers_lost")]["effect_sd"] > 2
    # price moves revenue only, and exactly in proportion
    assert by[("customers.price", "customer_trust")]["effect"] == 0
    assert "customers.price" not in inert(rows)


def test_levers_cli_json_and_errors(run_cli) -> None:
    out = run_cli(
        "levers",
        "traditional_silos",
        "--runs",
        "2",
        "--steps",
        "8",
        "--set",
        "organization.employees=30",
        "--set",
        "customers.count=40",
        "--lever",
        "culture.stubbornness",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {tuple(sorted(r)) for r in rows} == {
        ("base", "effect", "effect_sd", "from", "lever", "needs", "outcome", "to")
    }
    assert {r["lever"] for r in rows} == {"culture.stubbornness"}
    bad = run_cli("levers", "traditional_silos", "--lever", "culture.nope")
    assert bad.returncode == 2 and "unknown parameter" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_an_outcome_that_is_a_fixed_function_of_another_is_found() -> None:
    runs = [
        {"trust": t, "revenue": 0.2 * t, "count": c}
        for t, c in zip([0.1, 0.3, 0.35, 0.6, 0.7, 0.9], [5, 3, 8, 1, 9, 4], strict=True)
    ]
    assert fixed_functions(runs) == ["revenue ~ trust: exactly linear (r = +1.000000000)"]
    for r in runs:
        r["revenue"] += 0.01 * r["count"]  # revenue that depends on more than trust
    assert fixed_functions(runs) == []


def test_the_markdown_table_marks_conditional_and_inert_levers() -> None:
    rows = [
        {"base": "b", "lever": "x.on", "from": 1, "to": 2, "needs": {"x.switch": True},
         "outcome": "o", "effect": 0.5, "effect_sd": 3.0},
        {"base": "b", "lever": "x.dead", "from": 1, "to": 2, "needs": {},
         "outcome": "o", "effect": 0.0, "effect_sd": 0.0},
    ]  # fmt: skip
    text = markdown(rows)
    assert (
        "| `x.on` (conditional: needs x.switch) | 1 → 2 | **b** [with switch=true]: o +3.0 |"
        in text
    )
    assert "| `x.dead` | 1 → 2 | – (inert) |" in text
    assert "| o | x.on 3 |" in text
    assert text.rstrip().endswith("any of these bases: `x.dead`.")


def test_levers_markdown_from_an_earlier_scan(run_cli, tmp_path) -> None:
    rows = [
        {"base": "b", "lever": "x.on", "from": 1, "to": 2, "outcome": "o", "effect": 0.5,
         "effect_sd": 3.0},
    ]  # fmt: skip
    (tmp_path / "rows.json").write_text(json.dumps(rows))
    out = run_cli("levers", "--from", str(tmp_path / "rows.json"), "--markdown")
    assert out.returncode == 0, out.stderr
    assert "| `x.on` | 1 → 2 | **b**: o +3.0 |" in out.stdout
    (tmp_path / "bad.json").write_text('{"not": "rows"}')
    bad = run_cli("levers", "--from", str(tmp_path / "bad.json"), "--markdown")
    assert bad.returncode == 2 and "not the output of 'simorg levers --json'" in bad.stderr
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("where", ["file", "set", "intervention"])
def test_a_removed_lever_is_refused_with_its_reason(run_cli, tmp_path, where) -> None:
    from simorg.scenario import REMOVED, ScenarioError, from_dict, load, with_overrides

    assert "customers.ties" in REMOVED  # merged into customers.word_of_mouth
    assert "customers.ties" not in {p.key for p in parameters()}
    for key in REMOVED:
        section, _, name = key.partition(".")
        with pytest.raises(ScenarioError, match=f"'{key}' was removed: .+; delete it"):
            from_dict({section: {name: 1}}, "old.toml")
        with pytest.raises(ScenarioError, match=f"'{key}' was removed"):
            with_overrides(load("traditional_silos"), {key: 1})
    path = tmp_path / "old.toml"
    args = {
        "file": ("run", str(path)),
        "set": ("run", "traditional_silos", "--set", "customers.ties=4"),
        "intervention": ("run", str(path)),
    }[where]
    path.write_text(
        '[[interventions]]\nat = 1\naction = "set"\nkey = "customers.ties"\nvalue = 3\n'
        if where == "intervention"
        else "[customers]\nties = 4\n"
    )
    out = run_cli(*args, "--steps", "2")
    assert out.returncode == 2
    assert "'customers.ties' was removed: merged into customers.word_of_mouth" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
