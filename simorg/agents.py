"""Employees, leaders and customers as Mesa agents whose attributes are views on the model's arrays.

The arrays (state.py) are what a step computes on; these agents give users and the explorer the
Mesa API: `model.agents_by_type[Employee]`, `select`, `agg`, subclassing. Reading `emp.practice` reads
the array; assigning to it writes the array, so both always agree.

Extending agents (README, "Extending agents"): subclass Employee, Leader or Customer and set
`OrgModel.employee_class` / `leader_class` / `customer_class` on a subclass of OrgModel; the model
creates those classes, new hires included. A `step` method is called once per step before the
mechanisms (simorg/agent_hooks.py). Behaviour changes go through the arrays: assign to the
attributes below. Overriding one of them in a subclass changes what that attribute returns to
Python, never what the mechanisms compute, so it is warned about when the class is defined.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.discrete_space.cell_agent import HasCell

__all__ = ["ArrayViewWarning", "Customer", "Employee", "Leader"]


if TYPE_CHECKING:
    from simorg.model import OrgModel


class ArrayViewWarning(UserWarning):
    """A subclass overrides an attribute that views the model's arrays: the mechanisms ignore it."""


def _warn_overridden_views(cls: type) -> None:
    """Warn when a user's subclass redefines a property of simorg's agent classes."""
    if cls.__module__ == __name__:
        return
    own = vars(cls)
    overridden = {
        name: base.__name__
        for base in reversed(cls.__mro__[1:])
        if base.__module__ == __name__
        for name, attr in vars(base).items()
        if isinstance(attr, property) and name in own and own[name] is not attr
    }
    for name, base in overridden.items():
        warnings.warn(
            f"{cls.__name__}.{name} overrides {base}.{name}, a view of the model's arrays; "
            f"the mechanisms read the arrays, not this attribute, so it changes nothing they compute. "
            f"Assign to self.{name} in step() instead (README, 'Extending agents').",
            ArrayViewWarning,
            stacklevel=3,
        )


class Employee(mesa.Agent, HasCell):
    """A person in slot `slot` of the organization's arrays (and, once built, a cell of model.space)."""

    model: OrgModel

    def __init__(self, model: OrgModel, slot: int) -> None:
        super().__init__(model)
        self.slot = slot

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        _warn_overridden_views(cls)

    def remove(self) -> None:
        """Leave the model and the space (a leaver's slot goes to a new hire)."""
        super().remove()
        self.cell = None

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.unique_id} slot {self.slot}: {self.department_name}, "
            f"level {self.level}, practice {self.practice:.2f}>"
        )

    @property
    def department(self) -> int:
        return int(self.model.state.structure.department[self.slot])

    @property
    def department_name(self) -> str:
        return self.model.department_names[self.department]

    @property
    def level(self) -> int:
        return int(self.model.state.structure.level[self.slot])

    @property
    def manager(self) -> Employee | None:
        boss = int(self.model.state.structure.manager[self.slot])
        return None if boss < 0 else self.model.employee_at[boss]

    @property
    def is_formal_leader(self) -> bool:
        return bool(self.model.state.structure.is_leader[self.slot])

    @property
    def is_informal_leader(self) -> bool:
        return bool(self.model.state.structure.informal_leader[self.slot])

    @property
    def in_media_team(self) -> bool:
        return bool(self.model.state.structure.media_team[self.slot])

    @property
    def practice(self) -> float:
        """Social practice s in [0, 1]."""
        return float(self.model.state.practice[self.slot])

    @practice.setter
    def practice(self, value: float) -> None:
        self.model.state.practice[self.slot] = min(1.0, max(0.0, value))

    @property
    def leadership_trust(self) -> float:
        return float(self.model.state.leadership_trust[self.slot])

    @leadership_trust.setter
    def leadership_trust(self, value: float) -> None:
        self.model.state.leadership_trust[self.slot] = min(1.0, max(0.0, value))

    @property
    def customer_facing(self) -> bool:
        return bool(self.model.state.customer_facing[self.slot])

    @customer_facing.setter
    def customer_facing(self, value: bool) -> None:
        self.model.state.customer_facing[self.slot] = bool(value)

    @property
    def beliefs(self) -> np.ndarray:
        """A writable view of this person's beliefs, in {-1, 0, +1}^m."""
        return self.model.state.beliefs[0, self.slot]

    @property
    def knowledge(self) -> float:
        """Σ b·r / m: how much of reality this person's beliefs get right (on an NK task: the
        expected score of their beliefs, as individual_knowledge)."""
        st = self.model.state
        if st.task is not None:  # on an NK task: the expected score of one's beliefs
            return float(st.task.beliefs(st.beliefs[:, self.slot : self.slot + 1])[0, 0])
        return float(st.beliefs[0, self.slot].astype(np.int64) @ st.reality[0] / st.m)

    @property
    def colleagues(self) -> list[Employee]:
        structure = self.model.state.structure
        nb = structure.indices[structure.indptr[self.slot] : structure.indptr[self.slot + 1]]
        return [self.model.employee_at[i] for i in nb]

    def trust_in(self, other: Employee) -> float | None:
        """Trust on the tie to `other`, or None when they have no tie."""
        structure = self.model.state.structure
        lo, hi = structure.indptr[self.slot], structure.indptr[self.slot + 1]
        hit = np.flatnonzero(structure.indices[lo:hi] == other.slot)
        return float(self.model.state.tie_trust[lo + hit[0]]) if len(hit) else None


class Leader(Employee):
    """A formal leader: heads a unit; a role model, committed to the department's walk-the-talk
    (how firmly: culture.stubbornness)."""

    @property
    def walk_the_talk(self) -> float:
        return float(self.model.state.walk[self.department])

    @walk_the_talk.setter
    def walk_the_talk(self, value: float) -> None:
        """Sets the walk-the-talk of the department's leaders (they share one commitment) and
        moves their practice to it now; from then on they drift as their stubbornness allows."""
        st = self.model.state
        st.walk[self.department] = min(1.0, max(0.0, value))
        st.practice[st.structure.is_leader & (st.structure.department == self.department)] = (
            st.walk[self.department]
        )


class Customer(mesa.Agent):
    """A customer in slot `slot` of the customer arrays."""

    model: OrgModel

    def __init__(self, model: OrgModel, slot: int) -> None:
        super().__init__(model)
        self.slot = slot

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        _warn_overridden_views(cls)

    def __repr__(self) -> str:
        request = "an open request" if self.open_request else "no open request"
        return f"<{type(self).__name__} {self.unique_id} slot {self.slot}: trust {self.trust:.2f}, {request}>"

    @property
    def trust(self) -> float:
        """θ: trust in the company, in [0, 1]."""
        return float(self.model.state.customer_trust[self.slot])

    @trust.setter
    def trust(self, value: float) -> None:
        self.model.state.customer_trust[self.slot] = min(1.0, max(0.0, value))

    @property
    def active(self) -> bool:
        """A customer now (False: a prospect, who may become one, or a customer who left)."""
        return bool(self.model.state.customer_active[self.slot])

    @property
    def needs(self) -> list[int]:
        return [int(x) for x in self.model.state.needs[self.slot]]

    @property
    def open_request(self) -> dict | None:
        st = self.model.state
        topic = int(st.request_topic[self.slot])
        if topic < 0:
            return None
        return {
            "topic": topic,
            "department": self.model.department_names[int(st.dimension_owner[topic])],
            "holder": self.model.employee_at[int(st.request_holder[self.slot])],
            "age": int(st.request_age[self.slot]),
            "acknowledged": bool(st.request_acknowledged[self.slot]),
        }
