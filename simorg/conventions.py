"""How OrgModel's arguments become one validated Scenario and one seed, the way Mesa users expect.

`OrgModel(scenario_or_config=None, *, rng=None, seed=None, scenario=None, overrides=None, **levers)`:

- the organization is a simorg `Scenario`, a shipped scenario's name, a path to a .toml file, or a
  Mesa `Scenario` whose attributes are read as keyword levers (Mesa's SolaraViz passes one on Reset);
- levers are keywords with identifier-safe names: `organization_permeability=0.4`, or the short
  `permeability=0.4` where the short name is unique; the dotted form goes through `overrides=`
  (`overrides={"organization.permeability": 0.4}`), as in scenario files and `--set`;
- `rng` is what Mesa takes (an int, a SeedSequence, a numpy Generator); `seed` an int. With neither,
  the run gets fresh entropy, recorded in `model.seed` (and `model.config.seed`) so it can be
  repeated. A scenario file's `seed` is the default of `simorg run` and `simulate`, not of OrgModel:
  Mesa's `batch_run` passes `seed=None` for each iteration and must get distinct runs.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from simorg.limits import MAX_SEED  # re-exported: seeds are int64
from simorg.scenario import Scenario, ScenarioError, load, parameters, with_overrides

TOP_LEVEL = {"steps": "steps", "name": "name", "description": "description"}


def identifier(key: str) -> str:
    """The identifier-safe name of a dotted parameter: organization.permeability -> organization_permeability."""
    return key.replace(".", "_")


@cache
def lever_names() -> dict[str, str]:
    """Every keyword OrgModel and simorg.run accept -> the dotted parameter it sets.

    Full names (`organization_permeability`) always; short names (`permeability`) where only one
    section has a parameter of that name; the top-level `steps`, `name` and `description`.
    """
    keys = [p.key for p in parameters()]
    out = {identifier(k): k for k in keys}
    short: dict[str, list[str]] = {}
    for k in keys:
        short.setdefault(k.split(".", 1)[1], []).append(k)
    out.update({name: ks[0] for name, ks in short.items() if len(ks) == 1 and name not in out})
    out.update(TOP_LEVEL)
    return out


def dotted(levers: Mapping[str, Any], source: str = "OrgModel") -> dict[str, Any]:
    """Keyword levers -> dotted overrides; an unknown or ambiguous name is a one-line ScenarioError."""
    names = lever_names()
    out: dict[str, Any] = {}
    for name, value in levers.items():
        if name in names:
            out[names[name]] = value
            continue
        same = [identifier(p.key) for p in parameters() if p.key.split(".", 1)[1] == name]
        hint = (
            f"it is ambiguous: use one of {', '.join(same)}"
            if same
            else "use section_name, e.g. organization_permeability, or overrides={'section.name': value}; "
            "run 'simorg params' for the valid keys"
        )
        raise ScenarioError(f"{source}: unknown parameter '{name}'; {hint}")
    return out


def _is_mesa_scenario(obj: object) -> bool:
    from mesa.experimental.scenarios import Scenario as MesaScenario

    return isinstance(obj, MesaScenario)


def _mesa_params(ms: Any) -> dict[str, Any]:
    return {k: v for k, v in ms.__dict__.items() if k not in ("rng", "model", "_scenario_id")}


def resolve_seed(rng: Any = None, seed: Any = None) -> int:
    """One int seed from Mesa's `rng` or simorg's `seed`; fresh entropy when both are None."""
    if rng is not None and seed is not None:
        raise ValueError("OrgModel: give rng or seed, not both (they mean the same)")
    value = seed if seed is not None else rng
    if isinstance(value, str):  # Mesa's SolaraViz "InputText" seed
        text = value.strip()
        if not text.isdigit():
            raise ScenarioError(f"OrgModel: seed {value!r} is not a whole number; give e.g. 42")
        value = int(text)
    if value is None:
        return secrets.randbits(MAX_SEED.bit_length())
    if isinstance(value, np.random.Generator):
        return int(value.integers(MAX_SEED))
    if isinstance(value, np.random.BitGenerator):
        return int(np.random.Generator(value).integers(MAX_SEED))
    if isinstance(value, np.random.SeedSequence):
        return int(value.generate_state(1, np.uint64)[0] >> np.uint64(1))
    if isinstance(value, Sequence) and not isinstance(value, str):
        return int(np.random.SeedSequence(list(value)).generate_state(1, np.uint64)[0] >> 1)
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ScenarioError(
            f"OrgModel: seed {value!r} is not a whole number; give an int in [0, 2**63 - 1]"
        )
    if not 0 <= int(value) <= MAX_SEED:
        raise ScenarioError(f"OrgModel: seed {value} is outside [0, 2**63 - 1]")
    return int(value)


def _as_config(ref: Any, source: str) -> Scenario:
    if isinstance(ref, Scenario):
        return ref
    if isinstance(ref, str | Path):
        return load(ref)
    raise ScenarioError(
        f"{source}: expected a simorg Scenario, a shipped scenario's name or a .toml path, "
        f"not {type(ref).__name__}"
    )


def resolve(
    scenario_or_config: Any = None,
    *,
    scenario: Any = None,
    rng: Any = None,
    seed: Any = None,
    overrides: Mapping[str, Any] | None = None,
    levers: Mapping[str, Any] | None = None,
) -> tuple[Scenario, Any, int]:
    """(config, Mesa Scenario for Mesa's Model or None, seed) from OrgModel's arguments."""
    mesa_scenario = None
    bases = []
    for given in (scenario_or_config, scenario):
        if given is None:
            continue
        if _is_mesa_scenario(given):
            if mesa_scenario is not None:
                raise ValueError("OrgModel: two Mesa Scenarios given; pass one")
            mesa_scenario = given
        else:
            bases.append(given)
    if len(bases) > 1:
        raise ValueError("OrgModel: give the scenario once (positionally or as scenario=)")
    kwargs: dict[str, Any] = {}
    if mesa_scenario is not None:
        kwargs = _mesa_params(mesa_scenario)
        base_ref = kwargs.pop("scenario_or_config", None)
        if base_ref is not None and not bases:
            bases.append(base_ref)
        ms_rng = mesa_scenario.rng
        if ms_rng is not None and rng is not None and ms_rng is not rng and ms_rng != rng:
            raise ValueError("OrgModel: rng and scenario.rng must be the same (Mesa's rule)")
        if rng is None and seed is None:
            rng = ms_rng
    kwargs.update(levers or {})
    config = _as_config(bases[0], "OrgModel") if bases else Scenario()
    changes = dict(overrides or {})
    changes.update(dotted(kwargs))
    if changes:
        config = with_overrides(config, changes, source="OrgModel")
    value = resolve_seed(rng, seed)
    config = config.model_copy(update={"seed": value})
    if mesa_scenario is not None:  # Mesa's Model requires scenario.rng to match its rng
        mesa_scenario = type(mesa_scenario)(rng=value, **_mesa_params(mesa_scenario))
    return config, mesa_scenario, value
