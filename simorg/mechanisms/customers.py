"""Customers judge, talk, come and go, and buy (processes 4 and 9).

Trust θ moves with each customer's own experience (expectation-disconfirmation, Oliver 1980):
being heard (a person acknowledges the request: θ += heard_gain·(1 − θ)), being answered, more
when fast (θ += g·(1 − a/(T+1))·(1 − θ)), and promises broken (a failed request costs ℓ·θ, more
if it was acknowledged: (ℓ + promise_penalty)·θ). Whoever handled a request may learn what the
customer needs (listening × practice).

Public conversations: each customer-facing employee talks in public with customers
Poisson(public_talk·s) times a step, about one of the customer's needs. Who can answer (right
belief and expertise) builds the customer's trust; who believes the wrong thing costs it; who
does not know takes the question on as an acknowledged request. Each conversation may teach the
employee the customer's need (an insight). Conversations and a share of request outcomes are
public: each is seen by `public_reach` people of the market, passing on `public_impact` of the
change (Godes & Mayzlin 2004: online conversations as word of mouth).

Word of mouth: θ moves toward contacts' mean. Customers leave with probability churn·(1 − θ)
(Bolton 1998: satisfaction drives retention); prospects, whose θ is the company's reputation as
they hear it, become customers with probability acquisition·θ (word of mouth and reputation,
Bass 1969). Only customers raise requests and buy: each buys with probability purchase_rate·θ.

In a batch of runs (simorg.batch) each run draws its own numbers, over its own people and
customers, so run r gives exactly what it gives alone.
"""

from __future__ import annotations

import numpy as np

from simorg.batch import draw_sizes, in_run_order, pick_in_runs
from simorg.mechanisms.requests import belief_of, can_answer, open_request, reality_of
from simorg.mechanisms.sampling import thinned
from simorg.randomness import RunStreams
from simorg.state import NO_REQUEST, State, counts_in_runs


def customers_judge(
    state: State,
    raised: np.ndarray,
    resolved: np.ndarray,
    failed: np.ndarray,
    rng: RunStreams,
) -> None:
    """Customers judge this step's requests (`raised`, `resolved`, `failed`: run-major), talk
    in public and by word of mouth, and come and go."""
    cu = state.params.customers
    theta = state.customer_trust
    heard = raised[state.request_acknowledged.take(raised)]
    theta[heard] += cu.heard_gain * (1.0 - theta.take(heard))
    age = state.request_age.take(resolved)
    speed = np.maximum(0.0, 1.0 - age / (cu.request_limit + 1.0))
    theta[resolved] += cu.trust_gain * speed * (1.0 - theta.take(resolved))
    ack = state.request_acknowledged.take(failed)
    theta[failed] -= np.minimum(1.0, cu.trust_loss + cu.promise_penalty * ack) * theta.take(failed)
    tally = state.tally
    tally.requests_resolved = state.customers_per_run(resolved)
    tally.requests_failed = state.customers_per_run(failed)
    tally.resolve_time_sum = state.run_sum(age, resolved // max(state.run_customers, 1))
    tally.promises_broken = state.customers_per_run(failed[ack])

    # listening: who handled the request may learn what the customer truly needs
    holder, receiver = state.request_holder, state.request_receiver
    who = np.concatenate([holder.take(resolved), receiver.take(resolved), receiver.take(failed)])
    topic = state.request_topic
    topic = np.concatenate([topic.take(resolved), topic.take(resolved), topic.take(failed)])
    R, C = state.runs, state.run_customers
    if R > 1:  # each run's resolved holders, resolved receivers, failed receivers, as alone
        run = np.concatenate([resolved, resolved, failed]) // C
        who, topic = in_run_order(run, R, who, topic)
    p = state.params.learning.listening * state.practice.take(who)
    learns = rng.random(draw_sizes(who, state.run_size, R)) < p
    _insight(state, who[learns], topic[learns])

    closed = np.concatenate([resolved, failed])
    state.request_topic[closed] = NO_REQUEST

    good, bad = _public_conversations(state, rng)
    if R == 1:
        n_good = rng.binomial(len(resolved), cu.public_share) if len(resolved) else 0
        n_bad = rng.binomial(len(failed), cu.public_share) if len(failed) else 0
    else:  # a run with no resolved (failed) request draws nothing
        n_good = rng.binomial(draw_sizes(resolved, C, R), cu.public_share)
        n_bad = rng.binomial(draw_sizes(failed, C, R), cu.public_share)
    _word_of_mouth(state, rng, good + n_good, bad + n_bad)
    np.clip(theta, 0.0, 1.0, out=theta)
    _come_and_go(state, rng)


def _insight(state: State, who: np.ndarray, topic: np.ndarray) -> None:
    """People learn customers' true needs; one person hearing a need twice learns it once."""
    key = np.unique(who * state.m + topic)  # batch slots: the run is the major key
    who, topic = key // state.m, key % state.m
    truth = reality_of(state, who, topic)
    run: int | np.ndarray = 0
    local = who
    if state.runs > 1:
        run = who // state.run_size
        local = who - run * state.run_size
    state.tally.insights += state.people_per_run(who[state.beliefs[run, local, topic] != truth])
    state.beliefs[run, local, topic] = truth


Counts = int | np.ndarray  # one run: a number; a batch: (R,) one per run


def _public_conversations(state: State, rng: RunStreams) -> tuple[Counts, Counts]:
    """Customer-facing employees talk with customers in public; returns (good, bad) counts."""
    cu = state.params.customers
    R, n, C = state.runs, state.run_size, state.run_customers
    none: Counts = 0 if R == 1 else np.zeros(R, dtype=np.int64)
    facing = np.flatnonzero(state.customer_facing)
    customers = np.flatnonzero(state.customer_active)
    # thinning, as for platform contacts: Poisson(public_talk × facing) proposals, kept ∝ s
    talks = None
    if R == 1:
        if cu.public_talk <= 0 or len(facing) == 0 or len(customers) == 0:
            return 0, 0
        n_customers: Counts = len(customers)
    else:  # the same per run; a run without facing people or customers draws nothing
        n_customers = counts_in_runs(customers, C, R)
        talks = (counts_in_runs(facing, n, R) > 0) & (n_customers > 0)
        if cu.public_talk <= 0 or not talks.any():
            return none, none
    emp = thinned(rng, facing, cu.public_talk, state.practice, n, R, where=talks)
    if len(emp) == 0:
        return none, none
    k = draw_sizes(emp, n, R)
    cust = pick_in_runs(rng, customers, n_customers, k)
    topic = state.needs[cust, rng.integers(0, state.needs.shape[1], k)]
    answers = can_answer(state, emp, topic)
    wrong = belief_of(state, emp, topic) == -reality_of(state, emp, topic)
    unsure = ~answers & ~wrong
    theta = state.customer_trust
    good, bad = cust[answers], cust[wrong]
    theta[good] += cu.trust_gain * (1.0 - theta.take(good))
    theta[bad] -= cu.trust_loss * theta.take(bad)
    # a question the employee cannot answer becomes a request they promise to follow up
    take_on = unsure & (state.request_topic.take(cust) == NO_REQUEST)
    c, first = np.unique(cust[take_on], return_index=True)
    open_request(state, c, topic[take_on][first], emp[take_on][first], True)
    state.tally.requests_opened += state.customers_per_run(c)
    learns = rng.random(k) < state.params.learning.listening
    _insight(state, emp[learns], topic[learns])
    state.tally.public_conversations = state.people_per_run(emp)
    return draw_sizes(good, C, R), draw_sizes(bad, C, R)


def _word_of_mouth(state: State, rng: RunStreams, good: Counts, bad: Counts) -> None:
    cu = state.params.customers
    theta = state.customer_trust
    C = len(theta)
    if C == 0:
        return
    if cu.word_of_mouth > 0 and len(state.customer_indices):
        deg = state.customer_degree()
        heard = state.word_of_mouth_sums(theta)
        mean = np.divide(heard, deg, out=theta.copy(), where=deg > 0)
        theta += cu.word_of_mouth * (mean - theta)
    # public events reach many people of the market at once (only those who saw one move)
    if cu.public_reach and (_some(good) or _some(bad)):
        seen_good = np.bincount(_reached(state, rng, good * cu.public_reach), minlength=C)
        seen_bad = np.bincount(_reached(state, rng, bad * cu.public_reach), minlength=C)
        saw = np.flatnonzero(seen_good > 0)  # of a bool mask: three times faster than of counts
        up = 1.0 - (1.0 - cu.public_impact * cu.trust_gain) ** seen_good.take(saw)
        theta[saw] += up * (1.0 - theta.take(saw))
        saw = np.flatnonzero(seen_bad > 0)
        down = 1.0 - (1.0 - cu.public_impact * cu.trust_loss) ** seen_bad.take(saw)
        theta[saw] -= down * theta.take(saw)


def _some(counts: Counts) -> bool:
    return bool(counts.any()) if isinstance(counts, np.ndarray) else bool(counts)


def _reached(state: State, rng: RunStreams, k: Counts) -> np.ndarray:
    """`k` (per run) random customers of the market, each of their own run."""
    C = state.run_customers
    picks = rng.integers(0, C, k)
    if state.runs > 1:
        picks += np.repeat(np.arange(state.runs) * C, k)
    return picks


def _come_and_go(state: State, rng: RunStreams) -> None:
    """Customers leave as trust falls; prospects join as reputation rises."""
    cu = state.params.customers
    theta, active = state.customer_trust, state.customer_active
    u = rng.random(state.every_customer(), dtype=np.float32)
    leave = active & (u < cu.churn * (1.0 - theta))
    join = ~active & (u < cu.acquisition * theta)
    lost = np.flatnonzero(leave)
    state.tally.requests_withdrawn = state.customers_per_run(lost[state.request_topic[lost] >= 0])
    state.request_topic[lost] = NO_REQUEST  # a customer who leaves takes their request along
    active[lost] = False
    active[join] = True
    state.tally.customers_lost = state.customers_per_run(lost)
    state.tally.customers_won = state.customers_per_run(np.flatnonzero(join))


def customers_buy(state: State, rng: RunStreams) -> None:
    cu = state.params.customers
    draw = rng.random(state.every_customer(), dtype=np.float32)
    buys = state.customer_active & (draw < cu.purchase_rate * state.customer_trust)
    purchases = state.customers_per_run(np.flatnonzero(buys))
    state.tally.purchases = purchases
    state.tally.revenue = purchases * cu.price
