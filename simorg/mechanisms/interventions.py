"""Transformation: the timed moves of a scenario (MODEL.md process 1).

An intervention changes a policy for a set of departments: all at once (big bang) or one department
at a time (stepwise, `every` steps apart, in the `order` the user picks). Each change adds its size
to the friction of the departments it touches (culture.py turns friction into resistance), so the
same moves made all at once meet more resistance than made one by one.

Sizes: a level change adds |new − old|; enabling the platform or making people customer-facing adds
0.5; creating a social-media team (always org-wide, at once) adds 0.25 to the departments it
draws on; forming project
teams adds 1.0; `set` adds nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simorg.mechanisms.culture import MEDIA_TEAM_PRACTICE, anchor_practice
from simorg.scenario import Intervention, with_overrides
from simorg.structures import rebuild_projects

if TYPE_CHECKING:
    from simorg.model import OrgModel

PLATFORM_SIZE = 0.5
EMPOWER_SIZE = 0.5
MEDIA_TEAM_SIZE = 0.25
REORGANIZE_SIZE = 1.0


def stages(iv: Intervention, department_names: list[str]) -> list[tuple[int, np.ndarray]]:
    """(step, departments) pairs at which the intervention takes effect."""
    d = len(department_names)
    if iv.pace == "big_bang" or iv.action in ("set", "social_media_team"):  # org-wide moves
        return [(iv.at, np.arange(d))]
    order = [department_names.index(x) for x in iv.order] or list(range(d))
    order += [i for i in range(d) if i not in order]
    return [(iv.at + k * iv.every, np.array([dept])) for k, dept in enumerate(order)]


def apply(model: OrgModel, iv: Intervention, departments: np.ndarray) -> None:
    """Apply one stage of an intervention to `departments` of the model, now."""
    st = model.state
    s = st.structure
    size = np.zeros(s.departments)
    a = iv.action
    if a in ("announce_vision", "walk_the_talk", "open_silos"):
        policy = {
            "announce_vision": st.vision,
            "walk_the_talk": st.walk,
            "open_silos": st.permeability,
        }[a]
        size[departments] = np.abs(iv.level - policy[departments])
        policy[departments] = iv.level
        anchor_practice(st)
    elif a == "enable_platform":
        size[departments] = PLATFORM_SIZE * ~st.platform[departments]
        st.platform[departments] = True
    elif a == "empower_everyone":
        people = np.isin(s.department, departments)
        share = np.bincount(s.department[people & ~st.customer_facing], minlength=s.departments)
        pop = np.maximum(np.bincount(s.department, minlength=s.departments), 1)
        size = EMPOWER_SIZE * share / pop
        st.customer_facing[people] = True
    elif a == "social_media_team":
        drawn_from = _create_media_team(model, 10 if iv.size is None else iv.size)
        size[drawn_from] = MEDIA_TEAM_SIZE
    elif a == "project_teams":
        isolated = s.media_team & (not model.config.organization.social_media_team_wired)
        eligible = np.isin(s.department, departments) & (s.manager >= 0) & ~isolated
        already = model.state.structure.project_team >= 0
        model.restructure(
            rebuild_projects(
                s,
                model.config.organization.project_team_size,
                model.streams["interventions"],
                eligible | already,
            )
        )
        size[departments] = REORGANIZE_SIZE
    elif a == "set":
        model.config = with_overrides(model.config, {iv.key: iv.value}, f"intervention at {iv.at}")
    st.friction += size
    st.invalidate()


def _create_media_team(model: OrgModel, size: int) -> np.ndarray:
    """Train people from Customer Service and Marketing & Sales to answer customers publicly.

    Returns the departments the team was drawn from (they bear the friction)."""
    st = model.state
    s = st.structure
    rng = model.streams["interventions"]
    pool = np.flatnonzero((s.department <= 1) & (s.manager >= 0) & ~s.media_team)
    chosen = rng.choice(pool, size=min(size, len(pool)), replace=False) if len(pool) else pool
    s.media_team[chosen] = True
    st.customer_facing[chosen] = True
    st.practice[chosen] = np.maximum(st.practice[chosen], MEDIA_TEAM_PRACTICE)
    return np.unique(s.department[chosen])
