"""The replication axis: R runs of one scenario as one state, so a step is one array program.

Run r's employees are slots r·n … r·n + n − 1 of the batch (n = `State.run_size`), its customers
r·C … (C = `State.run_customers`), its ties a contiguous block of the CSR arrays and its knowledge
row r of the (R, …) arrays. Ties, requests and memories hold batch slot numbers, so a mechanism
indexes the batch as it would one run; the runs never touch, since no tie or request crosses
runs. Department policies and the parameters are shared: every run is the same scenario, changed by
the same interventions at the same steps. Each run draws from its own streams
(`randomness.RunStreams`), so run r of a batch gives the numbers of its seed run alone.

`stack` builds a batch from runs built alone (simorg.initial), `split` gives a run back (for
outcomes, tests and tools); `run_major` orders a mechanism's items run by run.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from simorg.performance import NKBeliefTask, NKLandscape
from simorg.randomness import RunStreams
from simorg.state import State, counts_in_runs
from simorg.structures import Structure
from simorg.tally import Tally

# State fields that hold employee slots (shifted by r·n in a batch; −1 stays −1)
SLOT_FIELDS = ("request_holder", "request_receiver", "request_from", "known_expert")
# State fields shared by every run of a batch (the same scenario and interventions)
SHARED_FIELDS = (
    "params", "dimension_owner", "department_culture", "permeability", "vision", "walk",
    "platform", "changes", "decisions", "_cache",
)  # fmt: skip
TIE_FIELDS = ("tie_trust", "tie_recent")
CUSTOMER_FIELDS = ("customer_trust", "customer_active", "needs", "request_topic", "request_age",
    "request_acknowledged", "request_held")  # fmt: skip
# per run, kept as rows of an (R, …) array
ROW_FIELDS = ("reality", "code", "beliefs", "flipped_away")


def _shift(a: np.ndarray, by: int) -> np.ndarray:
    return np.where(a >= 0, a + by, a) if by else a.copy()


def stack_structures(parts: list[Structure]) -> Structure:
    """One structure of R runs' structures, runs side by side (slot r·n + i is run r's i)."""
    n = parts[0].n
    if any(p.n != n for p in parts):
        raise ValueError("the runs of a batch must have the same number of employees")
    ties = np.cumsum([0] + [len(p.indices) for p in parts])
    cat = np.concatenate
    return replace(
        parts[0],
        n=n * len(parts),
        department=cat([p.department for p in parts]),
        manager=cat([_shift(p.manager, r * n) for r, p in enumerate(parts)]),
        level=cat([p.level for p in parts]),
        is_leader=cat([p.is_leader for p in parts]),
        informal_leader=cat([p.informal_leader for p in parts]),
        media_team=cat([p.media_team for p in parts]),
        project_team=cat([p.project_team for p in parts]),
        indptr=cat([p.indptr[:-1] + ties[r] for r, p in enumerate(parts)] + [ties[-1:]]),
        indices=cat([p.indices + r * n for r, p in enumerate(parts)]),
        kind=cat([p.kind for p in parts]),
        reverse=cat([p.reverse + ties[r] for r, p in enumerate(parts)]),
        source=cat([p.source + r * n for r, p in enumerate(parts)]),
    )


def split_structure(structure: Structure, runs: int) -> list[Structure]:
    """The runs' own structures (copies, slots from 0), the inverse of `stack_structures`."""
    return [_structure_of_run(structure, runs, r) for r in range(runs)]


def _structure_of_run(structure: Structure, runs: int, r: int) -> Structure:
    """Run r's own structure (copies, slots from 0)."""
    n = structure.n // runs
    lo, hi = int(structure.indptr[r * n]), int(structure.indptr[(r + 1) * n])
    sl = slice(r * n, (r + 1) * n)
    return replace(
        structure,
        n=n,
        department=structure.department[sl].copy(),
        manager=_shift(structure.manager[sl], -r * n),
        level=structure.level[sl].copy(),
        is_leader=structure.is_leader[sl].copy(),
        informal_leader=structure.informal_leader[sl].copy(),
        media_team=structure.media_team[sl].copy(),
        project_team=structure.project_team[sl].copy(),
        indptr=structure.indptr[r * n : (r + 1) * n + 1] - lo,
        indices=structure.indices[lo:hi] - r * n,
        kind=structure.kind[lo:hi].copy(),
        reverse=structure.reverse[lo:hi] - lo,
        source=structure.source[lo:hi] - r * n,
    )


def _stack_task(tasks: list[NKBeliefTask | None]) -> NKBeliefTask | None:
    if tasks[0] is None:
        return None
    assert all(t is not None for t in tasks)
    land = NKLandscape(
        np.concatenate([t.landscape.dependencies for t in tasks]),  # type: ignore[union-attr]
        np.concatenate([t.landscape.contributions for t in tasks]),  # type: ignore[union-attr]
    )
    return NKBeliefTask(land, tasks[0].normalise, tasks[0].power)


def _task_of_run(task: NKBeliefTask | None, r: int) -> NKBeliefTask | None:
    if task is None:
        return None
    land = NKLandscape(
        task.landscape.dependencies[r : r + 1].copy(),
        task.landscape.contributions[r : r + 1].copy(),
    )
    return NKBeliefTask(land, task.normalise, task.power)


def stack(states: list[State]) -> State:
    """One batch of runs built alone (the same scenario, different seeds); the states given are
    not changed. Run r of the batch is `states[r]`."""
    runs = len(states)
    first = states[0]
    n, C = first.n, len(first.customer_trust)
    values: dict[str, object] = {}
    for f in fields(State):
        name = f.name
        parts = [getattr(s, name) for s in states]
        if name in SHARED_FIELDS:
            values[name] = parts[0]
        elif name == "structure":
            values[name] = stack_structures(parts)
        elif name in SLOT_FIELDS:
            values[name] = np.concatenate([_shift(p, r * n) for r, p in enumerate(parts)])
        elif name == "customer_indptr":
            edges = np.cumsum([0] + [len(s.customer_indices) for s in states])
            values[name] = np.concatenate(
                [p[:-1] + edges[r] for r, p in enumerate(parts)] + [edges[-1:]]
            )
        elif name == "customer_indices":
            values[name] = np.concatenate([p + r * C for r, p in enumerate(parts)])
        elif name == "task":
            values[name] = _stack_task(parts)
        elif name == "department_code":
            values[name] = None if parts[0] is None else np.concatenate(parts)
        elif name == "tally":
            values[name] = Tally(runs)
        elif name == "runs":
            values[name] = runs
        else:  # per-person, per-tie, per-customer arrays and (1, …) rows: runs one after another
            values[name] = np.concatenate(parts)
    values["_cache"] = {}
    values["changes"] = list(first.changes)
    return State(**values)  # type: ignore[arg-type]


def split(state: State, r: int) -> State:
    """Run r of a batch as a state of its own (copies: changing it does not change the batch)."""
    R = state.runs
    n, C = state.run_size, state.run_customers
    structure = state.structure
    ties = slice(int(structure.indptr[r * n]), int(structure.indptr[(r + 1) * n]))
    people, customers = slice(r * n, (r + 1) * n), slice(r * C, (r + 1) * C)
    D = structure.departments
    values: dict[str, object] = {}
    for f in fields(State):
        name = f.name
        v = getattr(state, name)
        if name in SHARED_FIELDS:
            values[name] = v
        elif name == "structure":
            values[name] = _structure_of_run(structure, R, r)
        elif name in ROW_FIELDS:
            values[name] = v[r : r + 1].copy()
        elif name in SLOT_FIELDS:
            part = v[people] if name == "known_expert" else v[customers]
            values[name] = _shift(part, -r * n)
        elif name == "customer_indptr":
            lo = int(v[r * C])
            values[name] = v[r * C : (r + 1) * C + 1] - lo
        elif name == "customer_indices":
            lo, hi = int(state.customer_indptr[r * C]), int(state.customer_indptr[(r + 1) * C])
            values[name] = v[lo:hi] - r * C
        elif name == "task":
            values[name] = _task_of_run(v, r)
        elif name == "department_code":
            values[name] = None if v is None else v[r * D : (r + 1) * D].copy()
        elif name == "tally":
            t = Tally(1)
            for key in Tally.names():
                setattr(t, key, getattr(v, key)[r : r + 1].copy())
            values[name] = t
        elif name == "runs":
            values[name] = 1
        elif name in TIE_FIELDS:
            values[name] = v[ties].copy()
        elif name in CUSTOMER_FIELDS:
            values[name] = v[customers].copy()
        else:  # per person
            values[name] = v[people].copy()
    values["_cache"] = {}
    return State(**values)  # type: ignore[arg-type]


@dataclass
class Measured:
    """What the outcomes read of one run of a batch: views of its arrays (no copies), with the
    names and shapes of a one-run State's."""

    tally: Tally
    tie_recent: np.ndarray
    tie_trust: np.ndarray
    customer_active: np.ndarray
    customer_trust: np.ndarray
    practice: np.ndarray
    leadership_trust: np.ndarray
    friction: np.ndarray
    request_topic: np.ndarray
    beliefs: np.ndarray  # (1, n, m)
    reality: np.ndarray  # (1, m)
    code: np.ndarray  # (1, m)
    task: NKBeliefTask | None

    @property
    def n(self) -> int:
        return self.beliefs.shape[1]

    @property
    def m(self) -> int:
        return self.reality.shape[1]


def measured(state: State, r: int) -> Measured:
    """Run r's arrays as the outcomes read them (simorg.outcomes), as views."""
    n, C = state.run_size, state.run_customers
    indptr = state.structure.indptr
    ties = slice(int(indptr[r * n]), int(indptr[(r + 1) * n]))
    people, customers = slice(r * n, (r + 1) * n), slice(r * C, (r + 1) * C)
    t = Tally(1)
    for key in Tally.names():
        setattr(t, key, getattr(state.tally, key)[r : r + 1])
    return Measured(
        tally=t,
        tie_recent=state.tie_recent[ties],
        tie_trust=state.tie_trust[ties],
        customer_active=state.customer_active[customers],
        customer_trust=state.customer_trust[customers],
        practice=state.practice[people],
        leadership_trust=state.leadership_trust[people],
        friction=state.friction[people],
        request_topic=state.request_topic[customers],
        beliefs=state.beliefs[r : r + 1],
        reality=state.reality[r : r + 1],
        code=state.code[r : r + 1],
        task=_task_of_run(state.task, r),
    )


def draw_sizes(ids: np.ndarray, size: int, runs: int) -> int | np.ndarray:
    """The sizes of one draw per item of `ids` (run-major batch slots, `size` of them per run):
    (R,) how many fall in each run; one run: just how many."""
    return len(ids) if runs == 1 else counts_in_runs(ids, size, runs)


def starts(counts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """For draws of `sizes` (R,) per run, where each draw's run begins in a run-major list that
    has `counts` (R,) items per run (to turn a run's local pick into a place in the list)."""
    return np.repeat(np.cumsum(counts) - counts, sizes)


def pick_in_runs(
    rng: RunStreams, members: np.ndarray, counts: int | np.ndarray, sizes: int | np.ndarray
) -> np.ndarray:
    """`sizes` (per run) members drawn at random, each from its own run's: `members` is a
    run-major list with `counts` (R,) per run. One run: members[integers(0, len(members))]."""
    if np.ndim(sizes) == 0:
        return members[rng.integers(0, len(members), sizes)]
    at = rng.integers(0, counts, sizes)
    at += starts(np.asarray(counts), np.asarray(sizes))
    return members[at]


def in_run_order(run: np.ndarray, runs: int, *items: np.ndarray) -> list[np.ndarray]:
    """`items` (lists built from pieces, e.g. round after round) reordered run by run, each
    run's items in their order, so that they line up with the run's draws as alone."""
    order = run_major(run, runs)
    return list(items) if order is None else [a.take(order, axis=0) for a in items]


def run_of(ids: np.ndarray, size: int) -> np.ndarray:
    """The run of each batch slot in `ids` (employees: size = run_size; customers: run_customers)."""
    return ids // size


def run_major(run: np.ndarray, runs: int) -> np.ndarray | None:
    """The order that groups items run by run, keeping each run's items in their order (a
    stable sort); None when there is one run (nothing to reorder). Mechanisms that build a list
    from pieces (e.g. ties' contacts, then the platform's) reorder it with this, so that each
    run's items come in the order the run alone has them and its draws line up."""
    if runs == 1:
        return None
    return np.argsort(run, kind="stable")
