"""The experiment layer: sweeps that survive SIGKILL, executors that agree, refusals, failures,
experiment-file validation, compare's JSON, the offline report and sensitivity analysis.

Every sweep here uses a tiny organization (30 employees, 50 customers, 20-40 steps), so the file
runs in well under a minute and a half on two cores. Seeds are fixed; nothing depends on timing
except *when* the kill lands, and the assertions hold wherever it lands.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from simorg.cli import app
from simorg.experiments import design, spec, stats
from simorg.experiments.store import Store
from simorg.scenario import load as load_scenario
from simorg.simulate import simulate

ROOT = Path(__file__).resolve().parent.parent
TINY = '"organization.employees" = 30\n"customers.count" = 50\n'


def _experiment(
    path: Path, body: str, name: str = "t", steps: int = 20, set_extra: str = ""
) -> Path:
    path.write_text(f'name = "{name}"\nsteps = {steps}\nseed = 5\n{body}\n[set]\n{TINY}{set_extra}')
    return path


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


def _one_line_error(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("simorg: error: "), lines[0]
    assert "Traceback" not in result.output
    return lines[0]


# --- shipped experiment files --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", sorted((ROOT / "experiments").glob("*.toml")), ids=lambda p: p.stem
)
def test_every_shipped_experiment_validates(path: Path) -> None:
    d = design.load_design(path)
    assert d.expected_runs == len(d.variants) * d.replications > 0
    assert d.experiment.question, "a shipped experiment says which question it asks"
    assert d.expected_runs <= 400, "shipped experiments stay runnable on two cores in minutes"
    result = _cli("sweep", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "ok" in result.stdout


def test_shipped_experiments_cover_the_essays_questions() -> None:
    names = set(spec.shipped_experiments())
    for needed in (
        "silo_permeability",
        "social_media_vs_social_business",
        "vision_and_walk",
        "big_bang_vs_stepwise",
        "role_modeling",
        "turnover",
    ):
        assert needed in names


# --- design ----------------------------------------------------------------------------------------


def test_design_grid_seeds_and_keys(tmp_path: Path) -> None:
    exp = _experiment(
        tmp_path / "e.toml",
        """
scenarios = ["traditional_silos", "social_business"]
replications = 4
[[vary]]
key = "organization.permeability"
first = 0.1
step = 0.2
last = 0.5
[[vary]]
key = "organization.platform"
values = [false, true]
""",
    )
    d = design.load_design(exp)
    assert len(d.variants) == 2 * 3 * 2 and d.expected_runs == 48
    assert [v.params["organization.permeability"] for v in d.variants[:6:2]] == [0.1, 0.3, 0.5]
    expected = [
        int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
        for c in np.random.SeedSequence(5).spawn(4)
    ]
    assert d.seeds == expected  # common random numbers: one seed per replication, for every variant
    assert d.param_kinds() == {
        "organization.permeability": "float",
        "organization.platform": "bool",
    }
    assert design.load_design(exp).hash == d.hash
    assert design.load_design(exp, replications=5).hash != d.hash


@pytest.mark.parametrize(
    "method,points", [("lhs", 10), ("sobol", 8), ("saltelli", 4), ("morris", 3)]
)
def test_samples_stay_in_range_and_are_reproducible(
    tmp_path: Path, method: str, points: int
) -> None:
    exp = _experiment(
        tmp_path / "e.toml",
        f"""
scenarios = ["traditional_silos"]
replications = 1
[sample]
method = "{method}"
points = {points}
[sample.ranges]
"organization.permeability" = [0.1, 0.9]
"culture.role_modeling" = [0.0, 0.5]
"organization.employees" = [20, 40]
""",
    )
    d = design.load_design(exp)
    expected = {"lhs": 10, "sobol": 8, "saltelli": 4 * (3 + 2), "morris": 3 * (3 + 1)}[method]
    assert len(d.variants) == expected
    for v in d.variants:
        assert 0.1 <= v.params["organization.permeability"] <= 0.9
        assert 0.0 <= v.params["culture.role_modeling"] <= 0.5
        assert isinstance(v.params["organization.employees"], int)
    assert [v.params for v in design.load_design(exp).variants] == [v.params for v in d.variants]


# --- bad experiment files: one line, exit 2, no traceback --------------------------------------------

VALID: dict = {
    "name": "ok",
    "scenarios": ["traditional_silos"],
    "replications": 2,
    "steps": 10,
    "vary": [{"key": "organization.permeability", "values": [0.1, 0.5]}],
    "record": {"every": 5},
}


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v) if math.isfinite(v) else ("nan" if v != v else ("inf" if v > 0 else "-inf"))
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def _to_toml(doc: dict) -> str:
    return "\n".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in doc.items()) + "\n"


def _mutate(doc: dict, kind: str, value) -> dict:
    d = json.loads(json.dumps(doc))
    if kind == "unknown_top":
        d[f"x_{value}"] = 1
    elif kind == "unknown_record":
        d["record"][f"x_{value}"] = 1
    elif kind == "replications":
        d["replications"] = value
    elif kind == "steps":
        d["steps"] = value
    elif kind == "seed":
        d["seed"] = value
    elif kind == "scenarios":
        d["scenarios"] = value
    elif kind == "vary_key":
        d["vary"][0]["key"] = value
    elif kind == "vary_value":
        d["vary"][0]["values"] = [value]
    elif kind == "vary_range":
        d["vary"][0] = {"key": "organization.permeability", **value}
    elif kind == "sample":
        d["sample"] = value
    elif kind == "outcomes":
        d["record"]["outcomes"] = value
    elif kind == "every":
        d["record"]["every"] = value
    elif kind == "name":
        d["name"] = value
    elif kind == "set":
        d["set"] = value
    return d


ident = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
bad_mutation = st.one_of(
    st.tuples(st.just("unknown_top"), ident),
    st.tuples(st.just("unknown_record"), ident),
    st.tuples(
        st.just("replications"),
        st.one_of(
            st.integers(max_value=0),
            st.integers(min_value=100_001),
            st.text(max_size=5),
            st.floats(0.1, 9.9),
        ),
    ),
    st.tuples(
        st.just("steps"), st.one_of(st.integers(max_value=0), st.booleans().map(lambda b: [b]))
    ),
    st.tuples(
        st.just("seed"),
        st.one_of(st.integers(max_value=-1), st.integers(min_value=2**63, max_value=2**63 + 5)),
    ),
    st.tuples(
        st.just("scenarios"),
        st.one_of(
            st.just([]),
            st.lists(ident.map(lambda s: f"nope_{s}"), min_size=1, max_size=2),
            st.just([3]),
        ),
    ),
    st.tuples(
        st.just("vary_key"),
        st.one_of(ident, ident.map(lambda s: f"culture.{s}x"), st.just("steps")),
    ),
    st.tuples(
        st.just("vary_value"),
        st.one_of(
            st.floats(1.0001, 1e6),
            st.floats(-1e6, -0.0001),
            st.text(alphabet="xyz", min_size=1, max_size=3),
        ),
    ),
    st.tuples(
        st.just("vary_range"),
        st.one_of(
            st.just({"first": 0.1, "step": 0.0, "last": 0.5}),
            st.just({"first": 0.5, "step": 0.1, "last": 0.1}),
            st.just({"first": 0.1, "last": 0.5}),
            st.just({"values": [0.1], "first": 0.1, "step": 0.1, "last": 0.2}),
            st.just({"first": 0.1, "step": 0.1, "last": 1.5}),
            st.just({"values": []}),
            st.just({"values": [0.2, 0.2]}),
        ),
    ),
    st.tuples(
        st.just("sample"),
        st.one_of(
            st.fixed_dictionaries(
                {
                    "method": ident.map(lambda s: f"m_{s}"),
                    "points": st.just(4),
                    "ranges": st.just({"culture.vision": [0.0, 1.0]}),
                }
            ),
            st.fixed_dictionaries(
                {
                    "method": st.just("lhs"),
                    "points": st.integers(max_value=0),
                    "ranges": st.just({"culture.vision": [0.0, 1.0]}),
                }
            ),
            st.fixed_dictionaries(
                {
                    "method": st.just("sobol"),
                    "points": st.sampled_from([3, 5, 6, 7, 12]),
                    "ranges": st.just({"culture.vision": [0.0, 1.0]}),
                }
            ),
            st.fixed_dictionaries(
                {
                    "method": st.just("lhs"),
                    "points": st.just(4),
                    "ranges": st.sampled_from(
                        [
                            {"culture.vision": [0.5, 0.5]},
                            {"culture.vision": [0.8, 0.2]},
                            {"culture.vision": [-1.0, 0.5]},
                            {"organization.structure": [0.0, 1.0]},
                            {"organization.permeability": [0.0, 1.0]},
                            {"culture.nothing": [0.0, 1.0]},
                            {"culture.vision": [0.1]},
                        ]
                    ),
                }
            ),
        ),
    ),
    st.tuples(
        st.just("outcomes"),
        st.one_of(st.just([]), st.lists(ident.map(lambda s: f"o_{s}"), min_size=1, max_size=2)),
    ),
    st.tuples(st.just("every"), st.integers(max_value=-1)),
    st.tuples(st.just("name"), st.sampled_from(["", "has space", "a/b", "x" * 81])),
    st.tuples(
        st.just("set"),
        st.sampled_from(
            [
                {"culture.nope": 1},
                {"culture.vision": 2.0},
                {"organization.structure": "pyramid"},
                {"steps": 3},
            ]
        ),
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutation=bad_mutation)
def test_generated_bad_experiment_files_give_one_line_errors(tmp_path: Path, mutation) -> None:
    kind, value = mutation
    path = tmp_path / "bad.toml"
    path.write_text(_to_toml(_mutate(VALID, kind, value)), encoding="utf-8")
    result = _cli("sweep", str(path), "--dry-run")
    assert result.exit_code == 2, (kind, value, result.output)
    line = _one_line_error(result)
    assert str(path) in line


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_random_text_is_refused_in_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "noise.toml"
    path.write_text(text, encoding="utf-8")
    result = _cli("sweep", str(path), "--dry-run")
    assert result.exit_code == 2, result.output
    _one_line_error(result)


def test_valid_document_passes() -> None:
    doc = spec.from_dict(json.loads(json.dumps(VALID)))
    assert design.expand(doc).expected_runs == 4


def test_bad_command_line_numbers_are_one_line(tmp_path: Path) -> None:
    exp = _experiment(tmp_path / "e.toml", 'scenarios = ["traditional_silos"]\nreplications = 1')
    for args in (
        ["--workers", "two"],
        ["--replications", "0"],
        ["--steps", "-3"],
        ["--executor", "slurm"],
        ["--executor", "local", "--address", "tcp://127.0.0.1:1"],
    ):
        result = _cli("sweep", str(exp), "--dry-run", *args)
        assert result.exit_code == 2, (args, result.output)
        _one_line_error(result)
    result = _cli("sweep", str(tmp_path / "missing.toml"))
    assert result.exit_code == 2
    _one_line_error(result)


# --- kill -9 and resume ----------------------------------------------------------------------------


@pytest.mark.slow
def test_sigkilled_sweep_resumes_to_exactly_expected_runs(tmp_path: Path) -> None:
    exp = _experiment(
        tmp_path / "kill.toml",
        """
scenarios = ["traditional_silos"]
replications = 60
[[vary]]
key = "organization.permeability"
first = 0.0
step = 0.1
last = 0.9
[record]
every = 10
""",
        name="kill",
        steps=30,
    )
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "simorg.cli",
        "sweep",
        str(exp),
        "--out",
        str(out),
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            manifest = out / "manifest.json"
            if manifest.exists() and json.loads(manifest.read_text() or "{}").get("parts"):
                break  # a part is committed: the manifest lists it
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the sweep, its fork server and its workers
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    store = Store.read(out)
    expected = store.manifest["expected_runs"]
    partial = store.runs()
    assert 0 < len(partial) < expected
    assert partial["run_key"].is_unique

    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "already done" in result.stdout

    store = Store.read(out)
    runs = store.runs()
    assert len(runs) == expected == 600
    assert runs["run_key"].is_unique
    d = design.load_design(exp)
    assert set(runs["run_key"]) == {
        d.run_key(v.index, r) for v in d.variants for r in range(d.replications)
    }
    assert (runs["status"] == "ok").all()
    steps = store.steps(columns=["run_key", "step"])
    assert not steps.duplicated().any()
    assert len(steps) == expected * 4  # steps 0, 10, 20, 30
    assert not list(out.rglob(".*.tmp"))
    # a resumed run has the numbers of a run made straight through
    base = load_scenario("traditional_silos")
    for key in sorted(runs["run_key"])[::97]:
        row = runs.set_index("run_key").loc[key]
        sc = base.model_copy(deep=True)
        sc.organization.employees, sc.customers.count = 30, 50
        sc.organization.permeability = float(row["organization_permeability"])
        assert (
            simulate(sc, steps=30, seed=int(row["seed"])).final["peer_trust"] == row["peer_trust"]
        )


def test_orphan_parts_and_temporary_files_are_cleaned(tmp_path: Path) -> None:
    exp = _experiment(tmp_path / "e.toml", 'scenarios = ["traditional_silos"]\nreplications = 2')
    out = tmp_path / "out"
    assert _cli("sweep", str(exp), "--out", str(out), "--workers", "1").exit_code == 0
    (out / "steps" / "part-orphan-00000.parquet").write_bytes(b"half a part")
    (out / "runs" / ".part-x.parquet.tmp").write_bytes(b"half")
    result = _cli("sweep", str(exp), "--out", str(out), "--workers", "1")
    assert result.exit_code == 0, result.output
    assert not (out / "steps" / "part-orphan-00000.parquet").exists()
    assert not (out / "runs" / ".part-x.parquet.tmp").exists()
    assert len(Store.read(out).runs()) == 2


# --- refusals --------------------------------------------------------------------------------------


def test_mismatched_resume_is_refused(tmp_path: Path) -> None:
    exp = _experiment(
        tmp_path / "e.toml", 'scenarios = ["traditional_silos"]\nreplications = 2', name="first"
    )
    out = tmp_path / "out"
    assert _cli("sweep", str(exp), "--out", str(out), "--workers", "1").exit_code == 0
    before = sorted(p.name for p in (out / "runs").iterdir())

    for args in (["--replications", "3"], ["--steps", "25"]):
        result = _cli("sweep", str(exp), "--out", str(out), *args)
        assert result.exit_code == 2, result.output
        line = _one_line_error(result)
        assert "different sweep" in line and "--fresh" in line
    other = _experiment(
        tmp_path / "other.toml", 'scenarios = ["social_business"]\nreplications = 2', name="second"
    )
    result = _cli("sweep", str(other), "--out", str(out))
    assert result.exit_code == 2
    assert "experiment first there, second now" in _one_line_error(result)
    assert sorted(p.name for p in (out / "runs").iterdir()) == before  # nothing touched

    manifest = json.loads((out / "manifest.json").read_text())
    manifest["versions"]["simorg"] = "0.0.1"
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = _cli("sweep", str(exp), "--out", str(out))
    assert result.exit_code == 2
    assert "made by simorg 0.0.1" in _one_line_error(result)

    result = _cli(
        "sweep", str(exp), "--out", str(out), "--replications", "3", "--fresh", "--workers", "1"
    )
    assert result.exit_code == 0, result.output
    assert len(Store.read(out).runs()) == 3

    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "thesis.tex").write_text("precious")
    result = _cli("sweep", str(exp), "--out", str(stranger), "--fresh")
    assert result.exit_code == 2
    assert "not a sweep folder" in _one_line_error(result)
    assert (stranger / "thesis.tex").read_text() == "precious"


# --- a run that raises -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_run_that_raises_is_recorded_and_the_sweep_completes(tmp_path: Path) -> None:
    # A real failure, no mock: each worker refuses a run that would not fit in the memory it may
    # use (SIMORG_MAX_RUN_MEMORY caps it, as on a shared machine), so the 3,000-employee variant's
    # runs raise in the worker while the 30-employee ones finish.
    exp = _experiment(
        tmp_path / "e.toml",
        """
scenarios = ["traditional_silos", "social_business"]
replications = 3
[[vary]]
key = "organization.employees"
values = [30, 3000]
""",
    )
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "simorg.cli", "sweep", str(exp), "--out", str(out)]
    env = {**os.environ, "SIMORG_MAX_RUN_MEMORY": "3M"}
    result = subprocess.run([*cmd, "--workers", "2"], capture_output=True, text=True, env=env)
    assert result.returncode == 1, result.stderr  # completed, with failed runs
    assert "6 failed of 12" in result.stdout
    assert result.stderr.strip().splitlines() == [
        f"simorg: error: 6 run(s) failed; their errors are in {out}/runs (column 'error')"
    ]
    runs = Store.read(out).runs()
    assert len(runs) == 12 and runs["run_key"].is_unique
    failed = runs[runs["status"] == "failed"]
    assert set(failed["organization_employees"]) == {3000} and len(failed) == 6
    assert failed["error"].str.contains("SimorgError: 3,000 employees").all()
    assert failed["error"].str.contains("3.0 MB is available").all()
    assert failed["peer_trust"].isna().all()
    ok = runs[runs["status"] == "ok"]
    assert len(ok) == 6 and ok["error"].isna().all() and ok["peer_trust"].notna().all()
    # sensitivity says the indices rest on part of the runs, and exits 1
    sens = subprocess.run(
        [sys.executable, "-m", "simorg.cli", "sensitivity", str(out), "--json"],
        capture_output=True,
        text=True,
    )
    assert sens.returncode == 1, sens.stderr
    assert json.loads(sens.stdout)["incomplete"]
    line = sens.stderr.strip()
    assert line.startswith("simorg: error: ") and "\n" not in line
    assert "12 of 12 runs recorded, 6 failed (in social_business, traditional_silos)" in line
    # resuming does not run failed runs again unless asked to, and never doubles them
    again = subprocess.run([*cmd, "--workers", "1"], capture_output=True, text=True, env=env)
    assert again.returncode == 1 and "0 runs" in again.stdout and "12 already done" in again.stdout
    retried = subprocess.run(
        [*cmd, "--workers", "1", "--retry-failed"], capture_output=True, text=True, env=env
    )
    assert retried.returncode == 1 and "6 runs" in retried.stdout
    runs = Store.read(out).runs()
    assert len(runs) == 12 and runs["run_key"].is_unique
    # with the memory it needs, --retry-failed finishes them
    done = subprocess.run(
        [*cmd, "--workers", "1", "--retry-failed"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    runs = Store.read(out).runs()
    assert len(runs) == 12 and (runs["status"] == "ok").all()


# --- dask and local processes agree ----------------------------------------------------------------


@pytest.mark.slow
def test_dask_local_cluster_matches_local_processes(tmp_path: Path) -> None:
    from simorg.experiments.sweep import sweep

    exp = _experiment(
        tmp_path / "e.toml",
        """
scenarios = ["traditional_silos", "social_business"]
replications = 3
[[vary]]
key = "organization.permeability"
values = [0.1, 0.6]
[record]
every = 5
""",
    )
    d = design.load_design(exp)
    # each run alone on local processes; batched replications (the default) on Dask
    local = sweep(d, tmp_path / "local", workers=2, executor="local", progress=False, batch=1)
    dask = sweep(d, tmp_path / "dask", workers=2, executor="dask", progress=False)
    assert local.ran == dask.ran == 12 and local.failed == dask.failed == 0
    assert "127.0.0.1" in dask.executor

    def frame(folder: str, steps: bool = False) -> pd.DataFrame:
        s = Store.read(tmp_path / folder)
        df = s.steps() if steps else s.runs().drop(columns=["duration_s"])
        return df.sort_values(["run_key", "step"] if steps else "run_key").reset_index(drop=True)

    pd.testing.assert_frame_equal(frame("local"), frame("dask"), check_exact=True)
    pd.testing.assert_frame_equal(frame("local", True), frame("dask", True), check_exact=True)
    runs = frame("local")
    # common random numbers: replication i has one seed across all variants
    assert (runs.groupby("replication")["seed"].nunique() == 1).all()


# --- batched replications --------------------------------------------------------------------------


def test_a_batched_sweep_records_the_numbers_of_each_run_alone(tmp_path: Path) -> None:
    from simorg.experiments.sweep import sweep, sweep_tasks

    exp = _experiment(
        tmp_path / "e.toml",
        """
scenarios = ["social_business"]
replications = 5
[[vary]]
key = "organization.permeability"
values = [0.1, 0.6]
[record]
every = 4
""",
    )
    d = design.load_design(exp)
    # blocks of 2 replications, each variant's together: the batches a worker gets
    order = [(t.variant, t.replication) for t in sweep_tasks(d, set(), batch=2)]
    assert order[:4] == [(0, 0), (0, 1), (1, 0), (1, 1)] and len(order) == 10
    alone = sweep(d, tmp_path / "alone", workers=1, progress=False, batch=1)
    batched = sweep(d, tmp_path / "batched", workers=1, progress=False, batch=2)
    assert alone.ran == batched.ran == 10 and batched.failed == 0

    def frame(folder: str, steps: bool = False) -> pd.DataFrame:
        s = Store.read(tmp_path / folder)
        df = s.steps() if steps else s.runs().drop(columns=["duration_s"])
        return df.sort_values(["run_key", "step"] if steps else "run_key").reset_index(drop=True)

    pd.testing.assert_frame_equal(frame("alone"), frame("batched"), check_exact=True)
    pd.testing.assert_frame_equal(frame("alone", True), frame("batched", True), check_exact=True)
    sessions = Store.read(tmp_path / "batched").manifest["sessions"]
    assert sessions[-1]["batch"] == 2


def test_a_batch_that_fails_is_run_again_one_run_at_a_time(monkeypatch) -> None:
    """A fault in the batch program (injected) costs speed, not runs: each is run alone."""
    from simorg import replications
    from simorg.experiments import runner

    def broken(*args, **kwargs):
        raise MemoryError("injected: the batch does not fit")

    monkeypatch.setattr(replications, "simulate_batch", broken)
    sc = load_scenario("traditional_silos").model_dump(mode="json")
    sc["organization"]["employees"], sc["customers"]["count"] = 30, 20
    tasks = [runner.Task(f"k{r}", 0, "b", {}, r, 100 + r, 6) for r in range(3)]
    out = runner.run_chunk(tasks, {"b": (runner.base_digest(sc), sc)}, 0, ["practice"], batch=3)
    assert [o.status for o in out] == ["ok"] * 3
    sc_model = runner.from_dict(sc, "b")
    assert out[2].final == [simulate(sc_model, steps=6, seed=102).final["practice"]]


def test_compare_batched_and_alone_agree(tmp_path: Path) -> None:
    args = ["compare", "traditional_silos", "social_business", "--runs", "3", "--steps", "12",
            "--employees", "40", "--customers", "30", "--workers", "1", "--json"]  # fmt: skip
    batched = _cli(*args, "--batch", "3")
    alone = _cli(*args, "--no-batch")
    assert batched.exit_code == alone.exit_code == 0, batched.output + alone.output
    assert json.loads(batched.stdout) == json.loads(alone.stdout)
    both = _cli(*args, "--batch", "2", "--no-batch")
    assert both.exit_code == 2 and "--batch and --no-batch" in _one_line_error(both)


# --- compare ---------------------------------------------------------------------------------------


def test_compare_json_has_intervals_and_effect_sizes(tmp_path: Path) -> None:
    result = _cli(
        "compare",
        "traditional_silos",
        "social_business",
        "--runs",
        "4",
        "--steps",
        "15",
        "--employees",
        "30",
        "--customers",
        "50",
        "--workers",
        "1",
        "--json",
        "--out",
        str(tmp_path / "cmp"),
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scenarios"] == ["traditional_silos", "social_business"] and data["runs"] == 4
    assert len(set(data["seeds"])) == 4
    for name, block in data["outcomes"].items():
        first, second = block["rows"]
        for row in (first, second):
            assert {"mean", "ci_low", "ci_high", "sd", "n"} <= set(row), name
        assert first["difference"] is None
        diff = second["difference"]
        assert {"mean", "ci_low", "ci_high", "hedges_g"} <= set(diff)
        if diff["ci_low"] is not None:
            assert diff["ci_low"] <= diff["mean"] <= diff["ci_high"]
    pt = data["outcomes"]["peer_trust"]["rows"]
    assert pt[0]["ci_low"] <= pt[0]["mean"] <= pt[0]["ci_high"]
    files = {p.name for p in (tmp_path / "cmp").iterdir()}
    assert {"comparison.csv", "runs.csv", "trajectories.csv", "trajectory_peer_trust.png"} <= files
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    assert {"ci_low", "ci_high", "difference_ci_low", "difference_ci_high", "hedges_g"} <= set(
        table.columns
    )


def test_compare_refuses_a_scenario_too_big_for_memory_before_any_work(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text("[organization]\nemployees = 3000\n[customers]\ncount = 50\n")
    cmd = [sys.executable, "-m", "simorg.cli", "compare", "traditional_silos", str(big)]
    env = {**os.environ, "SIMORG_MAX_RUN_MEMORY": "3M"}  # the big organization does not fit
    args = ["--runs", "2", "--steps", "5", "--workers", "1", "--outcome", "peer_trust", "--json"]
    res = subprocess.run([*cmd, *args], capture_output=True, text=True, env=env)
    assert res.returncode == 2 and res.stdout == "", res.stderr
    line = res.stderr.strip()
    assert line.startswith("simorg: error: 3,000 employees, 50 customers and 5 steps need about")
    assert "3.0 MB is available" in line and "\n" not in line


def test_compare_needs_two_scenarios_and_known_names() -> None:
    for args in (
        ["traditional_silos"],
        ["traditional_silos", "nowhere"],
        ["traditional_silos", "social_business", "--runs", "x"],
    ):
        result = _cli("compare", *args)
        assert result.exit_code == 2, result.output
        _one_line_error(result)


# --- report and sensitivity ------------------------------------------------------------------------


def test_report_is_self_contained_html(tmp_path: Path) -> None:
    exp = _experiment(
        tmp_path / "e.toml",
        """
scenarios = ["traditional_silos", "social_business"]
replications = 2
[[vary]]
key = "organization.permeability"
values = [0.1, 0.5, 0.9]
[record]
every = 5
outcomes = ["peer_trust", "code_knowledge", "customer_trust"]
""",
    )
    out = tmp_path / "out"
    assert _cli("sweep", str(exp), "--out", str(out), "--workers", "2").exit_code == 0
    result = _cli("report", str(out), "--sensitivity", "--figures", str(tmp_path / "figs"))
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert "http://" not in page and "https://" not in page
    assert page.count("data:image/png;base64,") >= 6
    assert "Sensitivity" in page and "peer_trust" in page
    assert (tmp_path / "figs" / "peer_trust_final.png").stat().st_size > 1000
    bad = _cli("report", str(tmp_path / "nothing"))
    assert bad.exit_code == 2
    _one_line_error(bad)
    for command in ("report", "sensitivity"):  # an outcome the sweep did not record
        bad = _cli(command, str(out), "--outcome", "peer_trust", "--outcome", "innovation")
        assert bad.exit_code == 2
        assert "'innovation' was not recorded by this sweep" in _one_line_error(bad)


def test_morris_sensitivity(tmp_path: Path) -> None:
    exp = _experiment(
        tmp_path / "e.toml",
        """
scenarios = ["traditional_silos"]
replications = 1
[sample]
method = "morris"
points = 4
[sample.ranges]
"organization.permeability" = [0.0, 1.0]
"culture.practice" = [0.0, 1.0]
[record]
every = 0
outcomes = ["peer_trust", "practice"]
""",
    )
    out = tmp_path / "out"
    assert _cli("sweep", str(exp), "--out", str(out), "--workers", "2").exit_code == 0
    result = _cli("sensitivity", str(out), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == "morris"
    ix = data["groups"]["traditional_silos"]["practice"]
    assert set(ix) == {"organization.permeability", "culture.practice"}
    # the starting culture moves final practice more than permeability does
    assert ix["culture.practice"]["mu_star"] > ix["organization.permeability"]["mu_star"]


# --- statistics ------------------------------------------------------------------------------------


def test_statistics_match_textbook_formulas() -> None:
    from scipy import stats as sps

    x = np.array([1.0, 2.0, 4.0, 7.0])
    s = stats.summary(x)
    lo, hi = sps.t.interval(0.95, 3, loc=x.mean(), scale=sps.sem(x))
    assert math.isclose(s["ci_low"], lo) and math.isclose(s["ci_high"], hi)
    y = x + np.array([1.0, 1.5, 0.5, 1.0])
    d = stats.difference(y, x, paired=True)
    dlo, dhi = sps.t.interval(0.95, 3, loc=1.0, scale=sps.sem(y - x))
    assert (
        math.isclose(d["mean"], 1.0)
        and math.isclose(d["ci_low"], dlo)
        and math.isclose(d["ci_high"], dhi)
    )
    pooled = math.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2)
    assert math.isclose(d["hedges_g"], 1.0 / pooled * (1 - 3 / (4 * 8 - 9)))
    w = stats.difference(y, x, paired=False)
    wt = sps.ttest_ind(y, x, equal_var=False)
    assert math.isclose(w["mean"], 1.0) and w["ci_low"] < 1.0 < w["ci_high"]
    assert (w["ci_low"] > 0) == (wt.pvalue < 0.05)
    assert stats.summary([3.0])["ci_low"] is None
    assert (
        stats.difference([1.0, 1.0], [0.0, 0.0])["hedges_g"] is None
    )  # no spread: undefined, not inf


@pytest.mark.slow
def test_sweep_joins_a_running_dask_scheduler_by_address(tmp_path: Path) -> None:
    import logging

    from distributed import LocalCluster

    exp = _experiment(
        tmp_path / "e.toml",
        'scenarios = ["traditional_silos"]\nreplications = 3\n[record]\nevery = 0',
    )
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        local_directory=str(tmp_path / "dask"),
        silence_logs=logging.ERROR,
    ) as cluster:
        result = _cli(
            "sweep", str(exp), "--out", str(tmp_path / "a"), "--address", cluster.scheduler_address
        )
    assert result.exit_code == 0, result.output
    assert "dask cluster at tcp://127.0.0.1" in result.stdout
    assert _cli("sweep", str(exp), "--out", str(tmp_path / "b"), "--workers", "1").exit_code == 0
    a = Store.read(tmp_path / "a").runs().drop(columns=["duration_s"]).sort_values("run_key")
    b = Store.read(tmp_path / "b").runs().drop(columns=["duration_s"]).sort_values("run_key")
    pd.testing.assert_frame_equal(
        a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True
    )


# --- results analysts can read: DuckDB over a sweep folder -----------------------------------------


def test_duckdb_reads_a_sweep_folder_as_an_analyst_would(tmp_path: Path) -> None:
    import duckdb

    import simorg
    from simorg.outcomes import COUNTS

    exp = _experiment(
        tmp_path / "e.toml",
        """
scenarios = ["traditional_silos"]
replications = 3
[[vary]]
key = "organization.permeability"
values = [0.1, 0.7]
[[vary]]
key = "organization.platform"
values = [false, true]
[record]
every = 5
""",
    )
    out = tmp_path / "out"
    assert _cli("sweep", str(exp), "--out", str(out), "--workers", "2").exit_code == 0
    runs, steps = f"{out}/runs/*.parquet", f"{out}/steps/*.parquet"
    con = duckdb.connect()
    # unquoted parameter columns
    rows = con.execute(
        f"SELECT organization_permeability, organization_platform, count(*), avg(peer_trust) "
        f"FROM '{runs}' WHERE status = 'ok' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert [(p, b, n) for p, b, n, _ in rows] == [
        (0.1, False, 3),
        (0.1, True, 3),
        (0.7, False, 3),
        (0.7, True, 3),
    ]
    # types: counts are BIGINT, shares DOUBLE, parameters typed like the schema's
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM '{runs}'").fetchall()}
    recorded_counts = [c for c in COUNTS if c in types]
    assert recorded_counts, "every outcome that counts is recorded by default"
    for name in recorded_counts:
        assert types[name] == "BIGINT", name
    assert types["peer_trust"] == "DOUBLE" and types["organization_platform"] == "BOOLEAN"
    assert types["seed"] == "BIGINT" and types["organization_permeability"] == "DOUBLE"
    # the run's parameters and seed are on step rows; and the documented one-line join works
    per_step = con.execute(
        f"SELECT step, organization_permeability, seed, avg(peer_trust) FROM '{steps}' GROUP BY ALL"
    ).fetchall()
    assert len(per_step) == 5 * 2 * 3  # steps 0..20 every 5, 2 permeabilities, 3 seeds
    joined = con.execute(
        f"SELECT count(*), count(DISTINCT r.status) FROM '{steps}' JOIN '{runs}' r USING (run_key)"
    ).fetchone()
    assert joined == (12 * 5, 1)
    # a glob over the whole folder cannot mix the two tables
    assert con.execute(f"SELECT count(*) FROM '{out}/**/runs-*.parquet'").fetchone() == (12,)
    assert "step" not in types
    # key-value metadata: version, scenario, seeds
    meta = {
        (k.decode(), v.decode())
        for k, v in con.execute(f"SELECT key, value FROM parquet_kv_metadata('{runs}')").fetchall()
    }
    keys = dict(meta)
    assert keys["simorg.version"] == simorg.__version__
    assert keys["simorg.scenario"] == "traditional_silos"
    seeds = set(Store.read(out).runs()["seed"])
    assert set().union(*(set(json.loads(v)) for k, v in meta if k == "simorg.seed")) == seeds

    # `simorg run --out` writes the same column names and types as the steps table
    single = tmp_path / "single"
    res = _cli(
        "run",
        "traditional_silos",
        "--steps",
        "5",
        "--employees",
        "30",
        "--customers",
        "50",
        "--out",
        str(single),
        "--json",
    )
    assert res.exit_code == 0, res.output
    one = next(single.glob("*.parquet"))
    run_types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM '{one}'").fetchall()}
    step_types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM '{steps}'").fetchall()}
    assert set(run_types) <= set(step_types)
    assert {k: step_types[k] for k in run_types} == run_types
    run_meta = dict(
        (k.decode(), v.decode())
        for k, v in con.execute(f"SELECT key, value FROM parquet_kv_metadata('{one}')").fetchall()
    )
    assert run_meta["simorg.version"] == simorg.__version__ and run_meta["simorg.seed"] == "42"


def test_an_old_results_folder_is_refused_naming_its_version(tmp_path: Path) -> None:
    exp = _experiment(tmp_path / "e.toml", 'scenarios = ["traditional_silos"]\nreplications = 1')
    out = tmp_path / "out"
    assert _cli("sweep", str(exp), "--out", str(out), "--workers", "1").exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["format"] = "simorg-sweep/1"
    manifest["versions"]["simorg"] = "0.0.9"
    (out / "manifest.json").write_text(json.dumps(manifest))
    for args in (
        ["sweep", str(exp), "--out", str(out)],
        ["report", str(out)],
        ["sensitivity", str(out)],
    ):
        result = _cli(*args)
        assert result.exit_code == 2, (args, result.output)
        line = _one_line_error(result)
        assert "written by simorg 0.0.9 in the older results format simorg-sweep/1" in line
        assert "--fresh" in line
