"""An experiment checked against the scenario schema before anything runs.

Every key must be a parameter (`simorg params`), every grid level and sample range valid for that
parameter on every base, every base loadable with its overrides and its interventions due within
the run. Each failure is one line naming the file and the key (`ExperimentError`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simorg.experiments.spec import Experiment, ExperimentError, Scalar, _one_line
from simorg.scenario import (
    Parameter,
    Scenario,
    ScenarioError,
    check_fires,
    parameters,
    with_overrides,
)
from simorg.scenario import load as load_scenario


@dataclass
class Checker:
    """Checks of one experiment file; `source` names the file in every message."""

    source: str
    catalogue: dict[str, Parameter]

    @classmethod
    def of(cls, source: str) -> Checker:
        return cls(source, {p.key: p for p in parameters()})

    def error(self, loc: str, msg: str) -> ExperimentError:
        return ExperimentError(_one_line(f"{self.source}: {loc}: {msg}"))

    def key(self, loc: str, key: str) -> Parameter:
        if key not in self.catalogue:
            raise self.error(
                loc, f"unknown parameter '{key}'; run 'simorg params' for the valid keys"
            )
        return self.catalogue[key]

    def keys(self, exp: Experiment) -> None:
        """Overrides, grid and sample name real parameters, each varied once, sampled if numeric."""
        for key in exp.overrides:
            self.key(f"set.{key}", key)
        seen: set[str] = set()
        for i, v in enumerate(exp.vary):
            p = self.key(f"vary.{i}.key", v.key)
            if v.key in seen:
                raise self.error(f"vary.{i}.key", f"'{v.key}' is varied twice")
            seen.add(v.key)
            if v.values is None and p.kind not in ("int", "float"):
                raise self.error(
                    f"vary.{i}", f"first/step/last needs a numeric parameter; '{v.key}' is {p.kind}"
                )
        if exp.sample is None:
            return
        for key, (low, high) in exp.sample.ranges.items():
            loc = f"sample.ranges.{key}"
            p = self.key(loc, key)
            if key in seen:
                raise self.error(loc, f"'{key}' is both in [[vary]] and in the sample")
            if p.kind not in ("int", "float"):
                raise self.error(
                    loc, f"only numeric parameters can be sampled; '{key}' is {p.kind}"
                )
            if (p.low is not None and low < p.low) or (p.high is not None and high > p.high):
                raise self.error(
                    loc, f"[{low:g}, {high:g}] leaves the valid range [{p.low:g}, {p.high:g}]"
                )

    def bases(
        self, exp: Experiment, base_dir: Path | None, steps: int | None
    ) -> tuple[dict[str, Scenario], dict[str, int]]:
        """label -> base scenario with the experiment's and its own overrides; label -> steps."""
        models: dict[str, Scenario] = {}
        base_steps: dict[str, int] = {}
        for i, b in enumerate(exp.scenarios):
            try:
                sc = _load_base(b.scenario, base_dir)
            except ScenarioError as exc:
                raise self.error(f"scenarios.{i}", str(exc)) from None
            for key in b.overrides:
                self.key(f"scenarios.{i}.set.{key}", key)
            try:
                if exp.overrides:
                    sc = with_overrides(sc, exp.overrides, source=f"{self.source}: set")
                if b.overrides:
                    sc = with_overrides(sc, b.overrides, source=f"{self.source}: scenarios.{i}.set")
            except ScenarioError as exc:
                raise ExperimentError(_one_line(str(exc))) from None
            label = b.label or sc.name
            if label in models:
                raise self.error(
                    f"scenarios.{i}", f"two bases are called '{label}'; give each a distinct label"
                )
            models[label] = sc
            base_steps[label] = steps or exp.steps or sc.steps
            check_fires(sc, base_steps[label], source=f"{self.source}: scenarios.{i} ({label})")
        return models, base_steps

    def grid_levels(self, exp: Experiment, bases: dict[str, Scenario]) -> list[list[Scalar]]:
        """Each [[vary]]'s levels (whole numbers for int parameters), valid on every base."""
        out: list[list[Scalar]] = []
        for i, v in enumerate(exp.vary):
            levels = v.levels()
            if self.catalogue[v.key].kind == "int":
                if any(isinstance(x, float) and not float(x).is_integer() for x in levels):
                    raise self.error(f"vary.{i}", f"'{v.key}' takes whole numbers")
                levels = [int(x) if isinstance(x, float) else x for x in levels]
            for x in levels:
                for label, sc in bases.items():
                    try:
                        with_overrides(sc, {v.key: x}, source=f"{self.source}: vary.{i} ({label})")
                    except ScenarioError as exc:
                        raise ExperimentError(_one_line(str(exc))) from None
            out.append(levels)
        return out


def _load_base(ref: str, base_dir: Path | None) -> Scenario:
    """A base named by the experiment: a path relative to the experiment file, or a shipped name."""
    if base_dir is not None and ("/" in ref or ref.endswith(".toml")):
        candidate = base_dir / ref
        if candidate.exists():
            return load_scenario(candidate)
    return load_scenario(ref)
