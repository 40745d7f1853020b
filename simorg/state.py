"""The organization's state as arrays, so a step is a handful of numpy operations.

People are slots 0..n-1 (a new hire takes the leaver's slot), customers are slots 0..C-1, and ties
are the entries of the structure's CSR adjacency. Knowledge arrays keep a leading batch axis of 1 so
they go straight into the March (1991) learning functions, which also run many organizations at once.
Mesa agents (agents.py) read and write these arrays through properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simorg.structures import Structure

NO_REQUEST = -1


@dataclass
class State:
    structure: Structure
    # knowledge (March 1991), batch axis of 1
    reality: np.ndarray  # (1, m) int8 in {-1, +1}
    code: np.ndarray  # (1, m) int8 in {-1, 0, +1}
    beliefs: np.ndarray  # (1, n, m) int8 in {-1, 0, +1}
    dimension_owner: np.ndarray  # (m,) department that owns each dimension
    # culture
    practice: np.ndarray  # (n,) social practice in [0, 1]
    old_practice: np.ndarray  # (n,) the culture a person started from (where resistance pulls)
    department_culture: np.ndarray  # (D,) starting practice a new hire brings
    leadership_trust: np.ndarray  # (n,) in [0, 1]
    tie_trust: np.ndarray  # (E,) trust of tie source in tie target, in [0, 1]
    customer_facing: np.ndarray  # (n,) bool
    # policies per department
    permeability: np.ndarray  # (D,)
    vision: np.ndarray  # (D,) announced openness, 0 = none
    walk: np.ndarray  # (D,) leaders' practice
    platform: np.ndarray  # (D,) bool
    friction: np.ndarray  # (D,) unabsorbed change
    # customers
    customer_trust: np.ndarray  # (C,) θ in [0, 1]
    needs: np.ndarray  # (C, q) dimensions each customer cares about
    customer_indptr: np.ndarray  # word-of-mouth ties (CSR)
    customer_indices: np.ndarray
    request_topic: np.ndarray  # (C,) dimension, NO_REQUEST when none open
    request_holder: np.ndarray  # (C,) employee holding the request
    request_receiver: np.ndarray  # (C,) employee who first received it
    request_age: np.ndarray  # (C,) steps open
    request_acknowledged: np.ndarray  # (C,) bool: someone promised an answer
    # per-step tallies the outcomes read (reset at the start of each step)
    tally: dict[str, float] = field(default_factory=dict)
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def invalidate(self) -> None:
        """Forget derived arrays after the structure or a department policy changed."""
        self._cache.clear()

    @property
    def n(self) -> int:
        return self.structure.n

    @property
    def m(self) -> int:
        return self.reality.shape[1]

    def department_of_tie_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.structure
        return s.department[s.source], s.department[s.indices]

    def tie_permeability(self) -> np.ndarray:
        """(E,) permeability a tie offers: 1 inside a department, the lower of two departments' across."""
        if "perm" not in self._cache:
            da, db = self.department_of_tie_pairs()
            self._cache["perm"] = np.where(
                da == db, 1.0, np.minimum(self.permeability[da], self.permeability[db])
            )
        return self._cache["perm"]

    def strongest_tie(self) -> np.ndarray:
        """(n,) each person's largest tie permeability (the bound for sampling contacts)."""
        if "top" not in self._cache:
            from simorg.mechanisms.sampling import row_max

            self._cache["top"] = row_max(self.structure.indptr, self.tie_permeability())
        return self._cache["top"]

    def reaches_department(self) -> np.ndarray:
        """(n, D) bool: person i has a tie into department d (routing requests)."""
        if "reach" not in self._cache:
            s = self.structure
            reach = np.zeros((s.n, s.departments), dtype=bool)
            reach[s.source, s.department[s.indices]] = True
            self._cache["reach"] = reach
        return self._cache["reach"]

    def manager_tie(self) -> np.ndarray:
        """(n,) index of the tie from each person to their manager, -1 for department heads."""
        if "mtie" not in self._cache:
            s = self.structure
            has = s.manager >= 0
            key = s.source * s.n + s.indices
            want = np.where(has, np.arange(s.n) * s.n + s.manager, -1)
            idx = np.searchsorted(key, want)
            idx = np.clip(idx, 0, max(len(key) - 1, 0))
            ok = has & (len(key) > 0) & (key[idx] == want)
            self._cache["mtie"] = np.where(ok, idx, -1)
        return self._cache["mtie"]

    def mean_tie_trust(self) -> np.ndarray:
        """(n,) each person's mean trust over their ties (their initial trust if they have none)."""
        s = self.structure
        deg = s.degree
        total = np.bincount(s.source, weights=self.tie_trust, minlength=s.n)
        return np.divide(total, deg, out=np.full(s.n, 0.5), where=deg > 0)
