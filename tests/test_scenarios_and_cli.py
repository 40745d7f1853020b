"""Every shipped scenario loads and runs; the CLI as a user calls it, bad input included."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

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
        (
            "steps = 20\n[[interventions]]\nat = 500\naction = 'enable_platform'\n",
            "interventions.0.at: enable_platform at step 500 never fires in a run of 20 steps",
        ),
        (
            "[[interventions]]\nat = 5\naction = 'set'\nkey = 'learning.socialization'\nvalue = 2.0\n",
            "'set' value 2.0 for learning.socialization: Input should be less than or equal to 1",
        ),
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
    top, _, workshop = res.stdout.strip().partition("\n\n")  # then the workshop group
    lines = top.splitlines()
    assert len(lines) == 8 and all(line.split()[0] in SHIPPED for line in lines)
    assert all(line.startswith("workshop/") for line in workshop.splitlines()[1:])


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
    assert set(OUTCOMES) <= set(frame.columns)
    pd.testing.assert_frame_equal(frame, pd.read_csv(csv[0]), check_exact=True, check_dtype=False)
    final = json.loads(res.stdout)
    for name in OUTCOMES:  # the last row is the run's final outcomes
        assert round(float(frame[name].iloc[-1]), 10) == final[name], name
    assert final["practice"] > 0.5


def test_run_prints_a_table_of_outcomes(run_cli) -> None:
    res = run_cli("run", "grassroots", "--steps", "25", "--employees", "60", "--customers", "100")
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
        (("run", "social_business", "--steps", "0"), "--steps: 0 steps; give at least 1"),
        (
            ("run", "social_business", "--steps", str(10**30)),
            "at most 1,000,000 steps per run (the per-step outcomes alone would take about",
        ),
        (("run", "big_bang", "--steps", "10"), "at step 20 never fires in a run of 10 steps"),
        (("run", "social_business", "--seed", "-1"), "--seed: -1 is outside"),
        (
            ("run", "social_business", "--employees", "2000000"),
            "--employees: 2000000 is outside [10, 1,000,000]",
        ),
        (("bench", "--sizes", "5"), "--sizes: 5 is outside [10, 1,000,000]"),
        (("bench", "--sizes", "0"), "--sizes: 0 is outside"),
        (("demo", "--replications", "0"), "--replications: 0 is outside"),
        (("sweep", "silo_permeability", "--address", "garbage"), "not a Dask scheduler address"),
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


# --- the README's examples are what the code does ------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_tool():
    spec = importlib.util.spec_from_file_location("readme_tool", README.parent / ".ci/readme.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_readme_command_examples_print_what_the_code_prints() -> None:
    tool = _readme_tool()
    shown = tool.examples(README.read_text(encoding="utf-8"))
    assert any("--json" in cmd for cmd, _ in shown)
    for cmd, output in shown:
        assert tool.run(cmd).strip() == output, (
            f"README.md shows other output for '{cmd}': run 'make readme' to regenerate it"
        )


def test_readme_command_list_names_real_commands(run_cli) -> None:
    text = README.read_text(encoding="utf-8")
    listing = text.split("## The command line", 1)[1].split("```", 2)[1]
    commands: list[tuple[str, ...]] = []
    for line in listing.splitlines():
        if line.startswith("simorg "):
            syntax = re.split(r"\s{2,}", line)[0].split()[1:]  # before the description
            words = tuple(w for w in syntax if re.fullmatch(r"[a-z][a-z0-9_]*|\|", w))
            if "|" in words:
                commands += [(w,) for w in words if w != "|"]
            else:
                commands.append(words)
    names = {c[0] for c in commands}
    assert {"run", "check", "params", "sweep", "compare", "report", "sensitivity"} <= names
    for command in commands:
        res = run_cli(*command, "--help")
        assert res.returncode == 0, (command, res.stderr)


def test_readme_python_example_runs() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})
