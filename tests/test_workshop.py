"""The workshop room (simorg/workshop/room.py) and `simorg workshop` as a facilitator starts it.

The room is the shared model a workshop plays: these tests act through its API exactly as the
pages do (the pages only pass on what a person clicked) and check credentials, who may act for
whom, what a round applies, and falling back to the rules. The real-browser version with 30 pages
is tests/test_workshop_browser.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from simorg.workshop.room import Refused, Room

from conftest import small

CODE, TOKEN = "ABC234", "facilitator-token"


@pytest.fixture
def room() -> Room:
    sc = small("vision_without_walk", **{"organization.employees": 60, "steps": 30})
    return Room(sc, token=TOKEN, code=CODE, round_weeks=2, week_seconds=0)


def contacts(r: Room, person: int) -> list[int]:
    structure = r.model.state.structure
    return structure.indices[structure.indptr[person] : structure.indptr[person + 1]].tolist()


def test_wrong_join_code_and_missing_token_are_refused(room):
    for bad in ("", None, "ABC235", "abc23"):
        with pytest.raises(Refused, match="join code"):
            room.join(bad, "Ana")
    key = room.join(CODE.lower(), "Ana")  # typed in lower case: the same code
    for action in (room.start, room.run_round, room.pause, room.reveal, room.reset, room.end):
        for bad in ("", None, "facilitator-tokeN"):
            with pytest.raises(Refused, match="facilitator"):
                action(bad)
    with pytest.raises(Refused, match="facilitator"):
        room.assign_leader("", key, room.free_leaders()[0])
    room.start(TOKEN)
    with pytest.raises(Refused, match="join code"):
        room.act("XXXXXX", key, {"hold_back": []})
    with pytest.raises(Refused, match="join code"):
        room.view("", key)
    assert room.phase == "deciding" and room.model.steps == 0


def test_a_participant_cannot_act_for_another_person(room):
    ana, ben = room.join(CODE, "Ana"), room.join(CODE, "Ben")
    room.start(TOKEN)
    a, b = room.seats[ana].person, room.seats[ben].person
    assert a != b
    not_mine = next(j for j in contacts(room, b) if j not in contacts(room, a))
    with pytest.raises(Refused, match="not one of your contacts"):
        room.act(CODE, ana, {"hold_back": [not_mine]})
    with pytest.raises(Refused, match="no seat"):
        room.act(CODE, "guessed-key", {"hold_back": []})
    with pytest.raises(Refused, match="Only a leader"):
        room.act(CODE, ana, {"lives_vision": False})
    st = room.model.state
    st.request_topic[3], st.request_holder[3] = 0, b  # a request on Ben's desk
    with pytest.raises(Refused, match="not on your desk"):
        room.act(CODE, ana, {"requests": {3: contacts(room, a)[0]}})
    with pytest.raises(Refused, match="pass it to a contact"):
        room.act(CODE, ben, {"requests": {3: not_mine if not_mine not in contacts(room, b) else a}})
    assert room.seats[ana].decided_round == 0 and room.seats[ben].decided_round == 0


def test_a_round_applies_each_participants_decisions_to_their_own_person(room):
    keys = [room.join(CODE, f"P{k}") for k in range(6)]
    room.start(TOKEN)
    held = {}
    for key in keys[:5]:  # the sixth sits the round out
        i = room.seats[key].person
        held[i] = contacts(room, i)[0]
        room.act(CODE, key, {"hold_back": [held[i]]})
    st = room.model.state
    structure = st.structure
    before = st.tie_trust.copy()
    room.run_round(TOKEN, wait=True)
    assert room.model.steps == 2 and room.round == 2 and room.phase == "deciding"
    assert room.played_rounds == [sorted(held)]  # the idle participant's person: the rules
    assert st.decisions is None  # dropped after the round
    for key in keys[:5]:
        i = room.seats[key].person
        tie = structure.indptr[i] + contacts(room, i).index(held[i])
        assert st.tie_trust[tie] <= before[tie]  # held back: no open contact on it
        assert room.seats[key].report[1].startswith(f"held back with #{held[i]}")
    assert room.seats[keys[5]].report == ()


def test_decisions_are_installed_for_the_deciders_only(room):
    keys = [room.join(CODE, f"P{k}") for k in range(3)]
    room.start(TOKEN)
    i = room.seats[keys[0]].person
    room.act(CODE, keys[0], {"hold_back": contacts(room, i)})
    played = room._install_decisions()
    d = room.model.state.decisions
    structure = room.model.state.structure
    assert played == [i] and np.flatnonzero(d.played).tolist() == [i]
    row = slice(structure.indptr[i], structure.indptr[i + 1])
    assert np.all(d.share[row] == 0)
    assert np.isnan(np.delete(d.share, np.arange(row.start, row.stop))).all()


def test_a_participant_who_leaves_falls_back_to_the_rules_and_rejoins_as_the_same_person(room):
    ana = room.join(CODE, "Ana")
    room.start(TOKEN)
    person = room.seats[ana].person
    room.act(CODE, ana, {"hold_back": contacts(room, person)[:1]})
    room.leave(ana)  # the page closed
    assert room.joined() == 0
    room.run_round(TOKEN, wait=True)
    assert room.played_rounds == [[]]
    again = room.join(CODE, "ana")  # the same name takes the same person again ...
    assert room.seats[again].person == person and room.joined() == 1
    with pytest.raises(Refused, match="no seat"):
        room.view(CODE, ana)  # ... and the closed page's key is void
    with pytest.raises(Refused, match="already called"):
        room.join(CODE, "ANA")


def test_a_room_with_nobody_deciding_runs_as_its_twin(room):
    room.join(CODE, "Ana")
    room.start(TOKEN)
    room.run_round(TOKEN, wait=True)
    result = room.reveal(TOKEN)
    assert result["room"] == result["twin"]


def test_the_facilitator_assigns_a_leader_and_the_leader_decides_the_vision(room):
    ana, ben = room.join(CODE, "Ana"), room.join(CODE, "Ben")
    leader = room.free_leaders()[0]
    room.assign_leader(TOKEN, ana, leader)
    assert room.seats[ana].person == leader and leader not in room.free_leaders()
    with pytest.raises(Refused, match="already played"):
        room.assign_leader(TOKEN, ben, leader)
    room.start(TOKEN)
    room.act(CODE, ana, {"lives_vision": False})
    room._install_decisions()
    assert room.model.state.decisions.lives_vision[leader] == 0


def test_reset_pause_and_end(room):
    key = room.join(CODE, "Ana")
    room.start(TOKEN)
    room.run_round(TOKEN, wait=True)
    room.reset(TOKEN)
    assert room.model.steps == 0 and room.round == 1 and room.phase == "deciding"
    assert room.seats[key].person is not None
    room.end(TOKEN)
    with pytest.raises(Refused, match="ended"):
        room.act(CODE, key, {})
    with pytest.raises(Refused, match="ended"):
        room.run_round(TOKEN)


def test_the_reveal_compares_with_the_second_scenario():
    sc = small("traditional_silos", **{"steps": 10})
    other = small("social_business", **{"steps": 10})
    r = Room(sc, token=TOKEN, code=CODE, round_weeks=3, compare=other, week_seconds=0)
    r.start(TOKEN)
    r.run_round(TOKEN, wait=True)
    result = r.reveal(TOKEN)
    assert set(result) == {"room", "twin", other.name}
    assert result[other.name]["practice"] != result["room"]["practice"]


def test_workshop_command_refuses_a_bad_scenario_in_one_line(run_cli, tmp_path):
    res = run_cli("workshop", "no_such_scenario", "--port", "11249")
    assert res.returncode != 0
    assert res.stderr.strip().count("\n") == 0 and "unknown scenario" in res.stderr
    assert "Traceback" not in res.stderr
    res = run_cli("workshop", "--help")
    for option in ("--host", "--port", "--compare", "--round-weeks", "--data"):
        assert option in res.stdout


def _data_help(help_text: str) -> str:
    """The --data entry of a command's help, whitespace folded (the columns differ)."""
    entry = help_text.split("--data DIR", 1)[1].split("--help", 1)[0]
    return " ".join(entry.split())


def test_explore_and_workshop_share_one_data_option(run_cli, tmp_path):
    """`--data` is declared once (simorg.app.cli.DataOption): the same help, the same checks."""
    helps = [_data_help(run_cli(cmd, "--help").stdout) for cmd in ("explore", "workshop")]
    assert helps[0] == helps[1] and "scenario files" in helps[0]
    a_file = tmp_path / "not_a_folder.toml"
    a_file.write_text("")
    for cmd in ("explore", "workshop"):
        for bad, why in ((tmp_path / "missing", "does not exist"), (a_file, "is a file")):
            res = run_cli(cmd, "--data", str(bad), "--port", "11350")
            assert res.returncode == 2 and "'--data'" in res.stderr and why in res.stderr
            assert "Traceback" not in res.stderr


def test_data_folder_scenarios_are_found_by_name(tmp_path):
    from simorg.workshop.cli import links, scenario_path

    (tmp_path / "mine.toml").write_text('description = "x"\n')
    assert scenario_path("mine", tmp_path) == str((tmp_path / "mine.toml").resolve())
    assert scenario_path("social_business", tmp_path) == "social_business"  # not there: as given
    assert scenario_path("mine", None) == "mine"
    fac, join = links("127.0.0.1", 11249, "tok", "ABC234")
    assert fac == "http://127.0.0.1:11249/facilitator?token=tok"
    assert join == "http://127.0.0.1:11249/join?code=ABC234"


def test_pause_stops_a_round_mid_way_and_run_a_round_finishes_it():
    sc = small("traditional_silos", **{"steps": 40})
    r = Room(sc, token=TOKEN, code=CODE, round_weeks=30, week_seconds=0.05)
    r.start(TOKEN)
    r.run_round(TOKEN)
    r.pause(TOKEN)
    assert r.phase == "paused" and 0 <= r.model.steps < 30 and r.weeks_left == 30 - r.model.steps
    assert r.round == 1
    r.week_seconds = 0
    r.run_round(TOKEN, wait=True)  # resumes the same round
    assert r.model.steps == 30 and r.round == 2 and r.phase == "deciding"
