"""Import at scale: load and step an imported organization against a built one of the same size.

    .venv/bin/python benchmarks/import_scaling.py [--people 100000] [--ties 1000000] [--steps 5]

Writes a synthetic people CSV (ids as e-mail addresses, so pseudonymising is part of the cost;
reporting lines in a tree) and a ties CSV (both directions, duplicates) into a temporary folder,
then times, in one process: reading and checking the files (`organizations.read`), building the
Structure, setting up an OrgModel, and steps; and the same for a built organization with as many
people and about as many ties. Wall-clock seconds; on a shared machine they are noisy.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from simorg.model import OrgModel
from simorg.scenario import load, with_overrides


def write_files(folder: Path, people: int, ties: int, seed: int = 1) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    ids = pd.Series(np.arange(people)).map("person{}@example.org".format)
    departments = 100
    department = rng.integers(0, departments, size=people)
    manager = np.where(
        np.arange(people) == 0, -1, rng.integers(0, np.maximum(np.arange(people), 1)) // 2
    )
    pd.DataFrame(
        {
            "id": ids,
            "department": pd.Series(department).map("Department {}".format),
            "manager": np.where(manager >= 0, ids.to_numpy()[np.maximum(manager, 0)], ""),
        }
    ).to_csv(folder / "people.csv", index=False)
    a = rng.integers(0, people, size=ties)
    same = rng.random(ties) < 0.7  # most ties inside the department
    by_dept = np.argsort(department, kind="stable")
    starts = np.searchsorted(department[by_dept], np.arange(departments))
    ends = np.searchsorted(department[by_dept], np.arange(departments), side="right")
    d = department[a]
    pick = starts[d] + (rng.random(ties) * (ends[d] - starts[d])).astype(np.int64)
    b = np.where(same, by_dept[pick], rng.integers(0, people, size=ties))
    keep = a != b
    pd.DataFrame({"source": ids.to_numpy()[a[keep]], "target": ids.to_numpy()[b[keep]]}).to_csv(
        folder / "ties.csv", index=False
    )
    return folder / "people.csv", folder / "ties.csv"


def timed(fn):
    """(result, wall seconds, CPU seconds of this process): on a shared machine the two differ."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def step_seconds(model: OrgModel, steps: int) -> tuple[float, float]:
    """(wall, CPU) seconds per step, after one step that warms the caches."""
    model.step()
    t, c = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
    return (time.perf_counter() - t) / steps, (time.process_time() - c) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    from simorg import organizations

    with tempfile.TemporaryDirectory() as tmp:
        people, ties = write_files(Path(tmp), args.people, args.ties)
        imp, t_read, c_read = timed(lambda: organizations.read(people, ties))
        base = with_overrides(load("social_business"), {"customers.count": 1000})
        sc, t_validate, c_validate = timed(
            lambda: with_overrides(
                base, {"organization.people": str(people), "organization.ties": str(ties)}
            )
        )
        imported, t_model, c_model = timed(lambda: OrgModel(sc, seed=1))
        structure = imported.state.structure
        mean_degree = len(structure.indices) / structure.n
        built_sc = with_overrides(
            base,
            {
                "organization.employees": structure.n,
                "organization.departments": 100,
                "organization.team_ties": 0.7 * mean_degree,
                "organization.cross_ties": 0.3 * mean_degree,
            },
        )
        built, t_built, c_built = timed(lambda: OrgModel(built_sc, seed=1))
        result = {
            "people": structure.n,
            "tie_lines": imp.tie_rows,
            "ties_merged": len(imp.tie_pairs),
            "ties_in_structure": len(structure.indices) // 2,
            "read_and_check_s": round(t_read, 2),
            "read_and_check_cpu_s": round(c_read, 2),
            "scenario_with_files_s": round(t_validate, 2),
            "scenario_with_files_cpu_s": round(c_validate, 2),
            "imported_model_setup_s": round(t_model, 2),
            "imported_model_setup_cpu_s": round(c_model, 2),
            "built_model_setup_s": round(t_built, 2),
            "built_model_setup_cpu_s": round(c_built, 2),
            "built_ties": len(built.state.structure.indices) // 2,
        }
        for label, model in (("imported", imported), ("built", built)):
            wall, cpu = step_seconds(model, args.steps)
            result[f"{label}_step_s"], result[f"{label}_step_cpu_s"] = round(wall, 3), round(cpu, 3)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
