"""Customers judge, talk and buy (MODEL.md processes 4 and 9).

A resolution raises trust θ, more when fast: θ += gain·(1 − age/(limit+1))·(1 − θ). A failure lowers
it: θ −= (loss + promise_penalty·acknowledged)·θ, so a friendly front that promises what the
organization behind it cannot deliver costs more than no promise. The resolver and the first
receiver learn the customer's true need with probability listening × practice (outside-in learning).
Trust then moves toward the mean of word-of-mouth contacts, and a share of outcomes is public and
reaches many customers at once. Each customer buys with probability purchase_rate × θ.
"""

from __future__ import annotations

import numpy as np

from simorg.scenario import Scenario
from simorg.state import NO_REQUEST, State


def customers_judge(
    state: State, sc: Scenario, resolved: np.ndarray, failed: np.ndarray, rng: np.random.Generator
) -> None:
    cu = sc.customers
    theta = state.customer_trust
    age = state.request_age[resolved]
    speed = 1.0 - age / (cu.request_limit + 1.0)
    theta[resolved] += cu.trust_gain * speed * (1.0 - theta[resolved])
    ack = state.request_acknowledged[failed]
    theta[failed] -= np.minimum(1.0, cu.trust_loss + cu.promise_penalty * ack) * theta[failed]
    state.tally["requests_resolved"] = float(len(resolved))
    state.tally["requests_failed"] = float(len(failed))
    state.tally["resolve_time_sum"] = float(age.sum())

    # listening: who handled the request may learn what the customer truly needs
    who = np.concatenate(
        [
            state.request_holder[resolved],
            state.request_receiver[resolved],
            state.request_receiver[failed],
        ]
    )
    topic = np.concatenate(
        [state.request_topic[resolved], state.request_topic[resolved], state.request_topic[failed]]
    )
    learns = rng.random(len(who)) < sc.learning.listening * state.practice[who]
    # one person hearing the same need twice (resolver and receiver) learns it once
    key = np.unique(who[learns] * state.m + topic[learns])
    who, topic = key // state.m, key % state.m
    truth = state.reality[0, topic]
    state.tally["insights"] = float((state.beliefs[0, who, topic] != truth).sum())
    state.beliefs[0, who, topic] = truth

    closed = np.concatenate([resolved, failed])
    state.request_topic[closed] = NO_REQUEST

    _word_of_mouth(state, sc, rng, len(resolved), len(failed))
    np.clip(theta, 0.0, 1.0, out=theta)


def _word_of_mouth(
    state: State, sc: Scenario, rng: np.random.Generator, good: int, bad: int
) -> None:
    cu = sc.customers
    theta = state.customer_trust
    C = len(theta)
    if C == 0:
        return
    if cu.word_of_mouth > 0 and len(state.customer_indices):
        deg = state.customer_degree()
        heard = state.word_of_mouth_sums(theta)
        mean = np.divide(heard, deg, out=theta.copy(), where=deg > 0)
        theta += cu.word_of_mouth * (mean - theta)
    # public resolutions and failures reach many customers at once (only those who saw one move)
    n_good = rng.binomial(good, cu.public_share) if good else 0
    n_bad = rng.binomial(bad, cu.public_share) if bad else 0
    if (n_good or n_bad) and cu.public_reach:
        seen_good = np.bincount(rng.integers(0, C, size=n_good * cu.public_reach), minlength=C)
        seen_bad = np.bincount(rng.integers(0, C, size=n_bad * cu.public_reach), minlength=C)
        saw = np.flatnonzero(seen_good)
        up = 1.0 - (1.0 - cu.public_impact * cu.trust_gain) ** seen_good.take(saw)
        theta[saw] += up * (1.0 - theta.take(saw))
        saw = np.flatnonzero(seen_bad)
        down = 1.0 - (1.0 - cu.public_impact * cu.trust_loss) ** seen_bad.take(saw)
        theta[saw] -= down * theta.take(saw)


def customers_buy(state: State, sc: Scenario, rng: np.random.Generator) -> None:
    cu = sc.customers
    draw = rng.random(len(state.customer_trust), dtype=np.float32)
    buys = draw < cu.purchase_rate * state.customer_trust
    purchases = float(np.count_nonzero(buys))
    state.tally["purchases"] = purchases
    state.tally["revenue"] = purchases * cu.price
