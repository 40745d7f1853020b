"""Transformation: the timed moves of a scenario (process 1).

An intervention changes a policy for a set of departments: all at once (big bang) or one department
at a time (stepwise, `every` steps apart, in the `order` the user picks). It changes the state
(never the scenario: a `set` changes the run's own parameters, `state.params`) and returns what it
changed, which the model records. The structural change a person experiences in their own work is
added to their friction (culture.py adds the change in what is asked of them, and turns friction
into resistance): leaders who commit to a new walk-the-talk feel the jump in their own practice;
opening silos is felt as |Δπ| × the share of one's ties that cross departments; a platform as 0.5 ×
one's practice (those who take it up); becoming customer-facing 0.5; joining a media team 0.25; a
reorganization 1.0 × the share of one's ties that are new. A vision is felt through the practice it
asks of people (culture.py); `set` is not felt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from simorg.mechanisms.culture import MEDIA_TEAM_PRACTICE
from simorg.scenario import Intervention, Scenario, with_overrides

if TYPE_CHECKING:
    from simorg.randomness import RunStreams
    from simorg.state import State
    from simorg.structures import Structure


class Organization(Protocol):
    """What an intervention acts on: a model (`OrgModel`) or a batch of replications."""

    state: State
    config: Scenario
    streams: dict[str, RunStreams]

    def restructure(self, new: Structure) -> np.ndarray: ...


# The friction a structural change brings, as shares of the largest (a reorganization that replaces
# all of one's ties, 1.0): new tools or a new public role change half of one's work, a move into a
# small team that keeps its ties a quarter (docs/odd.md, the interventions table).
PLATFORM_SIZE = 0.5  # × one's practice: felt by those who take the platform up
EMPOWER_SIZE = 0.5  # answering customers in public, on top of one's own work
MEDIA_TEAM_SIZE = 0.25  # a new role among the colleagues one keeps
REORGANIZE_SIZE = 1.0  # × the share of one's ties that are new
MEDIA_TEAM_DEFAULT = 10  # people a `social_media_team` intervention adds when it gives no size


def stages(iv: Intervention, department_names: list[str]) -> list[tuple[int, np.ndarray]]:
    """(step, departments) pairs at which the intervention takes effect."""
    d = len(department_names)
    if iv.pace == "big_bang" or iv.action in ("set", "social_media_team"):  # org-wide moves
        return [(iv.at, np.arange(d))]
    order = [department_names.index(x) for x in iv.order] or list(range(d))
    order += [i for i in range(d) if i not in order]
    return [(iv.at + k * iv.every, np.array([dept])) for k, dept in enumerate(order)]


def apply(model: Organization, iv: Intervention, departments: np.ndarray) -> dict[str, object]:
    """Apply one stage of an intervention to `departments`, now; returns what it changed."""
    st = model.state
    structure = st.structure
    felt = np.zeros(structure.n)  # the change each person experiences in their own work
    in_scope = np.isin(structure.department, departments)
    changed: dict[str, object] = {}
    a = iv.action
    if a in ("announce_vision", "walk_the_talk", "open_silos"):
        policy = {
            "announce_vision": st.vision,
            "walk_the_talk": st.walk,
            "open_silos": st.permeability,
        }[a]
        changed[a] = {"from": policy[departments].tolist(), "to": iv.level}
        delta = np.abs(iv.level - policy).take(structure.department)
        policy[departments] = iv.level
        if a == "walk_the_talk":  # leaders commit: their own practice jumps to the new level
            leaders = in_scope & structure.is_leader
            felt[leaders] = np.abs(iv.level - st.practice[leaders])
            st.practice[leaders] = iv.level
        elif a == "open_silos":  # felt by people in proportion to their work across boundaries
            deg = np.maximum(st.degree(), 1)
            crossing = st.tie_sums(st.tie_crosses().astype(np.float64)) / deg
            felt[in_scope] = (delta * crossing)[in_scope]
    elif a == "enable_platform":
        fresh = in_scope & ~st.platform.take(structure.department)
        felt[fresh] = PLATFORM_SIZE * st.practice[fresh]  # felt by those who take it up
        st.platform[departments] = True
        changed["platform"] = {"departments": int(len(departments))}
    elif a == "empower_everyone":
        fresh = in_scope & ~st.customer_facing
        felt[fresh] = EMPOWER_SIZE
        st.customer_facing[in_scope] = True
        changed["customer_facing"] = {"people": int(fresh.sum())}
    elif a == "social_media_team":
        chosen = _create_media_team(model, MEDIA_TEAM_DEFAULT if iv.size is None else iv.size)
        felt[chosen] = MEDIA_TEAM_SIZE
        changed["media_team"] = {"people": int(len(chosen))}
    elif a == "project_teams":
        isolated = structure.media_team & (not model.config.organization.social_media_team_wired)
        eligible = in_scope & (structure.manager >= 0) & ~isolated
        already = structure.project_team >= 0
        from simorg.step import rebuild_projects

        kept = model.restructure(
            rebuild_projects(
                st,
                model.config.organization.project_team_size,
                model.streams["interventions"],
                eligible | already,
            )
        )
        deg = np.maximum(st.degree(), 1)
        new_share = 1.0 - st.tie_sums(kept.astype(np.float64)) / deg
        felt = REORGANIZE_SIZE * new_share * (in_scope | already)
        changed["project_teams"] = {"people": int((eligible | already).sum())}
    elif a == "set":
        section, _, name = (iv.key or "").partition(".")
        before = getattr(getattr(st.params, section), name)
        st.params = with_overrides(st.params, {str(iv.key): iv.value}, f"intervention at {iv.at}")
        changed[str(iv.key)] = {"from": before, "to": getattr(getattr(st.params, section), name)}
    st.friction += felt
    st.invalidate()
    changed["felt"] = float(felt.sum())
    return changed


def _create_media_team(model: Organization, size: int) -> np.ndarray:
    """Train people from Customer Service and Marketing & Sales to answer customers publicly
    (`size` in each run, each run choosing from its own stream); returns who was chosen."""
    st = model.state
    structure = st.structure
    n = st.run_size
    pool = np.flatnonzero(
        (structure.department <= 1) & (structure.manager >= 0) & ~structure.media_team
    )
    parts = []
    for r, rng in enumerate(model.streams["interventions"].gens):
        mine = pool[(pool >= r * n) & (pool < (r + 1) * n)]
        parts.append(
            rng.choice(mine, size=min(size, len(mine)), replace=False) if len(mine) else mine
        )
    chosen = np.concatenate(parts)
    structure.media_team[chosen] = True
    st.customer_facing[chosen] = True
    st.practice[chosen] = np.maximum(st.practice[chosen], MEDIA_TEAM_PRACTICE)
    return chosen
