"""The room: one shared organization that a workshop plays together (no solara here).

One server process holds one `Room`: the model, a lock, the seats of the participants (display
names kept only in memory) and the pages listening for changes. Every action names its credential:
the facilitator's token, or the join code and the seat key a participant's page got when it
joined, and is refused (`Refused`, one line for the page) when it does not match. A participant
decides only for the person of their own seat; the room checks that each tie, request and leader
choice is that person's.

A round is `round_weeks` weeks. Between rounds participants decide; when the facilitator runs the
round, the decisions of the participants who decided this round and are still connected become the
state's `Decisions` (simorg/decisions.py) for its weeks; everyone else follows the rules. After the
round the decisions are dropped: who sits a round out (or closed their page) is back on the rules,
and whoever rejoins with the same name takes the same person again.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simorg.decisions import Decisions
from simorg.model import OrgModel
from simorg.outcomes import OUTCOMES
from simorg.scenario import Scenario
from simorg.state import NO_REQUEST

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector
CODE_LENGTH = 6
MAX_NAME = 40
#: Outcomes the reveal compares (the room, its twin, the second scenario).
REVEAL_OUTCOMES = (
    "peer_trust",
    "leadership_trust",
    "practice",
    "open_share",
    "cross_silo_share",
    "customer_trust",
    "requests_resolved",
    "requests_failed",
    "innovations",
    "revenue_total",
)
PHASES = ("lobby", "deciding", "running", "paused", "ended")


class Refused(Exception):
    """An action the room does not accept; the message is one line for the page."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


def new_token() -> str:
    return secrets.token_urlsafe(18)


@dataclass
class Seat:
    key: str  # the secret of the page that joined (kept in that page's memory)
    name: str
    person: int
    connected: bool = True
    pages: int = 0  # pages showing this seat now (a reconnecting page may briefly have two)
    decided_round: int = 0  # the last round this seat decided for
    choices: dict[str, Any] = field(default_factory=dict)  # the decisions of that round
    played: dict[str, Any] = field(default_factory=dict)  # what the last round played applied
    report: tuple[str, ...] = ()  # what came of it, for the participant's page


@dataclass(frozen=True)
class Contact:
    person: int
    tie: int
    label: str
    trust: float  # my trust in them
    kind: str


@dataclass(frozen=True)
class DeskRequest:
    customer: int
    topic: int
    department: str  # who owns the question
    weeks: float
    belief: int  # what this person believes about it (-1, 0, +1)
    mood: str  # what the customer sounds like


@dataclass(frozen=True)
class PersonView:
    """What the person a participant plays can see (and nothing more)."""

    person: int
    title: str
    department: str
    is_leader: bool
    openness: float
    leadership_trust: float
    contacts: tuple[Contact, ...]
    desk: tuple[DeskRequest, ...]
    department_mood: dict[str, float]
    vision: float  # the vision announced in their department (0: none)
    round: int
    phase: str
    decided: bool
    choices: dict[str, Any]
    report: tuple[str, ...]  # what came of this person's decisions in the last round played


def _mood(theta: float) -> str:
    if theta >= 0.66:
        return "friendly, expects a good answer"
    if theta >= 0.4:
        return "patient, but watching"
    return "annoyed: this had better work"


class Room:
    """The shared organization of one workshop (see the module docstring)."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        token: str,
        code: str,
        round_weeks: int = 4,
        compare: Scenario | None = None,
        join_url: str = "",
        week_seconds: float = 0.4,
    ) -> None:
        if round_weeks < 1:
            raise ValueError("round_weeks must be at least 1")
        self.scenario, self.compare = scenario, compare
        self.token, self.code = token, code.upper()
        self.round_weeks, self.week_seconds = int(round_weeks), float(week_seconds)
        self.join_url = join_url
        self.lock = threading.RLock()
        self.seats: dict[str, Seat] = {}
        self.version = 0
        self._changed = threading.Condition(threading.Lock())
        self.started = False
        self._stop = threading.Event()
        self._runner: threading.Thread | None = None
        self.error = ""
        self._fresh()

    def _fresh(self) -> None:
        self.model = OrgModel(self.scenario, seed=self.scenario.seed)
        self.phase = "deciding" if self.started else "lobby"
        self.round = 1 if self.phase == "deciding" else 0
        self.weeks_left = 0
        self.revealed: dict[str, dict[str, float]] | None = None
        self.histories: dict[str, dict[str, np.ndarray]] = {}
        self.played_rounds: list[list[int]] = []  # who played in each round run so far

    # --- changes (pages wait for them) ------------------------------------------------------

    def notify(self) -> None:
        """Something changed: wake the pages' watchers (each redraws its page once, then looks
        again, so a page never has more than one redraw pending however fast the room moves)."""
        with self._changed:
            self.version += 1
            self._changed.notify_all()

    def wait_change(self, seen: int, timeout: float) -> int:
        """The room's version once it differs from `seen` (or after `timeout` seconds)."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen, timeout)
            return self.version

    # --- checks ------------------------------------------------------------------------------

    def check_token(self, token: str | None) -> None:
        if not token or not hmac.compare_digest(str(token), self.token):
            raise Refused("Not the facilitator's link: open the link printed in the terminal.")

    def check_code(self, code: str | None) -> None:
        if not code or not hmac.compare_digest(str(code).strip().upper(), self.code):
            raise Refused("That is not this workshop's join code: check the code on the screen.")

    def _seat(self, code: str | None, key: str | None) -> Seat:
        self.check_code(code)
        seat = self.seats.get(str(key)) if key else None
        if seat is None:
            raise Refused("This page has no seat in the workshop: join again with your name.")
        if self.phase == "ended":
            raise Refused("The workshop has ended.")
        return seat

    # --- participants --------------------------------------------------------------------------

    def join(self, code: str | None, name: str) -> str:
        """A seat for `name` (the same person as before when the name rejoins); returns its key."""
        self.check_code(code)
        name = " ".join(str(name).split())[:MAX_NAME]
        if not name:
            raise Refused("Type a display name first (any name: it stays in this room only).")
        with self.lock:
            if self.phase == "ended":
                raise Refused("The workshop has ended.")
            for seat in self.seats.values():
                if seat.name.casefold() == name.casefold():
                    if seat.connected:
                        raise Refused(
                            f"Someone in the room is already called {name}: pick another name."
                        )
                    seat.connected, seat.pages = True, 0  # rejoins as the same person
                    seat.key = new_token()
                    self.seats = {s.key: s for s in self.seats.values()}
                    break
            else:
                person = self._free_person()
                seat = Seat(key=new_token(), name=name, person=person)
                self.seats[seat.key] = seat
        self.notify()
        return seat.key

    def attend(self, key: str) -> None:
        """A page shows this seat (the page's effect calls it when it mounts)."""
        with self.lock:
            seat = self.seats.get(key)
            if seat is None:
                return
            seat.pages += 1
            seat.connected = True
        self.notify()

    def leave(self, key: str) -> None:
        """A page of this seat closed: with none left, the person follows the rules until the
        participant rejoins."""
        with self.lock:
            seat = self.seats.get(key)
            if seat is None or not seat.connected:
                return
            seat.pages = max(0, seat.pages - 1)
            seat.connected = seat.pages > 0
        self.notify()

    def _free_person(self) -> int:
        """The next person nobody plays: employees (not leaders), spread over the departments,
        alternately customer-facing or not, so that requests reach some of the room."""
        st = self.model.state
        structure = st.structure
        taken = {seat.person for seat in self.seats.values()}
        order = np.lexsort((np.arange(structure.n), ~st.customer_facing, structure.department))
        by_dept = [order[structure.department[order] == d] for d in range(structure.departments)]
        k = len(self.seats)
        free = [p for p in range(structure.n) if p not in taken and not structure.is_leader[p]]
        if not free:
            raise Refused("Every person in this organization is taken: the room is full.")
        for step in range(structure.n):
            dept = by_dept[(k + step) % len(by_dept)]
            for p in dept.tolist():
                if p not in taken and not structure.is_leader[p]:
                    return int(p)
        return int(free[0])

    def view(self, code: str | None, key: str | None) -> PersonView:
        """What the seat's person sees now."""
        with self.lock:
            seat = self._seat(code, key)
            return self._person_view(seat)

    def _person_view(self, seat: Seat) -> PersonView:
        m = self.model
        st = m.state
        structure = st.structure
        i = seat.person
        d = int(structure.department[i])
        names = m.department_names
        contacts = []
        for tie in range(int(structure.indptr[i]), int(structure.indptr[i + 1])):
            j = int(structure.indices[tie])
            role = (
                "your manager"
                if structure.manager[i] == j
                else "your report"
                if structure.manager[j] == i
                else ""
            )
            who = "leader" if structure.is_leader[j] else "colleague"
            label = f"#{j} {who}, {names[int(structure.department[j])]}" + (
                f" ({role})" if role else ""
            )
            contacts.append(
                Contact(j, tie, label, float(st.tie_trust[tie]), _kind(int(structure.kind[tie])))
            )
        desk = []
        for c in np.flatnonzero((st.request_topic != NO_REQUEST) & (st.request_holder == i)):
            topic = int(st.request_topic[c])
            desk.append(
                DeskRequest(
                    customer=int(c),
                    topic=topic,
                    department=names[int(st.dimension_owner[topic])],
                    weeks=float(st.request_age[c]),
                    belief=int(st.beliefs[0, i, topic]),
                    mood=_mood(float(st.customer_trust[c])),
                )
            )
        mine = structure.department == d
        mood = {
            "openness": float(st.practice[mine].mean()),
            "trust in leadership": float(st.leadership_trust[mine].mean()),
            "strain from change": float(st.friction[mine].mean()),
        }
        title = "Leader" if structure.is_leader[i] else "Employee"
        if st.customer_facing[i]:
            title += ", talks with customers"
        return PersonView(
            person=i,
            title=title,
            department=names[d],
            is_leader=bool(structure.is_leader[i]),
            openness=float(st.practice[i]),
            leadership_trust=float(st.leadership_trust[i]),
            contacts=tuple(contacts),
            desk=tuple(desk),
            department_mood=mood,
            vision=float(st.vision[d]),
            round=self.round,
            phase=self.phase,
            decided=seat.decided_round == self.round and self.round > 0,
            choices=dict(seat.choices) if seat.decided_round == self.round else {},
            report=seat.report,
        )

    def act(self, code: str | None, key: str | None, choices: dict[str, Any]) -> None:
        """The seat's decisions for this round: {"hold_back": [person, ...] (contacts held back;
        the others shared with openly), "requests": {customer: "answer" | person},
        "lives_vision": bool (leaders only)}. Anything that is not the seat's own is refused."""
        with self.lock:
            seat = self._seat(code, key)
            if self.phase not in ("deciding", "paused"):
                raise Refused(
                    "Decisions are taken between rounds: wait for the facilitator to start."
                    if self.phase == "lobby"
                    else "The round is running: decide when it has finished."
                )
            clean = self._validate(seat.person, choices)
            seat.choices, seat.decided_round = clean, self.round
        self.notify()

    def _validate(self, person: int, choices: dict[str, Any]) -> dict[str, Any]:
        st = self.model.state
        structure = st.structure
        mine = set(
            structure.indices[structure.indptr[person] : structure.indptr[person + 1]].tolist()
        )
        unknown = set(choices) - {"hold_back", "requests", "lives_vision"}
        if unknown:
            raise Refused(f"Unknown decision {sorted(unknown)[0]!r}.")
        hold = {int(j) for j in choices.get("hold_back", [])}
        if not hold <= mine:
            raise Refused(f"#{min(hold - mine)} is not one of your contacts.")
        requests: dict[int, int | str] = {}
        for c, what in dict(choices.get("requests", {})).items():
            c = int(c)
            on_desk = 0 <= c < len(st.request_topic) and st.request_topic[c] != NO_REQUEST
            if not on_desk or st.request_holder[c] != person:
                raise Refused(f"Customer {c}'s request is not on your desk.")
            if what == "answer":
                requests[c] = "answer"
            elif int(what) in mine:
                requests[c] = int(what)
            else:
                raise Refused(f"#{int(what)} is not one of your contacts: pass it to a contact.")
        clean: dict[str, Any] = {"hold_back": sorted(hold), "requests": requests}
        if "lives_vision" in choices and choices["lives_vision"] is not None:
            if not structure.is_leader[person]:
                raise Refused("Only a leader decides whether to live the vision.")
            clean["lives_vision"] = bool(choices["lives_vision"])
        return clean

    # --- the facilitator -----------------------------------------------------------------------

    def start(self, token: str | None) -> None:
        self.check_token(token)
        with self.lock:
            self._not_ended()
            if self.phase == "lobby":
                self.started = True
                self.phase, self.round = "deciding", 1
        self.notify()

    def assign_leader(self, token: str | None, seat_key: str, leader: int) -> None:
        """The facilitator gives a participant a leader to play (any leader nobody plays)."""
        self.check_token(token)
        with self.lock:
            self._not_ended()
            seat = self.seats.get(seat_key)
            structure = self.model.state.structure
            if seat is None:
                raise Refused("No such participant.")
            if not (0 <= leader < structure.n and structure.is_leader[leader]):
                raise Refused(f"#{leader} is not a leader.")
            if any(x.person == leader for x in self.seats.values() if x is not seat):
                raise Refused(f"Leader #{leader} is already played by someone.")
            seat.person, seat.choices, seat.decided_round = int(leader), {}, 0
        self.notify()

    def free_leaders(self) -> list[int]:
        with self.lock:
            structure = self.model.state.structure
            taken = {x.person for x in self.seats.values()}
            return [int(p) for p in np.flatnonzero(structure.is_leader) if int(p) not in taken]

    def run_round(self, token: str | None, wait: bool = False) -> None:
        """Run this round's weeks (or what is left of them after a pause) in a thread."""
        self.check_token(token)
        with self.lock:
            self._not_ended()
            if self.phase == "lobby":
                raise Refused("Start the workshop first.")
            if self.phase == "running":
                return
            if self.model.steps >= self.scenario.steps:
                raise Refused(f"The run is over: all {self.scenario.steps} weeks are played.")
            if self.weeks_left == 0:
                self.weeks_left = min(self.round_weeks, self.scenario.steps - self.model.steps)
                self.played_rounds.append(self._install_decisions())
            self.phase, self.revealed = "running", None
            self._stop.clear()
            self._runner = threading.Thread(target=self._run, name="simorg-workshop", daemon=True)
            self._runner.start()
        self.notify()
        if wait:
            self.wait()

    def wait(self, timeout: float = 120.0) -> None:
        runner = self._runner
        if runner is not None:
            runner.join(timeout)

    def _install_decisions(self) -> list[int]:
        """This round's decisions as the state's Decisions; returns who plays (connected seats
        that decided this round)."""
        st = self.model.state
        playing = [x for x in self.seats.values() if x.connected and x.decided_round == self.round]
        if not playing:
            st.decisions = None
            return []
        d = Decisions.empty(st)
        structure = st.structure
        for seat in playing:
            i, ch = seat.person, seat.choices
            d.played[i] = True
            row = slice(int(structure.indptr[i]), int(structure.indptr[i + 1]))
            held = np.isin(structure.indices[row], ch.get("hold_back", []))
            d.share[row] = np.where(held, 0.0, 1.0)
            for c, what in ch.get("requests", {}).items():
                if st.request_holder[c] != i or st.request_topic[c] == NO_REQUEST:
                    continue  # answered or gone since
                d.decided_by[c] = i
                if what == "answer":
                    d.answer[c] = True
                else:
                    d.pass_to[c] = int(what)
            if "lives_vision" in ch and structure.is_leader[i]:
                d.lives_vision[i] = 1 if ch["lives_vision"] else 0
            ties = np.flatnonzero(d.share[row] == 0) + row.start
            seat.played = {
                "round": self.round,
                "held": [(int(structure.indices[t]), int(t), float(st.tie_trust[t])) for t in ties],
                "requests": dict(ch.get("requests", {})),
                "lives_vision": ch.get("lives_vision"),
            }
        st.decisions = d
        return sorted(int(x.person) for x in playing)

    def _run(self) -> None:
        try:
            while True:
                with self.lock:
                    if self._stop.is_set() or self.weeks_left <= 0:
                        break
                    self.model.step()
                    self.weeks_left -= 1
                    if self.weeks_left == 0:
                        self._round_done()
                self.notify()
                if self.week_seconds > 0:
                    time.sleep(self.week_seconds)
        except Exception as exc:  # noqa: BLE001 (shown on the facilitator's page)
            with self.lock:
                self.error = f"The round stopped: {type(exc).__name__}: {exc}"
                self.phase = "paused"
            self.notify()
            return
        with self.lock:
            if self.phase == "running":
                self.phase = "paused" if self.weeks_left > 0 else "deciding"
        self.notify()

    def _round_done(self) -> None:
        st = self.model.state
        wrong = set(st.decisions.wrong_answers) if st.decisions is not None else set()
        for seat in self.seats.values():
            if seat.played.get("round") == self.round:
                seat.report = self._report(seat, wrong)
        st.decisions = None
        self.round += 1
        self.phase = "deciding"

    def _report(self, seat: Seat, wrong: set[int]) -> tuple[str, ...]:
        """What came of the seat's decisions in the round just played (its own person only)."""
        st = self.model.state
        structure = st.structure
        played = seat.played
        lines = [f"Round {played['round']}, as #{seat.person}:"]
        for j, tie, before in played["held"]:
            ok = tie < len(st.tie_trust) and int(structure.indices[tie]) == j
            after = f"{st.tie_trust[tie]:.2f}" if ok else "(the team changed)"
            lines.append(f"held back with #{j}: trust {before:.2f} -> {after}")
        for c, what in played["requests"].items():
            if c in wrong:
                lines.append(f"customer {c}: your answer was wrong, the request failed")
            elif what == "answer":
                lines.append(f"customer {c}: you answered")
            else:
                at = int(st.request_holder[c])
                where = (
                    "answered or closed" if st.request_topic[c] == NO_REQUEST else f"now with #{at}"
                )
                lines.append(f"customer {c}: passed to #{what}; {where}")
        if played.get("lives_vision") is not None:
            lines.append(
                "you lived the vision"
                if played["lives_vision"]
                else "you only announced the vision"
            )
        if len(lines) == 1:
            lines.append("you shared openly with every contact")
        return tuple(lines)

    def pause(self, token: str | None) -> None:
        self.check_token(token)
        self._halt()
        with self.lock:
            if self.phase == "running":
                self.phase = "paused"
        self.notify()

    def _halt(self) -> None:
        """Stop a running round after the week it is in."""
        self._stop.set()
        self.wait(10.0)

    def reset(self, token: str | None) -> None:
        """The organization back to week 0 (same seed); participants keep their seats."""
        self.check_token(token)
        self._halt()
        with self.lock:
            self._not_ended()
            self._fresh()
            for seat in self.seats.values():
                seat.choices, seat.decided_round, seat.played, seat.report = {}, 0, {}, ()
        self.notify()

    def end(self, token: str | None) -> None:
        self.check_token(token)
        self._halt()
        with self.lock:
            self.phase = "ended"
            self.model.state.decisions = None
        self.notify()

    def _not_ended(self) -> None:
        if self.phase == "ended":
            raise Refused("The workshop has ended.")

    def reveal(self, token: str | None) -> dict[str, dict[str, float]]:
        """The room's outcomes now against its twin (same seed, no humans) and the second
        scenario, each run for as many weeks as the room has played."""
        self.check_token(token)
        with self.lock:
            weeks = self.model.steps
            runs: dict[str, OrgModel] = {"room": self.model}
            twin = OrgModel(self.scenario, seed=self.scenario.seed)
            twin.run_for(weeks)
            runs["twin"] = twin
            if self.compare is not None:
                other = OrgModel(self.compare, seed=self.scenario.seed)
                other.run_for(weeks)
                runs[self.compare.name] = other
            self.revealed = {
                name: {k: float(m.outcomes[k]) for k in REVEAL_OUTCOMES} for name, m in runs.items()
            }
            self.histories = {
                name: {k: np.asarray(m.datacollector.model_vars[k], dtype=float) for k in OUTCOMES}
                for name, m in runs.items()
            }
            result = self.revealed
        self.notify()
        return result

    # --- what the facilitator sees -------------------------------------------------------------

    def joined(self) -> int:
        with self.lock:
            return sum(1 for x in self.seats.values() if x.connected)

    def played_now(self) -> np.ndarray:
        """(n,) bool: a connected participant holds this person."""
        with self.lock:
            mask = np.zeros(self.model.state.n, dtype=bool)
            for seat in self.seats.values():
                if seat.connected:
                    mask[seat.person] = True
            return mask

    def roster(self) -> list[dict[str, Any]]:
        with self.lock:
            structure = self.model.state.structure
            names = self.model.department_names
            return [
                {
                    "key": x.key,
                    "name": x.name,
                    "person": x.person,
                    "leader": bool(structure.is_leader[x.person]),
                    "department": names[int(structure.department[x.person])],
                    "connected": x.connected,
                    "decided": x.decided_round == self.round and self.round > 0,
                }
                for x in sorted(self.seats.values(), key=lambda x: x.name.casefold())
            ]


def _kind(k: int) -> str:
    from simorg.structures import TIE_KINDS

    return TIE_KINDS[k] if 0 <= k < len(TIE_KINDS) else "tie"
