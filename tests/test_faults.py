"""Faults injected for real into sweeps, and what simorg does about each.

Every fault here is real: two `simorg sweep` processes on one folder, SIGKILL of the sweep and of one
of its worker processes, SIGKILL of a real `dask scheduler` process on loopback (ports 11100-11199),
truncated and bit-flipped part files, a folder the kernel refuses to write (an immutable folder when
run as root, a read-only one otherwise) and a scenario file that is not UTF-8. Each test asserts the
exit code, the one-line message, and that the results in the end equal an uninterrupted sweep's,
row for row (every column but `duration_s`).

Organizations are tiny (30 employees, 50 customers, 20 steps: ~45 ms a run; 80 runs a sweep).
Marked slow: most of the time is process start-up (each fault starts two to five `simorg`
processes); about two minutes on an idle two-core machine.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simorg.experiments import design
from simorg.experiments.store import Store
from simorg.experiments.sweep import sweep

pytestmark = pytest.mark.slow

EXPERIMENT = """name = "faults"
steps = 20
seed = 3
scenarios = ["{base}"]
replications = 20
[[vary]]
key = "organization.permeability"
values = [0.0, 0.3, 0.6, 0.9]
[record]
every = 5
[set]
"organization.employees" = 30
"customers.count" = 50
"""
EXPECTED_RUNS = 80


def _write_experiment(folder: Path, base: str = "traditional_silos") -> Path:
    path = folder / "faults.toml"
    path.write_text(EXPERIMENT.format(base=base), encoding="utf-8")
    return path


def _frames(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = Store.read(out)  # verifies every part against its checksum
    runs = store.runs().drop(columns=["duration_s"]).sort_values("run_key")
    steps = store.steps().sort_values(["run_key", "step"])
    return runs.reset_index(drop=True), steps.reset_index(drop=True)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict:
    """One uninterrupted sweep, committed in many small parts (a part per quarter second)."""
    folder = tmp_path_factory.mktemp("baseline")
    exp = _write_experiment(folder)
    out = folder / "out"
    summary = sweep(design.load_design(exp), out, workers=2, progress=False, flush_seconds=0)
    assert summary.ran == EXPECTED_RUNS and summary.failed == 0
    runs, steps = _frames(out)
    assert len(runs) == EXPECTED_RUNS and len(steps) == EXPECTED_RUNS * 5
    assert len(Store.read(out).manifest["parts"]) >= 2
    return {"out": out, "runs": runs, "steps": steps}


def _same_as_baseline(out: Path, baseline: dict) -> None:
    runs, steps = _frames(out)
    pd.testing.assert_frame_equal(runs, baseline["runs"], check_exact=True)
    pd.testing.assert_frame_equal(steps, baseline["steps"], check_exact=True)
    assert runs["run_key"].is_unique


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "simorg.cli", *args]


def _run(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        _cmd(*args), capture_output=True, text=True, timeout=timeout, env=env or os.environ.copy()
    )


def _one_error_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("simorg: error: "), lines[0]
    return lines[0]


def _start(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        _cmd(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=env or os.environ.copy(),
    )


def _wait_for_commit(out: Path, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Until the sweep has committed at least one part (its manifest lists one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the sweep ended before the fault could be injected"
        try:
            if json.loads((out / "manifest.json").read_text())["parts"]:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.02)
    raise AssertionError("no part committed in time")


def _descendants(pid: int) -> list[tuple[int, int]]:
    """(pid, parent) of every process below `pid`, from /proc."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            parent[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    out, frontier = [], {pid}
    while frontier:
        nxt = {p for p, pp in parent.items() if pp in frontier}
        out += [(p, parent[p]) for p in nxt]
        frontier = nxt
    return out


# --- two sweeps, one folder ---------------------------------------------------------------------


def test_a_second_sweep_on_the_same_folder_is_refused(tmp_path: Path, baseline: dict) -> None:
    exp = _write_experiment(tmp_path)
    out = tmp_path / "out"
    first = _start("sweep", str(exp), "--out", str(out), "--workers", "2")
    try:
        _wait_for_commit(out, first)
        os.kill(first.pid, signal.SIGSTOP)  # hold it, lock and all, while the second one tries
        second = _run("sweep", str(exp), "--out", str(out), "--workers", "1")
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert second.returncode == 4, second.stderr
    line = _one_error_line(second.stderr)
    assert "another sweep is writing to this folder" in line
    assert f"pid {first.pid} on host {socket.gethostname()}" in line
    assert first.wait(timeout=180) == 0, first.stderr.read()
    _same_as_baseline(out, baseline)
    # once the first is done, the folder is free again: a resume finds nothing left to do
    again = _run("sweep", str(exp), "--out", str(out), "--workers", "1")
    assert again.returncode == 0 and f"{EXPECTED_RUNS} already done" in again.stdout


# --- SIGKILL -------------------------------------------------------------------------------------


def test_sigkill_of_the_sweep_then_a_plain_resume(tmp_path: Path, baseline: dict) -> None:
    exp = _write_experiment(tmp_path)
    out = tmp_path / "out"
    args = ("sweep", str(exp), "--out", str(out), "--workers", "2")
    proc = _start(*args)
    _wait_for_commit(out, proc)
    os.kill(proc.pid, signal.SIGKILL)  # the main process only: its workers leave by themselves
    assert proc.wait(timeout=30) == -signal.SIGKILL
    partial = Store.read(out).runs()
    assert 0 < len(partial) < EXPECTED_RUNS and partial["run_key"].is_unique
    resumed = _run(*args)  # the lock died with the process: no stale lock
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr == ""
    assert f"{len(partial)} already done" in resumed.stdout
    _same_as_baseline(out, baseline)


def test_sigkill_of_a_worker_stops_with_exit_3_and_resumes(tmp_path: Path, baseline: dict) -> None:
    exp = _write_experiment(tmp_path)
    out = tmp_path / "out"
    args = ("sweep", str(exp), "--out", str(out), "--workers", "2")
    proc = _start(*args)
    _wait_for_commit(out, proc)
    # workers are the forkserver's children: processes two levels below the sweep
    workers = [p for p, parent in _descendants(proc.pid) if parent != proc.pid]
    assert workers, "no worker process found"
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 3, stderr
    line = _one_error_line(stderr)
    assert "a local worker process died" in line and "run the same command again" in line
    runs = Store.read(out).runs()
    assert (runs["status"] == "ok").all(), "runs in flight must not be recorded as failed"
    resumed = _run(*args)
    assert resumed.returncode == 0, resumed.stderr
    _same_as_baseline(out, baseline)


# --- the Dask scheduler goes away ----------------------------------------------------------------


def _dask(*args: str) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "dask"
    return subprocess.Popen(
        [str(exe), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _cluster(port: int, tmp: Path) -> tuple[subprocess.Popen, subprocess.Popen]:
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
    worker = _dask(
        "worker",
        address,
        "--nworkers",
        "1",
        "--nthreads",
        "1",
        "--no-dashboard",
        "--host",
        "127.0.0.1",
        "--local-directory",
        str(tmp),
    )
    from distributed import Client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with Client(address, timeout="2s") as c:
                if c.scheduler_info()["workers"]:
                    return scheduler, worker
        except (OSError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError("dask scheduler and worker did not start")


def _stop(*procs: subprocess.Popen) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait(timeout=30)


def test_losing_the_dask_scheduler_stops_with_exit_3_and_resumes(
    tmp_path: Path, baseline: dict
) -> None:
    port = 11100
    exp = _write_experiment(tmp_path)
    out = tmp_path / "out"
    args = ("sweep", str(exp), "--out", str(out), "--address", f"tcp://127.0.0.1:{port}")
    env = {**os.environ, "SIMORG_EXECUTOR_TIMEOUT": "15"}
    scheduler, worker = _cluster(port, tmp_path / "w1")
    try:
        proc = _start(*args, env=env)
        _wait_for_commit(out, proc)
        os.killpg(scheduler.pid, signal.SIGKILL)
        started = time.monotonic()
        _, stderr = proc.communicate(timeout=120)
        waited = time.monotonic() - started
    finally:
        _stop(scheduler, worker)
    assert proc.returncode == 3, stderr
    line = _one_error_line(stderr)
    assert "Dask scheduler" in line and "run the same command again" in line
    assert waited < 60, f"the sweep took {waited:.0f} s to notice (bounded by the timeout)"
    runs = Store.read(out).runs()
    assert (runs["status"] == "ok").all(), "runs in flight must not be recorded as failed"
    assert 0 < len(runs) < EXPECTED_RUNS
    # a plain resume: the same command, once a scheduler answers at that address again
    scheduler, worker = _cluster(port, tmp_path / "w2")
    try:
        resumed = _run(*args, env=env)
    finally:
        _stop(scheduler, worker)
    assert resumed.returncode == 0, resumed.stderr
    _same_as_baseline(out, baseline)


# --- damaged part files --------------------------------------------------------------------------


def _damage(path: Path, how: str, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncate":
        data = data[: len(data) // 2]
    elif how == "empty":
        data = bytearray()
    else:  # flip one bit anywhere in the file
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("how", "which", "seed"),
    [
        ("truncate", "runs", 0),
        ("empty", "steps", 0),
        ("bitflip", "runs", 1),
        ("bitflip", "steps", 3),
    ],
)
def test_a_damaged_part_is_refused_by_readers_and_rerun_by_resume(
    tmp_path: Path, baseline: dict, how: str, which: str, seed: int
) -> None:
    exp = _write_experiment(tmp_path)
    out = tmp_path / "out"
    shutil.copytree(baseline["out"], out)
    manifest = json.loads((out / "manifest.json").read_text())
    rng = random.Random(seed)
    entry = rng.choice([e for e in manifest["parts"] if e[which]])
    damaged = out / entry[which]["file"]
    _damage(damaged, how, rng)

    readers = [("sensitivity", str(out))]
    if how == "truncate":  # the report takes longest to start: once is enough
        readers.append(("report", str(out)))
    for command in readers:
        res = _run(*command)
        assert res.returncode == 4, (command, res.stderr)
        line = _one_error_line(res.stderr)
        assert str(damaged) in line and "does not verify" in line, line
        assert "Traceback" not in res.stderr

    resumed = _run("sweep", str(exp), "--out", str(out), "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    warnings = resumed.stderr.strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("simorg: warning: "), resumed.stderr
    assert str(damaged) in warnings[0] and "quarantine" in warnings[0]
    assert f"{entry['runs']['rows']} run(s) will run again" in warnings[0]
    assert (out / "quarantine" / damaged.name).exists()
    assert f"{entry['runs']['rows']} runs" in resumed.stdout
    _same_as_baseline(out, baseline)
    assert _run("sensitivity", str(out), "--json").returncode == 0


# --- a folder the system will not let us write ---------------------------------------------------


def _read_only(folder: Path) -> None:
    if os.geteuid() == 0:  # root writes through permissions: make the folder immutable instead
        res = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        if res.returncode != 0:
            pytest.skip(f"cannot make a folder read-only here: {res.stderr.decode().strip()}")
    else:
        folder.chmod(0o555)


def _writable(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o755)


def test_a_read_only_results_folder(tmp_path: Path, baseline: dict) -> None:
    exp = _write_experiment(tmp_path)
    out = tmp_path / "out"
    args = ("sweep", str(exp), "--out", str(out), "--workers", "2")
    # a new sweep into a folder it may not write
    out.mkdir()
    _read_only(out)
    try:
        res = _run(*args)
    finally:
        _writable(out)
    assert res.returncode == 2, res.stderr
    line = _one_error_line(res.stderr)
    assert str(out) in line and "cannot write" in line
    assert list(out.iterdir()) == []
    # a partial sweep whose folder turned read-only: refused, nothing lost
    shutil.rmtree(out)
    proc = _start(*args)
    _wait_for_commit(out, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    before = sorted(p.name for p in (out / "runs").iterdir())
    for d in (out, out / "runs", out / "steps"):
        _read_only(d)
    try:
        res = _run(*args)
    finally:
        for d in (out, out / "runs", out / "steps"):
            _writable(d)
    assert res.returncode == 2, res.stderr
    assert "cannot write" in _one_error_line(res.stderr)
    assert sorted(p.name for p in (out / "runs").iterdir()) == before
    resumed = _run(*args)
    assert resumed.returncode == 0, resumed.stderr
    _same_as_baseline(out, baseline)


# --- a scenario file that is not UTF-8 ---------------------------------------------------------


def test_a_scenario_that_is_not_utf8(tmp_path: Path, baseline: dict) -> None:
    from simorg.scenario import shipped_scenarios

    text = shipped_scenarios()["traditional_silos"].read_text(encoding="utf-8")
    text = text.replace('description = "', 'description = "Caf\u00e9 culture. ', 1)
    assert "Caf\u00e9" in text
    scenario = tmp_path / "traditional_silos.toml"
    scenario.write_bytes(text.encode("latin-1"))  # é as one byte, 0xe9: not UTF-8
    exp = _write_experiment(tmp_path, base=str(scenario))
    out = tmp_path / "out"
    for args in (
        ("check", str(scenario)),
        ("run", str(scenario), "--steps", "3"),
        ("compare", str(scenario), "social_business", "--runs", "1", "--steps", "3"),
        ("sweep", str(exp), "--out", str(out)),
    ):
        res = _run(*args)
        assert res.returncode == 2, (args, res.stderr)
        line = _one_error_line(res.stderr)
        assert str(scenario) in line and "not UTF-8" in line and "byte 0xe9" in line, line
    assert not out.exists(), "nothing is written for bad input"
    scenario.write_text(text, encoding="utf-8")  # the fix the message names
    res = _run("sweep", str(exp), "--out", str(out), "--workers", "2")
    assert res.returncode == 0, res.stderr
    _same_as_baseline(out, baseline)
