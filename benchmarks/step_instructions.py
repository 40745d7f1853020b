"""Instructions per full step (valgrind's callgrind), here and in another checkout, side by side.

    .venv/bin/python benchmarks/step_instructions.py [OTHER_PYTHON ...] [--employees 10000]

CPU times on a shared or virtual machine spread by tens of per cent from one process to the next;
instruction counts do not. Each interpreter (this one first, then each OTHER_PYTHON, e.g. the venv
of a checkout of the commit before Model 2) builds `social_business` with as many customers as
employees (seed 1) and runs K steps under callgrind, for K = 2 and K = 2 + `--steps`; the
difference over `--steps` is the instructions of one step, without the build. The runs go two at
a time (one per CPU). Needs valgrind; takes a few minutes at 10,000 employees.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import sys
from simorg.model import OrgModel
from simorg.scenario import load, with_overrides
n, steps = int(sys.argv[1]), int(sys.argv[2])
sc = with_overrides(load("social_business"), {"organization.employees": n, "customers.count": n})
m = OrgModel(sc, seed=1)
for _ in range(steps):
    m.step()
"""


def _instructions(python: str, employees: int, steps: int, folder: Path) -> int:
    out = folder / f"callgrind.{abs(hash((python, steps)))}"
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", python, "-c", CHILD]
        + [str(employees), str(steps)],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",  # not a checkout: each interpreter imports its own installed simorg
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(f"step_instructions: no instruction count from callgrind for {python}")
    return int(found.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("others", nargs="*", help="pythons of other checkouts' venvs")
    ap.add_argument("--employees", type=int, default=10_000)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    pythons = [sys.executable, *a.others]
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = {
            (py, k): pool.submit(_instructions, py, a.employees, k, Path(tmp))
            for py in pythons
            for k in (2, 2 + a.steps)
        }
        per_step = {
            py: (jobs[py, 2 + a.steps].result() - jobs[py, 2].result()) / a.steps for py in pythons
        }
    here = per_step[sys.executable]
    if a.json:
        print(json.dumps({"employees": a.employees, "per_step": per_step}, indent=1))
        return
    print(f"{a.employees:,} employees, instructions per full step (over {a.steps} steps):")
    for py, count in per_step.items():
        ratio = "" if py == sys.executable else f"  (here / this: {here / count:.3f})"
        print(f"  {count / 1e6:8.1f} M  {py}{ratio}")


if __name__ == "__main__":
    main()
