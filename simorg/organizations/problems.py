"""Problems found in organization files: one line each, naming the file and the line.

Reading collects every problem it can find instead of stopping at the first, so that
`simorg import check` lists them all at once; a scenario that uses the files fails with the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Problems of one kind beyond this many are summarised in one line ("... and N more").
SHOWN_PER_KIND = 20


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None  # 1-based; None when the format has no lines (GraphML, GEXF) or it is the file
    kind: str  # short key, e.g. "duplicate id"
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


class OrganizationFileError(ValueError):
    """The files cannot be imported; carries every problem found, the message is the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "cannot import the organization"
        more = len(problems) - 1
        hint = (
            f" (and {more} more problem{'s' if more > 1 else ''}; run 'simorg import check' to see them all)"
            if more
            else ""
        )
        super().__init__(first + hint)


def summarised(problems: list[Problem]) -> list[str]:
    """Every problem as a line, at most SHOWN_PER_KIND of a kind, then a count of the rest."""
    out: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for p in problems:
        k = (p.file, p.kind)
        seen[k] = seen.get(k, 0) + 1
        if seen[k] <= SHOWN_PER_KIND:
            out.append(str(p))
    for (file, kind), count in seen.items():
        if count > SHOWN_PER_KIND:
            out.append(f"{file}: ... and {count - SHOWN_PER_KIND} more of this kind ({kind})")
    return out


def read_text(path: Path) -> str:
    """The file's text, refusing what is not UTF-8 (with the line of the first bad byte)."""
    shown = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise OrganizationFileError(
            [Problem(shown, None, "missing", "no such file; check the path")]
        ) from None
    except OSError as exc:
        raise OrganizationFileError(
            [Problem(shown, None, "unreadable", f"cannot read: {exc.strerror}")]
        ) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise OrganizationFileError(
            [
                Problem(
                    shown,
                    line,
                    "not utf-8",
                    f"not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                )
            ]
        ) from None
    if not text.strip():
        raise OrganizationFileError(
            [Problem(shown, None, "empty", "empty file; it holds no people or ties")]
        )
    return text
