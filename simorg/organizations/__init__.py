"""Bring your own organization: people, reporting lines and ties read from files.

A scenario's `[organization]` section names the files (`people`, `ties`, `department_attribute`);
`structures.build` then calls `build_structure` instead of a builder. Files are read once per
process and per change of the files (the cache is keyed by path, size and modification time).
See docs/importing.md.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simorg.organizations.problems import OrganizationFileError, Problem

if TYPE_CHECKING:
    import numpy as np

    from simorg.organizations.imported import ImportedOrganization


def __getattr__(name: str) -> Any:
    """`inspect`, `read` and `ImportedOrganization` load pandas: imported when first used, so
    that `simorg` commands that never import an organization start fast."""
    if name in ("ImportedOrganization", "inspect", "read"):
        from simorg.organizations import imported

        return getattr(imported, name)
    if name == "load":  # its old name, which docs/importing.md used; `load` is scenario.load
        import warnings

        warnings.warn(
            "simorg.organizations.load is now load_organization", DeprecationWarning, stacklevel=2
        )
        return load_organization
    raise AttributeError(name)


__all__ = [
    "ImportedOrganization",
    "OrganizationFileError",
    "Problem",
    "build_structure",
    "inspect",
    "load_files",
    "load_organization",
    "read",
]


def anchor_paths(table: object, base: Path) -> None:
    """Make `organization.people`/`.ties` in an experiment's `set` table (dotted keys or nested
    tables) relative to the file it came from, as paths in scenario files are."""
    if not isinstance(table, dict):
        return
    nested = table.get("organization")
    for holder, keys in ((table, ("organization.people", "organization.ties")),
                         (nested, ("people", "ties"))):  # fmt: skip
        if isinstance(holder, dict):
            for key in keys:
                if isinstance(holder.get(key), str) and holder[key]:
                    holder[key] = str(base / Path(holder[key]).expanduser())


def _stamp(path: str) -> tuple[str, int, int]:
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return (path, -1, -1)
    return (path, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4)
def _read_cached(
    people: tuple[str, int, int] | None,
    ties: tuple[str, int, int] | None,
    department_attribute: str,
    span: int,
    drop_self_ties: bool,
) -> ImportedOrganization:
    from simorg.organizations.imported import read

    return read(
        Path(people[0]) if people else None,
        Path(ties[0]) if ties else None,
        department_attribute,
        span,
        drop_self_ties,
    )


def load_files(
    people: str | None,
    ties: str | None,
    department_attribute: str = "department",
    span: int = 8,
    drop_self_ties: bool = False,
) -> ImportedOrganization:
    """Read (once per change of the files) and check; raises OrganizationFileError."""
    return _read_cached(
        _stamp(people) if people else None,
        _stamp(ties) if ties else None,
        department_attribute,
        span,
        drop_self_ties,
    )


def load_organization(org) -> ImportedOrganization:
    """The organization an `[organization]` section imports (cached; raises OrganizationFileError)."""
    return load_files(
        org.people or None,
        org.ties or None,
        org.department_attribute,
        org.span_of_control,
        org.self_ties == "drop",
    )


def build_structure(org, rng: np.random.Generator):  # noqa: F821 (numpy only for typing)
    """structures.build for an imported organization."""
    from simorg.organizations.build import structure

    return structure(load_organization(org), org, rng)
