"""The per-step agent hook: an agent class that defines `step` has it called once per step.

simorg's mechanisms compute on arrays and never call agents, so a subclass's `step` would otherwise
be ignored. When one of the model's agent classes (`OrgModel.employee_class`, `leader_class`,
`customer_class`) overrides `mesa.Agent.step`, the model schedules a recurring Mesa event at
k - 0.5, just before step k (after any intervention due then): every agent of such a class steps, in
a random order drawn from `model.random` (seeded by the run's seed), and then the mechanisms run.
During the hook `model.steps` is the number of steps completed so far.

What a hook changes must go through the arrays: assign to the agent's attributes
(`self.practice = ...`, `self.leadership_trust = ...`, `self.trust = ...`), which write
`model.state`; the mechanisms read nothing else (README, "Extending agents").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
from mesa.time import Priority, Schedule

BETWEEN_STEPS = 0.5
"""Mesa time k − BETWEEN_STEPS is after step k − 1 and before step k (half-way, so it never ties
with a step's own event): interventions due at step k, then this hook, run then."""

if TYPE_CHECKING:
    from simorg.model import OrgModel


def defines_step(cls: type) -> bool:
    """Whether `cls` (or a base between it and mesa.Agent) overrides mesa.Agent.step."""
    return getattr(cls, "step", mesa.Agent.step) is not mesa.Agent.step


def hooked_classes(model: OrgModel) -> tuple[type, ...]:
    classes = (model.employee_class, model.leader_class, model.customer_class)
    return tuple(dict.fromkeys(c for c in classes if defines_step(c)))


def schedule(model: OrgModel) -> None:
    """Schedule the hook when any agent class defines `step`; otherwise cost nothing."""
    classes = hooked_classes(model)
    if not classes:
        return
    fn = _Hook(model, classes)
    model._events.append(fn)  # Mesa holds callbacks weakly
    model.schedule_recurring(fn, Schedule(interval=1.0, start=BETWEEN_STEPS), priority=Priority.LOW)


class _Hook:
    def __init__(self, model: OrgModel, classes: tuple[type, ...]) -> None:
        self.model = model
        self.classes = classes

    def __call__(self) -> None:
        agents = self.model.agents.select(lambda a: isinstance(a, self.classes))
        agents.shuffle_do("step")
