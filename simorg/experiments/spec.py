"""The experiment file format: what an experiment TOML file may say, parsed and found.

Files are TOML, validated by pydantic with unknown keys forbidden; every error is one line naming
the file and the key, like scenario errors. The format is documented in docs/experiments.md.
Checking the file against the scenario schema is `checks`; turning it into runs is `design`.
"""

from __future__ import annotations

import json
import math
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simorg.errors import one_line
from simorg.limits import MAX_SEED
from simorg.outcomes import OUTCOMES
from simorg.scenario import ScenarioError, shipped_files

# The top-level experiments/ folder, installed as the package simorg.experiments.shipped.
EXPERIMENT_DIR: Traversable = resources.files("simorg.experiments.shipped")

Scalar = bool | int | float | str


class ExperimentError(ScenarioError):
    """An experiment that cannot be used; its message is one line naming the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"organization": {"permeability": 0.4}} and {"organization.permeability": 0.4} alike."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{full}."))
        else:
            out[full] = value
    return out


class BaseScenario(_Strict):
    """One base scenario: a shipped name or a path (relative to the experiment file), and overrides."""

    scenario: str = Field(
        ..., min_length=1, description="Shipped scenario name or path to a .toml file"
    )
    label: str | None = Field(
        None, min_length=1, max_length=80, description="Name in tables and plots"
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict, alias="set", description="Parameters changed for this base only"
    )

    @field_validator("overrides", mode="before")
    @classmethod
    def _flat(cls, v: Any) -> Any:
        return _flatten(v) if isinstance(v, dict) else v


class Vary(_Strict):
    """One parameter of the grid: a list of `values`, or `first`, `step`, `last`."""

    key: str = Field(..., description="Dotted parameter, e.g. organization.permeability")
    values: list[Scalar] | None = Field(None, min_length=1, max_length=100_000)
    first: float | None = None
    step: float | None = None
    last: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Vary:
        ranged = (self.first, self.step, self.last)
        if self.values is not None:
            if any(x is not None for x in ranged):
                raise ValueError("give either values or first/step/last, not both")
            if len({json.dumps(v) for v in self.values}) != len(self.values):
                raise ValueError("values repeat")
            return self
        if any(x is None for x in ranged):
            raise ValueError("give values = [...] or all of first, step and last")
        if not all(math.isfinite(x) for x in ranged):  # type: ignore[arg-type]
            raise ValueError("first, step and last must be finite numbers")
        if self.step == 0 or (self.last - self.first) * self.step < 0:  # type: ignore[operator]
            raise ValueError("step must be non-zero and go from first towards last")
        count = math.floor((self.last - self.first) / self.step + 1e-9) + 1  # type: ignore[operator]
        if count > 100_000:
            raise ValueError(f"first/step/last give {count} values; at most 100000")
        return self

    def levels(self) -> list[Scalar]:
        if self.values is not None:
            return list(self.values)
        assert self.first is not None and self.step is not None and self.last is not None
        count = math.floor((self.last - self.first) / self.step + 1e-9) + 1
        return [round(self.first + k * self.step, 12) for k in range(count)]


class Sample(_Strict):
    """A sample of points over parameter ranges."""

    method: Literal["lhs", "sobol", "saltelli", "morris"] = Field(
        ...,
        description="lhs: Latin hypercube; sobol: scrambled Sobol' points; saltelli: the Saltelli design "
        "for Sobol' indices (points × (k + 2) variants); morris: Morris trajectories "
        "(points × (k + 1) variants)",
    )
    points: int = Field(
        ...,
        ge=1,
        le=1_000_000,
        description="Points (lhs, sobol), base N (saltelli), trajectories (morris)",
    )
    levels: int = Field(4, ge=2, le=100, description="Grid levels of a Morris design")
    ranges: dict[str, tuple[float, float]] = Field(
        ..., min_length=1, description="key = [low, high]"
    )

    @field_validator("ranges", mode="before")
    @classmethod
    def _flat(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        flat: dict[str, Any] = {}
        for key, value in v.items():
            if isinstance(value, dict):
                flat.update({f"{key}.{k}": x for k, x in _flatten(value).items()})
            else:
                flat[key] = value
        return flat

    @model_validator(mode="after")
    def _check(self) -> Sample:
        for key, (low, high) in self.ranges.items():
            if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
                raise ValueError(f"range of '{key}' must be [low, high] with low < high")
        if self.method in ("sobol", "saltelli") and self.points & (self.points - 1):
            raise ValueError(f"{self.method} needs points to be a power of 2 (1, 2, 4, 8, ...)")
        return self


class Record(_Strict):
    """What to keep: which outcomes, and every how many steps (0: final values only)."""

    outcomes: list[str] = Field(default_factory=lambda: list(OUTCOMES), min_length=1)
    every: int = Field(
        10, ge=0, le=1_000_000, description="Keep per-step outcomes every k steps; 0 = none"
    )

    @field_validator("outcomes")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        for name in v:
            if name not in OUTCOMES:
                raise ValueError(f"unknown outcome '{name}'; known: {', '.join(OUTCOMES)}")
        if len(set(v)) != len(v):
            raise ValueError("outcomes repeat")
        return v


class Experiment(_Strict):
    """A named experiment: base scenarios × grid × sample, replicated, from one root seed."""

    name: str = Field(..., min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    question: str = Field("", description="The question the experiment asks")
    scenarios: list[BaseScenario] = Field(..., min_length=1, max_length=1000)
    overrides: dict[str, Any] = Field(
        default_factory=dict, alias="set", description="Changed in every base"
    )
    vary: list[Vary] = Field(default_factory=list, max_length=50)
    sample: Sample | None = None
    replications: int = Field(10, ge=1, le=100_000)
    steps: int | None = Field(
        None, ge=1, le=1_000_000, description="Steps of every run (default: each scenario's)"
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Root seed")
    record: Record = Field(default_factory=Record)

    @field_validator("scenarios", mode="before")
    @classmethod
    def _names(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"scenario": x} if isinstance(x, str) else x for x in v]
        return v

    @field_validator("overrides", mode="before")
    @classmethod
    def _flat(cls, v: Any) -> Any:
        return _flatten(v) if isinstance(v, dict) else v


def _one_line(text: str) -> str:
    return one_line(text, limit=300)


def _first_error(exc: ValidationError, source: str) -> ExperimentError:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        return ExperimentError(
            _one_line(f"{source}: unknown key '{loc}'; see docs/experiments.md for the valid keys")
        )
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    got = repr(err.get("input"))
    got = got if len(got) <= 60 else got[:57] + "..."
    return ExperimentError(_one_line(f"{source}: {loc}: {msg} (got {got})"))


def from_dict(data: dict[str, Any], source: str = "experiment") -> Experiment:
    try:
        return Experiment.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, source) from None


def shipped_experiments() -> dict[str, Traversable]:
    """Name -> file of every experiment shipped in experiments/ (simorg.experiments.shipped)."""
    return shipped_files(EXPERIMENT_DIR)


def experiment_path(ref: str | Path) -> Path:
    p = Path(ref)
    if p.suffix == ".toml" or p.exists() or "/" in str(ref):
        if not p.is_file():
            raise ExperimentError(
                f"{ref}: no such file; give a path to an experiment .toml file or a shipped name"
            )
        return p
    shipped = shipped_experiments()
    if str(ref) in shipped:
        found = shipped[str(ref)]
        if not isinstance(found, Path):  # e.g. simorg imported from a zip file
            raise ExperimentError(
                f"{ref}: shipped experiments must be on the file system, not in {found}; "
                "install simorg with pip"
            )
        return found
    raise ExperimentError(
        f"{ref}: unknown experiment; shipped: {', '.join(shipped) or 'none'} (or give a path to a .toml file)"
    )


def load_experiment(ref: str | Path) -> tuple[Experiment, Path]:
    path = experiment_path(ref)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExperimentError(
            _one_line(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}")
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(_one_line(f"{path}: TOML syntax error: {exc}")) from None
    data.setdefault("name", path.stem)
    from simorg.organizations import anchor_paths  # issue 13: file paths relative to this file

    for table in [data.get("set")] + [
        b.get("set") for b in data.get("scenarios", []) if isinstance(b, dict)
    ]:
        anchor_paths(table, path.parent)
    return from_dict(data, str(path)), path
