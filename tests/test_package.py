"""simorg as a package: data found through importlib.resources, one version, a cheap and lazy
`import simorg`, the plain function API, and listings that fail loudly when they find nothing.

The wheel itself is built, installed into a fresh venv outside the repository and used there by
.ci/wheel-check (called from .ci/run), which is too slow for the unit suite.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import simorg
from simorg.experiments import spec
from simorg.scenario import ScenarioError, shipped_scenarios, workshop_scenarios

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_is_listed_for_the_wheel() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "simorg").rglob("__init__.py")
    }
    mapped = set(PYPROJECT["tool"]["setuptools"]["package-dir"])
    # subpackages of a mapped data package live in its folder (scenarios/workshop/)
    for name, folder in PYPROJECT["tool"]["setuptools"]["package-dir"].items():
        for init in (ROOT / folder).rglob("*/__init__.py"):
            found.add(".".join([name, *init.parent.relative_to(ROOT / folder).parts]))
    assert "simorg.scenarios.workshop" in found
    assert found - listed == set(), "add these packages to [tool.setuptools] packages"
    assert listed == found | mapped
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {
        "simorg.scenarios": "scenarios",
        "simorg.experiments.shipped": "experiments",
    }


def test_shipped_files_are_package_data_in_the_top_level_folders() -> None:
    from_resources = sorted(
        p.name for p in resources.files("simorg.scenarios").iterdir() if p.name != "__pycache__"
    )
    on_disk = sorted(
        p.name
        for p in (ROOT / "scenarios").iterdir()
        if p.suffix in (".toml", ".py") or (p / "__init__.py").is_file()
    )
    assert from_resources == on_disk
    workshop = sorted(p.stem for p in (ROOT / "scenarios/workshop").glob("*.toml"))
    assert len(workshop) >= 6
    assert sorted(workshop_scenarios()) == [f"workshop/{name}" for name in workshop]
    assert not set(shipped_scenarios()) & set(workshop)  # demo and levers keep the top level
    for name in ("*.toml",):
        assert name in PYPROJECT["tool"]["setuptools"]["package-data"]["simorg.scenarios.workshop"]
    assert sorted(shipped_scenarios()) == sorted(
        p.stem for p in (ROOT / "scenarios").glob("*.toml")
    )
    assert sorted(spec.shipped_experiments()) == sorted(
        p.stem for p in (ROOT / "experiments").glob("*.toml")
    )
    assert spec.experiment_path("silo_permeability") == ROOT / "experiments/silo_permeability.toml"
    for name in ("*.toml",):
        assert name in PYPROJECT["tool"]["setuptools"]["package-data"]["simorg.scenarios"]


def test_one_version_everywhere() -> None:
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "simorg.__version__"}
    assert importlib.metadata.version("simorg") == simorg.__version__
    changelog = (ROOT / "CHANGELOG.md").read_text()
    sections = [s.splitlines()[0] for s in changelog.split("\n## ")[1:]]
    newest = next(s for s in sections if not s.startswith("[Unreleased]"))  # above it: what's next
    assert newest.startswith(f"[{simorg.__version__}]"), (
        "CHANGELOG.md has no section for the version"
    )
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "Copyright (c) 2026 the simorg developers" in (ROOT / "LICENSE").read_text()


def test_import_simorg_is_lazy_and_cheap() -> None:
    code = (
        "import sys, simorg; heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'numpy', 'mesa', 'pydantic', 'pandas', 'solara', 'simorg.model'}); print(heavy); "
        "simorg.OrgModel; print('numpy' in sys.modules, 'simorg.model' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True True"]
    assert set(simorg.__all__) <= set(dir(simorg))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        simorg.nothing  # noqa: B018


def test_run_returns_identifier_safe_final_outcomes() -> None:
    out = simorg.run("social_business", steps=3, seed=1, organization_permeability=0.6,
                     walk_the_talk=0.7, customers_count=80, organization_employees=40)  # fmt: skip
    assert all(k.isidentifier() for k in out)
    assert out["organization_permeability"] == 0.6 and out["culture_walk_the_talk"] == 0.7
    assert (out["scenario"], out["seed"], out["steps"]) == ("social_business", 1, 3)
    assert out["simorg_version"] == simorg.__version__
    assert out == simorg.run("social_business", steps=3, seed=1, permeability=0.6,
                             culture_walk_the_talk=0.7, customers_count=80, employees=40)  # fmt: skip
    other = simorg.run("social_business", steps=3, seed=2, customers_count=80, employees=40)
    assert other["customer_trust"] != out["customer_trust"]
    assert simorg.levers()["organization_permeability"] == "organization.permeability"
    with pytest.raises(ScenarioError, match=r"^simorg.run: unknown parameter 'permiability'"):
        simorg.run(permiability=0.2)


def test_run_json_and_out_files_carry_the_version(run_cli, tmp_path: Path) -> None:
    r = run_cli("run", "social_business", "--steps", "2", "--employees", "40", "--json",
                "--out", str(tmp_path))  # fmt: skip
    assert r.returncode == 0, r.stderr
    payload = json.loads(r.stdout)
    assert payload["simorg_version"] == simorg.__version__ and payload["seed"] == 42
    meta = pq.read_schema(tmp_path / "social_business_seed42.parquet").metadata
    assert meta[b"simorg.version"] == simorg.__version__.encode() and meta[b"simorg.seed"] == b"42"
    sidecar = json.loads((tmp_path / "social_business_seed42.json").read_text())
    assert sidecar["simorg_version"] == simorg.__version__
    assert sidecar["config"]["organization"]["employees"] == 40  # enough to repeat the run


@pytest.mark.parametrize(
    ("command", "attribute", "module"),
    [
        ("scenarios", "SCENARIO_DIR", "simorg.scenario"),
        ("demo", "SCENARIO_DIR", "simorg.scenario"),
        ("experiments", "EXPERIMENT_DIR", "simorg.experiments.spec"),
    ],
)
def test_a_listing_that_finds_nothing_fails_in_one_line(
    command, attribute, module, tmp_path
) -> None:
    """As in a broken installation: the data folder is empty."""
    code = (
        f"import sys, pathlib, {module} as m; m.{attribute} = pathlib.Path({str(tmp_path)!r}); "
        f"from simorg.cli import main; sys.argv = ['simorg', {command!r}]; main()"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"simorg: error: no shipped {command if command != 'demo' else 'scenarios'}"
    )
    assert str(tmp_path) in lines[0] and "reinstall" in lines[0]


def test_the_command_line_starts_without_numpy_or_the_schema() -> None:
    """`simorg --help` stays quick: commands import the model, numpy, pydantic and rich's tables
    (0.1 s of CPU) when they run."""
    code = (
        "import sys; import simorg.cli; heavy = ('numpy', 'pydantic', 'pandas', 'solara', 'rich'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_all_names_what_the_module_has_and_simorg_exports_from_it() -> None:
    """`__all__` (networkx's habit) holds only real names, and lists every name `simorg` exports."""
    import importlib
    import pkgutil

    modules = {}
    for info in pkgutil.walk_packages(simorg.__path__, "simorg."):
        if info.name.startswith(("simorg.app", "simorg.workshop.app")):
            continue  # solara pages: imported only by the explorer
        module = importlib.import_module(info.name)
        if hasattr(module, "__all__"):
            modules[info.name] = module
            missing = [n for n in module.__all__ if not hasattr(module, n)]
            assert not missing, f"{info.name}.__all__ names {missing}, which it does not have"
    for name, (module_name, attr) in simorg._EXPORTS.items():
        assert module_name in modules, f"{module_name} (simorg.{name}'s home) has no __all__"
        assert attr in modules[module_name].__all__, f"{module_name}.__all__ lacks {attr}"
