"""Experiment files: what to vary, how often to repeat it, what to record, and from which seed.

An experiment is one or more base scenarios, crossed with a grid of parameter values (`[[vary]]`)
and/or a sample of points over parameter ranges (`[sample]`), each variant run `replications` times.
Replication i uses the same seed in every variant (common random numbers); the seeds are spawned
from the root `seed` with `numpy.random.SeedSequence(seed).spawn(replications)`.

Files are TOML, validated by pydantic with unknown keys forbidden; every error is one line naming
the file and the key, like scenario errors. The format is documented in docs/experiments.md.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simorg.outcomes import OUTCOMES
from simorg.scenario import (
    Scenario,
    ScenarioError,
    check_fires,
    parameters,
    shipped_files,
    with_overrides,
)
from simorg.scenario import load as load_scenario

# The top-level experiments/ folder, installed as the package simorg.experiments.shipped.
EXPERIMENT_DIR: Traversable = resources.files("simorg.experiments.shipped")
MAX_VARIANTS = 1_000_000

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
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Root seed")
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


# --- resolving -------------------------------------------------------------------------------------


@dataclass
class Variant:
    index: int
    base: str  # label of the base scenario
    params: dict[str, Scalar]  # varied parameters (grid and sample)

    @property
    def label(self) -> str:
        if not self.params:
            return self.base
        return (
            self.base
            + " · "
            + ", ".join(f"{k.split('.')[-1]}={_fmt(v)}" for k, v in self.params.items())
        )


@dataclass
class Design:
    """An experiment resolved into everything a sweep needs; its `hash` identifies the results."""

    experiment: Experiment
    source: str
    bases: dict[str, dict[str, Any]]  # label -> validated scenario as a dict
    base_steps: dict[str, int]
    variants: list[Variant]
    seeds: list[int]  # one per replication, the same in every variant
    sample_matrix: np.ndarray | None = None  # rows of the sample (saltelli/morris analysis)
    varied: list[str] = field(default_factory=list)  # keys of varied parameters, in column order

    @property
    def replications(self) -> int:
        return len(self.seeds)

    @property
    def expected_runs(self) -> int:
        return len(self.variants) * self.replications

    @property
    def outcomes(self) -> list[str]:
        return list(self.experiment.record.outcomes)

    @property
    def every(self) -> int:
        return self.experiment.record.every

    def run_key(self, variant: int, replication: int) -> str:
        return f"v{variant:05d}-r{replication:04d}"

    def canonical(self) -> dict[str, Any]:
        """Everything that decides the numbers, in a stable order (hashed and kept in the manifest)."""
        bases = {}
        for label, sc in self.bases.items():
            body = {
                k: v for k, v in sc.items() if k not in ("name", "description", "seed", "steps")
            }
            bases[label] = body
        return {
            "name": self.experiment.name,
            "bases": bases,
            "base_steps": self.base_steps,
            "varied": self.varied,
            "variants": [[v.base, [v.params.get(k) for k in self.varied]] for v in self.variants],
            "sample": self.experiment.sample.model_dump() if self.experiment.sample else None,
            "replications": self.replications,
            "seed": self.experiment.seed,
            "seeds": self.seeds,
            "record": self.experiment.record.model_dump(),
        }

    @property
    def hash(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def param_kinds(self) -> dict[str, str]:
        """Column type of each varied parameter: bool, int, float or str."""
        kinds: dict[str, str] = {}
        for key in self.varied:
            vals = [v.params[key] for v in self.variants if key in v.params]
            if all(isinstance(x, bool) for x in vals):
                kinds[key] = "bool"
            elif all(isinstance(x, int) and not isinstance(x, bool) for x in vals):
                kinds[key] = "int"
            elif all(isinstance(x, int | float) and not isinstance(x, bool) for x in vals):
                kinds[key] = "float"
            else:
                kinds[key] = "str"
        return kinds


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def replication_seeds(root: int, replications: int) -> list[int]:
    """Seed of replication i: child i of SeedSequence(root), as a 63-bit integer."""
    children = np.random.SeedSequence(root).spawn(replications)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def _sample_seed(root: int) -> int:
    """The sample's own stream: independent of the replication seeds, and of their number."""
    return int(np.random.SeedSequence([root, 0x5A4D1E]).generate_state(1, dtype=np.uint32)[0])


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def resolve_path(ref: str | Path) -> Path:
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
    path = resolve_path(ref)
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


def load(ref: str | Path, replications: int | None = None, steps: int | None = None) -> Design:
    """Load, validate and resolve an experiment file; `replications`/`steps` override the file's."""
    exp, path = load_experiment(ref)
    return resolve(
        exp, source=str(path), base_dir=path.parent, replications=replications, steps=steps
    )


def _catalogue() -> dict[str, Any]:
    return {p.key: p for p in parameters()}


def _load_base(ref: str, base_dir: Path | None) -> Scenario:
    if base_dir is not None and ("/" in ref or ref.endswith(".toml")):
        candidate = base_dir / ref
        if candidate.exists():
            return load_scenario(candidate)
    return load_scenario(ref)


def resolve(
    exp: Experiment,
    source: str = "experiment",
    base_dir: Path | None = None,
    replications: int | None = None,
    steps: int | None = None,
) -> Design:
    """Bases × grid × sample -> variants; every value checked against the scenario schema."""
    cat = _catalogue()

    def err(loc: str, msg: str) -> ExperimentError:
        return ExperimentError(_one_line(f"{source}: {loc}: {msg}"))

    def check_key(loc: str, key: str) -> None:
        if key not in cat:
            raise err(loc, f"unknown parameter '{key}'; run 'simorg params' for the valid keys")

    for key in exp.overrides:
        check_key(f"set.{key}", key)
    seen: set[str] = set()
    for i, v in enumerate(exp.vary):
        check_key(f"vary.{i}.key", v.key)
        if v.key in seen:
            raise err(f"vary.{i}.key", f"'{v.key}' is varied twice")
        seen.add(v.key)
        if v.values is None and cat[v.key].kind not in ("int", "float"):
            raise err(
                f"vary.{i}",
                f"first/step/last needs a numeric parameter; '{v.key}' is {cat[v.key].kind}",
            )
    if exp.sample is not None:
        for key, (low, high) in exp.sample.ranges.items():
            check_key(f"sample.ranges.{key}", key)
            p = cat[key]
            if key in seen:
                raise err(f"sample.ranges.{key}", f"'{key}' is both in [[vary]] and in the sample")
            if p.kind not in ("int", "float"):
                raise err(
                    f"sample.ranges.{key}",
                    f"only numeric parameters can be sampled; '{key}' is {p.kind}",
                )
            if (p.low is not None and low < p.low) or (p.high is not None and high > p.high):
                raise err(
                    f"sample.ranges.{key}",
                    f"[{low:g}, {high:g}] leaves the valid range [{p.low:g}, {p.high:g}]",
                )

    # bases: load, apply the experiment's and the base's overrides, validate
    bases: dict[str, dict[str, Any]] = {}
    base_models: dict[str, Scenario] = {}
    base_steps: dict[str, int] = {}
    for i, b in enumerate(exp.scenarios):
        try:
            sc = _load_base(b.scenario, base_dir)
        except ScenarioError as exc:
            raise err(f"scenarios.{i}", str(exc)) from None
        for key in b.overrides:
            check_key(f"scenarios.{i}.set.{key}", key)
        try:
            if exp.overrides:
                sc = with_overrides(sc, exp.overrides, source=f"{source}: set")
            if b.overrides:
                sc = with_overrides(sc, b.overrides, source=f"{source}: scenarios.{i}.set")
        except ScenarioError as exc:
            raise ExperimentError(_one_line(str(exc))) from None
        label = b.label or sc.name
        if label in bases:
            raise err(
                f"scenarios.{i}", f"two bases are called '{label}'; give each a distinct label"
            )
        bases[label] = sc.model_dump(mode="json")
        base_models[label] = sc
        base_steps[label] = steps or exp.steps or sc.steps
        check_fires(sc, base_steps[label], source=f"{source}: scenarios.{i} ({label})")

    # grid levels, each checked on every base
    grid_keys = [v.key for v in exp.vary]
    grid_levels: list[list[Scalar]] = []
    for i, v in enumerate(exp.vary):
        levels = v.levels()
        if cat[v.key].kind == "int":
            if any(isinstance(x, float) and not float(x).is_integer() for x in levels):
                raise err(f"vary.{i}", f"'{v.key}' takes whole numbers")
            levels = [int(x) if isinstance(x, float) else x for x in levels]
        for x in levels:
            for label, sc in base_models.items():
                try:
                    with_overrides(sc, {v.key: x}, source=f"{source}: vary.{i} ({label})")
                except ScenarioError as exc:
                    raise ExperimentError(_one_line(str(exc))) from None
        grid_levels.append(levels)

    sample_keys: list[str] = []
    sample_rows: list[dict[str, Scalar]] = [{}]
    matrix = None
    if exp.sample is not None:
        sample_keys = list(exp.sample.ranges)
        matrix = sample_points(exp.sample, exp.seed)
        kinds = [cat[k].kind for k in sample_keys]
        sample_rows = []
        for row in matrix:
            point: dict[str, Scalar] = {}
            for key, kind, x in zip(sample_keys, kinds, row, strict=True):
                point[key] = int(round(float(x))) if kind == "int" else float(x)
            sample_rows.append(point)

    n_grid = math.prod(len(x) for x in grid_levels) if grid_levels else 1
    total = len(bases) * n_grid * len(sample_rows)
    if total > MAX_VARIANTS:
        raise err("(top level)", f"{total} variants; at most {MAX_VARIANTS}")
    reps = replications if replications is not None else exp.replications
    if total * reps > 10_000_000:
        raise err("replications", f"{total * reps} runs; at most 10000000")

    variants: list[Variant] = []
    for label in bases:
        for combo in itertools.product(*grid_levels) if grid_levels else [()]:
            grid_point = dict(zip(grid_keys, combo, strict=True))
            for point in sample_rows:
                variants.append(Variant(len(variants), label, {**grid_point, **point}))

    return Design(
        experiment=exp,
        source=source,
        bases=bases,
        base_steps=base_steps,
        variants=variants,
        seeds=replication_seeds(exp.seed, reps),
        sample_matrix=matrix,
        varied=grid_keys + sample_keys,
    )


def problem(sample: Sample) -> dict[str, Any]:
    """The SALib problem of a sample."""
    keys = list(sample.ranges)
    return {"num_vars": len(keys), "names": keys, "bounds": [list(sample.ranges[k]) for k in keys]}


def sample_points(sample: Sample, root_seed: int) -> np.ndarray:
    """The sample's points (rows) in the order of `sample.ranges`; deterministic for the root seed."""
    seed = _sample_seed(root_seed)
    keys = list(sample.ranges)
    low = np.array([sample.ranges[k][0] for k in keys])
    high = np.array([sample.ranges[k][1] for k in keys])
    d = len(keys)
    if sample.method == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d, rng=np.random.default_rng(seed)).random(sample.points)
        return low + unit * (high - low)
    if sample.method == "sobol":
        from scipy.stats import qmc

        m = int(round(math.log2(sample.points)))
        unit = qmc.Sobol(d, scramble=True, rng=np.random.default_rng(seed)).random_base2(m)
        return low + unit * (high - low)
    if sample.method == "saltelli":
        from SALib.sample import sobol as sobol_sample

        return sobol_sample.sample(
            problem(sample), sample.points, calc_second_order=False, seed=seed
        )
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(problem(sample), sample.points, num_levels=sample.levels, seed=seed)
