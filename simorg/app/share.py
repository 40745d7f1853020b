"""A run in a link: scenario, seed, changed parameters, step and live moves in the URL's query.

    ?scenario=big_bang&seed=7&set=culture.vision:0.7&move=3:open_silos:level=0.6&step=12

Opening the link rebuilds the same run: the same scenario with the same changes and seed, stepped
to the same step with each move applied before the same step as the button applied it (the model
is deterministic for a seed, so the numbers are the same). Only shipped scenarios can travel in a
link; a run of a dropped file is shared with "Save as scenario file". No solara here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode

from pydantic import ValidationError

from simorg.app.session import MOVES, Run, check_seed
from simorg.scenario import Intervention, ScenarioError, _first_error, parameters

#: The furthest step a link may ask for: replaying it must stay a matter of seconds.
MAX_LINK_STEP = 3000
MAX_LINK_MOVES = 100


@dataclass
class Shared:
    """What a link says (parsed and checked, not yet run)."""

    scenario: str
    seed: int | None = None
    overrides: dict = field(default_factory=dict)
    step: int = 0
    moves: list[Intervention] = field(default_factory=list)
    projector: bool = False
    view: str = ""


def _number(text: str):
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(low)
    except ValueError:
        return float(low)


def _move_text(iv: Intervention) -> str:
    parts = [str(iv.at), iv.action]
    if iv.level is not None:
        parts.append(f"level={iv.level:g}")
    if iv.size is not None:
        parts.append(f"size={iv.size}")
    if iv.pace == "stepwise":
        parts.append(f"every={iv.every}")
    return ":".join(parts)


def _parse_move(text: str) -> Intervention:
    at, _, rest = text.partition(":")
    action, *options = rest.split(":")
    if action not in MOVES:
        raise ScenarioError(f"link: move {text!r}: unknown action; known: {', '.join(MOVES)}")
    kw: dict = {}
    for opt in options:
        key, _, value = opt.partition("=")
        try:
            if key == "level":
                kw["level"] = float(value)
            elif key == "size":
                kw["size"] = int(value)
            elif key == "every":
                kw["pace"], kw["every"] = "stepwise", int(value)
            else:
                raise ScenarioError(f"link: move {text!r}: unknown option {key!r}")
        except ScenarioError:
            raise
        except ValueError:
            raise ScenarioError(f"link: move {text!r}: {key} {value!r} is not a number") from None
    try:
        return Intervention(at=int(at), action=action, **kw)
    except ValidationError as exc:
        raise _first_error(exc, f"link: move {text!r}") from None
    except (ValueError, TypeError):
        raise ScenarioError(f"link: move {text!r}: expected at:action[:level=x][:size=n]") from None


def query(
    scenario: str,
    seed: int,
    overrides: dict,
    step: int | None,
    moves: list[Intervention],
    projector: bool = False,
    view: str = "",
) -> str:
    """The query string (no leading '?') of a link to this run."""
    items: list[tuple[str, str]] = [("scenario", scenario), ("seed", str(seed))]
    items += [("set", f"{k}:{v}") for k, v in sorted(overrides.items())]
    items += [("move", _move_text(iv)) for iv in moves]
    if step:
        items.append(("step", str(step)))
    if view and view != "Explore":
        items.append(("view", view))
    if projector:
        items.append(("projector", "1"))
    return urlencode(items, quote_via=quote, safe=":=")


def run_query(run: Run, step: int | None, projector: bool = False, view: str = "") -> str:
    return query(run.label, run.seed, run.overrides, step, run.moves, projector, view)


def parse(search: str | None, known: set[str]) -> Shared | None:
    """The link's run, or None when the query names none; a bad link is a one-line ScenarioError."""
    items = parse_qsl(search or "", keep_blank_values=True)
    if not items:
        return None
    keys = {p.key for p in parameters()}
    out = Shared(scenario="")
    for key, value in items:
        if key == "scenario":
            if value not in known:
                raise ScenarioError(
                    f"link: scenario {value!r} is not a shipped scenario "
                    "(a dropped file cannot travel in a link: save it as a scenario file)"
                )
            out.scenario = value
        elif key == "seed":
            out.seed = check_seed(value)
        elif key == "set":
            name, _, v = value.partition(":")
            if name not in keys:
                raise ScenarioError(f"link: unknown parameter {name!r}")
            try:
                out.overrides[name] = _number(v)
            except ValueError:
                out.overrides[name] = v
        elif key == "move":
            out.moves.append(_parse_move(value))
        elif key == "step":
            try:
                out.step = int(value)
            except ValueError:
                raise ScenarioError(f"link: step {value!r} is not a whole number") from None
            if not 0 <= out.step <= MAX_LINK_STEP:
                raise ScenarioError(f"link: step must be from 0 to {MAX_LINK_STEP}")
        elif key == "projector":
            out.projector = value not in ("0", "false", "")
        elif key == "view":
            out.view = value
    if len(out.moves) > MAX_LINK_MOVES:
        raise ScenarioError(f"link: at most {MAX_LINK_MOVES} moves")
    if not out.scenario and (out.overrides or out.moves or out.step or out.seed is not None):
        raise ScenarioError("link: it names no scenario (scenario=...)")
    return out


def replay(run: Run, moves: list[Intervention], step: int) -> None:
    """Step `run` to `step`, applying each live move before the step it names (as the button did)."""
    for iv in sorted(moves, key=lambda m: m.at):  # stable: moves at one step keep their order
        at = max(iv.at, run.steps + 1)
        if at - 1 > run.steps:
            run.step(at - 1 - run.steps)
        run.intervene(iv.action, level=iv.level, size=iv.size, pace=iv.pace, every=iv.every)
    if step > run.steps:
        run.step(step - run.steps)
