"""Shared fixtures: small, fast organizations and the CLI as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from simorg.scenario import Scenario, load, with_overrides

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

settings.register_profile(
    "simorg",
    derandomize=True,  # seeded: the same examples every run, never flaky
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("simorg")


def small(name: str = "social_business", **overrides) -> Scenario:
    """A shipped scenario shrunk to a size that runs in milliseconds."""
    base = {"organization.employees": 80, "customers.count": 150}
    base.update(overrides)
    return with_overrides(load(name), base)


def simorg(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run the installed `simorg` console script the way a user would."""
    exe = Path(sys.executable).parent / "simorg"
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, cwd=ROOT, check=check, timeout=300
    )


@pytest.fixture
def run_cli():
    return simorg
