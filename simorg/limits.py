"""Upper bounds on a run, checked before any work, with the memory the run would take.

The bounds (documented in README.md and docs/experiments.md):
- steps: 1 … 1,000,000 per run (`MAX_STEPS`, the schema's `steps` range);
- employees: 10 … 1,000,000 and customers: 0 … 10,000,000 (the schema's ranges);
- and the run must fit in the memory this machine has available: a run needs about
  `BYTES_PER_EMPLOYEE` per employee and `BYTES_PER_CUSTOMER` per customer (measured peak,
  social_business defaults, simorg 0.1) plus its per-step outcomes.
A run that fits but is large (over `WARN_BYTES`) gets one line on stderr saying what it will take.
"""

from __future__ import annotations

import os

from simorg.errors import SimorgError, warn

MAX_STEPS = 1_000_000
MAX_EMPLOYEES = 1_000_000
MAX_CUSTOMERS = 10_000_000
BYTES_PER_EMPLOYEE = 1_300  # arrays, ties, beliefs (30 dimensions) and the Mesa agent
BYTES_PER_CUSTOMER = 500
BYTES_PER_DIMENSION = 2  # beliefs: one int8 per employee and dimension, and a working copy
WARN_BYTES = 1 << 30


def _fmt(n: float) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n / 1024:.0f} KB"


def run_bytes(employees: int, customers: int, steps: int, outcomes: int, dimensions: int) -> int:
    """About the peak memory of one run (the trajectory is one float per outcome and step)."""
    per_employee = BYTES_PER_EMPLOYEE + BYTES_PER_DIMENSION * max(dimensions - 30, 0)
    return employees * per_employee + customers * BYTES_PER_CUSTOMER + steps * outcomes * 8 * 3


def available_bytes() -> int | None:
    """MemAvailable from /proc/meminfo (Linux), else None (no check)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_run(scenario, steps: int | None = None, what: str = "this run") -> int:
    """Refuse a run over the bounds or larger than the memory available; warn when it is large.
    Returns the estimated bytes."""
    from simorg.outcomes import OUTCOMES

    steps = scenario.steps if steps is None else steps
    e, c = scenario.organization.employees, scenario.customers.count
    need = run_bytes(e, c, steps, len(OUTCOMES), scenario.learning.dimensions)
    size = f"{e:,} employees, {c:,} customers and {steps:,} steps"
    if steps > MAX_STEPS:
        raise SimorgError(
            f"--steps {steps:,}: at most {MAX_STEPS:,} steps ({what} would need about {_fmt(need)})"
        )
    avail = available_bytes()
    if avail is not None and need > avail and os.environ.get("SIMORG_NO_MEMORY_CHECK") != "1":
        raise SimorgError(
            f"{size} need about {_fmt(need)} of memory and {_fmt(avail)} is available; use fewer "
            "employees or customers (or set SIMORG_NO_MEMORY_CHECK=1 to try anyway)"
        )
    if need > WARN_BYTES:
        warn(f"{size} will take about {_fmt(need)} of memory")
    return need


def parse_steps(text: str | int | None, option: str = "--steps") -> int | None:
    """A command line's step count: a whole number in 1 … MAX_STEPS, refused in one line that
    says what the refused count would take."""
    from simorg.errors import whole_number
    from simorg.outcomes import OUTCOMES

    value = whole_number(text, option, 1, 10**100)
    if value is not None and value > MAX_STEPS:
        need = _fmt(value * len(OUTCOMES) * 8 * 3)
        raise SimorgError(
            f"{option} {value:,}: at most {MAX_STEPS:,} steps per run (the per-step outcomes "
            f"alone would take about {need} of memory)"
        )
    return value
