"""`simorg levers` as a user calls it, on a tiny organization."""

from __future__ import annotations

import json

from simorg.lever_effects import alternative, inert, is_lever, measure
from simorg.scenario import parameters

from conftest import small


def test_every_lever_gets_a_different_value_in_range() -> None:
    for p in filter(is_lever, parameters()):
        to = alternative(p, p.default)
        assert to != p.default, p.key
        if p.low is not None and not p.choices and p.kind != "bool":
            assert p.low <= to <= p.high, p.key


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
        ("base", "effect", "effect_sd", "from", "lever", "outcome", "to")
    }
    assert {r["lever"] for r in rows} == {"culture.stubbornness"}
    bad = run_cli("levers", "traditional_silos", "--lever", "culture.nope")
    assert bad.returncode == 2 and "unknown parameter" in bad.stderr
    assert "Traceback" not in bad.stderr
