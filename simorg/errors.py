"""simorg's errors and exit codes, and the one way the command line reports a failure.

Every error a user can cause or meet is a `SimorgError` whose message is one line naming the file,
the field and the fix; its `exit_code` says which kind of failure it is. Commands wrap their body in
`one_line_errors`, so whatever goes wrong ends in one line on stderr and a documented exit code,
never a traceback. Nothing here imports typer or rich until a command fails.

Exit codes (documented in docs/experiments.md and README.md):

==== =============================================================================================
0    done
1    done, but some runs failed (their errors are recorded) or results are incomplete
2    bad input: a file, an option or a value that cannot be used (nothing was run or changed)
3    executor lost: the Dask scheduler or the local worker pool went away; finished runs are kept
     and running the same command again finishes the work
4    results folder damaged or locked: a part file fails its checksum, or another sweep holds it
130  interrupted (Ctrl-C or SIGTERM); finished runs are kept
==== =============================================================================================
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, overload

OK = 0
RUNS_FAILED = 1
BAD_INPUT = 2
EXECUTOR_LOST = 3
RESULTS_DAMAGED = 4
INTERRUPTED = 130

EXIT_CODES: dict[int, str] = {
    OK: "done",
    RUNS_FAILED: "done, but some runs failed or the results are incomplete",
    BAD_INPUT: "bad input (nothing was run or changed)",
    EXECUTOR_LOST: "executor lost (Dask scheduler or worker pool gone); run again to resume",
    RESULTS_DAMAGED: "results folder damaged or locked by another sweep",
    INTERRUPTED: "interrupted (Ctrl-C or SIGTERM); finished runs are kept",
}


ONE_LINE_LIMIT = 400  # characters: a whole error fits in a terminal's few lines, a path included


def one_line(text: object, limit: int = ONE_LINE_LIMIT) -> str:
    """Any message as one line of at most `limit` characters."""
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


class SimorgError(Exception):
    """Base of every error simorg reports to a user; the message is one line."""

    exit_code: int = BAD_INPUT


class ExecutorLost(SimorgError):
    """The executor went away (Dask scheduler gone, worker pool broken); runs in flight are not recorded."""

    exit_code = EXECUTOR_LOST


class ResultsDamaged(SimorgError):
    """A results folder whose files fail their checksums, or that another sweep holds."""

    exit_code = RESULTS_DAMAGED


class ResultsIncomplete(SimorgError):
    """The numbers were computed, but some runs failed or are missing: said, and exit code 1."""

    exit_code = RUNS_FAILED


def fail(message: object, code: int = BAD_INPUT):
    """Print `simorg: error: <message>` (one line) on stderr; return the typer.Exit to raise."""
    import typer

    typer.echo(f"simorg: error: {one_line(message)}", err=True)
    return typer.Exit(code)


def warn(message: object) -> None:
    """One line on stderr that does not stop the command."""
    print(f"simorg: warning: {one_line(message)}", file=sys.stderr, flush=True)


def one_line_errors[F: Callable[..., Any]](func: F) -> F:
    """Decorate a command: a SimorgError becomes one line and its exit code; so does Ctrl-C and a
    file the system refuses (OSError, e.g. a read-only folder)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SimorgError as exc:
            raise fail(exc, exc.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted", INTERRUPTED) from None
        except BrokenPipeError:  # `simorg params | head`: the reader left, nothing to say
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(OK) from None
        except OSError as exc:
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            raise fail(f"{where}{exc.strerror or exc}", BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


@overload
def whole_number(text: str | int, option: str, low: int, high: int) -> int: ...
@overload
def whole_number(text: None, option: str, low: int, high: int) -> None: ...
@overload
def whole_number(text: str | int | None, option: str, low: int, high: int) -> int | None: ...


def whole_number(text: str | int | None, option: str, low: int, high: int) -> int | None:
    """Parse a command-line number as text, so a bad one is one line (not a usage block)."""
    if text is None:
        return None
    try:
        value = int(str(text).strip().replace("_", ""))
    except ValueError:
        raise SimorgError(f"{option}: {text!r} is not a whole number") from None
    if not low <= value <= high:
        raise SimorgError(f"{option}: {value} is outside [{low:,}, {high:,}]")
    return value
