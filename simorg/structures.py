"""Structure builders: who reports to whom and who has a tie with whom.

Every builder returns a `Structure`: per-person arrays (department, manager, level, leader flags) and
the ties as a symmetric CSR adjacency (`indptr`, `indices`) with a kind per tie. Ties are stored in
both directions; `reverse[e]` is the index of the same tie seen from the other end, so that a
conversation can update both people's trust without searching.

Structures (docs/odd.md): hierarchy, silos (departments), matrix (plus project teams), network (small
world) and fluid (project teams that re-form), with an optional social-media team.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from simorg.scenario import Organization

# Tie kinds, kept as small integers on each tie.
REPORTING, TEAM, CROSS, PROJECT, LEADERSHIP, MEDIA_TEAM = range(6)
TIE_KINDS = ("reporting", "team", "cross", "project", "leadership", "media team")
# rewire_across proposes swaps in rounds among the ties not yet rewired (a proposal fails only on
# a duplicate tie); after this many rounds it stops with what it has, so the time is bounded.
REWIRE_ROUNDS = 20


@dataclass
class Structure:
    n: int
    departments: int
    department: np.ndarray  # (n,) int
    manager: np.ndarray  # (n,) int, -1 for department heads
    level: np.ndarray  # (n,) int, 0 for department heads
    is_leader: np.ndarray  # (n,) bool: formal leader (has reports)
    informal_leader: np.ndarray  # (n,) bool: most connected non-managers
    media_team: np.ndarray  # (n,) bool: member of the dedicated social-media team
    project_team: np.ndarray  # (n,) int, -1 when in no project team
    indptr: np.ndarray = field(repr=False)  # (n+1,)
    indices: np.ndarray = field(repr=False)  # (E,) neighbour of each directed tie
    kind: np.ndarray = field(repr=False)  # (E,) int8 tie kind
    reverse: np.ndarray = field(repr=False)  # (E,) index of the opposite direction
    source: np.ndarray = field(repr=False)  # (E,) the person each directed tie starts from

    @property
    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    @property
    def crosses(self) -> np.ndarray:
        """(E,) bool: the tie joins two departments."""
        return self.department[self.source] != self.department[self.indices]


def _hierarchy(sizes: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Department d's people are a contiguous block; inside it person k reports to (k-1)//span."""
    n = int(sizes.sum())
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    department = np.repeat(np.arange(len(sizes)), sizes)
    k = np.arange(n) - starts[department]
    manager = np.where(k == 0, -1, starts[department] + (k - 1) // span)
    level = np.zeros(n, dtype=np.int64)
    # depth of position k in a span-ary heap: levels grow geometrically, so a few passes suffice
    pos = k.copy()
    while np.any(pos > 0):
        moving = pos > 0
        level[moving] += 1
        pos[moving] = (pos[moving] - 1) // span
    return department, manager, level


def _pairs_within(groups: np.ndarray, mean_degree: float, rng: np.random.Generator) -> np.ndarray:
    """Random ties inside groups: each person proposes about mean_degree/2 partners in their group."""
    n = len(groups)
    per_person = mean_degree / 2
    count = rng.poisson(per_person, size=n) if per_person > 0 else np.zeros(n, dtype=np.int64)
    src = np.repeat(np.arange(n), count)
    if len(src) == 0:
        return np.empty((0, 2), dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    gstart = np.searchsorted(sorted_groups, groups[src], side="left")
    gend = np.searchsorted(sorted_groups, groups[src], side="right")
    pick = gstart + (rng.random(len(src)) * (gend - gstart)).astype(np.int64)
    dst = order[pick]
    return np.stack([src, dst], axis=1)


def _cross_pairs(
    department: np.ndarray, mean_degree: float, rng: np.random.Generator
) -> np.ndarray:
    n = len(department)
    per_person = mean_degree / 2
    count = rng.poisson(per_person, size=n) if per_person > 0 else np.zeros(n, dtype=np.int64)
    src = np.repeat(np.arange(n), count)
    dst = rng.integers(0, n, size=len(src))
    keep = department[src] != department[dst]
    return np.stack([src[keep], dst[keep]], axis=1)


def _ring(n: int, k: int, rewire: float, rng: np.random.Generator) -> np.ndarray:
    """Watts-Strogatz small world on people ordered by department (neighbours mostly colleagues)."""
    half = max(1, k // 2)
    src = np.repeat(np.arange(n), half)
    dst = (src + np.tile(np.arange(1, half + 1), n)) % n
    flip = rng.random(len(dst)) < rewire
    dst[flip] = rng.integers(0, n, size=int(flip.sum()))
    return np.stack([src, dst], axis=1)


def project_teams(
    eligible: np.ndarray, size: int, rng: np.random.Generator, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cross-functional teams: shuffle eligible people and cut into teams; all members tied."""
    team = np.full(n, -1, dtype=np.int64)
    people = rng.permutation(np.flatnonzero(eligible))
    n_teams = max(1, len(people) // size)
    team[people] = np.arange(len(people)) % n_teams
    members = people[np.argsort(team[people], kind="stable")]
    t_of = team[members]
    bounds = np.searchsorted(t_of, np.arange(n_teams + 1))
    pairs = []
    largest = int(np.diff(bounds).max()) if n_teams else 0
    for a in range(largest):  # loop over positions in a team (teams are small), not over people
        for b in range(a + 1, largest):
            ia = bounds[:-1] + a
            ib = bounds[:-1] + b
            ok = ib < bounds[1:]
            pairs.append(np.stack([members[ia[ok]], members[ib[ok]]], axis=1))
    return team, np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=np.int64)


def to_csr(n: int, pairs: np.ndarray, kinds: np.ndarray) -> tuple[np.ndarray, ...]:
    """Symmetric, de-duplicated CSR from undirected pairs (first kind listed wins).

    The de-duplicated pairs (a < b) come sorted from np.unique. In row r, the reverses (r, a)
    of the pairs (a, r) (columns below r) come before the pairs (r, b) (columns above r), so
    counting gives every entry's place: one stable sort of the reverses by row, no sort of all
    entries, and each tie's two directions are known by where each went (no search)."""
    a = np.minimum(pairs[:, 0], pairs[:, 1])
    b = np.maximum(pairs[:, 0], pairs[:, 1])
    keep = a != b
    a, b, kinds = a[keep], b[keep], kinds[keep]
    key, first = np.unique(a * n + b, return_index=True)
    a, b, kinds = key // max(n, 1), key % max(n, 1), kinds.take(first).astype(np.int8)
    forward, backward = np.bincount(a, minlength=n), np.bincount(b, minlength=n)
    indptr = np.concatenate([[0], np.cumsum(forward + backward)])
    u = np.arange(len(key))
    # (a, b) in row a: after the row's reverses, in the order np.unique gave them
    forward_at = (indptr[:-1] + backward - (np.cumsum(forward) - forward)).take(a) + u
    # (b, a) in row b: the row's first entries, by a (stable: pairs are sorted by a already)
    order = np.argsort(b, kind="stable")
    rb = b.take(order)
    backward_at = (indptr[:-1] - (np.cumsum(backward) - backward)).take(rb) + u
    total = 2 * len(key)
    rows, cols = np.empty(total, dtype=np.int64), np.empty(total, dtype=np.int64)
    kind = np.empty(total, dtype=np.int8)
    rows[forward_at], cols[forward_at], kind[forward_at] = a, b, kinds
    rows[backward_at], cols[backward_at], kind[backward_at] = rb, a.take(order), kinds.take(order)
    reverse = np.empty(total, dtype=np.intp)
    forward_of_backward = forward_at.take(order)
    reverse[forward_of_backward] = backward_at
    reverse[backward_at] = forward_of_backward
    return indptr, cols, kind, reverse, rows


def build(org: Organization, rng: np.random.Generator) -> Structure:
    """Lay out departments, reporting lines and ties for an Organization section."""
    if org.people or org.ties:  # issue 13: an organization imported from files
        from simorg.organizations import build_structure

        return build_structure(org, rng)
    n, d = org.employees, min(org.departments, org.employees)
    sizes = np.full(d, n // d)
    sizes[: n % d] += 1
    department, manager, level = _hierarchy(sizes, org.span_of_control)
    is_leader = np.zeros(n, dtype=bool)
    is_leader[manager[manager >= 0]] = True
    heads = np.flatnonzero(manager < 0)
    is_leader[heads] = True

    pieces: list[tuple[np.ndarray, int]] = []
    has_manager = manager >= 0
    pieces.append(
        (np.stack([np.flatnonzero(has_manager), manager[has_manager]], axis=1), REPORTING)
    )
    hh = np.array([(x, y) for i, x in enumerate(heads) for y in heads[i + 1 :]], dtype=np.int64)
    pieces.append((hh.reshape(-1, 2), LEADERSHIP))

    if org.structure == "hierarchy":
        team_of = np.where(has_manager, manager, np.arange(n))  # siblings under one manager
        pieces.append((_pairs_within(team_of, org.team_ties, rng), TEAM))
        pieces.append((_cross_pairs(department, org.cross_ties, rng), CROSS))
    elif org.structure == "network":
        ring = _ring(n, int(round(org.team_ties + org.cross_ties)), org.rewire, rng)
        same = department[ring[:, 0]] == department[ring[:, 1]]
        pieces.append((ring[same], TEAM))
        pieces.append((ring[~same], CROSS))
    else:  # silos, matrix, fluid
        pieces.append((_pairs_within(department, org.team_ties, rng), TEAM))
        pieces.append((_cross_pairs(department, org.cross_ties, rng), CROSS))

    media_team = np.zeros(n, dtype=bool)
    if org.social_media_team > 0:
        media_team = _choose_media_team(department, manager, org.social_media_team, rng)
    isolated = media_team if not org.social_media_team_wired else np.zeros(n, dtype=bool)

    project_team = np.full(n, -1, dtype=np.int64)
    if org.structure in ("matrix", "fluid"):
        project_team, proj = project_teams(
            (manager >= 0) & ~isolated, org.project_team_size, rng, n
        )
        pieces.append((proj, PROJECT))

    if media_team.any():
        members = np.flatnonzero(media_team)
        if isolated.any():
            # an isolated team: only their reporting line and each other
            pieces = [(_keep_only_reporting_for_team(p, k, media_team), k) for p, k in pieces]
        iu = np.triu_indices(len(members), 1)
        pieces.append((np.stack([members[iu[0]], members[iu[1]]], axis=1), MEDIA_TEAM))

    if org.linking > 0:  # cross-department linking at constant degree (Fang et al. 2010)
        pieces = _link_across(pieces, department, org.linking, rng, n, isolated)

    pairs = np.concatenate([p for p, _ in pieces]) if pieces else np.empty((0, 2), dtype=np.int64)
    kinds = np.concatenate([np.full(len(p), k) for p, k in pieces])
    indptr, indices, kind, reverse, source = to_csr(n, pairs.astype(np.int64), kinds)
    informal = informal_leaders(is_leader, np.diff(indptr))
    return Structure(
        n=n,
        departments=d,
        department=department,
        manager=manager,
        level=level,
        is_leader=is_leader,
        informal_leader=informal,
        media_team=media_team,
        project_team=project_team,
        indptr=indptr,
        indices=indices,
        kind=kind,
        reverse=reverse,
        source=source,
    )


def _undirected_keys(pairs: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1])


def rewire_across(
    within: np.ndarray,
    group: np.ndarray,
    share: float,
    rng: np.random.Generator,
    n: int,
    taken: np.ndarray | None = None,
    rounds: int = REWIRE_ROUNDS,
) -> tuple[np.ndarray, np.ndarray]:
    """Rewire `share` of the ties inside groups into ties across groups, keeping every degree.

    `within`: (W, 2) distinct ties whose two ends share a group. Ties are rewired in pairs by a
    double-edge swap: (a–b, c–d), with a, b in one group and c, d in another, become (a–d, c–b)
    (or (a–c, b–d), by a coin). Both new ties cross groups, and a, b, c, d keep their number of
    ties. A swap is refused if it would create a tie that already exists (among `within`, the new
    ties, or `taken`, the keys a*n+b, a < b, of other ties). Swaps are proposed among the not yet
    rewired ties in random order until round(share × W / 2) are done, for at most `rounds` rounds.

    Returns (kept (W - 2k, 2) ties still inside groups, crossed (2k, 2) new ties across groups).
    """
    w = len(within)
    want = int(round(share * w / 2))
    free = np.ones(w, dtype=bool)
    existing = _undirected_keys(within, n)
    if taken is not None:
        existing = np.concatenate([existing, taken])
    existing = np.unique(existing)
    crossed: list[np.ndarray] = []
    done = 0
    for _ in range(rounds):
        if done >= want:
            break
        idle = rng.permutation(np.flatnonzero(free))
        half = len(idle) // 2
        e1, e2 = idle[:half], idle[half : 2 * half]
        a, b = within[e1, 0], within[e1, 1]
        c, d = within[e2, 0], within[e2, 1]
        coin = rng.random(half) < 0.5  # which ends to join: (a-d, c-b) or (a-c, b-d)
        d, c = np.where(coin, c, d), np.where(coin, d, c)
        new1, new2 = np.stack([a, d], axis=1), np.stack([c, b], axis=1)
        ok = group[a] != group[c]
        k1, k2 = _undirected_keys(new1, n), _undirected_keys(new2, n)
        ok &= ~np.isin(k1, existing) & ~np.isin(k2, existing) & (k1 != k2)
        # new ties must also differ from each other's: keep the first proposal of each key
        idx = np.flatnonzero(ok)
        keys = np.concatenate([k1[idx], k2[idx]])
        _, first = np.unique(keys, return_index=True)
        unique = np.zeros(len(keys), dtype=bool)
        unique[first] = True
        idx = idx[unique[: len(idx)] & unique[len(idx) :]]
        idx = idx[: want - done]
        if len(idx) == 0:
            continue
        free[e1[idx]] = free[e2[idx]] = False
        crossed += [new1[idx], new2[idx]]
        existing = np.unique(np.concatenate([existing, k1[idx], k2[idx]]))
        done += len(idx)
    across = np.concatenate(crossed) if crossed else np.empty((0, 2), dtype=np.int64)
    return within[free], across


def _link_across(
    pieces: list[tuple[np.ndarray, int]],
    department: np.ndarray,
    share: float,
    rng: np.random.Generator,
    n: int,
    isolated: np.ndarray,
) -> list[tuple[np.ndarray, int]]:
    """Rewire `share` of the informal ties inside departments (not those of an isolated media
    team, nor one that doubles a formal tie) into cross-department ties; formal ties (reporting,
    leadership, project, media team) stay."""
    formal = [(p, k) for p, k in pieces if k != TEAM]
    team = np.concatenate([p for p, k in pieces if k == TEAM] or [np.empty((0, 2), np.int64)])
    team = team[team[:, 0] != team[:, 1]]
    taken = np.unique(
        np.concatenate([_undirected_keys(p, n) for p, _ in formal] or [np.empty(0, np.int64)])
    )
    keys = _undirected_keys(team, n)
    _, first = np.unique(keys, return_index=True)  # one tie per pair, as to_csr would keep
    team = team[np.sort(first)]
    movable = (department[team[:, 0]] == department[team[:, 1]]) & ~(
        isolated[team[:, 0]] | isolated[team[:, 1]]
    )
    movable &= ~np.isin(_undirected_keys(team, n), taken)  # the pair would stay tied
    kept, crossed = rewire_across(team[movable], department, share, rng, n, taken.astype(np.int64))
    # the team ties keep their place in the list (the first kind listed wins a shared pair)
    rest = np.concatenate([kept, team[~movable]])
    out, placed = [], False
    for p, k in pieces:
        if k != TEAM:
            out.append((p, k))
        elif not placed:
            out.append((rest, TEAM))
            placed = True
    return [*out, (crossed, CROSS)]


INFORMAL_LEADER_EVERY = 20
"""One non-leader in 20 (5%, at least one), the best connected, counts as an informal leader."""


def informal_leaders(is_leader: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """(n,) bool: the best-connected one in INFORMAL_LEADER_EVERY non-leaders (ties broken by
    slot): the informal leaders who act as role models (Structure.informal_leader)."""
    informal = np.zeros(len(is_leader), dtype=bool)
    followers = np.flatnonzero(~is_leader)
    if len(followers):
        top = max(1, len(followers) // INFORMAL_LEADER_EVERY)
        informal[followers[np.argsort(-degree[followers], kind="stable")[:top]]] = True
    return informal


def _keep_only_reporting_for_team(pairs: np.ndarray, kind: int, team: np.ndarray) -> np.ndarray:
    """Drop a media-team member's ties to outsiders, except their reporting line."""
    if len(pairs) == 0 or kind == REPORTING:
        return pairs
    outside = team[pairs[:, 0]] ^ team[pairs[:, 1]]
    return pairs[~outside]


def _choose_media_team(
    department: np.ndarray, manager: np.ndarray, size: int, rng: np.random.Generator
) -> np.ndarray:
    """Half from Customer Service (department 0), half from Marketing & Sales (department 1)."""
    team = np.zeros(len(department), dtype=bool)
    for dept, share in ((0, size - size // 2), (1, size // 2)):
        pool = np.flatnonzero((department == dept) & (manager >= 0))
        if len(pool) == 0:
            pool = np.flatnonzero(manager >= 0)
        team[rng.choice(pool, size=min(share, len(pool)), replace=False)] = True
    return team


def rebuild_projects(
    structure: Structure, size: int, rng: np.random.Generator, eligible: np.ndarray | None = None
) -> Structure:
    """Dissolve project ties and form new teams among `eligible` people; other ties stay."""
    keep = structure.kind != PROJECT
    first = keep & (structure.source < structure.indices)
    pairs = np.stack([structure.source[first], structure.indices[first]], axis=1)
    kinds = structure.kind[first].astype(np.int64)
    if eligible is None:
        eligible = structure.project_team >= 0
    team, proj = project_teams(eligible, size, rng, structure.n)
    pairs = np.concatenate([pairs, proj])
    kinds = np.concatenate([kinds, np.full(len(proj), PROJECT)])
    indptr, indices, kind, reverse, source = to_csr(structure.n, pairs, kinds)
    return replace(
        structure,
        project_team=team,
        indptr=indptr,
        indices=indices,
        kind=kind,
        reverse=reverse,
        source=source,
    )
