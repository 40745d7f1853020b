"""simorg: an agent-based simulation of organizational communication.

An organization of employees, leaders and customers who talk (or don't) across a structure; see
docs/odd.md for the model and README.md for how to run it.

The public API is imported lazily (PEP 562), so `import simorg` stays cheap (no numpy, mesa or
pydantic until a name below is used):

- `simorg.run(scenario, steps=, seed=, **levers) -> dict`: one run, final outcomes (simorg/api.py);
- `simorg.levers()`: the keyword levers `run` and `OrgModel` accept;
- `OrgModel`, `Employee`, `Leader`, `Customer`: the Mesa model and its agents;
- `Scenario`, `Intervention`, `load_scenario`, `with_overrides`, `parameters`, `shipped_scenarios`,
  `ScenarioError`: scenarios and the parameter schema;
- `RunResult`: what `simulate` returns (per-step trajectory and final outcomes);
- `simorg.ema`: EMA Workbench parameters and outcomes from the schema (optional extra `ema`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.4.0"

_EXPORTS: dict[str, tuple[str, str]] = {
    "run": ("simorg.api", "run"),
    "levers": ("simorg.api", "levers"),
    "OrgModel": ("simorg.model", "OrgModel"),
    "Employee": ("simorg.agents", "Employee"),
    "Leader": ("simorg.agents", "Leader"),
    "Customer": ("simorg.agents", "Customer"),
    "Scenario": ("simorg.scenario", "Scenario"),
    "Intervention": ("simorg.scenario", "Intervention"),
    "ScenarioError": ("simorg.scenario", "ScenarioError"),
    "load_scenario": ("simorg.scenario", "load"),
    "with_overrides": ("simorg.scenario", "with_overrides"),
    "parameters": ("simorg.scenario", "parameters"),
    "shipped_scenarios": ("simorg.scenario", "shipped_scenarios"),
    "RunResult": ("simorg.simulate", "RunResult"),
}

__all__ = [
    "Customer",
    "Employee",
    "Intervention",
    "Leader",
    "OrgModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "levers",
    "load_scenario",
    "parameters",
    "run",
    "shipped_scenarios",
    "with_overrides",
]

if TYPE_CHECKING:
    from simorg.agents import Customer, Employee, Leader
    from simorg.api import levers, run
    from simorg.model import OrgModel
    from simorg.scenario import (
        Intervention,
        Scenario,
        ScenarioError,
        parameters,
        shipped_scenarios,
        with_overrides,
    )
    from simorg.scenario import load as load_scenario
    from simorg.simulate import RunResult


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module, attr = _EXPORTS[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value  # the next access is a plain attribute
        return value
    raise AttributeError(f"module 'simorg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
