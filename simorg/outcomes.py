"""Every outcome of MODEL.md, computed once per step from the state and the step's tallies.

`OUTCOMES` is the single list of reporters: name -> (group, meaning). The DataCollector, the CLI's
tables, the experiments and the explorer's charts all read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simorg.mechanisms import learning

if TYPE_CHECKING:
    from simorg.state import State

OUTCOMES: dict[str, tuple[str, str]] = {
    "peer_trust": ("trust", "Mean trust on ties between colleagues"),
    "leadership_trust": ("trust", "Mean trust in leadership"),
    "customer_trust": ("customers", "Mean customer trust in the company (θ)"),
    "practice": ("culture", "Mean social practice (openness, two-way sharing)"),
    "adoption": ("culture", "Share of employees whose social practice is at least 0.5"),
    "cross_silo_share": ("culture", "Share of this step's contacts that cross departments"),
    "friction": ("culture", "Mean unabsorbed change per person's department"),
    "code_knowledge": ("innovation", "Organizational code knowledge, Σ c·r / m"),
    "individual_knowledge": ("innovation", "Mean individual knowledge, Σ b·r / m"),
    "belief_diversity": ("innovation", "Mean over dimensions of 1 − Σ share², beliefs"),
    "innovations": ("innovation", "Code dimensions that became right (cumulative)"),
    "insights": ("innovation", "Customer insights absorbed by employees (cumulative)"),
    "requests_opened": ("customers", "Requests raised (cumulative)"),
    "requests_resolved": ("customers", "Requests resolved (cumulative)"),
    "requests_failed": ("customers", "Requests failed (cumulative)"),
    "open_requests": ("customers", "Requests open now"),
    "resolution_time": ("customers", "Mean steps from request to resolution (cumulative)"),
    "revenue": ("customers", "Revenue this step"),
    "revenue_total": ("customers", "Revenue (cumulative)"),
    "turnover": ("organization", "Employees who left this step"),
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
    "insights": "insights",
    "requests_opened": "requests_opened",
    "requests_resolved": "requests_resolved",
    "requests_failed": "requests_failed",
    "revenue_total": "revenue",
    "turnover_total": "leavers",
    "resolve_time_total": "resolve_time_sum",
}


def belief_diversity(beliefs: np.ndarray) -> float:
    """Mean over dimensions of the Gini-Simpson index of the three belief values."""
    n = beliefs.shape[0]
    if n == 0:
        return 0.0
    return _diversity(*_belief_sums(beliefs), n)


def _belief_sums(beliefs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per dimension, Σ b (= #(+1) − #(−1)) and Σ |b| (= #(+1) + #(−1)) over people (n, m):
    two passes over the int8 beliefs instead of one per belief value."""
    total = np.einsum("nm->m", beliefs, dtype=np.int32)
    nonzero = np.einsum("nm->m", np.abs(beliefs), dtype=np.int32)
    return total.astype(np.float64), nonzero.astype(np.float64)


def _diversity(total: np.ndarray, nonzero: np.ndarray, n: int) -> float:
    shares = np.stack([(nonzero - total) / 2, n - nonzero, (nonzero + total) / 2]) / n
    return float(np.mean(1.0 - (shares**2).sum(axis=0)))


def compute(state: State, totals: dict[str, float]) -> dict[str, float]:
    """All outcomes after a step; `totals` holds the running sums and is updated here."""
    t = state.tally
    for total, step_key in CUMULATIVE.items():
        totals[total] = totals.get(total, 0.0) + t.get(step_key, 0.0)
    s = state.structure
    pop = np.bincount(s.department, minlength=s.departments)
    contacts = t.get("contacts", 0.0)
    resolved = totals["requests_resolved"]
    n, m = state.n, state.m
    total, nonzero = _belief_sums(
        state.beliefs[0]
    )  # mean individual knowledge = Σ_j total_j r_j / nm
    return {
        "peer_trust": float(state.tie_trust.mean()) if len(state.tie_trust) else 0.0,
        "leadership_trust": float(state.leadership_trust.mean()),
        "customer_trust": float(state.customer_trust.mean()) if len(state.customer_trust) else 0.0,
        "practice": float(state.practice.mean()),
        "adoption": float((state.practice >= 0.5).mean()),
        "cross_silo_share": t.get("cross_contacts", 0.0) / contacts if contacts else 0.0,
        "friction": float((state.friction * pop).sum() / max(pop.sum(), 1)),
        "code_knowledge": float(learning.code_knowledge(state.code, state.reality)[0]),
        "individual_knowledge": float(total @ state.reality[0] / (n * m)),
        "belief_diversity": _diversity(total, nonzero, n),
        "innovations": totals["innovations"],
        "insights": totals["insights"],
        "requests_opened": totals["requests_opened"],
        "requests_resolved": resolved,
        "requests_failed": totals["requests_failed"],
        "open_requests": float((state.request_topic >= 0).sum()),
        "resolution_time": totals["resolve_time_total"] / resolved if resolved else 0.0,
        "revenue": t.get("revenue", 0.0),
        "revenue_total": totals["revenue_total"],
        "turnover": t.get("leavers", 0.0),
        "turnover_total": totals["turnover_total"],
    }
