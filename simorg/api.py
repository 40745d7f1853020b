"""simorg as a plain function: the way to call it from other tools (EMA Workbench, SALib, notebooks).

    import simorg
    out = simorg.run("social_business", steps=52, seed=1, organization_permeability=0.6)
    out["customer_trust"], out["organization_permeability"], out["seed"]

`run` takes levers as keywords with identifier-safe names (`organization_permeability`, or the short
`permeability` where it is unique; `simorg.levers()` lists them) and returns one flat dict: the
run's identity (`scenario`, `seed`, `steps`, `simorg_version`), the levers it was given under their
full identifier names, and every final outcome (docs/odd.md §8). Every key is a valid Python
identifier and SQL column name, so the dict goes straight into a DataFrame, a database or EMA.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simorg.conventions import dotted, identifier, lever_names
from simorg.scenario import Scenario

__all__ = ["levers", "metadata", "run"]


def levers() -> dict[str, str]:
    """Every keyword `run` and `OrgModel` accept -> the dotted parameter it sets."""
    return dict(lever_names())


def metadata(scenario: Scenario, seed: int, steps: int) -> dict[str, Any]:
    """What identifies a run in every output: scenario, seed, steps and simorg's version."""
    from simorg import __version__

    return {"scenario": scenario.name, "seed": int(seed), "steps": int(steps),
            "simorg_version": __version__}  # fmt: skip


def _value(sc: Scenario, key: str) -> Any:
    node: Any = sc
    for part in key.split("."):
        node = getattr(node, part)
    return node


def run(
    scenario: str | Path | Scenario = "social_business",
    steps: int | None = None,
    seed: int | None = None,
    **levers: Any,
) -> dict[str, Any]:
    """Run one replication and return its final outcomes as a flat dict with identifier-safe keys.

    `scenario` is a shipped name, a .toml path or a Scenario; `steps` and `seed` default to the
    scenario's (so the same call gives the same numbers); `levers` override parameters. Bad input
    raises simorg.ScenarioError with a one-line message naming the parameter and the fix.
    """
    import numpy as np

    from simorg.model import OrgModel
    from simorg.scenario import load, with_overrides

    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    plain = {k: v.item() if isinstance(v, np.generic) else v for k, v in levers.items()}
    changes = dotted(plain, source="simorg.run")
    if changes:
        sc = with_overrides(sc, changes, source="simorg.run")
    steps = sc.steps if steps is None else int(steps)
    model = OrgModel(sc, seed=sc.seed if seed is None else seed)
    model.run_for(steps)
    out = metadata(sc, model.seed, steps)
    out.update({identifier(key): _value(sc, key) for key in changes})
    out.update(model.outcomes)
    return out
