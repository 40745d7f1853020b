"""Where each person is drawn: computed once per organization, never per frame.

Departments are clusters placed around a circle, each a disc whose area grows with its head count.
Inside a department people sit on a radial tree of the reporting lines: the head at the centre, each
level of the hierarchy on a ring further out, and everyone's wedge of the ring inside their manager's,
so a team sits together next to its leader. A small seeded jitter keeps rings from hiding the ties
along them. Everything is numpy on whole levels, so the layout of 100,000 people takes well under a
second and the same seed always gives the same picture.

Only the reporting structure (department, manager, level) decides positions; restructuring into
project teams, turnover (a new hire takes the leaver's slot) and a new social-media team leave
everyone where they were, so the picture stays put while the run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simorg.structures import Structure

WIDTH = 1000.0  # SVG user units; the drawing scales to its container
LABEL_ROOM = 34.0  # room above (top half) or below (bottom half) each cluster for its name
MARGIN = 12.0


@dataclass(frozen=True, eq=False)
class Positions:
    """Where everyone is drawn (the result of `compute`; `Layout` is solara's page frame)."""

    x: np.ndarray  # (n,) SVG x of each person
    y: np.ndarray  # (n,) SVG y
    centre: np.ndarray  # (D, 2) cluster centres
    radius: np.ndarray  # (D,) cluster radii
    width: float
    height: float
    node_radius: float  # drawing radius of one person at this size
    key: tuple  # what the positions depend on (n, departments, hash of the reporting lines)

    @property
    def n(self) -> int:
        return len(self.x)


def structure_key(structure: Structure) -> tuple:
    return (
        structure.n,
        structure.departments,
        hash(structure.department.tobytes()),
        hash(structure.manager.tobytes()),
    )


def compute(structure: Structure, seed: int = 0) -> Positions:
    """Seeded positions of everyone in `structure` (see the module docstring)."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 7919])
    n, d = structure.n, max(int(structure.departments), 1)
    dept = np.asarray(structure.department, dtype=np.int64)
    manager = np.asarray(structure.manager, dtype=np.int64)
    level = np.asarray(structure.level, dtype=np.int64).copy()
    sizes = np.bincount(dept, minlength=d).astype(float)

    # --- subtree sizes, bottom-up, one hierarchy level at a time
    subtree = np.ones(n)
    max_level = int(level.max()) if n else 0
    for lvl in range(max_level, 0, -1):
        at = np.flatnonzero((level == lvl) & (manager >= 0))
        np.add.at(subtree, manager[at], subtree[at])

    # --- wedges, top-down: roots of a department share its full circle
    start = np.zeros(n)
    span = np.zeros(n)
    roots = np.flatnonzero(manager < 0)
    root_dept = dept[roots]
    order = np.lexsort((roots, root_dept))
    roots, root_dept = roots[order], root_dept[order]
    total = np.bincount(root_dept, weights=subtree[roots], minlength=d)
    before = np.cumsum(subtree[roots]) - subtree[roots]
    first_of = np.searchsorted(root_dept, root_dept)
    offset = before - before[first_of]
    start[roots] = 2 * np.pi * offset / np.maximum(total[root_dept], 1)
    span[roots] = 2 * np.pi * subtree[roots] / np.maximum(total[root_dept], 1)
    for lvl in range(1, max_level + 1):
        kids = np.flatnonzero((level == lvl) & (manager >= 0))
        if len(kids) == 0:
            continue
        kids = kids[np.lexsort((kids, manager[kids]))]
        parent = manager[kids]
        before = np.cumsum(subtree[kids]) - subtree[kids]
        first = np.searchsorted(parent, parent)  # parents are sorted, so this finds the group start
        offset = before - before[first]
        room = np.maximum(subtree[parent] - 1, 1)
        start[kids] = start[parent] + span[parent] * offset / room
        span[kids] = span[parent] * subtree[kids] / room

    # --- polar position inside the cluster
    dept_depth = np.zeros(d)
    np.maximum.at(dept_depth, dept, level.astype(float))
    # a single head sits at the centre; several roots (no single head) start on the first ring
    single_dept = np.bincount(root_dept, minlength=d) == 1
    shift = (~single_dept[dept]).astype(float)
    ring = level.astype(float) + shift
    dept_depth = dept_depth + ~single_dept
    depth = np.maximum(dept_depth[dept], 1.0)
    r_unit = np.sqrt(np.maximum(sizes, 1.0))  # cluster area grows with head count
    jitter_r = rng.uniform(-0.14, 0.14, n) * (ring > 0)
    jitter_a = rng.uniform(-0.3, 0.3, n) * span
    frac = np.clip(ring / depth + jitter_r / depth, 0.0, 1.0)
    radius_in = r_unit[dept] * np.sqrt(frac) * 0.97  # sqrt: outer rings hold most people
    angle = start + span / 2 + jitter_a

    # --- clusters around a circle, each taking an arc in proportion to its diameter
    gap = 0.8 * float(np.mean(r_unit)) + 1.0
    if d == 1:
        centre = np.zeros((1, 2))
    else:
        arcs = 2 * r_unit + gap
        big_r = arcs.sum() / (2 * np.pi)
        # the first department (Customer Service) at the top, the others clockwise
        theta = -np.pi / 2 + 2 * np.pi * (np.cumsum(arcs) - arcs / 2 - arcs[0] / 2) / arcs.sum()
        if d == 2:
            theta = np.array([np.pi, 0.0])
        centre = np.stack([big_r * np.cos(theta), big_r * np.sin(theta)], axis=1)
    px = centre[dept, 0] + radius_in * np.cos(angle)
    py = centre[dept, 1] + radius_in * np.sin(angle)

    # --- scale to SVG units: WIDTH wide, labels above each cluster
    pad = r_unit + 1.2  # the disc drawn around a cluster is a little wider than its people
    lo_x = float((centre[:, 0] - pad).min())
    hi_x = float((centre[:, 0] + pad).max())
    lo_y = float((centre[:, 1] - pad).min())
    hi_y = float((centre[:, 1] + pad).max())
    scale = (WIDTH - 2 * MARGIN) / max(hi_x - lo_x, 1e-9)
    height = (hi_y - lo_y) * scale + 2 * LABEL_ROOM + 2 * MARGIN
    ox = MARGIN - lo_x * scale
    oy = MARGIN + LABEL_ROOM - lo_y * scale
    centre_svg = np.stack([centre[:, 0] * scale + ox, centre[:, 1] * scale + oy], axis=1)
    # people in a cluster are about sqrt(pi) units apart (area pi r^2 = pi * head count)
    node_r = float(np.clip(0.25 * np.sqrt(np.pi) * scale, 1.2, 9.0))
    return Positions(
        x=px * scale + ox,
        y=py * scale + oy,
        centre=centre_svg,
        radius=r_unit * scale,
        width=WIDTH,
        height=float(height),
        node_radius=node_r,
        key=structure_key(structure),
    )


def for_structure(structure: Structure, seed: int, previous: Positions | None) -> Positions:
    """`previous` when it still fits `structure` (same people and reporting lines), else a new layout."""
    if previous is not None and previous.key == structure_key(structure):
        return previous
    return compute(structure, seed)
