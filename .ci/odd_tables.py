"""The ODD's parameter and outcome tables, generated from the schema: `make docs` rewrites them.

docs/odd.md marks each generated table with a comment naming what it lists, and the table that
follows up to the closing comment is rewritten from `simorg.scenario.parameters()` (the one
declaration of every parameter) or `simorg.outcomes.OUTCOMES`:

    <!-- params: organization.employees organization.departments -->   (these, in this order)
    <!-- params: organization.* -->                                    (a whole section)
    <!-- params: * -->                                                 (the catalogue)
    <!-- outcomes -->
    ...table...
    <!-- /generated -->

A unit column appears when a listed parameter declares a unit (`json_schema_extra={"unit": ...}`).
`--check` exits 1 naming the first table that differs from the schema (tests/test_docs.py runs it),
so a default, range or meaning changed in the schema without the ODD fails the tests.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from pathlib import Path

from simorg.outcomes import OUTCOMES
from simorg.scenario import Parameter, parameters

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "odd.md"
BLOCK = re.compile(r"(<!-- (params: [^>]*|outcomes) -->\n)(.*?)(<!-- /generated -->)", re.S)


def _number(x: object) -> str:
    """A default or bound as a reader wants it: 1e+06 as 1e6, 6.0 as 6, 0.25 as 0.25."""
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    if isinstance(x, int) and abs(x) >= 100_000:
        exp = len(str(abs(x))) - 1
        if abs(x) == 10**exp:
            return f"1e{exp}"
    return str(x)


def _range(p: Parameter) -> str:
    if p.choices:
        return " · ".join(p.choices)
    if p.kind == "bool":
        return "true · false"
    if p.kind == "str":
        return "text"
    if p.low is None and p.high is None:
        return "–"
    low = "" if p.low is None else _number(p.low)
    high = "" if p.high is None else _number(p.high)
    return f"{low} – {high}".strip()


def _default(p: Parameter) -> str:
    d = p.default
    if d is None:
        return "none"
    if isinstance(d, str):
        return d or '""'
    if isinstance(d, list | tuple):
        return ", ".join(_number(x) for x in d) or "[]"
    return _number(d)


def select(spec: str, catalogue: list[Parameter]) -> list[Parameter]:
    """The parameters a marker names: keys, section globs (`culture.*`) or `*`, in marker order."""
    chosen: list[Parameter] = []
    for pattern in spec.split():
        hits = [p for p in catalogue if fnmatch.fnmatchcase(p.key, pattern)]
        if not hits:
            raise SystemExit(
                f"docs/odd.md: marker names `{pattern}`, which is no parameter; fix the marker"
            )
        chosen += [p for p in hits if p not in chosen]
    return chosen


def param_table(chosen: list[Parameter]) -> str:
    with_unit = any(p.unit for p in chosen)
    head = ["parameter", "default", "range", *(["unit"] if with_unit else []), "meaning"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for p in chosen:
        cells = [f"`{p.key}`", _default(p), _range(p)]
        if with_unit:
            cells.append(p.unit or "–")
        cells.append(p.help.replace("|", "\\|"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def outcome_table() -> str:
    lines = ["| outcome | group | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {group} | {meaning} |" for name, (group, meaning) in OUTCOMES.items()]
    return "\n".join(lines) + "\n"


def render(text: str) -> str:
    """docs/odd.md with every marked table regenerated."""
    catalogue = parameters()

    def table(m: re.Match[str]) -> str:
        kind = m.group(2)
        body = outcome_table() if kind == "outcomes" else param_table(select(kind[7:], catalogue))
        return m.group(1) + body + m.group(4)

    return BLOCK.sub(table, text)


def first_difference(old: str, new: str) -> str:
    for i, (a, b) in enumerate(zip(old.splitlines(), new.splitlines(), strict=False), start=1):
        if a != b:
            return f"line {i}: {a[:80]!r} should be {b[:80]!r}"
    return "the number of lines differs"


def main(argv: list[str]) -> int:
    old = ODD.read_text(encoding="utf-8")
    new = render(old)
    if "--check" in argv:
        if new != old:
            print(
                f"docs/odd.md: a parameter or outcome table differs from the schema "
                f"({first_difference(old, new)}); run `make docs`",
                file=sys.stderr,
            )
            return 1
        return 0
    ODD.write_text(new, encoding="utf-8")
    print(f"docs/odd.md: {len(BLOCK.findall(old))} tables regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
