"""The results folder of a sweep: one writer at a time, every file checksummed, safe to kill.

    DIR/manifest.json            the resolved experiment, its hash, seeds, versions, sessions and
                                 the list of committed parts with their SHA-256 checksums
    DIR/runs/runs-*.parquet      one row per run (schema in docs/experiments.md)
    DIR/steps/steps-*.parquet    per-step outcomes, with each run's parameters and seed
    DIR/quarantine/              damaged parts moved aside by a resume (their runs ran again)
    DIR/.lock                    held (flock) by the sweep writing here; says its pid and host

One writer: a sweep takes an OS-level lock (`fcntl.flock`) on DIR/.lock before it touches anything
and holds it to the end; a second sweep on the same folder is refused with one line naming the
holder. The lock goes with the process, so a sweep killed with SIGKILL leaves no stale lock.

A part is committed when the manifest lists it: its steps file and its runs file are each written
under a hidden temporary name and renamed (`os.replace`), then the manifest is rewritten (also
atomically) with the part's name, rows and checksums. A sweep killed before the commit leaves
files no manifest lists; the next start removes them and runs those runs again. Readers read only
listed parts, and check them against their checksums first: `report` and `sensitivity` refuse a
folder that does not verify (exit code 4), a resume moves a damaged part to quarantine/ (one line)
and runs its runs again. No run key is ever stored twice: the writer refuses a key already
committed, and a folder with a duplicated key does not verify.

A folder holds one sweep. Starting a sweep on a folder made from a different experiment, with other
`--replications`/`--steps`, by another simorg version or in an older results format is refused
(one line, exit 2) unless `--fresh`; a folder that is not a sweep folder is never emptied.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simorg.errors import ResultsDamaged, SimorgError, one_line, warn

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from simorg.experiments.design import Design
    from simorg.experiments.runner import RunOutput

FORMAT = "simorg-sweep/2"
MANIFEST = "manifest.json"
LOCK = ".lock"
QUARANTINE = "quarantine"
FIXED_RUN_COLUMNS = ("run_key", "variant", "scenario")
TAIL_RUN_COLUMNS = ("replication", "seed", "status", "error", "duration_s")


class StoreError(SimorgError):
    """A results folder that cannot be used as asked; the message is one line."""


def column_name(key: str) -> str:
    """The column of a dotted parameter: `organization.permeability` -> `organization_permeability`,
    so SQL needs no quotes."""
    return key.replace(".", "_")


def chosen_outcomes(manifest: dict[str, Any], outcomes: list[str] | None) -> list[str]:
    """The outcomes `--outcome` asks for (default: all the sweep recorded); one it did not record
    is a StoreError."""
    recorded = manifest["outcomes"]
    for name in outcomes or []:
        if name not in recorded:
            raise StoreError(
                f"--outcome: '{name}' was not recorded by this sweep; recorded: {', '.join(recorded)}"
            )
    return outcomes or recorded


def count_outcomes(outcomes: list[str]) -> set[str]:
    """Outcomes that count things: stored as int64 (null for a failed run)."""
    from simorg import outcomes as oc

    return set(outcomes) & set(getattr(oc, "COUNTS", ()))


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


def parquet_bytes(table: pa.Table, metadata: dict[str, str] | None = None) -> bytes:
    """A table as Parquet (zstd), with simorg's key-value metadata added to the schema's."""
    import pyarrow.parquet as pq

    if metadata:
        meta = dict(table.schema.metadata or {})
        meta.update({k.encode(): str(v).encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(meta)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", write_page_checksum=True)
    return buf.getvalue()


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class FolderLock:
    """An exclusive `flock` on DIR/.lock, held by one sweep for its whole life."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / LOCK
        self.fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = one_line(os.read(fd, 300).decode("utf-8", "replace")) or "another process"
            os.close(fd)
            raise ResultsDamaged(
                f"{self.path.parent}: another sweep is writing to this folder ({holder}); wait "
                "for it to finish or give another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on host {socket.gethostname()} since {_now()}\n".encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


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
        "columns": {column_name(k): k for k in design.varied},
        "count_outcomes": sorted(count_outcomes(design.outcomes)),
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
        "parts": [],
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
        raise ResultsDamaged(f"{path}: unreadable manifest ({one_line(exc, 200)})") from None
    fmt = data.get("format") if isinstance(data, dict) else None
    if fmt != FORMAT:
        if isinstance(fmt, str) and fmt.startswith("simorg-sweep/"):
            import simorg

            made = (data.get("versions") or {}).get("simorg", "?")
            raise StoreError(
                f"{root}: written by simorg {made} in the older results format {fmt}; simorg "
                f"{simorg.__version__} reads {FORMAT}: run the sweep again with --fresh, or into "
                "another --out folder"
            )
        raise StoreError(f"{path}: not a {FORMAT} manifest (format {fmt!r})")
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
    """One sweep's folder: opened for writing by `open` (under its lock), read by `read`."""

    def __init__(
        self, root: Path, manifest: dict[str, Any], lock: FolderLock | None = None
    ) -> None:
        self.root = Path(root)
        self.manifest = manifest
        self.manifest.setdefault("parts", [])
        self.runs_dir = self.root / "runs"
        self.steps_dir = self.root / "steps"
        self.lock = lock

    # --- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path, design: Design, fresh: bool = False) -> Store:
        """Lock the folder, then create it or reopen it to resume the same sweep; refuse anything
        else. Damaged parts are moved to quarantine/ (one line each) and their runs run again."""
        root = Path(root)
        new = manifest_for(design)
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root}: exists and is not a folder")
        manifest_path = root / MANIFEST
        stranger = root.exists() and any(p.name != LOCK for p in root.iterdir())
        if not manifest_path.exists() and stranger:
            raise StoreError(
                f"{root}: exists, is not empty and is not a sweep folder (no {MANIFEST}); "
                "choose a new or empty folder"
            )
        lock = FolderLock(root)
        try:
            root.mkdir(parents=True, exist_ok=True)
            lock.acquire()
        except PermissionError as exc:
            raise StoreError(
                f"{root}: cannot write ({exc.strerror}); choose a folder you can write to"
            ) from None
        try:
            if manifest_path.exists():
                if fresh:
                    for name in ("runs", "steps", QUARANTINE):
                        shutil.rmtree(root / name, ignore_errors=True)
                    manifest_path.unlink()
                else:
                    old = read_manifest(root)
                    ov = old.get("versions", {}).get("simorg")
                    if ov != new["versions"]["simorg"]:
                        raise StoreError(
                            f"{root}: made by simorg {ov}, this is {new['versions']['simorg']}; "
                            "results would mix model versions: use --fresh to start over or --out "
                            "for another folder"
                        )
                    if old.get("hash") != new["hash"]:
                        raise StoreError(
                            f"{root}: holds a different sweep ({_mismatch(old, new)}); use --fresh "
                            "to discard it or --out for another folder"
                        )
                    new["created"] = old.get("created", new["created"])
                    new["sessions"] = old.get("sessions", [])
                    new["parts"] = old.get("parts", [])
            try:
                (root / "runs").mkdir(exist_ok=True)
                (root / "steps").mkdir(exist_ok=True)
                store = cls(root, new, lock)
                store._clean()
                store.repair()
                store.write_manifest()
            except OSError as exc:
                raise StoreError(
                    f"{root}: cannot write ({exc.strerror or exc}); choose a folder you can write to"
                ) from None
        except BaseException:
            lock.release()
            raise
        return store

    @classmethod
    def read(cls, root: Path, verify: bool = True) -> Store:
        """A folder to read; with `verify`, refuse it (exit code 4) unless every part checks out."""
        store = cls(Path(root), read_manifest(Path(root)))
        if verify:
            problems = store.problems()
            if problems:
                entry, what, reason = problems[0]
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                raise ResultsDamaged(
                    f"{store.root / entry[what]['file']}: {reason}{more}; the folder does not "
                    f"verify: run the same 'simorg sweep ... --out {store.root}' again to move "
                    "damaged parts to quarantine/ and re-run their runs"
                )
        return store

    def close(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def write_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=1, default=str)
        _write_atomic(self.root / MANIFEST, text.encode())

    def _clean(self) -> None:
        """Remove half-written temporary files and parts no manifest lists (a killed session's)."""
        listed = {e[w]["file"] for e in self.manifest["parts"] for w in ("runs", "steps") if e[w]}
        for d in (self.runs_dir, self.steps_dir):
            for tmp in d.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
            for p in d.glob("*.parquet"):
                if f"{d.name}/{p.name}" not in listed:
                    p.unlink(missing_ok=True)

    # --- verifying -----------------------------------------------------------------------------

    def problems(self) -> list[tuple[dict[str, Any], str, str]]:
        """(part, "runs"|"steps", what is wrong) for every listed file that does not verify."""
        out = []
        for entry in self.manifest["parts"]:
            for what in ("runs", "steps"):
                item = entry.get(what)
                if not item:
                    continue
                path = self.root / item["file"]
                if not path.is_file():
                    out.append((entry, what, "missing"))
                elif sha256_of(path) != item["sha256"]:
                    out.append((entry, what, "damaged (its SHA-256 differs from the manifest's)"))
        return out

    def repair(self) -> int:
        """Move every part that does not verify to quarantine/ and forget it; return runs lost."""
        lost = 0
        for entry, what, reason in self.problems():
            if entry not in self.manifest["parts"]:
                continue  # its twin was already moved
            q = self.root / QUARANTINE
            q.mkdir(exist_ok=True)
            for w in ("runs", "steps"):
                if entry.get(w) and (self.root / entry[w]["file"]).exists():
                    os.replace(self.root / entry[w]["file"], q / Path(entry[w]["file"]).name)
            self.manifest["parts"].remove(entry)
            lost += entry["runs"]["rows"]
            warn(
                f"{self.root / entry[what]['file']}: {reason}; moved to {q}/, its "
                f"{entry['runs']['rows']} run(s) will run again"
            )
        return lost

    # --- reading -------------------------------------------------------------------------------

    def run_parts(self) -> list[Path]:
        return [self.root / e["runs"]["file"] for e in self.manifest["parts"]]

    def step_parts(self) -> list[Path]:
        return [self.root / e["steps"]["file"] for e in self.manifest["parts"] if e["steps"]]

    def finished(self) -> dict[str, str]:
        """run_key -> status of every committed run."""
        import pyarrow.parquet as pq

        out: dict[str, str] = {}
        for part in self.run_parts():
            t = pq.read_table(part, columns=["run_key", "status"])
            keys = t.column("run_key").to_pylist()
            if any(k in out for k in keys):
                raise ResultsDamaged(
                    f"{part}: holds a run already recorded in another part; the folder is damaged"
                )
            out.update(zip(keys, t.column("status").to_pylist(), strict=True))
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
            return pd.DataFrame(columns=self.step_columns())
        return pa.concat_tables([pq.read_table(p, columns=columns) for p in parts]).to_pandas()

    def iter_steps(self, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """Per-step outcomes one part at a time (for aggregating sweeps larger than memory)."""
        import pyarrow.parquet as pq

        for p in self.step_parts():
            yield pq.read_table(p, columns=columns).to_pandas()

    def param_columns(self) -> list[str]:
        return [column_name(k) for k in self.manifest["varied"]]

    def run_columns(self) -> list[str]:
        return [
            *FIXED_RUN_COLUMNS,
            *self.param_columns(),
            *TAIL_RUN_COLUMNS,
            *self.manifest["outcomes"],
        ]

    def step_columns(self) -> list[str]:
        return [
            *FIXED_RUN_COLUMNS,
            *self.param_columns(),
            "replication",
            "seed",
            "step",
            *self.manifest["outcomes"],
        ]

    # --- retrying failed runs ------------------------------------------------------------------

    def drop_failed(self) -> int:
        """Forget failed runs so they run again: each part holding one is rewritten as a new part
        and committed in the manifest before the old file is removed."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        dropped = 0
        for entry in list(self.manifest["parts"]):
            path = self.root / entry["runs"]["file"]
            table = pq.read_table(path)
            failed = pc.equal(table.column("status"), "failed")
            n = pc.sum(failed).as_py() or 0
            if not n:
                continue
            dropped += n
            keep = table.filter(pc.invert(failed))
            i = self.manifest["parts"].index(entry)
            if keep.num_rows:
                new = dict(entry, name=f"{entry['name']}r")
                data = parquet_bytes(keep)
                file = f"runs/runs-{new['name']}.parquet"
                _write_atomic(self.root / file, data)
                new["runs"] = {
                    "file": file,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "rows": keep.num_rows,
                }
                self.manifest["parts"][i] = new
            else:
                del self.manifest["parts"][i]
            self.write_manifest()  # the commit
            path.unlink(missing_ok=True)
            if not keep.num_rows and entry["steps"]:
                (self.root / entry["steps"]["file"]).unlink(missing_ok=True)
        return dropped

    # --- writing -------------------------------------------------------------------------------

    def writer(self, flush_runs: int = 500, flush_seconds: float = 1.0) -> PartWriter:
        return PartWriter(self, flush_runs, flush_seconds)

    def add_session(self, session: dict[str, Any]) -> None:
        self.manifest.setdefault("sessions", []).append(session)
        self.write_manifest()


class PartWriter:
    """Buffers finished runs and commits them as parts: by count, by age, and at the end."""

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
        self.counts = count_outcomes(self.outcomes)
        self.committed: set[str] = set(store.finished())
        self.buffer: list[tuple[int, int, RunOutput]] = []
        self.last_flush = time.monotonic()
        self.session = f"{int(time.time() * 1000):x}-{os.getpid()}"
        self.sequence = 0
        self.written = 0
        arrow = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string()}
        params = [(column_name(k), arrow[self.kinds[k]]) for k in self.varied]
        values = [(o, pa.int64() if o in self.counts else pa.float64()) for o in self.outcomes]
        ident = [("run_key", pa.string()), ("variant", pa.int32()), ("scenario", pa.string())]
        self.run_schema = pa.schema(
            ident
            + params
            + [
                ("replication", pa.int32()),
                ("seed", pa.int64()),
                ("status", pa.string()),
                ("error", pa.string()),
                ("duration_s", pa.float64()),
            ]
            + values
        )
        self.step_schema = pa.schema(
            ident
            + params
            + [("replication", pa.int32()), ("seed", pa.int64()), ("step", pa.int32())]
            + values
        )

    def add(self, variant: int, replication: int, output: RunOutput) -> None:
        if output.run_key in self.committed:
            warn(f"run {output.run_key} is already recorded; the second result is not stored")
            return
        self.committed.add(output.run_key)
        self.buffer.append((variant, replication, output))
        if len(self.buffer) >= self.flush_runs:
            self.flush()

    def tick(self) -> None:
        if self.buffer and time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()

    def _values(self, matrix, name: str, j: int):
        """Column j of `matrix` as the outcome's type (counts: int64 with nulls where NaN)."""
        import numpy as np
        import pyarrow as pa

        col = matrix[:, j]
        if name not in self.counts:
            return col
        missing = np.isnan(col)
        return pa.array(np.where(missing, 0, np.rint(col)).astype(np.int64), mask=missing)

    def _params(self, rows: list[tuple[int, int, Any]], repeat=None) -> dict[str, Any]:
        import numpy as np

        cols: dict[str, Any] = {}
        for key in self.varied:
            vals = [self.variants[v]["params"].get(key) for v, _, _ in rows]
            if self.kinds[key] == "str":
                vals = [None if x is None else str(x) for x in vals]
            cols[column_name(key)] = (
                vals if repeat is None else np.repeat(np.array(vals, dtype=object), repeat)
            )
        return cols

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
            **self._params(rows),
            "replication": [r for _, r, _ in rows],
            "seed": [self.seeds[r] for _, r, _ in rows],
            "status": [o.status for _, _, o in rows],
            "error": [o.error for _, _, o in rows],
            "duration_s": [o.duration for _, _, o in rows],
        }
        finals = np.full((n, len(self.outcomes)), np.nan)
        for i, (_, _, o) in enumerate(rows):
            if o.final is not None:
                finals[i] = o.final
        for j, name in enumerate(self.outcomes):
            cols[name] = self._values(finals, name, j)
        runs = pa.table(cols, schema=self.run_schema)

        trajs = [(v, r, o) for v, r, o in rows if o.trajectory is not None]
        steps = None
        if trajs:
            lengths = [len(o.trajectory) for _, _, o in trajs if o.trajectory is not None]
            block = np.concatenate([o.trajectory for _, _, o in trajs])

            def rep(values, dtype=None):
                return np.repeat(np.array(values, dtype=dtype), lengths)

            steps_cols: dict[str, Any] = {
                "run_key": rep([o.run_key for _, _, o in trajs], object),
                "variant": rep([v for v, _, _ in trajs], np.int32),
                "scenario": rep([self.variants[v]["scenario"] for v, _, _ in trajs], object),
                **self._params(trajs, lengths),
                "replication": rep([r for _, r, _ in trajs], np.int32),
                "seed": rep([self.seeds[r] for _, r, _ in trajs], np.int64),
                "step": block[:, 0].astype(np.int32),
            }
            for j, name in enumerate(self.outcomes):
                steps_cols[name] = self._values(block[:, 1:], name, j)
            steps = pa.table(steps_cols, schema=self.step_schema)

        name = f"{self.session}-{self.sequence:05d}"
        self.sequence += 1
        m = self.store.manifest
        meta = {
            "simorg.version": m["versions"]["simorg"],
            "simorg.format": FORMAT,
            "simorg.experiment": m["experiment"]["name"],
            "simorg.experiment_hash": m["hash"],
            "simorg.scenario": ",".join(dict.fromkeys(cols["scenario"])),
            "simorg.seed": json.dumps(sorted(set(cols["seed"]))),
        }
        entry: dict[str, Any] = {"name": name, "steps": None}
        root = self.store.root
        if steps is not None:
            data = parquet_bytes(steps, meta)
            file = f"steps/steps-{name}.parquet"
            _write_atomic(root / file, data)
            entry["steps"] = {
                "file": file,
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows": steps.num_rows,
            }
        data = parquet_bytes(runs, meta)
        file = f"runs/runs-{name}.parquet"
        _write_atomic(root / file, data)
        entry["runs"] = {"file": file, "sha256": hashlib.sha256(data).hexdigest(), "rows": n}
        m["parts"].append(entry)
        self.store.write_manifest()  # the commit: these runs count from here on
        self.written += n
