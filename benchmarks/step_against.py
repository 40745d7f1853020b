"""CPU time of a full step here against another checkout of simorg, side by side in one run.

    .venv/bin/python benchmarks/step_against.py OTHER_PYTHON [--employees 10000] [--steps 40]
        [--repeats 5] [--json]

OTHER_PYTHON is the interpreter of another checkout's venv (e.g. the commit before Model 2:
`git worktree add /tmp/pre2 16f7e79`, a venv there with `pip install -e /tmp/pre2`). Both run the
same scenario (`social_business`, as many customers as employees, seed 1), alternating, each in a
fresh process: build, one warm-up step, then `--steps` timed steps, `--repeats` times. Time is the
child's CPU time (time.process_time), so other processes on a shared machine inflate it less than
wall time; the least of the repeats is the figure (noise only adds), the median is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = """
import json, sys, time
from simorg.model import OrgModel
from simorg.scenario import load, with_overrides
n, steps = int(sys.argv[1]), int(sys.argv[2])
sc = with_overrides(load("social_business"), {"organization.employees": n, "customers.count": n})
m = OrgModel(sc, seed=1)
m.step()
c0 = time.process_time()
for _ in range(steps):
    m.step()
print(json.dumps((time.process_time() - c0) / steps * 1e3))
"""


def _child(python: str, n: int, steps: int) -> float:
    out = subprocess.run(
        [python, "-c", CHILD, str(n), str(steps)],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",  # not a checkout: each interpreter imports its own installed simorg
    )
    return float(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("other", help="python of the other checkout's venv")
    ap.add_argument("--employees", type=int, default=10_000)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    here: list[float] = []
    other: list[float] = []
    load0 = os.getloadavg()[0]
    for _ in range(a.repeats):
        here.append(_child(sys.executable, a.employees, a.steps))
        other.append(_child(a.other, a.employees, a.steps))
    out = {
        "employees": a.employees,
        "steps": a.steps,
        "here_ms": here,
        "other_ms": other,
        "ratio_min": min(here) / min(other),
        "ratio_median": statistics.median(here) / statistics.median(other),
        "load_before": load0,
        "load_after": os.getloadavg()[0],
    }
    if a.json:
        print(json.dumps(out, indent=1))
        return
    print(
        f"{a.employees:,} employees, CPU ms per full step over {a.steps} steps, {a.repeats} "
        f"alternating repeats (load average {load0:.1f} -> {out['load_after']:.1f}):\n"
        f"  here : min {min(here):.2f}, median {statistics.median(here):.2f}\n"
        f"  other: min {min(other):.2f}, median {statistics.median(other):.2f}\n"
        f"  here / other: {out['ratio_min']:.3f} (min), {out['ratio_median']:.3f} (median)"
    )


if __name__ == "__main__":
    main()
