"""Requests and customers on the replication axis: each run of a batch raises, routes, resolves
and judges exactly what it does alone (simorg.mechanisms.requests, simorg.mechanisms.customers)."""

from __future__ import annotations

import numpy as np
import pytest

from simorg.mechanisms import customers, requests
from simorg.randomness import RunStreams
from simorg.state import State

from batching import check_batched
from conftest import small

# every branch on: many requests, slow silos (crossings fail), memories that are sometimes
# kept, escalation, outside experts, public talk, word of mouth and public events, listening
BUSY = {
    "customers.request_rate": 0.5,
    "customers.request_limit": 2,
    "customers.escalate_after": 1,
    "customers.outside_expertise": 0.3,
    "customers.public_talk": 2.0,
    "customers.public_share": 0.5,
    "customers.public_reach": 20,
    "customers.word_of_mouth": 0.2,
    "organization.permeability": 0.1,
    "learning.listening": 0.7,
    "learning.transactive_memory": 0.5,
}
SCENARIOS = {
    "everyone": small("social_business", **BUSY),
    "team": small("social_media_team", **BUSY),
    "none": small("traditional_silos", **BUSY),
    "full_memory": small("social_business", **{**BUSY, "learning.transactive_memory": 1.0}),
    # and the branches switched off: no memory, no escalation, no outside experts, no reach
    "off": small(
        "social_business",
        **{
            **BUSY,
            "learning.transactive_memory": 0.0,
            "customers.escalate_after": 0,
            "customers.outside_expertise": 0.0,
            "customers.public_reach": 0,
            "customers.word_of_mouth": 0.0,
        },
    ),
}


def _mute_some_runs(state: State) -> None:
    """Runs whose reality starts with −1 lose their customer-facing people (requests queue at
    Customer Service, no public talk); runs whose second dimension is −1 lose their customers.
    Decided from each run's own state, so the run alone and in a batch agree."""
    n, C = state.run_size, state.run_customers
    for r in range(state.runs):
        if state.reality[r, 0] < 0:
            state.customer_facing[r * n : (r + 1) * n] = False
        if state.reality[r, 1] < 0:
            state.customer_active[r * C : (r + 1) * C] = False


def _requests_and_customers(mute: bool = False):
    def mechanism(state: State, streams: dict[str, RunStreams]) -> dict[str, object]:
        if mute:
            _mute_some_runs(state)
        rng = streams["requests"]
        raised = requests.customers_speak(state, rng)
        resolved, failed, esc_topics, esc_people = requests.requests_travel(state, rng)
        out = {
            "raised": raised.copy(),
            "resolved": resolved.copy(),
            "failed": failed.copy(),
            "esc_topics": esc_topics.copy(),
            "esc_people": esc_people.copy(),
        }
        customers.customers_judge(state, raised, resolved, failed, streams["customers"])
        customers.customers_buy(state, streams["purchases"])
        out["tally"] = {k: v.copy() for k, v in vars(state.tally).items() if k != "runs"}
        out["size"] = (state.run_size, state.run_customers)
        return out

    return mechanism


def _assert_returns_line_up(alone: list[dict], batched: dict) -> None:
    """The batch returns each run's items run-major, in the order the run alone has them."""
    n, C = alone[0]["size"]
    for name in ("raised", "resolved", "failed"):
        run = batched[name] // C
        assert np.all(np.diff(run) >= 0), f"{name} not run-major"
        for r, out in enumerate(alone):
            assert np.array_equal(batched[name][run == r] - r * C, out[name]), name
    run = batched["esc_people"][:, 0] // n
    assert np.all(np.diff(run) >= 0), "escalations not run-major"
    assert np.array_equal(batched["esc_people"][:, 1] // n, run), "an escalation crossed runs"
    for r, out in enumerate(alone):
        assert np.array_equal(batched["esc_people"][run == r] - r * n, out["esc_people"])
        assert np.array_equal(batched["esc_topics"][run == r], out["esc_topics"])


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_requests_and_customers_run_by_run(name: str) -> None:
    alone, batched = check_batched(SCENARIOS[name], _requests_and_customers(), warmup=4)
    _assert_returns_line_up(alone, batched)
    # the scenario really went down every branch (else the equality above proves little)
    total = {k: sum(float(out["tally"][k].sum()) for out in alone) for k in alone[0]["tally"]}
    for event in ("requests_opened", "requests_resolved", "requests_failed", "crossings"):
        assert total[event] > 0, event
    assert sum(len(out["resolved"]) for out in alone) > 3
    if name != "none":
        assert total["public_conversations"] > 0 and total["insights"] > 0
    assert (total["escalations"] > 0) == (name != "off")


def test_runs_with_and_without_facing_people_or_customers() -> None:
    """In one batch, runs that queue at Customer Service (not acknowledged), runs without
    customers and runs that talk in public each do what they do alone."""
    seeds = (1, 2, 3, 4, 5, 6)
    alone, batched = check_batched(
        SCENARIOS["everyone"], _requests_and_customers(mute=True), seeds=seeds, warmup=2
    )
    _assert_returns_line_up(alone, batched)
    talked = [float(out["tally"]["public_conversations"][0]) > 0 for out in alone]
    opened = [float(out["tally"]["requests_opened"][0]) > 0 for out in alone]
    assert any(talked) and not all(talked), talked  # the mix this test is about
    assert any(opened) and not all(opened), opened
    assert any(o and not t for o, t in zip(opened, talked, strict=True))  # queued at Service
