"""Fang, Lee & Schilling (2010) reproduced with simorg's own submodels.

An organization split into semi-isolated subgroups (simorg's departments, built by
`structures.build`), where people learn from the organizational code as in March (1991)
(`learning.knowledge_step`) and from colleagues who perform better (the full model's
conversations: `conversations._exchange` gated by `interpersonal.peer_gates` with the
``better_performer`` rule). Cross-group linking is varied from none to full at constant degree
(`organization.linking`: a share of the ties inside departments rewired to other departments,
`structures.rewire_across`), and each organization runs to equilibrium (`learning.settled`).

Each step does what `OrgModel.step` does in this special case (`Design.scenario`: no customers,
everyone fully open, tie trust 1 and no trust-dependent sharing, no culture change, leaders held at
their commitment, no turnover or turbulence), with every organization of every linking level in one
batch: people of R organizations are one population on one block-diagonal graph. Streams as in
the full model: knowledge (reality, beliefs), structure (ties), conversations (contacts, the "open"
uniforms, topics, adoption), learning (the code). So `run_single` (one organization) equals
`OrgModel` with the same seed step for step (tests/test_fang2010.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from simorg import structures
from simorg.mechanisms import interpersonal
from simorg.mechanisms.conversations import _exchange
from simorg.mechanisms.learning import (
    code_knowledge,
    individual_knowledge,
    initial_knowledge,
    knowledge_step,
    settled,
)
from simorg.mechanisms.sampling import choose_ties
from simorg.performance import NKBeliefTask, nk_landscapes
from simorg.randomness import spawn_streams
from simorg.scenario import (
    Conversation,
    Culture,
    Customers,
    Learning,
    Organization,
    Scenario,
    Turnover,
)
from simorg.validation import rows as result_rows
from simorg.validation.rows import Row, mean_sem

N_PEOPLE = 100
DEPARTMENTS = 10
TEAM_TIES = 8.0
SPAN = 8
M_DIMENSIONS = 30
SOCIALIZATION = 0.1  # p1
CODE_LEARNING = 0.5  # p2
PEER_LEARNING = 0.3
PEER_RULE = "better_performer"
CONTACTS = 3
TOPICS = 3
LINKING = (0.0, 0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0)
RUNS = 50
SEED = 2010
MAX_STEPS = 3_000
CHECK_EVERY = 5

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Design:
    """One organization's set-up; `scenario` is the same organization as a full-model Scenario."""

    n: int = N_PEOPLE
    departments: int = DEPARTMENTS
    team_ties: float = TEAM_TIES
    span: int = SPAN
    m: int = M_DIMENSIONS
    p1: float = SOCIALIZATION
    p2: float = CODE_LEARNING
    peer: float = PEER_LEARNING
    rule: str = PEER_RULE
    contacts: int = CONTACTS
    topics: int = TOPICS
    task: str = "additive"  # or "nk": an NK landscape with `k` (issue 9), m at most 22
    k: int = 5

    def organization(self, linking: float) -> Organization:
        return Organization(
            employees=self.n,
            departments=self.departments,
            structure="silos",
            span_of_control=self.span,
            team_ties=self.team_ties,
            cross_ties=0.0,
            permeability=1.0,
            linking=linking,
        )

    def scenario(self, seed: int, linking: float) -> Scenario:
        """The full model in this special case: no customers (so no requests, failure learning
        or public conversations), everyone open, trust 1 that does not gate sharing, fixed
        culture with leaders held at their commitment, no turnover or turbulence. Run it as
        `OrgModel(scenario, seed=seed)`: OrgModel takes its seed as an argument (Mesa's
        convention), not from the scenario."""
        return Scenario(
            seed=seed,
            organization=self.organization(linking),
            customers=Customers(count=0, public_talk=0.0),
            culture=Culture(
                practice=1.0,
                practice_spread=0.0,
                walk_the_talk=1.0,
                adaptation=0.0,
                stubbornness=1.0,
            ),
            learning=Learning(
                dimensions=self.m,
                socialization=self.p1,
                code_learning=self.p2,
                peer_learning=self.peer,
                peer_rule=self.rule,
                listening=0.0,
                voice_hierarchy=0.0,
                turbulence=0.0,
                failure_learning=0.0,
                task=self.task,
                nk_k=self.k,
            ),
            conversation=Conversation(
                contacts=self.contacts,
                topics=self.topics,
                initial_tie_trust=1.0,
                trust_sharing=0.0,
            ),
            turnover=Turnover(base_rate=0.0, trust_sensitivity=0.0),
        )


@dataclass
class Batch:
    """R organizations as arrays; people numbered r·n + i on one block-diagonal graph."""

    reality: np.ndarray  # (R, m)
    beliefs: np.ndarray  # (R, n, m)
    code: np.ndarray  # (R, m)
    indptr: np.ndarray
    indices: np.ndarray
    source: np.ndarray
    crossing: np.ndarray  # (R,) share of each organization's ties that cross departments
    task: NKBeliefTask | None = None  # an NK task: one landscape per organization


def build_batch(
    design: Design, linkings: Sequence[float], streams: dict[str, np.random.Generator]
) -> Batch:
    """Knowledge for all organizations first, then each organization's structure, in order."""
    runs, n = len(linkings), design.n
    reality, beliefs, code = initial_knowledge(streams["knowledge"], n, design.m, runs=runs)
    pieces, kinds, crossing = [], [], np.empty(runs)
    for r, linking in enumerate(linkings):
        structure = structures.build(design.organization(linking), streams["structure"])
        first = structure.source < structure.indices
        pieces.append(np.stack([structure.source[first], structure.indices[first]], axis=1) + r * n)
        kinds.append(structure.kind[first])
        crossing[r] = structure.crosses.mean() if len(structure.indices) else 0.0
    pairs = np.concatenate(pieces).astype(np.int64)
    indptr, indices, _, _, source = structures.to_csr(
        runs * n, pairs, np.concatenate(kinds).astype(np.int64)
    )
    task = None
    if design.task == "nk":  # as initial.py: its own stream, reality becomes the optimum
        land = nk_landscapes(streams["task"], runs, design.m, design.k)
        task = NKBeliefTask(land, normalise=True)
        reality[:] = task.optimum
    return Batch(reality, beliefs, code, indptr, indices, source, crossing, task)


def knowledge(batch: Batch) -> dict[str, np.ndarray]:
    """Individual and code knowledge (R,): March's Σ·r / m, or the NK task's normalised score."""
    if batch.task is None:
        return {
            "individual": individual_knowledge(batch.beliefs, batch.reality),
            "code": code_knowledge(batch.code, batch.reality),
        }
    return {
        "individual": batch.task.beliefs(batch.beliefs).mean(axis=1),
        "code": batch.task.beliefs(batch.code[:, None, :])[:, 0],
    }


def step(batch: Batch, design: Design, streams: dict[str, np.random.Generator]) -> None:
    """One step: colleagues talk (as `conversations.colleagues_talk` draws it), then the code
    and socialization (`knowledge_step`)."""
    rng = streams["conversations"]
    runs, n, m = batch.beliefs.shape
    degree = np.diff(batch.indptr)
    who = np.repeat(np.flatnonzero(degree > 0), design.contacts)
    if design.peer > 0 and len(who):
        start, deg = batch.indptr[who], degree[who].astype(np.int32)
        accept = np.ones(len(batch.indices), dtype=np.float32)  # permeability 1: every tie
        tie = choose_ties(start, deg, accept, rng)
        # open? the model draws one float32 per contact; practice 1, no trust gate: always
        rng.random(len(who), dtype=np.float32)
        a, b = who, batch.indices.take(tie)
        topics = rng.integers(0, m, size=(len(a), min(design.topics, m)), dtype=np.int16)
        flat = batch.beliefs.reshape(runs * n, m)
        person_reality = np.repeat(batch.reality, n, axis=0)
        gates = interpersonal.peer_gates(
            design.rule, flat, person_reality, a, b, topics, batch.task
        )
        _exchange(flat, a, b, np.full(len(a), design.peer), topics, rng, gates)
    knowledge_step(
        batch.beliefs,
        batch.code,
        batch.reality,
        design.p1,
        design.p2,
        streams["learning"],
        task=batch.task,
    )


def run_design(
    batch: Batch,
    design: Design,
    streams: dict[str, np.random.Generator],
    max_steps: int = MAX_STEPS,
    check_every: int = CHECK_EVERY,
    progress: Progress | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Run every organization to equilibrium (or `max_steps`); returns the measures at
    equilibrium, {"individual", "code"} (R,), and the step each settled at (-1: the cap came
    first, measured at the cap)."""
    runs = batch.beliefs.shape[0]
    out = {"individual": np.full(runs, np.nan), "code": np.full(runs, np.nan)}
    at = np.full(runs, -1)
    ties = (batch.source, batch.indices) if design.peer > 0 else (batch.source[:0],) * 2
    for t in range(max_steps + 1):
        if t % check_every == 0 or t == max_steps:
            done = settled(
                batch.beliefs,
                batch.code,
                batch.reality,
                ties[0],
                ties[1],
                design.rule,
                code_learns=design.p2 > 0,
                socializes=design.p1 > 0,
                task=batch.task,
            )
            new = done & (at < 0)
            if new.any():
                at[new] = t
                now = knowledge(batch)
                out["individual"][new] = now["individual"][new]
                out["code"][new] = now["code"][new]
            if progress is not None:
                progress(int((at >= 0).sum()), runs)
            if (at >= 0).all():
                break
        if t < max_steps:
            step(batch, design, streams)
    left = at < 0
    now = knowledge(batch)
    out["individual"][left] = now["individual"][left]
    out["code"][left] = now["code"][left]
    return out, at


def linking_levels(
    linking: Sequence[float] = LINKING,
    runs: int = RUNS,
    seed: int = SEED,
    design: Design | None = None,
    max_steps: int = MAX_STEPS,
    progress: Progress | None = None,
) -> list[Row]:
    """Equilibrium knowledge per linking level (all levels' organizations in one batch).

    `linking` in each row is the measured mean share of ties that cross departments; `rewired`
    is the share of within-department informal ties rewired (`organization.linking`).
    """
    design = design or Design()
    streams = spawn_streams(seed)
    levels = np.repeat(np.asarray(linking, dtype=float), runs)
    batch = build_batch(design, levels.tolist(), streams)
    out, at = run_design(batch, design, streams, max_steps=max_steps, progress=progress)
    rows = []
    for i, level in enumerate(linking):
        cell = slice(i * runs, (i + 1) * runs)
        mean, sem = mean_sem(out["individual"][cell])
        code, code_sem = mean_sem(out["code"][cell])
        rows.append(
            {
                "linking": float(batch.crossing[cell].mean()),
                "rewired": float(level),
                "mean": mean,
                "sem": sem,
                "runs": runs,
                "code": code,
                "code_sem": code_sem,
                "steps_mean": float(at[cell][at[cell] >= 0].mean())
                if (at[cell] >= 0).any()
                else math.nan,
                "unsettled": int((at[cell] < 0).sum()),
            }
        )
    return rows


def run_single(
    seed: int, linking: float, steps: int, design: Design | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One organization, seeded like the full model, after `steps` steps: code (m,), beliefs
    (n, m), reality (m,)."""
    design = design or Design()
    streams = spawn_streams(seed)
    batch = build_batch(design, [linking], streams)
    for _ in range(steps):
        step(batch, design, streams)
    return batch.code[0], batch.beliefs[0], batch.reality[0]


def json_rows(rows: list[Row]) -> list[Row]:
    """Exactly {"linking", "mean", "sem", "runs"} per row, NaN as null."""
    return result_rows.json_rows(rows, ("linking", "mean", "sem", "runs"))


def claims(rows: list[Row]) -> list[tuple[str, str, bool]]:
    """Fang et al.'s central claim: moderate linking beats both isolation and full linking."""
    best = max(rows, key=lambda r: r["mean"])
    lo, hi = rows[0], rows[-1]

    def beats(a: Row, b: Row) -> bool:
        return a["mean"] - b["mean"] > 2 * math.hypot(a["sem"] or 0.0, b["sem"] or 0.0)

    moderate = best is not lo and best is not hi
    text = (
        f"best at linking {best['linking']:.2f}: {best['mean']:.3f} ± {best['sem']:.3f}; "
        f"least linking ({lo['linking']:.2f}) {lo['mean']:.3f}, most ({hi['linking']:.2f}) "
        f"{hi['mean']:.3f}"
    )
    return [
        (
            "Moderate cross-group linking gives the highest equilibrium knowledge",
            text,
            moderate and beats(best, lo) and beats(best, hi),
        )
    ]
