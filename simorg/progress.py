"""One progress bar for every command that can take more than a couple of seconds.

    from simorg.progress import progress

    with progress("validate lazer2007", total=runs, json_output=as_json) as bar:
        for ...:
            ...
            bar.advance()

The bar is drawn (rich) only when stdout is a terminal and the command does not print JSON, so
piped output, `--json` and tests see nothing of it; `show=True/False` forces either. A disabled
bar costs a method call per `advance`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def wanted(json_output: bool = False, show: bool | None = None) -> bool:
    """Whether to draw a bar: forced by `show`, else only on a terminal and never with --json."""
    if show is not None:
        return show
    return not json_output and sys.stdout.isatty()


class Bar:
    """What a command sees: `advance(n, **fields)` and `update(...)`; no-ops when hidden."""

    def __init__(self, progress: Any | None, task: Any) -> None:
        self._progress = progress
        self._task = task

    @property
    def shown(self) -> bool:
        return self._progress is not None

    def advance(self, n: float = 1, **fields: Any) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=n, **fields)

    def update(self, **kwargs: Any) -> None:
        """Rich's `Progress.update` arguments: completed, total, description, or custom fields."""
        if self._progress is not None:
            self._progress.update(self._task, **kwargs)


@contextmanager
def progress(
    description: str,
    total: float | None,
    *,
    unit: str = "",
    json_output: bool = False,
    show: bool | None = None,
    transient: bool = True,
    completed: int = 0,
    extra: str | None = None,
    **fields: Any,
) -> Iterator[Bar]:
    """A bar of `total` units (None: a spinner with a count); `extra` is a rich format string
    shown after the count, over `fields` (e.g. "{task.fields[failed]} failed")."""
    if not wanted(json_output, show):
        yield Bar(None, None)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[Any] = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn()]
    columns.append(MofNCompleteColumn())
    if unit:
        columns.append(TextColumn(unit))
    if extra:
        columns.append(TextColumn(extra))
    columns += [TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn()]
    with Progress(*columns, transient=transient) as bar:
        task = bar.add_task(description, total=total, completed=completed, **fields)
        yield Bar(bar, task)
