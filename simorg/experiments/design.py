"""An experiment resolved into runs: bases × grid × sample = variants, each replicated.

Replication i uses the same seed in every variant (common random numbers); the seeds are spawned
from the root `seed` with `numpy.random.SeedSequence(seed).spawn(replications)`. The file format is
`spec`; the checks against the scenario schema are `checks`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simorg.experiments.checks import Checker
from simorg.experiments.spec import Experiment, Sample, Scalar, load_experiment

MAX_VARIANTS = 1_000_000
MAX_RUNS = 10_000_000


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


def load_design(
    ref: str | Path, replications: int | None = None, steps: int | None = None
) -> Design:
    """Load, check and expand an experiment file; `replications`/`steps` override the file's."""
    exp, path = load_experiment(ref)
    return expand(
        exp, source=str(path), base_dir=path.parent, replications=replications, steps=steps
    )


def expand(
    exp: Experiment,
    source: str = "experiment",
    base_dir: Path | None = None,
    replications: int | None = None,
    steps: int | None = None,
) -> Design:
    """Bases × grid × sample -> variants; every value checked against the scenario schema."""
    check = Checker.of(source)
    check.keys(exp)
    base_models, base_steps = check.bases(exp, base_dir, steps)
    grid_keys = [v.key for v in exp.vary]
    grid_levels = check.grid_levels(exp, base_models)
    sample_keys = list(exp.sample.ranges) if exp.sample is not None else []
    matrix = sample_points(exp.sample, exp.seed) if exp.sample is not None else None
    sample_rows = _sample_rows(sample_keys, matrix, [check.catalogue[k].kind for k in sample_keys])

    total = len(base_models) * math.prod(len(x) for x in grid_levels) * len(sample_rows)
    if total > MAX_VARIANTS:
        raise check.error("(top level)", f"{total} variants; at most {MAX_VARIANTS}")
    reps = replications if replications is not None else exp.replications
    if total * reps > MAX_RUNS:
        raise check.error("replications", f"{total * reps} runs; at most {MAX_RUNS}")

    variants: list[Variant] = []
    for label in base_models:
        for combo in itertools.product(*grid_levels):
            grid_point = dict(zip(grid_keys, combo, strict=True))
            for point in sample_rows:
                variants.append(Variant(len(variants), label, {**grid_point, **point}))
    return Design(
        experiment=exp,
        source=source,
        bases={label: sc.model_dump(mode="json") for label, sc in base_models.items()},
        base_steps=base_steps,
        variants=variants,
        seeds=replication_seeds(exp.seed, reps),
        sample_matrix=matrix,
        varied=grid_keys + sample_keys,
    )


def _sample_rows(
    keys: list[str], matrix: np.ndarray | None, kinds: list[str]
) -> list[dict[str, Scalar]]:
    """The sample's points as {key: value} (whole numbers for int parameters); [{}] without one."""
    if matrix is None:
        return [{}]
    return [
        {
            key: int(round(float(x))) if kind == "int" else float(x)
            for key, kind, x in zip(keys, kinds, row, strict=True)
        }
        for row in matrix
    ]


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
