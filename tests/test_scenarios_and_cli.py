"""Every shipped scenario loads and runs; the CLI as a user calls it, bad input included."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simorg.model import OrgModel
from simorg.outcomes import OUTCOMES
from simorg.scenario import SCENARIO_DIR, ScenarioError, load, parameters, shipped_scenarios

SHIPPED = [
    "traditional_silos",
    "social_media_team",
    "social_business",
    "vision_without_walk",
    "big_bang",
    "stepwise",
    "grassroots",
    "fluid_work",
]


def test_the_eight_scenarios_are_shipped() -> None:
    assert sorted(shipped_scenarios()) == sorted(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_loads_tells_its_story_and_runs(name: str) -> None:
    path = SCENARIO_DIR / f"{name}.toml"
    lines = path.read_text().splitlines()
    story = [ln for ln in lines[:5] if ln.startswith("# ")]
    assert len(story) >= 2, "a scenario opens with a two- or three-sentence story"
    sc = load(name)
    assert load(str(path)) == sc
    assert 100 <= sc.organization.employees <= 1000 and sc.customers.count >= 500
    model = OrgModel(sc, seed=sc.seed)
    model.run_for(sc.steps)
    assert model.steps == sc.steps
    assert set(model.outcomes) == set(OUTCOMES)


def test_parameters_catalogue_has_ranges_and_help_for_everything() -> None:
    for p in parameters():
        assert p.help, p.key
        if p.kind in ("int", "float"):
            assert p.low is not None and p.high is not None, p.key


# --- bad scenario files -------------------------------------------------------------------------


def write(tmp_path, text: str):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    return f


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("[organization]\nemployes = 300\n", "unknown key 'organization.employes'"),
        ("[organization]\nemployees = 'many'\n", "organization.employees"),
        ("[culture]\nvision = 1.5\n", "culture.vision"),
        ("[culture\nvision = 0.5\n", "line 1"),
        ("colour = 'blue'\n", "unknown key 'colour'"),
        ("[[interventions]]\nat = 3\naction = 'open_silos'\n", "needs a level"),
    ],
)
def test_check_reports_bad_files_in_one_line(tmp_path, run_cli, text: str, expect: str) -> None:
    f = write(tmp_path, text)
    res = run_cli("check", str(f))
    assert res.returncode == 2
    assert res.stdout == ""
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert str(f) in err and expect in err
    assert "Traceback" not in res.stderr


NUMERIC = {p.key: p for p in parameters() if p.kind in ("int", "float")}


@given(st.sampled_from(sorted(NUMERIC)), st.sampled_from([-5, 10**12, 0.5, "x"]))
def test_out_of_range_or_wrong_type_always_names_the_key(tmp_path_factory, key: str, value) -> None:
    p = NUMERIC[key]
    section, name = key.split(".")
    f = tmp_path_factory.mktemp("bad") / "bad.toml"
    f.write_text(f"[{section}]\n{name} = {json.dumps(value)}\n")
    valid = (
        not isinstance(value, str)
        and p.low <= value <= p.high
        and (p.kind == "float" or float(value).is_integer())
    )
    if valid:
        load(f)
        return
    with pytest.raises(ScenarioError) as exc:
        load(f)
    msg = str(exc.value)
    assert key in msg and str(f) in msg and "\n" not in msg


def test_check_accepts_a_good_file(run_cli) -> None:
    res = run_cli("check", "scenarios/stepwise.toml")
    assert res.returncode == 0 and "ok" in res.stdout


def test_scenarios_lists_each_on_one_line(run_cli) -> None:
    res = run_cli("scenarios")
    assert res.returncode == 0
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 8 and all(line.split()[0] in SHIPPED for line in lines)


# --- run ----------------------------------------------------------------------------------------


def test_run_json_is_one_object_and_byte_identical_for_a_seed(run_cli) -> None:
    args = (
        "run",
        "social_business",
        "--steps",
        "30",
        "--seed",
        "11",
        "--json",
        "--employees",
        "120",
        "--customers",
        "300",
    )
    a, b = run_cli(*args), run_cli(*args)
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    data = json.loads(a.stdout)
    assert data["scenario"] == "social_business" and data["seed"] == 11 and data["steps"] == 30
    assert set(OUTCOMES) <= set(data)
    other = json.loads(run_cli(*args[:-5], "--seed", "12", "--json", *args[-4:]).stdout)
    assert other != data


def test_run_set_changes_the_run_and_out_writes_parquet_and_csv(run_cli, tmp_path) -> None:
    res = run_cli(
        "run",
        "traditional_silos",
        "--steps",
        "20",
        "--employees",
        "100",
        "--set",
        "organization.permeability=0.9",
        "--set",
        "culture.practice=0.8",
        "--out",
        str(tmp_path),
        "--json",
    )
    assert res.returncode == 0, res.stderr
    parquet = list(tmp_path.glob("*.parquet"))
    csv = list(tmp_path.glob("*.csv"))
    assert len(parquet) == 1 and len(csv) == 1
    frame = pd.read_parquet(parquet[0])
    assert len(frame) == 21 and list(frame["step"]) == list(range(21))
    assert frame.equals(pd.read_csv(csv[0])) or len(pd.read_csv(csv[0])) == 21
    assert json.loads(res.stdout)["practice"] > 0.5


def test_run_prints_a_table_of_outcomes(run_cli) -> None:
    res = run_cli("run", "grassroots", "--steps", "10", "--employees", "60", "--customers", "100")
    assert res.returncode == 0
    for name in ("peer_trust", "customer_trust", "code_knowledge", "revenue_total"):
        assert name in res.stdout


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (("run", "no_such_scenario"), "unknown scenario"),
        (("run", "missing/file.toml"), "no such file"),
        (("run", "social_business", "--set", "culture.visio=0.5"), "unknown key 'culture.visio'"),
        (("run", "social_business", "--set", "culture.vision=2"), "culture.vision"),
        (("run", "social_business", "--set", "culture.vision"), "expected section.key=value"),
        (
            ("run", "social_business", "--set", "organization.employees=ten"),
            "organization.employees",
        ),
    ],
)
def test_bad_run_input_is_one_line_exit_2(run_cli, args, expect) -> None:
    res = run_cli(*args)
    assert res.returncode == 2, res
    err = res.stderr.strip()
    assert expect in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_the_run_path_imports_neither_solara_nor_matplotlib() -> None:
    code = (
        "import sys; from simorg.cli import app\n"
        "from typer.testing import CliRunner\n"
        "r = CliRunner().invoke(app, ['run', 'social_business', '--steps', '3', '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('solara', 'matplotlib', 'dask')]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
