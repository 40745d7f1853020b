"""A `structures.Structure` from an imported organization, so every mechanism runs unchanged.

- Reporting lines, levels and formal leaders come from the files (or the inference rule).
- Ties: with a ties file, its ties (kind `team` inside a department, `cross` across, or the kind
  the file names) plus a `reporting` tie on every reporting line. With an org chart only, the
  hierarchy builder's rules on the imported chart: a tie on every reporting line, `leadership` ties
  among the people at the top, `team_ties` random ties per person inside their team (people with
  the same manager) and `cross_ties` random ties per person to other departments.
- Project teams (matrix and fluid structures), the social-media team (drawn from people marked
  customer-facing first, then from the departments playing Customer Service and Marketing & Sales)
  and informal leaders (the best-connected 5% of non-leaders) as the builders make them.
"""

from __future__ import annotations

import numpy as np

from simorg import structures
from simorg.organizations.imported import ImportedOrganization
from simorg.scenario import Organization
from simorg.structures import CROSS, LEADERSHIP, MEDIA_TEAM, PROJECT, REPORTING, TEAM, Structure

# Above this many people at the top, `leadership` ties join each to the next few only.
ALL_PAIRS_AT_TOP = 1000


def _top_ties(heads: np.ndarray) -> np.ndarray:
    if len(heads) <= ALL_PAIRS_AT_TOP:
        iu = np.triu_indices(len(heads), 1)
        return np.stack([heads[iu[0]], heads[iu[1]]], axis=1)
    return np.concatenate(
        [np.stack([heads, np.roll(heads, -k)], axis=1) for k in range(1, 6)]
    )  # a ring with five neighbours each side


def media_team(imp: ImportedOrganization, size: int, rng: np.random.Generator) -> np.ndarray:
    team = np.zeros(imp.n, dtype=bool)
    if imp.customer_facing is not None:
        pool = np.flatnonzero(imp.customer_facing & (imp.manager >= 0))
        team[rng.permutation(pool)[:size]] = True
    rest = size - int(team.sum())
    if rest > 0:
        team |= structures._choose_media_team(
            imp.department, np.where(team, -1, imp.manager), rest, rng
        )
    return team


def structure(imp: ImportedOrganization, org: Organization, rng: np.random.Generator) -> Structure:
    n, department, manager = imp.n, imp.department, imp.manager
    has_manager = manager >= 0
    pairs = [np.stack([np.flatnonzero(has_manager), manager[has_manager]], axis=1)]
    kinds = [np.full(int(has_manager.sum()), REPORTING)]
    if imp.has_ties:
        p = imp.tie_pairs
        same = department[p[:, 0]] == department[p[:, 1]]
        kind = np.where(imp.tie_kind >= 0, imp.tie_kind, np.where(same, TEAM, CROSS))
        pairs.append(p)
        kinds.append(kind)
    else:
        top = _top_ties(np.flatnonzero(~has_manager))
        team_of = np.where(has_manager, manager, np.arange(n))
        team = structures._pairs_within(team_of, org.team_ties, rng)
        cross = structures._cross_pairs(department, org.cross_ties, rng)
        pairs += [top, team, cross]
        kinds += [
            np.full(len(top), LEADERSHIP),
            np.full(len(team), TEAM),
            np.full(len(cross), CROSS),
        ]

    media = np.zeros(n, dtype=bool)
    if org.social_media_team > 0:
        media = media_team(imp, org.social_media_team, rng)
    isolated = media if not org.social_media_team_wired else np.zeros(n, dtype=bool)

    project_team = np.full(n, -1, dtype=np.int64)
    if org.structure in ("matrix", "fluid"):
        project_team, proj = structures.project_teams(
            has_manager & ~isolated, org.project_team_size, rng, n
        )
        pairs.append(proj)
        kinds.append(np.full(len(proj), PROJECT))

    all_pairs = np.concatenate(pairs).astype(np.int64)
    all_kinds = np.concatenate(kinds).astype(np.int64)
    if media.any():
        members = np.flatnonzero(media)
        if isolated.any():  # an isolated team keeps only its reporting lines and each other
            outside = media[all_pairs[:, 0]] ^ media[all_pairs[:, 1]]
            keep = ~outside | (all_kinds == REPORTING)
            all_pairs, all_kinds = all_pairs[keep], all_kinds[keep]
        iu = np.triu_indices(len(members), 1)
        all_pairs = np.concatenate([all_pairs, np.stack([members[iu[0]], members[iu[1]]], axis=1)])
        all_kinds = np.concatenate([all_kinds, np.full(len(iu[0]), MEDIA_TEAM)])

    indptr, indices, kind, reverse, source = structures.to_csr(n, all_pairs, all_kinds)
    informal = structures.informal_leaders(imp.is_leader, np.diff(indptr))
    return Structure(
        n=n,
        departments=imp.departments,
        department=department.copy(),
        manager=manager.copy(),
        level=imp.level.copy(),
        is_leader=imp.is_leader.copy(),
        informal_leader=informal,
        media_team=media,
        project_team=project_team,
        indptr=indptr,
        indices=indices,
        kind=kind,
        reverse=reverse,
        source=source,
    )
