"""The organization as a Mesa `Network` space, for Mesa's own tools (SolaraViz's space component).

The step never needs it, so `model.space` is built on first use and from then on kept in sync: a
new hire takes the leaver's cell, and a restructuring (project teams re-forming) rebuilds the
network and moves everyone into the new one. Each employee sits in the cell of its slot (cell
coordinate = slot), so `agent.cell.neighborhood` are the people it has ties to.

Built with `layout=None`: Mesa's default spring layout is unseeded and takes ~9 s at 1,000 people.
Drawing code computes a seeded layout once instead (simorg/app/mesa_viz.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import Network

if TYPE_CHECKING:
    from simorg.model import OrgModel


def _network(model: OrgModel) -> Network:
    return Network(model.graph, capacity=1, random=model.random, layout=None)


def build(model: OrgModel) -> Network:
    space = _network(model)
    for slot, agent in enumerate(model.employee_at):
        agent.cell = space[slot]
    return space


def rebuild(model: OrgModel) -> None:
    """After a restructuring: a new network of the new ties, everyone moved into it."""
    space = _network(model)
    for slot, agent in enumerate(model.employee_at):
        agent.cell = space[slot]
    model.__dict__["space"] = space
