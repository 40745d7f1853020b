"""Leaders and reporting lines for a file that gives none (documented in docs/importing.md).

Rule: inside each department people are ranked by (1) the `leader` column when given (leaders
first), (2) the `level` column when given (lower first), (3) centrality: their number of ties,
weights summed (degree strength), and (4) their order in the file. The first in the ranking heads
the department; the ranking fills a tree of `span` reports per manager, as the builders lay out
a hierarchy, so the most central people sit at the top. Then each person below the top takes as
manager the most central person one level up in their department with whom they have a tie, if
any; otherwise their place in the tree decides. Formal leaders are those with reports (and anyone
the `leader` column names).
"""

from __future__ import annotations

import numpy as np


def strength(n: int, a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """(n,) summed weight of each person's ties."""
    return np.bincount(a, weights=weight, minlength=n) + np.bincount(b, weights=weight, minlength=n)


def infer_managers(
    department: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    weight: np.ndarray,
    span: int,
    leader: np.ndarray | None = None,
    level: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(manager, level) by the rule above; vectorised over people and ties."""
    n = len(department)
    centrality = strength(n, a, b, weight)
    keys = [np.arange(n), -centrality]
    if level is not None:
        keys.append(level)
    if leader is not None:
        keys.append(~leader)
    keys.append(department)
    order = np.lexsort(keys)  # by department, then leader, level, centrality, file order
    sizes = np.bincount(department, minlength=int(department.max()) + 1 if n else 0)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts[department[order]]
    at_rank = order  # at_rank[starts[d] + r] = the person of rank r in department d
    parent_rank = (rank - 1) // span
    manager = np.where(rank == 0, -1, at_rank[starts[department] + np.maximum(parent_rank, 0)])
    depth = np.zeros(n, dtype=np.int64)
    pos = rank.copy()
    while np.any(pos > 0):  # depth in a span-ary tree: a few passes (log_span of the size)
        moving = pos > 0
        depth[moving] += 1
        pos[moving] = (pos[moving] - 1) // span

    # a tie to someone one level up in the same department beats the place in the tree
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    up = (department[src] == department[dst]) & (depth[dst] == depth[src] - 1)
    src, dst = src[up], dst[up]
    if len(src):
        pick = np.lexsort((-centrality[dst], src))
        src, dst = src[pick], dst[pick]
        first = np.concatenate([[True], src[1:] != src[:-1]])
        manager[src[first]] = dst[first]
    return manager.astype(np.int64), depth
