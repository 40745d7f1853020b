"""Named random streams: one per mechanism, all spawned from a run's single seed.

Each mechanism draws from its own stream, so switching one mechanism off does not shift the random
numbers another one sees. That keeps comparisons between scenarios honest (common random numbers) and
lets the March (1991) special case of the full model draw exactly what the validation runner draws.
"""

from __future__ import annotations

import numpy as np

STREAMS: tuple[str, ...] = (
    "structure",
    "knowledge",
    "culture_init",
    "customers",
    "requests",
    "conversations",
    "learning",
    "culture",
    "turnover",
    "purchases",
    "interventions",
    "voice",
    "failure",
    "task",  # issue 9: the NK landscape (drawn only on an NK task)
    "department_codes",  # issue 9: department codes (drawn only when they are on)
)


def spawn_streams(seed: int) -> dict[str, np.random.Generator]:
    """Return one independent Generator per name in STREAMS, derived from `seed` alone."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {
        name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)
    }
