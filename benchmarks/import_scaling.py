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
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def step_seconds(model: OrgModel, steps: int) -> float:
    model.step()  # warm caches
    t = time.perf_counter()
    for _ in range(steps):
        model.step()
    return (time.perf_counter() - t) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    from simorg import organizations

    with tempfile.TemporaryDirectory() as tmp:
        people, ties = write_files(Path(tmp), args.people, args.ties)
        imp, t_read = timed(lambda: organizations.read(people, ties))
        base = with_overrides(load("social_business"), {"customers.count": 1000})
        sc, t_validate = timed(
            lambda: with_overrides(
                base, {"organization.people": str(people), "organization.ties": str(ties)}
            )
        )
        imported, t_model = timed(lambda: OrgModel(sc, seed=1))
        s = imported.state.structure
        mean_degree = len(s.indices) / s.n
        built_sc = with_overrides(
            base,
            {
                "organization.employees": s.n,
                "organization.departments": 100,
                "organization.team_ties": 0.7 * mean_degree,
                "organization.cross_ties": 0.3 * mean_degree,
            },
        )
        built, t_built = timed(lambda: OrgModel(built_sc, seed=1))
        result = {
            "people": s.n,
            "tie_lines": imp.tie_rows,
            "ties_merged": len(imp.tie_pairs),
            "ties_in_structure": len(s.indices) // 2,
            "read_and_check_s": round(t_read, 2),
            "scenario_validation_cached_s": round(t_validate, 3),
            "imported_model_setup_s": round(t_model, 2),
            "built_model_setup_s": round(t_built, 2),
            "built_ties": len(built.state.structure.indices) // 2,
            "imported_step_s": round(step_seconds(imported, args.steps), 3),
            "built_step_s": round(step_seconds(built, args.steps), 3),
        }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
