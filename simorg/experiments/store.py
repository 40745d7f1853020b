"""The results folder of a sweep, written as runs finish and safe to kill at any moment.

    DIR/manifest.json        the resolved experiment, its hash, expected_runs, seeds, versions
    DIR/runs/part-*.parquet  one row per run: run_key, variant, scenario, varied parameters,
                             replication, seed, status, error, duration_s, final outcomes
    DIR/steps/part-*.parquet per-step outcomes: run_key, variant, replication, step, outcomes

Runs are written in parts, each under a hidden temporary name and then renamed (`os.replace`), so a
part is either complete or absent. A part's steps file is renamed before its runs file, and a run
counts as finished only when its row is in a runs part: a sweep killed between the two leaves an
orphan steps part, which the next start removes before it reruns those runs. So a killed sweep loses
at most the runs in flight (and those finished in the last second, not yet written), and no run is
ever recorded twice.

A folder holds one sweep. Starting a sweep on a folder made from a different experiment, with other
`--replications`/`--steps`, or by another simorg version is refused (one line, exit 2) unless
`--fresh`; a folder that is not a sweep folder is never emptied.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simorg.scenario import ScenarioError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from simorg.experiments.design import Design
    from simorg.experiments.runner import RunOutput

FORMAT = "simorg-sweep/1"
MANIFEST = "manifest.json"
FIXED_RUN_COLUMNS = ("run_key", "variant", "scenario")
TAIL_RUN_COLUMNS = ("replication", "seed", "status", "error", "duration_s")


class StoreError(ScenarioError):
    """A results folder that cannot be used as asked; the message is one line."""


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    import simorg

    out = {"python": platform.python_version(), "simorg": simorg.__version__}
    for pkg in ("mesa", "numpy", "scipy", "pandas", "pyarrow", "networkx", "pydantic"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = "?"
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _write_table_atomic(path: Path, table: pa.Table) -> None:
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        pq.write_table(table, fh, compression="zstd")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def manifest_for(design: Design) -> dict[str, Any]:
    exp = design.experiment
    return {
        "format": FORMAT,
        "experiment": {
            "name": exp.name,
            "description": exp.description,
            "question": exp.question,
            "source": design.source,
            "definition": exp.model_dump(mode="json", by_alias=True),
        },
        "hash": design.hash,
        "expected_runs": design.expected_runs,
        "replications": design.replications,
        "steps": design.base_steps,
        "every": design.every,
        "outcomes": design.outcomes,
        "root_seed": exp.seed,
        "seeds": design.seeds,
        "varied": design.varied,
        "param_kinds": design.param_kinds(),
        "sample": exp.sample.model_dump(mode="json") if exp.sample else None,
        "sample_matrix": design.sample_matrix.tolist()
        if design.sample_matrix is not None
        else None,
        "bases": design.bases,
        "variants": [
            {"variant": v.index, "scenario": v.base, "label": v.label, "params": v.params}
            for v in design.variants
        ],
        "versions": versions(),
        "created": _now(),
        "sessions": [],
    }


def read_manifest(root: Path) -> dict[str, Any]:
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise StoreError(
            f"{root}: not a sweep folder (no {MANIFEST}); run 'simorg sweep FILE --out {root}' first"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"{path}: unreadable manifest ({' '.join(str(exc).split())[:200]})"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StoreError(
            f"{path}: not a {FORMAT} manifest (format {data.get('format') if isinstance(data, dict) else '?'!r})"
        )
    return data


def _mismatch(old: dict[str, Any], new: dict[str, Any]) -> str:
    """What differs between the folder's sweep and the requested one, in a few words."""
    oe, ne = old.get("experiment", {}), new["experiment"]
    checks = [
        ("experiment", oe.get("name"), ne["name"]),
        ("replications", old.get("replications"), new["replications"]),
        ("steps", old.get("steps"), new["steps"]),
        ("root seed", old.get("root_seed"), new["root_seed"]),
        ("outcomes", old.get("outcomes"), new["outcomes"]),
        ("every", old.get("every"), new["every"]),
        ("varied parameters", old.get("varied"), new["varied"]),
        ("variants", len(old.get("variants", [])), len(new["variants"])),
        ("base scenarios", old.get("bases"), new["bases"]),
    ]
    for what, a, b in checks:
        if a != b:
            if isinstance(a, dict | list) or isinstance(b, dict | list):
                return f"its {what} differ"
            return f"{what} {a} there, {b} now"
        continue
    return "its variants differ"


class Store:
    """One sweep's folder: opened for writing by `open`, read by `runs()`/`steps()`."""

    def __init__(self, root: Path, manifest: dict[str, Any]) -> None:
        self.root = Path(root)
        self.manifest = manifest
        self.runs_dir = self.root / "runs"
        self.steps_dir = self.root / "steps"

    # --- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path, design: Design, fresh: bool = False) -> Store:
        """Create the folder, or reopen it to resume the same sweep; refuse anything else."""
        root = Path(root)
        new = manifest_for(design)
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root}: exists and is not a folder")
        manifest_path = root / MANIFEST
        if manifest_path.exists():
            if fresh:
                for name in ("runs", "steps"):
                    shutil.rmtree(root / name, ignore_errors=True)
                manifest_path.unlink()
            else:
                old = read_manifest(root)
                ov = old.get("versions", {}).get("simorg")
                if ov != new["versions"]["simorg"]:
                    raise StoreError(
                        f"{root}: made by simorg {ov}, this is {new['versions']['simorg']}; results would "
                        "mix model versions: use --fresh to start over or --out for another folder"
                    )
                if old.get("hash") != new["hash"]:
                    raise StoreError(
                        f"{root}: holds a different sweep ({_mismatch(old, new)}); use --fresh to "
                        "discard it or --out for another folder"
                    )
                new["created"] = old.get("created", new["created"])
                new["sessions"] = old.get("sessions", [])
        elif root.exists() and any(root.iterdir()):
            raise StoreError(
                f"{root}: exists, is not empty and is not a sweep folder (no {MANIFEST}); choose a new or empty folder"
            )
        try:
            root.mkdir(parents=True, exist_ok=True)
            (root / "runs").mkdir(exist_ok=True)
            (root / "steps").mkdir(exist_ok=True)
            store = cls(root, new)
            store._clean()
            store.write_manifest()
        except OSError as exc:
            raise StoreError(f"{root}: cannot write: {exc.strerror or exc}") from None
        return store

    @classmethod
    def read(cls, root: Path) -> Store:
        return cls(Path(root), read_manifest(Path(root)))

    def write_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=1, default=str)
        _write_atomic(self.root / MANIFEST, text.encode())

    def _clean(self) -> None:
        """Remove half-written temporary files and steps parts whose runs part never landed."""
        for d in (self.runs_dir, self.steps_dir):
            for tmp in d.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        done = {p.name for p in self.runs_dir.glob("part-*.parquet")}
        for p in self.steps_dir.glob("part-*.parquet"):
            if p.name not in done:
                p.unlink(missing_ok=True)

    # --- reading -------------------------------------------------------------------------------

    def run_parts(self) -> list[Path]:
        return sorted(self.runs_dir.glob("part-*.parquet"))

    def step_parts(self) -> list[Path]:
        done = {p.name for p in self.run_parts()}
        return sorted(p for p in self.steps_dir.glob("part-*.parquet") if p.name in done)

    def finished(self) -> dict[str, str]:
        """run_key -> status of every run recorded so far."""
        import pyarrow.parquet as pq

        out: dict[str, str] = {}
        for part in self.run_parts():
            t = pq.read_table(part, columns=["run_key", "status"])
            out.update(
                zip(t.column("run_key").to_pylist(), t.column("status").to_pylist(), strict=True)
            )
        return out

    def runs(self, columns: list[str] | None = None) -> pd.DataFrame:
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = self.run_parts()
        if not parts:
            return pd.DataFrame(columns=self.run_columns())
        table = pa.concat_tables([pq.read_table(p, columns=columns) for p in parts])
        return table.to_pandas()

    def steps(self, columns: list[str] | None = None) -> pd.DataFrame:
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = self.step_parts()
        if not parts:
            return pd.DataFrame(
                columns=["run_key", "variant", "replication", "step", *self.manifest["outcomes"]]
            )
        return pa.concat_tables([pq.read_table(p, columns=columns) for p in parts]).to_pandas()

    def iter_steps(self, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """Per-step outcomes one part at a time (for aggregating sweeps larger than memory)."""
        import pyarrow.parquet as pq

        for p in self.step_parts():
            yield pq.read_table(p, columns=columns).to_pandas()

    def run_columns(self) -> list[str]:
        return [
            *FIXED_RUN_COLUMNS,
            *self.manifest["varied"],
            *TAIL_RUN_COLUMNS,
            *self.manifest["outcomes"],
        ]

    # --- retrying failed runs ------------------------------------------------------------------

    def drop_failed(self) -> int:
        """Remove failed runs' rows (each part rewritten atomically) so they run again."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        dropped = 0
        for part in self.run_parts():
            table = pq.read_table(part)
            failed = pc.equal(table.column("status"), "failed")
            n = pc.sum(failed).as_py() or 0
            if not n:
                continue
            dropped += n
            keep = table.filter(pc.invert(failed))
            if keep.num_rows:
                _write_table_atomic(part, keep)
            else:
                (self.steps_dir / part.name).unlink(missing_ok=True)
                part.unlink()
        return dropped

    # --- writing -------------------------------------------------------------------------------

    def writer(self, flush_runs: int = 500, flush_seconds: float = 1.0) -> PartWriter:
        return PartWriter(self, flush_runs, flush_seconds)

    def add_session(self, session: dict[str, Any]) -> None:
        self.manifest.setdefault("sessions", []).append(session)
        self.write_manifest()


class PartWriter:
    """Buffers finished runs and writes them as parts: by count, by age, and at the end."""

    def __init__(self, store: Store, flush_runs: int, flush_seconds: float) -> None:
        import pyarrow as pa

        m = store.manifest
        self.store = store
        self.flush_runs = flush_runs
        self.flush_seconds = flush_seconds
        self.outcomes: list[str] = m["outcomes"]
        self.varied: list[str] = m["varied"]
        self.kinds: dict[str, str] = m["param_kinds"]
        self.variants: list[dict[str, Any]] = m["variants"]
        self.seeds: list[int] = m["seeds"]
        self.buffer: list[tuple[int, int, RunOutput]] = []
        self.last_flush = time.monotonic()
        self.session = f"{int(time.time() * 1000):x}-{os.getpid()}"
        self.sequence = 0
        self.written = 0
        arrow = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string()}
        self.run_schema = pa.schema(
            [("run_key", pa.string()), ("variant", pa.int32()), ("scenario", pa.string())]
            + [(k, arrow[self.kinds[k]]) for k in self.varied]
            + [
                ("replication", pa.int32()),
                ("seed", pa.int64()),
                ("status", pa.string()),
                ("error", pa.string()),
                ("duration_s", pa.float64()),
            ]
            + [(o, pa.float64()) for o in self.outcomes]
        )
        self.step_schema = pa.schema(
            [
                ("run_key", pa.string()),
                ("variant", pa.int32()),
                ("replication", pa.int32()),
                ("step", pa.int32()),
            ]
            + [(o, pa.float64()) for o in self.outcomes]
        )

    def add(self, variant: int, replication: int, output: RunOutput) -> None:
        self.buffer.append((variant, replication, output))
        if len(self.buffer) >= self.flush_runs:
            self.flush()

    def tick(self) -> None:
        if self.buffer and time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        import numpy as np
        import pyarrow as pa

        self.last_flush = time.monotonic()
        if not self.buffer:
            return
        rows = self.buffer
        self.buffer = []
        n = len(rows)
        cols: dict[str, Any] = {
            "run_key": [o.run_key for _, _, o in rows],
            "variant": [v for v, _, _ in rows],
            "scenario": [self.variants[v]["scenario"] for v, _, _ in rows],
        }
        for key in self.varied:
            vals = [self.variants[v]["params"].get(key) for v, _, _ in rows]
            if self.kinds[key] == "str":
                vals = [None if x is None else str(x) for x in vals]
            cols[key] = vals
        cols["replication"] = [r for _, r, _ in rows]
        cols["seed"] = [self.seeds[r] for _, r, _ in rows]
        cols["status"] = [o.status for _, _, o in rows]
        cols["error"] = [o.error for _, _, o in rows]
        cols["duration_s"] = [o.duration for _, _, o in rows]
        finals = np.full((n, len(self.outcomes)), np.nan)
        for i, (_, _, o) in enumerate(rows):
            if o.final is not None:
                finals[i] = o.final
        for j, name in enumerate(self.outcomes):
            cols[name] = finals[:, j]
        runs = pa.table(cols, schema=self.run_schema)

        trajs = [(v, r, o) for v, r, o in rows if o.trajectory is not None]
        steps = None
        if trajs:
            lengths = [len(o.trajectory) for _, _, o in trajs]
            block = np.concatenate([o.trajectory for _, _, o in trajs])
            steps_cols: dict[str, Any] = {
                "run_key": np.repeat(
                    np.array([o.run_key for _, _, o in trajs], dtype=object), lengths
                ),
                "variant": np.repeat(np.array([v for v, _, _ in trajs], dtype=np.int32), lengths),
                "replication": np.repeat(
                    np.array([r for _, r, _ in trajs], dtype=np.int32), lengths
                ),
                "step": block[:, 0].astype(np.int32),
            }
            for j, name in enumerate(self.outcomes):
                steps_cols[name] = block[:, j + 1]
            steps = pa.table(steps_cols, schema=self.step_schema)

        name = f"part-{self.session}-{self.sequence:05d}.parquet"
        self.sequence += 1
        if steps is not None:
            _write_table_atomic(self.store.steps_dir / name, steps)
        _write_table_atomic(self.store.runs_dir / name, runs)  # the commit: runs count once here
        self.written += n
