"""Lazer & Friedman (2007) reproduced with simorg's own submodels.

The network structure of exploration and exploitation: 100 agents on an NK landscape (N = 20,
K = 5), each starting from a random solution. Every round, synchronously, an agent copies its
best-scoring neighbour's solution if that scores higher than its own; otherwise it flips one
random bit and keeps the flip if it scores higher (`interpersonal.imitate_or_explore`, the same
function family the full model's interpersonal learning lives in). Scores are the landscape's
value normalised by its maximum (computed exactly over all 2^20 solutions) and raised to the 8th
power (`performance.NKTask`), as the paper does.

All networks are run on the *same* landscapes and the same starting solutions (common random
numbers), and all landscapes and networks advance together as one array program: the agents of
every (network, landscape) pair are one population on one block-diagonal graph.

Networks (`NETWORKS`): linear (a ring, each agent tied to its two neighbours), totally connected,
random (each pair tied independently, mean degree `RANDOM_DEGREE`) and small world (the ring with
`SHORTCUTS` random extra ties). Streams: landscapes and starting solutions from
``spawn_streams(seed)["knowledge"]``, networks from ``["structure"]``, search and copying from
``["learning"]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from simorg.mechanisms.interpersonal import imitate_or_explore
from simorg.performance import NKTask, nk_landscapes, nk_maximum
from simorg.randomness import spawn_streams
from simorg.structures import to_csr
from simorg.validation import rows as result_rows
from simorg.validation.rows import Row, mean_sem

N_AGENTS = 100
N_DIMENSIONS = 20
K = 5
POWER = 8.0
ROUNDS = 100
LANDSCAPES = 100
SEED = 2007
RANDOM_DEGREE = 4.0
SHORTCUTS = 5  # extra random ties on the ring (the small world)
NETWORKS = ("linear", "totally connected", "random", "small world")

Progress = Callable[[int, int], None]


def network_pairs(kind: str, agents: int, rng: np.random.Generator) -> np.ndarray:
    """Undirected ties (pairs) of one network of `agents` people."""
    ring = np.stack([np.arange(agents), (np.arange(agents) + 1) % agents], axis=1)
    if kind == "linear":
        return ring
    if kind == "totally connected":
        iu = np.triu_indices(agents, 1)
        return np.stack(iu, axis=1)
    if kind == "random":
        iu = np.triu_indices(agents, 1)
        keep = rng.random(len(iu[0])) < RANDOM_DEGREE / (agents - 1)
        return np.stack([iu[0][keep], iu[1][keep]], axis=1)
    if kind == "small world":
        extra = rng.integers(0, agents, size=(SHORTCUTS * 3, 2))  # spares for self-ties, repeats
        extra = extra[extra[:, 0] != extra[:, 1]]
        pairs = np.concatenate([ring, extra])
        key = np.minimum(pairs[:, 0], pairs[:, 1]) * agents + np.maximum(pairs[:, 0], pairs[:, 1])
        _, first = np.unique(key, return_index=True)
        first = np.sort(first)
        return pairs[first[: len(ring) + SHORTCUTS]]
    raise ValueError(f"unknown network {kind!r}; one of {', '.join(NETWORKS)}")


def block_graph(
    kinds: Sequence[str], agents: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One CSR graph over len(kinds) · agents people: network r on people r·agents … ."""
    pieces = [network_pairs(kind, agents, rng) + r * agents for r, kind in enumerate(kinds)]
    pairs = np.concatenate(pieces).astype(np.int64)
    indptr, indices, *_ = to_csr(len(kinds) * agents, pairs, np.zeros(len(pairs), np.int64))
    return indptr, indices


def run(
    networks: Sequence[str] = NETWORKS,
    landscapes: int = LANDSCAPES,
    rounds: int = ROUNDS,
    seed: int = SEED,
    agents: int = N_AGENTS,
    n: int = N_DIMENSIONS,
    k: int = K,
    power: float = POWER,
    copy_error: float = 0.0,
    velocity: float = 1.0,
    progress: Progress | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Scores (rounds + 1, networks · landscapes) of the mean agent per run; run order is network
    by network, each over all landscapes. Returns also the network name of each run."""
    streams = spawn_streams(seed)
    land = nk_landscapes(streams["knowledge"], landscapes, n, k)
    start = streams["knowledge"].integers(0, 2, size=(landscapes, agents, n), dtype=np.uint8)
    best = nk_maximum(land)
    reps = len(networks)
    task = NKTask(land.select(np.tile(np.arange(landscapes), reps)), np.tile(best, reps), power)
    kinds = [kind for kind in networks for _ in range(landscapes)]
    indptr, indices = block_graph(kinds, agents, streams["structure"])
    solutions = np.tile(start, (reps, 1, 1))
    scores = task.score(solutions)
    trace = np.empty((rounds + 1, len(kinds)))
    trace[0] = scores.mean(axis=1)
    for t in range(1, rounds + 1):
        imitate_or_explore(
            solutions,
            scores,
            indptr,
            indices,
            task.score,
            streams["learning"],
            copy_error=copy_error,
            velocity=velocity,
        )
        trace[t] = scores.mean(axis=1)
        if progress is not None:
            progress(t, rounds)
    return trace, kinds


def series(
    networks: Sequence[str] = NETWORKS,
    landscapes: int = LANDSCAPES,
    rounds: int = ROUNDS,
    seed: int = SEED,
    copy_error: float = 0.0,
    velocity: float = 1.0,
    progress: Progress | None = None,
) -> list[Row]:
    """Mean normalised score over runs (landscapes) per network and round, with its s.e."""
    trace, kinds = run(
        networks,
        landscapes,
        rounds,
        seed,
        copy_error=copy_error,
        velocity=velocity,
        progress=progress,
    )
    rows = []
    kinds_arr = np.asarray(kinds)
    for kind in networks:
        cols = kinds_arr == kind
        for t in range(rounds + 1):
            mean, sem = mean_sem(trace[t, cols])
            rows.append(
                {"network": kind, "t": t, "mean": mean, "sem": sem, "runs": int(cols.sum())}
            )
    return rows


def json_rows(rows: list[Row]) -> list[Row]:
    """Exactly {"network", "t", "mean", "sem", "runs"} per row, NaN as null."""
    return result_rows.json_rows(rows, ("network", "t", "mean", "sem", "runs"))


def claims(rows: list[Row]) -> list[tuple[str, str, bool]]:
    """The paper's claims, each with simorg's numbers and whether they agree."""
    at = {(r["network"], r["t"]): r for r in rows}
    last = max(r["t"] for r in rows)
    early = min(10, last)
    out = []

    def gap(a: Row, b: Row) -> tuple[float, float]:
        return a["mean"] - b["mean"], math.hypot(a["sem"] or 0.0, b["sem"] or 0.0)

    lin, full = "linear", "totally connected"
    if (lin, last) in at and (full, last) in at:
        d, s = gap(at[full, early], at[lin, early])
        out.append(
            (
                "An efficient (totally connected) network does better in the short run",
                f"t = {early}: totally connected {at[full, early]['mean']:.3f} vs linear "
                f"{at[lin, early]['mean']:.3f} (diff {d:+.3f} ± {s:.3f})",
                d > 2 * s,
            )
        )
        d, s = gap(at[lin, last], at[full, last])
        out.append(
            (
                "An inefficient (linear) network does better in the long run",
                f"t = {last}: linear {at[lin, last]['mean']:.3f} vs totally connected "
                f"{at[full, last]['mean']:.3f} (diff {d:+.3f} ± {s:.3f})",
                d > 2 * s,
            )
        )
        flat = at[full, last]["mean"] - at[full, early]["mean"]
        out.append(
            (
                "The totally connected network converges quickly and then stops improving",
                f"totally connected gains {flat:+.3f} from t = {early} to t = {last}",
                abs(flat) < 0.02,
            )
        )
    return out
