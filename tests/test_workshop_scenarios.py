"""The workshop scenarios (scenarios/workshop/, named `workshop/<name>`) and the facilitator's kit
that uses them (docs/workshop/sessions/): every scenario loads and runs by its name, from the API
and from the command line; each session's pair differs only in what the session is about; every
command the kit prints names a scenario that exists; every handout fits on one printed page."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from simorg.scenario import ScenarioError, load, locate, shipped_scenarios, workshop_scenarios
from simorg.simulate import simulate

from conftest import ROOT

WORKSHOP = sorted(workshop_scenarios())
SESSIONS = ROOT / "docs/workshop/sessions"
#: (scenario the room plays, scenario it is compared with at reveal), per session of the kit
PAIRS = {
    "silos": ("workshop/silos_room", "workshop/social_business_room"),
    "vision": ("workshop/vision_announced_room", "workshop/vision_lived_room"),
    "change": ("workshop/big_bang_room", "workshop/stepwise_room"),
}


def test_the_kit_ships_its_six_scenarios_apart_from_the_top_level_eight() -> None:
    assert sorted(name for pair in PAIRS.values() for name in pair) == WORKSHOP
    assert len(shipped_scenarios()) == 8 and not any("/" in name for name in shipped_scenarios())


@pytest.mark.parametrize("name", WORKSHOP)
def test_every_workshop_scenario_loads_and_runs(name: str) -> None:
    text = Path(str(locate(name))).read_text(encoding="utf-8")
    assert text.startswith("# ") and len(text.split("\n\n")[0].splitlines()) >= 3  # its story
    sc = load(name)
    assert sc.name == name.removeprefix("workshop/") and sc.description
    assert 40 <= sc.organization.employees <= 120  # a room of 30 players matters
    assert all(iv.at < sc.steps for iv in sc.interventions)
    result = simulate(sc, seed=3)
    assert result.steps == sc.steps and len(result.trajectory) == sc.steps + 1
    assert all(math.isfinite(v) for v in result.final.values())
    assert result.final["requests_opened"] > 0


@pytest.mark.parametrize("session", sorted(PAIRS))
def test_a_sessions_pair_is_the_same_room_but_for_what_the_session_is_about(session) -> None:
    room, other = (load(n) for n in PAIRS[session])
    for sc in (room, other):
        assert (sc.organization.employees, sc.organization.departments) == (90, 6)
    assert (room.customers, room.seed, room.steps, room.turnover, room.conversation) == (
        other.customers,
        other.seed,
        other.steps,
        other.turnover,
        other.conversation,
    )
    moves = [
        [(iv.action, iv.level, iv.key, iv.value) for iv in sc.interventions] for sc in (room, other)
    ]
    if session == "silos":  # the whole difference is in the starting organization
        assert moves == [[], []] and room.organization != other.organization
        assert room.culture != other.culture
    elif session == "vision":  # the same announcement; only the lived one adds walking the talk
        assert room.organization == other.organization and room.culture == other.culture
        assert moves[0] == [("announce_vision", 0.8, None, None)]
        assert sorted(moves[1]) == sorted([*moves[0], ("walk_the_talk", 0.8, None, None)])
        assert {iv.at for iv in room.interventions} == {iv.at for iv in other.interventions}
    else:  # the same moves, at once or one department and one change at a time
        assert room.organization == other.organization and room.culture == other.culture
        assert sorted(moves[0], key=str) == sorted(moves[1], key=str)
        assert {iv.pace for iv in room.interventions} == {"big_bang"}
        assert len({iv.at for iv in other.interventions}) == len(other.interventions)


def test_the_command_line_takes_workshop_names(run_cli) -> None:
    r = run_cli("run", "workshop/silos_room", "--seed", "3", "--steps", "6", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["scenario"] == "silos_room" and out["steps"] == 6
    r = run_cli(
        "compare", "workshop/big_bang_room", "workshop/stepwise_room",
        "--runs", "2", "--workers", "1", "--outcome", "friction", "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = run_cli("scenarios")
    lines = r.stdout.splitlines()
    top = [line.split()[0] for line in lines[:8]]
    assert top == list(shipped_scenarios())
    assert [line.split()[0] for line in lines if line.startswith("workshop/")] == WORKSHOP
    r = run_cli("run", "workshop/silos", "--steps", "1")
    assert r.returncode == 2 and r.stdout == ""  # as any unknown scenario
    assert r.stderr.strip().splitlines() == [
        "simorg: error: workshop/silos: unknown workshop scenario; shipped: " + ", ".join(WORKSHOP)
    ]


def test_a_file_of_that_name_wins_over_a_workshop_name(tmp_path, monkeypatch) -> None:
    (tmp_path / "workshop").mkdir()
    (tmp_path / "workshop/silos_room").write_text('description = "mine"\nsteps = 3\n')
    monkeypatch.chdir(tmp_path)
    assert load("workshop/silos_room").description == "mine"
    assert load("workshop/stepwise_room").steps == 60  # the shipped one where no such file
    with pytest.raises(ScenarioError, match="no such file"):
        load("workshop/mine.toml")


# --- the facilitator's kit -------------------------------------------------------------------------

KIT = sorted(SESSIONS.glob("*.md"))
HANDOUTS = sorted(SESSIONS.glob("handout-*.md"))
#: What prints on one A4 or Letter page at 11 pt: lines of at most 100 characters.
PAGE_LINES, LINE_CHARS = 58, 100


def test_the_kit_has_three_sessions_each_with_its_parts() -> None:
    sessions = sorted(p for p in KIT if re.match(r"\d-", p.name))
    assert len(sessions) == 3 and len(HANDOUTS) == 3
    for path in sessions:
        text = path.read_text(encoding="utf-8")
        for part in ("## Scenarios", "## Timed plan", "## What to say", "## Debrief questions",
                     "## What to notice", "## Handout"):  # fmt: skip
            assert part in text, f"{path.name}: no '{part}' section"
        room, other = next(pair for key, pair in PAIRS.items() if key in path.name)
        assert f"simorg workshop {room} --compare {other}" in text, path.name
        minutes = [int(m) for m in re.findall(r"^\| *(\d+)[–-](\d+) *\|", text, re.M) for m in m]
        assert minutes and 60 <= max(minutes) <= 90, (
            f"{path.name}: the plan runs {max(minutes)} min"
        )


@pytest.mark.parametrize("path", KIT, ids=lambda p: p.name)
def test_every_scenario_the_kit_names_exists(path: Path) -> None:
    named = set(re.findall(r"workshop/[a-z_]+", path.read_text(encoding="utf-8")))
    assert named, path.name
    assert named <= set(WORKSHOP), f"{path.name}: {sorted(named - set(WORKSHOP))}"


@pytest.mark.parametrize("path", HANDOUTS, ids=lambda p: p.name)
def test_a_handout_prints_on_one_page(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    printed = sum(max(1, math.ceil(len(line) / LINE_CHARS)) for line in lines)
    assert printed <= PAGE_LINES, (
        f"{path.name}: {printed} printed lines, one page holds {PAGE_LINES}"
    )
