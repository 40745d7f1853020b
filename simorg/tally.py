"""What happened in one step, counted per run: the tallies the outcomes read.

Each field is an (R,) float64 array, one entry per run of the batch (R = 1 for a model alone), reset
at the start of every step. Mechanisms add to them; `outcomes.accumulate` keeps the running sums.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np


def _zeros() -> np.ndarray:
    return np.zeros(1)


@dataclass
class Tally:
    """This step's events, per run (see docs/odd.md for what counts as each)."""

    runs: int = 1
    contacts: np.ndarray = field(default_factory=_zeros)  # colleague contacts made
    cross_contacts: np.ndarray = field(default_factory=_zeros)  # of them across departments
    open_contacts: np.ndarray = field(default_factory=_zeros)  # of them open and two-way
    requests_opened: np.ndarray = field(default_factory=_zeros)
    requests_resolved: np.ndarray = field(default_factory=_zeros)
    requests_failed: np.ndarray = field(default_factory=_zeros)
    requests_withdrawn: np.ndarray = field(default_factory=_zeros)  # their customer left
    resolve_time_sum: np.ndarray = field(default_factory=_zeros)  # weeks, over resolved requests
    promises_broken: np.ndarray = field(default_factory=_zeros)  # acknowledged requests failed
    crossings: np.ndarray = field(default_factory=_zeros)  # hand-overs across departments
    escalations: np.ndarray = field(default_factory=_zeros)
    public_conversations: np.ndarray = field(default_factory=_zeros)
    insights: np.ndarray = field(default_factory=_zeros)  # customer needs learned
    lessons: np.ndarray = field(default_factory=_zeros)  # wrong beliefs corrected by failures
    innovations: np.ndarray = field(default_factory=_zeros)
    relearned: np.ndarray = field(default_factory=_zeros)
    customers_won: np.ndarray = field(default_factory=_zeros)
    customers_lost: np.ndarray = field(default_factory=_zeros)
    purchases: np.ndarray = field(default_factory=_zeros)
    revenue: np.ndarray = field(default_factory=_zeros)
    leavers: np.ndarray = field(default_factory=_zeros)

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name != "runs" and len(getattr(self, f.name)) != self.runs:
                setattr(self, f.name, np.zeros(self.runs))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if f.name != "runs")

    def of_run(self, r: int) -> dict[str, float]:
        """Run r's tallies as plain numbers."""
        return {name: float(getattr(self, name)[r]) for name in self.names()}
