"""`make mutants`: break the code on purpose, one way at a time, and show the tests notice.

Each mutant is one textual change to one file of a scratch copy of the repository; the tests that
guard that behaviour run against the copy (PYTHONPATH points at it) and must fail. A mutant the
tests survive is a test that cannot fail: the script exits 1 and names it. Not part of `make test`
(it runs the guarding tests once per mutant: a few minutes).

    .venv/bin/python .ci/mutants.py [NAME ...]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name: (file, text to find, replacement, tests that must fail)
MUTANTS: dict[str, tuple[str, str, str, list[str]]] = {
    "beliefs-copy": (
        "simorg/agents.py",
        "return self.model.state.beliefs[0, self.slot]",
        "return self.model.state.beliefs[0, self.slot].copy()",
        ["tests/test_model_invariants.py::test_agents_and_arrays_agree"],
    ),
    "leavers-not-replaced": (
        "simorg/model.py",
        '"""A leaver\'s agent is removed and a new agent takes the slot, so counts add up."""',
        '"""A leaver\'s agent is removed and a new agent takes the slot, so counts add up."""\n'
        "        return",
        ["tests/test_model_invariants.py::test_agent_counts_add_up_through_turnover"],
    ),
    "run-csv-without-outcomes": (
        "simorg/cli.py",
        "frame.to_csv(csv, index=False)",
        'frame[["scenario", "seed", "step"]].to_csv(csv, index=False)',
        [
            "tests/test_scenarios_and_cli.py::test_run_set_changes_the_run_and_out_writes_parquet_and_csv"
        ],
    ),
    "set-value-not-checked": (
        "simorg/scenario.py",
        "            _check_set_value(section, name, self.value)\n",
        "",
        ["tests/test_scenarios_and_cli.py::test_check_reports_bad_files_in_one_line"],
    ),
    "late-intervention-accepted": (
        "simorg/scenario.py",
        "        if iv.at >= steps:",
        "        if iv.at >= steps and False:",
        ["tests/test_scenarios_and_cli.py::test_check_reports_bad_files_in_one_line"],
    ),
    "no-lock": (
        "simorg/experiments/store.py",
        "            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)",
        "            pass",
        ["tests/test_faults.py::test_a_second_sweep_on_the_same_folder_is_refused"],
    ),
    "checksums-ignored": (
        "simorg/experiments/store.py",
        'elif sha256_of(path) != item["sha256"]:',
        "elif False:",
        ["tests/test_faults.py::test_a_damaged_part_is_refused_by_readers_and_rerun_by_resume"],
    ),
    "lost-worker-recorded-as-failed": (
        "simorg/experiments/executors.py",
        "    if isinstance(exc, BrokenProcessPool | cf.CancelledError):\n        return True",
        "    if isinstance(exc, BrokenProcessPool | cf.CancelledError):\n        return False",
        ["tests/test_faults.py::test_sigkill_of_a_worker_stops_with_exit_3_and_resumes"],
    ),
}


def scratch_copy() -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    dest = Path(tempfile.mkdtemp(prefix="simorg-mutants-"))
    for f in files:
        src = ROOT / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    return dest


def main(names: list[str]) -> int:
    chosen = names or list(MUTANTS)
    unknown = [n for n in chosen if n not in MUTANTS]
    if unknown:
        print(f"unknown mutant(s): {', '.join(unknown)}; known: {', '.join(MUTANTS)}")
        return 2
    survivors = []
    for name in chosen:
        file, old, new, tests = MUTANTS[name]
        scratch = scratch_copy()
        try:
            path = scratch / file
            text = path.read_text()
            if text.count(old) != 1:
                print(f"{name:<32} SKIPPED: the code it breaks has changed ({file})")
                survivors.append(name)
                continue
            path.write_text(text.replace(old, new))
            env = {**os.environ, "PYTHONPATH": str(scratch)}
            t0 = time.monotonic()
            res = subprocess.run(
                [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                cwd=scratch,
                env=env,
                capture_output=True,
                text=True,
            )
            caught = res.returncode == 1  # tests failed (not: collection or usage errors)
            verdict = "caught" if caught else f"SURVIVED (pytest exit {res.returncode})"
            print(f"{name:<32} {verdict:<10} {time.monotonic() - t0:5.0f} s  {' '.join(tests)}")
            if not caught:
                survivors.append(name)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if survivors:
        print(f"{len(survivors)} mutant(s) not caught: {', '.join(survivors)}")
        return 1
    print(f"all {len(chosen)} mutants caught")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
