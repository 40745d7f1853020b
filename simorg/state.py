"""The organization's state as arrays, so a step is a handful of numpy operations.

People are slots 0..n-1 (a new hire takes the leaver's slot), customers are slots 0..C-1, and ties
are the entries of the structure's CSR adjacency. Knowledge arrays keep a leading batch axis of 1 so
they go straight into the March (1991) learning functions, which also run many organizations at once.
Mesa agents (agents.py) read and write these arrays through properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from simorg.mechanisms.sampling import expand_rows, row_max
from simorg.performance import NKBeliefTask
from simorg.scenario import Scenario
from simorg.structures import Structure
from simorg.tally import Tally

if TYPE_CHECKING:
    from simorg.decisions import Decisions

NO_REQUEST = -1
EXPERTISE_LEVELS = 256
"""expertise_draw is a uint8 per person and dimension: person i can answer dimension j from outside
the owning department when the draw is below EXPERTISE_LEVELS × outside_expertise (requests.py)."""


NO_RECENT_CONTACT = 1e-9
"""A person's summed recent contacts (decayed counts) at or below this mean they used no tie
lately: a weight that has decayed to rounding noise does not make trust in use a ratio of two
near-zero numbers."""


def counts_in_runs(ids: np.ndarray, size: int, runs: int) -> np.ndarray:
    """(R,) int: how many of `ids` (run-major slots, `size` of them per run) fall in each run."""
    if runs == 1:
        return np.array([len(ids)])
    return np.bincount(ids // size, minlength=runs)


@dataclass
class State:
    """The one truth at run time. `params` is the run's own copy of the scenario: the current
    levels of every rate the mechanisms read (a `set` intervention changes it, never the scenario
    the user passed)."""

    params: Scenario
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
    friction: np.ndarray  # (n,) change each person experienced and has not yet absorbed
    seen_target: np.ndarray  # (n,) the practice each person saw asked of them last step
    tie_recent: np.ndarray  # (E,) recent contacts on each directed tie (decaying count)
    expertise_draw: np.ndarray  # (n, m) uint8: person i can answer j from outside if < 256·p
    known_expert: np.ndarray  # (n, m) whom each person saw answer each topic, -1 = nobody
    flipped_away: np.ndarray  # (R, m) bool: the market flipped a dimension the code had right
    # customers
    customer_trust: np.ndarray  # (C,) θ in [0, 1] (prospects too: the company's reputation)
    customer_active: np.ndarray  # (C,) bool: a customer now (else a prospect)
    needs: np.ndarray  # (C, q) dimensions each customer cares about
    customer_indptr: np.ndarray  # word-of-mouth ties (CSR)
    customer_indices: np.ndarray
    request_topic: np.ndarray  # (C,) dimension, NO_REQUEST when none open
    request_holder: np.ndarray  # (C,) employee holding the request
    request_receiver: np.ndarray  # (C,) employee who first received it
    request_age: np.ndarray  # (C,) steps open (float: a hand-over takes a fraction of a step)
    request_acknowledged: np.ndarray  # (C,) bool: someone promised an answer
    request_held: np.ndarray  # (C,) hand-overs the current holder has kept it without progress
    request_from: np.ndarray  # (C,) who handed it to its current holder (-1: nobody)
    # this step's events per run, which the outcomes read (reset at the start of each step)
    tally: Tally = field(default_factory=Tally)
    # what interventions changed, in order: {"step", "action", "departments", "changed"}
    changes: list[dict] = field(default_factory=list)
    # what human players decided this round (the workshop; None when nobody plays)
    decisions: Decisions | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)  # arrays and tuples of them
    # issue 9: the NK task (None: March's additive reality); department codes (D, m) or None
    task: NKBeliefTask | None = None
    department_code: np.ndarray | None = None
    # the replication axis (simorg.batch): R runs of one scenario side by side, each with
    # `run_size` employee slots (run r's are r·run_size …) and `run_customers` customers
    runs: int = 1

    @property
    def run_size(self) -> int:
        """Employee slots of each run."""
        return self.structure.n // self.runs

    @property
    def run_customers(self) -> int:
        """Customers of each run."""
        return len(self.customer_trust) // self.runs

    def everyone(self) -> np.ndarray:
        """(R,) each run's number of employee slots: the draw sizes of one draw per person."""
        return np.full(self.runs, self.run_size)

    def every_customer(self) -> np.ndarray:
        """(R,) each run's number of customers: the draw sizes of one draw per customer."""
        return np.full(self.runs, self.run_customers)

    def people_per_run(self, people: np.ndarray) -> np.ndarray:
        """(R,) float: how many of `people` (slots) belong to each run (a tally of people)."""
        return counts_in_runs(people, self.run_size, self.runs).astype(np.float64)

    def people_where(self, people: np.ndarray, where: np.ndarray) -> np.ndarray:
        """(R,) float: how many of `people[where]` belong to each run (one run: a count, with no
        copy of the chosen people)."""
        if self.runs == 1:
            return np.array([float(np.count_nonzero(where))])
        return counts_in_runs(people[where], self.run_size, self.runs).astype(np.float64)

    def customers_per_run(self, customers: np.ndarray) -> np.ndarray:
        """(R,) float: how many of `customers` belong to each run."""
        return counts_in_runs(customers, self.run_customers, self.runs).astype(np.float64)

    def run_sum(self, values: np.ndarray, run: np.ndarray) -> np.ndarray:
        """(R,) each run's `values.sum()`, with the same rounding as the run alone (numpy's
        pairwise sum over the run's values in their order)."""
        if self.runs == 1:
            return np.array([float(values.sum())])
        return np.array([float(values[run == r].sum()) for r in range(self.runs)])

    def restructure(self, new: Structure) -> np.ndarray:
        """Swap in a new tie structure, carrying trust and recent contacts over on the ties that
        survive (a new tie gets the trust of ties at the start and no recent contact); returns
        (E_new,) bool: the tie survived."""
        old = self.structure
        old_key = old.source * old.n + old.indices
        new_key = new.source * new.n + new.indices
        pos = np.clip(np.searchsorted(old_key, new_key), 0, max(len(old_key) - 1, 0))
        kept = (len(old_key) > 0) & (old_key[pos] == new_key)
        trust = np.full(len(new_key), self.params.conversation.initial_tie_trust)
        trust[kept] = self.tie_trust[pos[kept]]
        recent = np.zeros(len(new_key), dtype=np.float32)
        recent[kept] = self.tie_recent[pos[kept]]
        self.structure, self.tie_trust, self.tie_recent = new, trust, recent
        self.invalidate()
        return kept

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
        structure = self.structure
        return structure.department[structure.source], structure.department[structure.indices]

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
            self._cache["top"] = row_max(self.structure.indptr, self.tie_permeability())
        return self._cache["top"]

    def reaches_department(self) -> np.ndarray:
        """(n, D) bool: person i has a tie into department d (routing requests)."""
        if "reach" not in self._cache:
            structure = self.structure
            reach = np.zeros((structure.n, structure.departments), dtype=bool)
            reach[structure.source, structure.department[structure.indices]] = True
            self._cache["reach"] = reach
        return self._cache["reach"]

    def manager_tie(self) -> np.ndarray:
        """(n,) index of the tie from each person to their manager, -1 for department heads."""
        if "mtie" not in self._cache:
            structure = self.structure
            has = structure.manager >= 0
            key = structure.source * structure.n + structure.indices
            want = np.where(has, np.arange(structure.n) * structure.n + structure.manager, -1)
            idx = np.searchsorted(key, want)
            idx = np.clip(idx, 0, max(len(key) - 1, 0))
            ok = has & (len(key) > 0) & (key[idx] == want)
            self._cache["mtie"] = np.where(ok, idx, -1)
        return self._cache["mtie"]

    def degree(self) -> np.ndarray:
        """(n,) number of ties of each person."""
        if "deg" not in self._cache:
            self._cache["deg"] = self.structure.degree
        return self._cache["deg"]

    def tie_crosses(self) -> np.ndarray:
        """(E,) bool: the tie joins two departments."""
        if "crosses" not in self._cache:
            self._cache["crosses"] = self.structure.crosses
        return self._cache["crosses"]

    def role_model(self) -> np.ndarray:
        """(n,) whose practice each person sees as their manager's (their own for department heads)."""
        if "boss" not in self._cache:
            structure = self.structure
            self._cache["boss"] = np.where(
                structure.manager >= 0, structure.manager, np.arange(structure.n)
            )
        return self._cache["boss"]

    def tie_acceptance(self) -> np.ndarray:
        """(E,) each tie's permeability over the largest in its row: the chance that a contact
        proposed uniformly along one's ties goes ahead (sampling.choose_ties)."""
        if "accept" not in self._cache:
            structure = self.structure
            top = self.strongest_tie().take(structure.source)
            perm = self.tie_permeability()
            accept = np.divide(perm, top, out=np.zeros_like(perm), where=top > 0)
            self._cache["accept"] = accept.astype(np.float32)  # compact: read at random
        return self._cache["accept"]

    def callers(self, contacts: int) -> tuple[np.ndarray, ...]:
        """Each person with a tie of positive weight, `contacts` times in a row, with the start
        and length of their row of ties: (who, start, degree)."""
        key = f"callers{contacts}"
        if key not in self._cache:
            who = np.repeat(np.flatnonzero(self.strongest_tie() > 0), contacts)
            start, degree = self.structure.indptr[who], self.degree()[who]
            self._cache[key] = (who, start, degree.astype(np.int32))
        return self._cache[key]

    def informal_means(self, per_person: np.ndarray, fallback: np.ndarray) -> np.ndarray:
        """(n,) each person's mean of a per-person quantity over the informal leaders among
        their ties (`fallback` where there are none), on the few ties that reach one."""
        if "informal_adj" not in self._cache:
            structure = self.structure
            to_inf = structure.informal_leader.take(structure.indices)
            adj = sp.csr_array(  # copies: eliminate_zeros works in place
                (to_inf.astype(np.float64), structure.indices.copy(), structure.indptr.copy()),
                shape=(structure.n, structure.n),
            )
            adj.eliminate_zeros()
            self._cache["informal_adj"] = adj
            inf = self.informal_ties()  # whole counts: ≥ 1 where there is any
            self._cache["informal_count"] = (inf > 0, np.maximum(inf, 1.0))
        has, count = self._cache["informal_count"]
        total = self._cache["informal_adj"] @ per_person
        # the same quotients as np.divide(..., where=has), whose masked loop costs three times more
        return np.where(has, total / count, fallback)

    def informal_ties(self) -> np.ndarray:
        """(n,) number of informal leaders among each person's tie partners."""
        if "informal" not in self._cache:
            self._cache["informal"] = self.neighbour_sums(
                self.structure.informal_leader.astype(np.float64)
            )
        return self._cache["informal"]

    def platform_users(self) -> np.ndarray:
        """People whose department has the enterprise platform."""
        if "platform" not in self._cache:
            self._cache["platform"] = np.flatnonzero(self.platform[self.structure.department])
        return self._cache["platform"]

    def row_sums(self, per_tie: np.ndarray) -> np.ndarray:
        """(n,) each person's sum of a per-tie quantity (CSR rows are contiguous: one reduceat)."""
        if "rows" not in self._cache:
            has = np.flatnonzero(self.degree() > 0)
            self._cache["rows"] = (has, self.structure.indptr[:-1][has])
        has, starts = self._cache["rows"]
        out = np.zeros(self.n)
        if len(per_tie):
            out[has] = np.add.reduceat(per_tie, starts, dtype=np.float64)
        return out

    def tie_sums(self, per_tie: np.ndarray) -> np.ndarray:
        """(n,) each person's sum of a per-tie quantity over their ties (a CSR row sum)."""
        structure = self.structure
        if "ones" not in self._cache:
            self._cache["ones"] = np.ones(structure.n)
        return (
            sp.csr_array(
                (per_tie, structure.indices, structure.indptr), shape=(structure.n, structure.n)
            )
            @ self._cache["ones"]
        )

    def neighbour_sums(self, per_person: np.ndarray) -> np.ndarray:
        """(n,) each person's sum of a per-person quantity over the people they have ties to."""
        if "adjacency" not in self._cache:
            structure = self.structure
            ones = np.ones(len(structure.indices))
            self._cache["adjacency"] = sp.csr_array(
                (ones, structure.indices, structure.indptr), shape=(structure.n, structure.n)
            )
        return self._cache["adjacency"] @ per_person

    def customer_degree(self) -> np.ndarray:
        """(C,) word-of-mouth contacts of each customer."""
        if "cdeg" not in self._cache:
            self._cache["cdeg"] = np.diff(self.customer_indptr)
        return self._cache["cdeg"]

    def word_of_mouth_sums(self, per_customer: np.ndarray) -> np.ndarray:
        """(C,) each customer's sum of a per-customer quantity over their word-of-mouth contacts."""
        if "word_of_mouth" not in self._cache:
            C = len(self.customer_trust)
            ones = np.ones(len(self.customer_indices))
            self._cache["word_of_mouth"] = sp.csr_array(
                (ones, self.customer_indices, self.customer_indptr), shape=(C, C)
            )
        return self._cache["word_of_mouth"] @ per_customer

    def trust_in_use(self, people: np.ndarray | None = None) -> np.ndarray:
        """Each person's trust over the ties they use, weighted by recent contacts (their
        trust in leadership when they have used none lately)."""
        w = self.tie_recent
        if people is None:
            total, weight = self.row_sums(w * self.tie_trust), self.row_sums(w)
            fallback = self.leadership_trust
        else:
            pos, ties = expand_rows(self.structure.indptr, people)
            wt = w.take(ties)  # the people's ties only (the same products as over every tie)
            total = np.bincount(pos, weights=wt * self.tie_trust.take(ties), minlength=len(people))
            weight = np.bincount(pos, weights=wt, minlength=len(people))
            fallback = self.leadership_trust[people]
        return np.divide(
            total, weight, out=fallback.astype(np.float64), where=weight > NO_RECENT_CONTACT
        )

    def trust_in_use_rows(self, people: np.ndarray) -> np.ndarray:
        """`trust_in_use()[people]`, bit for bit (the same reduceat over each row's ties,
        gathered), at the cost of those people's ties only."""
        deg = self.degree().take(people)
        has = np.flatnonzero(deg > 0)
        total, weight = np.zeros(len(people)), np.zeros(len(people))
        if len(has):
            _, ties = expand_rows(self.structure.indptr, people.take(has))
            c = deg.take(has)
            starts = np.cumsum(c) - c
            w = self.tie_recent.take(ties)
            total[has] = np.add.reduceat(w * self.tie_trust.take(ties), starts, dtype=np.float64)
            weight[has] = np.add.reduceat(w, starts, dtype=np.float64)
        fallback = self.leadership_trust.take(people)
        return np.divide(
            total, weight, out=fallback.astype(np.float64), where=weight > NO_RECENT_CONTACT
        )

    def mean_tie_trust(self, people: np.ndarray | None = None) -> np.ndarray:
        """Each person's mean trust over their ties (their initial trust if they have none), for
        everyone or for `people` only."""
        if people is None:
            total, deg = self.tie_sums(self.tie_trust), self.degree()
        else:
            pos, ties = expand_rows(self.structure.indptr, people)
            total = np.bincount(pos, weights=self.tie_trust[ties], minlength=len(people))
            deg = self.degree()[people]
        stranger = self.params.conversation.initial_tie_trust  # someone with no ties: a stranger's
        return np.divide(total, deg, out=np.full(len(deg), stranger), where=deg > 0)
