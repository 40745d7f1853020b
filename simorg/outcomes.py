"""Every outcome of the model, computed from the state and the step's tallies when recorded.

`OUTCOMES` is the single list of reporters: name -> (group, meaning). The DataCollector, the CLI's
tables, the experiments and the explorer's charts all read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simorg.mechanisms import learning

if TYPE_CHECKING:
    from simorg.batch import Measured
    from simorg.state import State
    from simorg.tally import Tally

OUTCOMES: dict[str, tuple[str, str]] = {
    "peer_trust": (
        "trust",
        "Trust between colleagues over the ties they use, weighted by recent contacts",
    ),
    "dormant_ties": ("trust", "Share of ties without recent contact (dormant)"),
    "leadership_trust": ("trust", "Mean trust in leadership"),
    "customer_trust": ("customers", "Mean trust of current customers in the company (θ)"),
    "reputation": ("customers", "Mean trust of prospects in the company (what the market hears)"),
    "practice": ("culture", "Mean social practice (openness, two-way sharing)"),
    "adoption": ("culture", "Share of employees whose social practice is at least 0.5"),
    "open_share": ("culture", "Share of this step's contacts that were open and two-way"),
    "cross_silo_share": ("culture", "Share of this step's contacts that cross departments"),
    "friction": ("culture", "Mean change people experienced and have not absorbed"),
    "code_knowledge": ("innovation", "Organizational code knowledge, Σ c·r / m"),
    "individual_knowledge": ("innovation", "Mean individual knowledge, Σ b·r / m"),
    "belief_diversity": ("innovation", "Mean over dimensions of 1 − Σ share², beliefs"),
    "innovations": (
        "innovation",
        "Code dimensions that became right, not counting re-learning after a market shift (cumulative)",
    ),
    "relearned": (
        "innovation",
        "Code dimensions re-learned after the market flipped them (cumulative)",
    ),
    "insights": ("innovation", "Customer insights absorbed by employees (cumulative)"),
    "lessons": (
        "innovation",
        "Wrong beliefs corrected by failed or escalated requests (cumulative)",
    ),
    "requests_opened": ("customers", "Requests raised (cumulative)"),
    "requests_resolved": ("customers", "Requests resolved (cumulative)"),
    "requests_failed": ("customers", "Requests failed (cumulative)"),
    "failure_share": ("customers", "Share of requests closed this run that failed"),
    "escalations": ("customers", "Requests escalated to a manager (cumulative)"),
    "open_requests": ("customers", "Requests open now"),
    "resolution_time": ("customers", "Mean weeks from request to answer (cumulative)"),
    "customers": ("customers", "Customers now"),
    "customers_won": ("customers", "Prospects who became customers (cumulative)"),
    "customers_lost": ("customers", "Customers who left (cumulative)"),
    "revenue": ("customers", "Revenue this step"),
    "revenue_total": ("customers", "Revenue (cumulative)"),
    "turnover": ("organization", "Employees who left this step, as a share per year"),
    "turnover_total": ("organization", "Employees who left (cumulative)"),
}

# Outcomes that count people, requests or ideas: whole numbers, stored as int64 in results files.
COUNTS: frozenset[str] = frozenset(
    {
        "innovations",
        "insights",
        "requests_opened",
        "requests_resolved",
        "requests_failed",
        "open_requests",
        "turnover",
        "turnover_total",
    }
)

CUMULATIVE = {
    "innovations": "innovations",
    "relearned": "relearned",
    "insights": "insights",
    "lessons": "lessons",
    "requests_opened": "requests_opened",
    "requests_resolved": "requests_resolved",
    "requests_failed": "requests_failed",
    "escalations": "escalations",
    "customers_won": "customers_won",
    "customers_lost": "customers_lost",
    "revenue_total": "revenue",
    "turnover_total": "leavers",
    "resolve_time_total": "resolve_time_sum",
    "requests_withdrawn": "requests_withdrawn",
}

WEEKS_PER_YEAR = 52.0
ADOPTED = 0.5
"""`adoption` counts a person whose social practice is at least this: more open than closed."""
DORMANT = 0.1
"""A tie whose decaying count of recent contacts is below this is dormant (with contact_memory
0.9, one contact more than about 22 weeks ago)."""


def _belief_sums(beliefs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per dimension, Σ b (= #(+1) − #(−1)) and Σ |b| (= #(+1) + #(−1)) over people (n, m):
    two passes over the int8 beliefs instead of one per belief value (summed in int16 while
    |Σ| ≤ n fits it: twice as fast as int32, and exact)."""
    wide = np.int16 if beliefs.shape[0] < 2**15 else np.int32
    total = _column_sums(beliefs, wide)
    nonzero = _column_sums(np.abs(beliefs), wide)
    return total.astype(np.float64), nonzero.astype(np.float64)


INT8_BLOCK = 127
"""Rows of values in {−1, 0, +1} whose column sums cannot leave int8."""


def _column_sums(values: np.ndarray, wide: type) -> np.ndarray:
    """Exact column sums of (n, m) int8 values in {−1, 0, +1}, in `wide`: each block of `INT8_BLOCK`
    rows summed in int8 (no cast of every value, which costs einsum as much as the sum), then the
    blocks' sums (the two sums take a quarter less time at 10,000 people)."""
    n, m = values.shape
    blocks = n // INT8_BLOCK
    head = values[: blocks * INT8_BLOCK].reshape(blocks, INT8_BLOCK, m)
    rest = values[blocks * INT8_BLOCK :]
    return np.einsum("bkm->bm", head).sum(axis=0, dtype=wide) + rest.sum(axis=0, dtype=wide)


def _diversity(total: np.ndarray, nonzero: np.ndarray, n: int) -> float:
    shares = np.stack([(nonzero - total) / 2, n - nonzero, (nonzero + total) / 2]) / n
    return float(np.mean(1.0 - (shares**2).sum(axis=0)))


def accumulate(tally: Tally, totals: dict[str, np.ndarray]) -> None:
    """Add a step's tallies (per run) to the running sums (every step, recorded or not: it is
    cheap)."""
    for total, step_key in CUMULATIVE.items():
        step = getattr(tally, step_key)
        totals[total] = totals[total] + step if total in totals else step.copy()


def compute(
    state: State, totals: dict[str, np.ndarray], tally: bool = True
) -> list[dict[str, float]]:
    """All outcomes after a step, one dict per run of the state; `totals` holds the running sums
    (per run) and is updated here with the step's tallies (`tally=False`: already added by
    `accumulate`, so only measure)."""
    if tally:
        accumulate(state.tally, totals)
    if state.runs == 1:
        return [_measure(state, {k: float(v[0]) for k, v in totals.items()})]
    from simorg.batch import measured  # a batch is measured run by run: the sums of each alone

    return [
        _measure(measured(state, r), {k: float(v[r]) for k, v in totals.items()})
        for r in range(state.runs)
    ]


def _measure(state: State | Measured, totals: dict[str, float]) -> dict[str, float]:
    """The outcomes of one run (a state with runs = 1, or a run's arrays), from its totals."""
    tl = state.tally.of_run(0)
    contacts = tl["contacts"]
    resolved = totals["requests_resolved"]
    closed = resolved + totals["requests_failed"]
    recent = state.tie_recent
    in_use = float(recent.sum())
    active = state.customer_active
    theta = state.customer_trust
    n = state.n
    total, nonzero = _belief_sums(
        state.beliefs[0]
    )  # mean individual knowledge = Σ_j total_j r_j / nm
    return {
        "peer_trust": float(np.einsum("e,e->", recent, state.tie_trust) / in_use)
        if in_use > 0
        else 0.0,
        # the count over the length is the bools' float `.mean()`, at a quarter of the cost
        "dormant_ties": np.count_nonzero(recent < DORMANT) / len(recent) if len(recent) else 0.0,
        "leadership_trust": float(state.leadership_trust.mean()),
        "customer_trust": float(theta[active].mean()) if active.any() else 0.0,
        "reputation": float(theta[~active].mean()) if (~active).any() else 0.0,
        "practice": float(state.practice.mean()),
        "adoption": float((state.practice >= ADOPTED).mean()),
        "open_share": tl["open_contacts"] / contacts if contacts else 0.0,
        "cross_silo_share": tl["cross_contacts"] / contacts if contacts else 0.0,
        "friction": float(state.friction.mean()),
        "code_knowledge": _code_knowledge(state),
        "individual_knowledge": _individual_knowledge(state, total),
        "belief_diversity": _diversity(total, nonzero, n),
        "innovations": totals["innovations"],
        "relearned": totals["relearned"],
        "insights": totals["insights"],
        "lessons": totals["lessons"],
        "requests_opened": totals["requests_opened"],
        "requests_resolved": resolved,
        "requests_failed": totals["requests_failed"],
        "failure_share": totals["requests_failed"] / closed if closed else 0.0,
        "escalations": totals["escalations"],
        "open_requests": float((state.request_topic >= 0).sum()),
        "resolution_time": totals["resolve_time_total"] / resolved if resolved else 0.0,
        "customers": float(np.count_nonzero(active)),
        "customers_won": totals["customers_won"],
        "customers_lost": totals["customers_lost"],
        "revenue": tl["revenue"],
        "revenue_total": totals["revenue_total"],
        "turnover": tl["leavers"] * WEEKS_PER_YEAR / max(n, 1),
        "turnover_total": totals["turnover_total"],
    }


def _code_knowledge(state: State | Measured) -> float:
    """March's Σ c·r / m, or on an NK task the code's expected score (zeros as coins)."""
    if state.task is None:
        return float(learning.code_knowledge(state.code, state.reality)[0])
    return float(state.task.beliefs(state.code[:, None, :])[0, 0])


def _individual_knowledge(state: State | Measured, total: np.ndarray) -> float:
    """Mean Σ b·r / m (from the belief sums `total`), or on an NK task people's mean expected
    score."""
    if state.task is None:
        return float(total @ state.reality[0] / (state.n * state.m))
    return float(state.task.beliefs(state.beliefs).mean())
