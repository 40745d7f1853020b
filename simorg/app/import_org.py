"""Drop your own organization's files onto the explorer (issue 13; one small component).

The files are written to a private temporary folder, read and pseudonymised at once
(simorg.organizations), and only the pseudonymised copy is kept (people.csv, ties.csv); the
uploaded originals are deleted straight away. The folder is removed when the server stops.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import solara

from simorg.scenario import Scenario, ScenarioError, with_overrides

GRAPHS = (".graphml", ".gexf")


def _is_ties(name: str, data: bytes) -> bool:
    """A graph file, or a table whose header names source and target, holds the ties."""
    if Path(name).suffix.lower() in GRAPHS:
        return True
    header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").lower()
    return "source" in header and "target" in header


def write_pseudonymised(org, folder: Path) -> tuple[Path, Path | None]:
    """people.csv (and ties.csv) of an imported organization: pseudonyms only, no extra columns."""
    ids = np.asarray(org.ids, dtype=object)
    people = pd.DataFrame(
        {
            "id": ids,
            "department": np.asarray(org.department_names, dtype=object)[org.department],
            "manager": np.where(org.manager >= 0, ids[np.maximum(org.manager, 0)], ""),
            "leader": np.where(org.is_leader, "true", "false"),
        }
    )
    if org.customer_facing is not None:
        people["customer_facing"] = np.where(org.customer_facing, "true", "false")
    people.to_csv(folder / "people.csv", index=False)
    if not org.has_ties:
        return folder / "people.csv", None
    pairs = org.tie_pairs
    pd.DataFrame(
        {"source": ids[pairs[:, 0]], "target": ids[pairs[:, 1]], "weight": org.tie_weight}
    ).to_csv(folder / "ties.csv", index=False)
    return folder / "people.csv", folder / "ties.csv"


def scenario_from_files(files: list[tuple[str, bytes]], base: Scenario) -> Scenario:
    """`base` on the organization in the dropped files (one-line ScenarioError when they are bad)."""
    from simorg.organizations import OrganizationFileError, read

    folder = Path(tempfile.mkdtemp(prefix="simorg-org-"))  # mode 0700: this user only
    atexit.register(shutil.rmtree, folder, True)
    raw = folder / "upload"
    raw.mkdir()
    people = ties = None
    try:
        for name, data in files:
            target = raw / Path(name).name
            target.write_bytes(data)
            if _is_ties(name, data):
                ties = target
            else:
                people = target
        if people is None and (ties is None or ties.suffix.lower() not in GRAPHS):
            raise ScenarioError("drop a people file (id, department[, manager]) with the ties")
        try:
            org = read(people, ties, base.organization.department_attribute)
        except OrganizationFileError as exc:
            raise ScenarioError(str(exc).replace(str(raw) + "/", "")) from None
        people_copy, ties_copy = write_pseudonymised(org, folder)
    finally:
        shutil.rmtree(raw, ignore_errors=True)  # the originals never stay on the server
    overrides = {"organization.people": str(people_copy), "organization.ties": str(ties_copy or "")}
    return with_overrides(base, overrides, "dropped files")


@solara.component
def ImportOrganization(base: Scenario, on_scenario: Callable[[Scenario, str], None],
                       on_error: Callable[[str], None]):  # fmt: skip
    """A drop zone for a people file and a ties file (or one GraphML/GEXF file)."""

    def on_files(infos):
        files = [(info["name"], info["data"]) for info in infos]
        try:
            sc = scenario_from_files(files, base)
        except ScenarioError as exc:
            on_error(str(exc))
            return
        on_scenario(sc, f"{Path(files[0][0]).stem} ({base.name})")

    with solara.Div(classes=["simorg-drop"]):
        solara.FileDropMultiple(
            label="Drop your organization here: people.csv and ties.csv (or one .graphml/.gexf)",
            on_file=on_files,
            lazy=False,
        )
