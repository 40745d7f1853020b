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

# The schema's ranges (simorg/scenario.py uses these), declared here where the CLI reads them
# without loading the schema.
MAX_STEPS = 1_000_000
MIN_EMPLOYEES = 10  # fewer people than that make no organization with departments to compare
MAX_EMPLOYEES = 1_000_000
MAX_DEPARTMENTS = 1000
MAX_CUSTOMERS = 10_000_000
MAX_SEED = 2**63 - 1  # seeds are stored as int64 (Parquet, JSON readers)
MAX_REPLICATIONS = 100_000  # `sweep --replications`, `compare --runs`: far beyond any study here
MAX_WORKERS = 4096  # `--workers`: beyond the processes of any one machine or cluster here
MAX_BATCH = 4096  # `--batch`: runs in one array program; memory caps the automatic choice far below
BYTES_PER_EMPLOYEE = 1_300  # arrays, ties, beliefs (BASE_DIMENSIONS) and the Mesa agent
BASE_DIMENSIONS = 30  # the belief dimensions BYTES_PER_EMPLOYEE was measured with (the default)
BYTES_PER_CUSTOMER = 500
BYTES_PER_DIMENSION = 2  # beliefs: one int8 per employee and dimension, and a working copy
# One recorded outcome value: a float64, allowed three times over (an estimate for the copies a
# trajectory passes through: the collector's lists, the DataFrame, what is written out).
BYTES_PER_RECORD = 8 * 3
WARN_BYTES = 1 << 30


def _fmt(n: float) -> str:
    if n >= 1 << 50:
        return f"{n / (1 << 40):.1e} TB"
    for unit, size in (("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n / 1024:.0f} KB"


def run_bytes(employees: int, customers: int, steps: int, outcomes: int, dimensions: int) -> int:
    """About the peak memory of one run (the trajectory is one float per outcome and step)."""
    per_employee = BYTES_PER_EMPLOYEE + BYTES_PER_DIMENSION * max(dimensions - BASE_DIMENSIONS, 0)
    records = steps * outcomes * BYTES_PER_RECORD
    return employees * per_employee + customers * BYTES_PER_CUSTOMER + records


def available_bytes() -> int | None:
    """Memory a run may take: MemAvailable from /proc/meminfo (Linux), capped by the environment
    variable SIMORG_MAX_RUN_MEMORY (bytes, or with K/M/G: e.g. 2G, for shared machines and
    clusters); None when neither is known (no check)."""
    cap = _bytes(os.environ.get("SIMORG_MAX_RUN_MEMORY"))
    avail = _meminfo()
    if cap is None or avail is None:
        return cap if avail is None else avail
    return min(cap, avail)


def _bytes(text: str | None) -> int | None:
    if not text:
        return None
    t = text.strip().upper().removesuffix("B")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(t[-1:], 1)
    try:
        return int(float(t.rstrip("KMGT")) * scale)
    except ValueError:
        raise SimorgError(
            f"SIMORG_MAX_RUN_MEMORY={text!r}: give bytes or a size like 512M or 2G"
        ) from None


def _meminfo() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_run(
    scenario, steps: int | None = None, what: str = "this run", quiet: bool = False
) -> int:
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
            "employees or customers (SIMORG_NO_MEMORY_CHECK=1 tries anyway)"
        )
    if need > WARN_BYTES and not quiet:
        warn(f"{size} will take about {_fmt(need)} of memory")
    return need


def parse_steps(text: str | int | None, option: str = "--steps") -> int | None:
    """A command line's step count: a whole number in 1 … MAX_STEPS, refused in one line that
    says what the refused count would take."""
    from simorg.errors import whole_number
    from simorg.outcomes import OUTCOMES

    value = whole_number(text, option, -(10**100), 10**100)
    if value is not None and value < 1:
        raise SimorgError(f"{option}: {value} steps; give at least 1")
    if value is not None and value > MAX_STEPS:
        need = _fmt(value * len(OUTCOMES) * BYTES_PER_RECORD)
        raise SimorgError(
            f"{option} {value:,}: at most {MAX_STEPS:,} steps per run (the per-step outcomes "
            f"alone would take about {need} of memory)"
        )
    return value
