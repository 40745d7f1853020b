"""One test per process of MODEL.md, each able to fail if the mechanism is wrong."""

from __future__ import annotations

import numpy as np
import pytest

from simorg.mechanisms.customers import customers_judge
from simorg.model import OrgModel
from simorg.randomness import RunStreams
from simorg.scenario import Intervention
from simorg.state import NO_REQUEST
from simorg.structures import MEDIA_TEAM, REPORTING
from simorg.tally import Tally

from conftest import small

QUIET_MARKET = {  # customers hear of nothing but their own requests, and stay
    "customers.word_of_mouth": 0.0,
    "customers.public_share": 0.0,
    "customers.public_talk": 0.0,
    "customers.churn": 0.0,
    "customers.acquisition": 0.0,
    "customers.initial_share": 1.0,
}


def run(sc, steps: int, seed: int = 7) -> OrgModel:
    model = OrgModel(sc, seed=seed)
    model.run_for(steps)
    return model


# 1. interventions -----------------------------------------------------------------------------


def test_intervention_applies_before_its_step_and_not_earlier() -> None:
    sc = small("traditional_silos")
    sc = sc.model_copy(
        update={"interventions": [Intervention(at=5, action="open_silos", level=0.7)]}
    )
    model = OrgModel(sc, seed=1)
    model.run_for(4)
    assert np.all(model.state.permeability == pytest.approx(0.05))
    model.run_for(1)
    assert np.all(model.state.permeability == pytest.approx(0.7))
    assert model.applied == [(5, "open_silos")]


def test_stepwise_changes_one_department_at_a_time_in_the_given_order() -> None:
    sc = small("traditional_silos")
    iv = Intervention(
        at=2, action="walk_the_talk", level=0.9, pace="stepwise", every=3, order=["IT", "Finance"]
    )
    model = OrgModel(sc.model_copy(update={"interventions": [iv]}), seed=1)
    names = model.department_names
    model.run_for(2)
    assert model.state.walk[names.index("IT")] == 0.9
    assert (model.state.walk == 0.9).sum() == 1
    model.run_for(3)
    assert model.state.walk[names.index("Finance")] == 0.9
    assert (model.state.walk == 0.9).sum() == 2
    model.run_for(20)
    assert np.all(model.state.walk == 0.9)


def test_big_bang_meets_more_friction_than_stepwise() -> None:
    moves = [("walk_the_talk", 0.8), ("announce_vision", 0.8), ("open_silos", 0.6)]

    def peak(pace: str) -> float:
        # big bang: every move at once everywhere; stepwise: one move at a time, department by department
        ivs = [
            Intervention(
                at=3 if pace == "big_bang" else 3 + 20 * k, action=a, level=lvl, pace=pace, every=3
            )
            for k, (a, lvl) in enumerate(moves)
        ]
        model = OrgModel(
            small("traditional_silos").model_copy(update={"interventions": ivs}), seed=2
        )
        model.run_for(70)
        return model.datacollector.get_model_vars_dataframe()["friction"].max()

    assert peak("big_bang") > 2 * peak("stepwise")


# 2-3. customers speak, requests travel ---------------------------------------------------------


def test_no_requests_without_request_rate_and_no_trust_change_from_requests() -> None:
    model = run(
        small(
            **{
                "customers.request_rate": 0.0,
                "customers.public_talk": 0.0,
                "customers.word_of_mouth": 0.3,
            }
        ),
        30,
    )
    assert model.totals["requests_opened"] == 0
    assert np.all(model.state.customer_trust == 0.5)


def test_sealed_silos_keep_every_request_in_customer_service() -> None:
    sc = small(
        "traditional_silos", **{"organization.permeability": 0.0, "customers.request_rate": 0.3}
    )
    model = OrgModel(sc, seed=4)
    dept = model.state.structure.department
    for _ in range(30):
        model.step()
        held = model.state.request_holder[model.state.request_topic != NO_REQUEST]
        assert np.all(dept[held] == 0)
        assert model.state.tally.crossings[0] == 0
    assert model.totals["requests_opened"] > 100


def test_open_silos_let_requests_cross() -> None:
    sc = small(
        "traditional_silos",
        **{
            "organization.permeability": 1.0,
            "culture.practice": 0.9,
            "customers.request_rate": 0.3,
            "learning.turbulence": 0.2,
        },
    )
    model = OrgModel(sc, seed=4)
    crossings = 0
    for _ in range(30):
        model.step()
        crossings += model.state.tally.crossings[0]
    assert crossings > 0


# 4. customers judge ------------------------------------------------------------------------------


def test_a_broken_promise_costs_more_than_no_promise() -> None:
    sc = small(**QUIET_MARKET)
    model = OrgModel(sc, seed=1)
    st = model.state
    for c, ack in ((0, True), (1, False)):
        st.request_topic[c] = 0
        st.request_acknowledged[c] = ack
        st.request_age[c] = 99
    none = np.array([], dtype=int)
    customers_judge(st, none, none, np.array([0, 1]), RunStreams([np.random.default_rng(0)]))
    assert st.customer_trust[0] < st.customer_trust[1] < 0.5
    assert st.request_topic[0] == NO_REQUEST


def test_fast_resolution_raises_trust_more_than_slow() -> None:
    sc = small(**QUIET_MARKET)
    model = OrgModel(sc, seed=1)
    st = model.state
    for c, age in ((0, 0), (1, 10)):
        st.request_topic[c] = 0
        st.request_age[c] = age
    none = np.array([], dtype=int)
    customers_judge(st, none, np.array([0, 1]), none, RunStreams([np.random.default_rng(0)]))
    assert st.customer_trust[0] > st.customer_trust[1] > 0.5


# 5. colleagues talk --------------------------------------------------------------------------------


def test_full_practice_makes_every_contact_open() -> None:
    sc = small(
        **{"culture.practice": 1.0, "culture.practice_spread": 0.0, "culture.walk_the_talk": 1.0}
    )
    model = OrgModel(sc, seed=5)
    model.step()
    tally = model.state.tally
    assert tally.contacts[0] > 0 and tally.open_contacts[0] == tally.contacts[0]
    assert model.outcomes["peer_trust"] > 0.5


def test_zero_practice_closes_every_contact_and_erodes_trust() -> None:
    sc = small(
        **{
            "culture.practice": 0.0,
            "culture.practice_spread": 0.0,
            "culture.walk_the_talk": 0.0,
            "culture.vision": 0.0,
            "organization.platform": False,
        }
    )
    model = run(sc, 10)
    assert model.state.tally.open_contacts[0] == 0
    assert model.outcomes["peer_trust"] < 0.5


def test_sealed_silos_mean_no_contact_crosses_a_department() -> None:
    model = run(small("traditional_silos", **{"organization.permeability": 0.0}), 10)
    assert model.state.tally.cross_contacts[0] == 0
    assert model.outcomes["cross_silo_share"] == 0


def test_peer_learning_off_means_contacts_change_no_belief() -> None:
    sc = small(
        **{
            "learning.peer_learning": 0.0,
            "learning.socialization": 0.0,
            "learning.code_learning": 0.0,
            "customers.count": 0,
            "turnover.base_rate": 0.0,
            "turnover.trust_sensitivity": 0.0,
        }
    )
    model = OrgModel(sc, seed=3)
    before = model.state.beliefs.copy()
    model.run_for(10)
    assert np.array_equal(before, model.state.beliefs)


# 6. organizational learning --------------------------------------------------------------------------


def test_code_learns_reality_without_turbulence() -> None:
    model = run(small(**{"learning.turbulence": 0.0}), 40)
    assert model.outcomes["code_knowledge"] > 0.8
    assert model.outcomes["innovations"] >= 20


def test_turbulence_moves_reality() -> None:
    sc = small(**{"learning.turbulence": 0.5})
    model = OrgModel(sc, seed=1)
    before = model.state.reality.copy()
    model.step()
    assert not np.array_equal(before, model.state.reality)


# 7. culture ---------------------------------------------------------------------------------------


def test_a_vision_leaders_do_not_live_lowers_trust_in_leadership() -> None:
    base = small("traditional_silos")
    with_vision = small("traditional_silos", **{"culture.vision": 0.9})
    a, b = run(base, 40), run(with_vision, 40)
    assert b.outcomes["leadership_trust"] < a.outcomes["leadership_trust"] - 0.1


def test_a_vision_leaders_live_raises_trust_in_leadership() -> None:
    base = small("traditional_silos", **{"culture.walk_the_talk": 0.9})
    lived = small("traditional_silos", **{"culture.walk_the_talk": 0.9, "culture.vision": 0.6})
    assert run(lived, 40).outcomes["leadership_trust"] > run(base, 40).outcomes["leadership_trust"]


def test_role_models_pull_practice_toward_their_own() -> None:
    low = small("traditional_silos", **{"culture.role_modeling": 1.0, "culture.walk_the_talk": 0.0})
    high = small(
        "traditional_silos", **{"culture.role_modeling": 1.0, "culture.walk_the_talk": 1.0}
    )
    assert run(high, 60).outcomes["practice"] > run(low, 60).outcomes["practice"] + 0.3


def test_no_adaptation_means_practice_stays() -> None:
    sc = small(
        **{"culture.adaptation": 0.0, "turnover.base_rate": 0.0, "turnover.trust_sensitivity": 0.0}
    )
    model = OrgModel(sc, seed=2)
    before = model.state.practice.copy()
    model.run_for(10)
    assert np.array_equal(before, model.state.practice)


# 8. turnover ---------------------------------------------------------------------------------------


def test_distrust_drives_people_out() -> None:
    trusting = small(
        **{
            "turnover.base_rate": 0.0,
            "turnover.trust_sensitivity": 0.2,
            "culture.leadership_trust": 1.0,
            "conversation.initial_tie_trust": 1.0,
        }
    )
    distrusting = small(
        **{
            "turnover.base_rate": 0.0,
            "turnover.trust_sensitivity": 0.2,
            "culture.leadership_trust": 0.0,
            "conversation.initial_tie_trust": 0.0,
        }
    )
    assert run(distrusting, 5).totals["turnover_total"] > run(trusting, 5).totals["turnover_total"]


def test_no_turnover_when_rates_are_zero() -> None:
    sc = small(**{"turnover.base_rate": 0.0, "turnover.trust_sensitivity": 0.0})
    assert run(sc, 20).totals["turnover_total"] == 0


# 9. purchases -----------------------------------------------------------------------------------------


def test_no_purchases_without_purchase_rate() -> None:
    assert run(small(**{"customers.purchase_rate": 0.0}), 10).totals["revenue_total"] == 0


def test_full_trust_and_rate_buy_every_step() -> None:
    sc = small(
        **{
            "customers.purchase_rate": 1.0,
            "customers.initial_trust": 1.0,
            "customers.request_rate": 0.0,
            "customers.public_talk": 0.0,
            "customers.initial_share": 1.0,
            "customers.price": 2.0,
        }
    )
    assert run(sc, 3).totals["revenue_total"] == 3 * sc.customers.count * 2.0


# structures ------------------------------------------------------------------------------------------


def test_unwired_media_team_only_talks_to_itself_and_its_managers() -> None:
    model = OrgModel(small("social_media_team"), seed=1)
    structure = model.state.structure
    team = structure.media_team
    assert team.sum() == 12
    outside = team[structure.source] & ~team[structure.indices]
    assert np.all(structure.kind[outside] == REPORTING)
    assert np.any(structure.kind == MEDIA_TEAM)


def test_ties_are_symmetric_and_reverse_points_back() -> None:
    model = OrgModel(small("fluid_work"), seed=1)
    structure = model.state.structure
    assert np.array_equal(structure.source[structure.reverse], structure.indices)
    assert np.array_equal(structure.indices[structure.reverse], structure.source)
    assert not np.any(structure.source == structure.indices)


def test_permeability_sets_the_share_of_cross_department_contacts() -> None:
    shares = [
        run(
            small(
                "traditional_silos",
                **{"organization.permeability": p, "organization.cross_ties": 3.0},
            ),
            5,
        ).outcomes["cross_silo_share"]
        for p in (0.0, 0.3, 1.0)
    ]
    assert shares[0] == 0 < shares[1] < shares[2]


def test_fluid_teams_reform() -> None:
    model = OrgModel(small("fluid_work", **{"organization.team_reform_every": 3}), seed=1)
    before = model.state.structure.project_team.copy()
    model.run_for(4)
    assert not np.array_equal(before, model.state.structure.project_team)


def test_every_project_team_member_is_tied_to_every_other() -> None:
    model = OrgModel(small("fluid_work", **{"organization.employees": 40}), seed=3)
    structure = model.state.structure
    team = structure.project_team
    for t in np.unique(team[team >= 0]):
        members = set(np.flatnonzero(team == t))
        for i in members:
            nb = set(structure.indices[structure.indptr[i] : structure.indptr[i + 1]])
            assert members - {i} <= nb


def test_an_unwired_media_team_stays_isolated_when_project_teams_reform() -> None:
    sc = small(
        "social_media_team",
        **{"organization.structure": "fluid", "organization.team_reform_every": 2},
    )
    model = OrgModel(sc, seed=2)
    model.run_for(5)
    structure = model.state.structure
    outside = structure.media_team[structure.source] & ~structure.media_team[structure.indices]
    assert np.all(structure.kind[outside] == REPORTING)


def test_a_stepwise_media_team_is_one_team() -> None:
    iv = Intervention(at=1, action="social_media_team", size=6, pace="stepwise", every=2)
    model = OrgModel(small("traditional_silos").model_copy(update={"interventions": [iv]}), seed=1)
    model.run_for(20)
    assert model.state.structure.media_team.sum() == 6


def test_set_refuses_a_parameter_read_only_at_start_up() -> None:
    with pytest.raises(ValueError, match="only read at start-up"):
        Intervention(at=3, action="set", key="culture.vision", value=0.9)
    Intervention(at=3, action="set", key="learning.socialization", value=0.9)


def test_a_contact_that_adopts_nothing_does_not_undo_another_contacts_adoption() -> None:
    from simorg.mechanisms.conversations import _exchange

    beliefs = np.array([[0], [1], [0]], dtype=np.int8)
    # person 0 talks to 1 (who holds +1) and then to 2 (who holds 0) about dimension 0
    _exchange(
        beliefs,
        np.array([0, 0]),
        np.array([1, 2]),
        np.array([1.0, 1.0]),
        np.array([[0], [0]]),
        np.random.default_rng(0),
    )
    assert beliefs[0, 0] == 1


# Model 2: requests answered by people ---------------------------------------------------------------

PEOPLE_ONLY = {  # nothing but routing changes what people know
    "learning.socialization": 0.0,
    "learning.peer_learning": 0.0,
    "learning.listening": 0.0,
    "learning.failure_learning": 0.0,
    "learning.turbulence": 0.0,
    "customers.public_talk": 0.0,
    "turnover.base_rate": 0.0,
    "turnover.trust_sensitivity": 0.0,
}


def _everyone_wrong(model: OrgModel) -> None:
    st = model.state
    st.beliefs[0] = -st.reality[0]


def test_with_nobody_who_knows_and_no_escalation_every_request_fails() -> None:
    sc = small(**PEOPLE_ONLY, **{"customers.escalate_after": 0, "customers.request_rate": 0.3})
    model = OrgModel(sc, seed=2)
    _everyone_wrong(model)
    model.state.code[0] = model.state.reality[0]  # a right code answers nobody by itself
    model.run_for(30)
    assert model.totals["requests_resolved"] == 0
    assert model.totals["requests_failed"] > 50
    assert model.totals["escalations"] == 0


def test_a_person_who_knows_answers_and_the_time_scale_is_days_to_weeks() -> None:
    sc = small(**PEOPLE_ONLY, **{"customers.request_rate": 0.3, "organization.permeability": 1.0})
    model = OrgModel(sc, seed=2)
    model.state.beliefs[0] = model.state.reality[0]  # everyone believes right
    model.run_for(20)
    assert model.totals["requests_failed"] == 0
    # answered within about two weeks: several hand-overs a week
    assert 0 < model.outcomes["resolution_time"] < 2.0


def test_more_hand_overs_a_week_answer_faster() -> None:
    def time(handovers: int) -> float:
        sc = small(
            "traditional_silos",
            **PEOPLE_ONLY,
            **{"customers.handovers": handovers, "organization.permeability": 0.6},
        )
        return run(sc, 40).outcomes["resolution_time"]

    assert time(1) > 1.5 * time(6)


def test_transactive_memory_sends_a_request_straight_to_who_answered_before() -> None:
    sc = small("traditional_silos", **PEOPLE_ONLY, **{"customers.request_rate": 0.0})
    model = OrgModel(sc, seed=3)
    st = model.state
    structure = st.structure
    j = 2  # owned by department 2
    expert = int(np.flatnonzero(structure.department == 2)[5])
    receiver = int(np.flatnonzero((structure.department == 0) & ~structure.is_leader)[0])
    st.beliefs[0, :, j] = -st.reality[0, j]
    st.beliefs[0, expert, j] = st.reality[0, j]
    st.permeability[:] = 1.0
    st.practice[:] = 1.0
    st.tie_trust[:] = 1.0
    st.invalidate()
    from simorg.mechanisms.requests import open_request, requests_travel

    open_request(st, np.array([0]), np.array([j]), np.array([receiver]), False)
    st.known_expert[receiver, j] = expert
    resolved, *_ = requests_travel(st, RunStreams([np.random.default_rng(0)]))
    assert list(resolved) == [0]
    assert st.request_holder[0] == expert
    # without the memory the same request does not reach the expert in one step
    open_request(st, np.array([0]), np.array([j]), np.array([receiver]), False)
    st.known_expert[:] = -1
    resolved, *_ = requests_travel(st, RunStreams([np.random.default_rng(0)]))
    assert len(resolved) == 0


def test_a_resolved_request_is_remembered_by_its_receiver() -> None:
    sc = small(**PEOPLE_ONLY, **{"customers.request_rate": 0.3, "organization.permeability": 1.0})
    model = OrgModel(sc, seed=4)
    model.run_for(10)
    assert (model.state.known_expert >= 0).sum() > 0
    off = OrgModel(
        small(
            **PEOPLE_ONLY,
            **{
                "customers.request_rate": 0.3,
                "organization.permeability": 1.0,
                "learning.transactive_memory": 0.0,
            },
        ),
        seed=4,
    )
    off.run_for(10)
    assert (off.state.known_expert >= 0).sum() == 0


def test_a_stuck_request_is_escalated_to_the_manager() -> None:
    sc = small(
        "traditional_silos",
        **PEOPLE_ONLY,
        **{"organization.permeability": 0.0, "customers.escalate_after": 1},
    )
    model = OrgModel(sc, seed=5)
    _everyone_wrong(model)
    model.run_for(10)
    assert model.totals["escalations"] > 0
    st = model.state
    held = st.request_holder[st.request_topic >= 0]
    assert st.structure.is_leader[held].mean() > 0.5  # stuck requests end up with leaders


# customers with a life of their own ------------------------------------------------------------------


def test_a_customer_who_leaves_stops_buying_and_asking() -> None:
    sc = small(
        **{
            **QUIET_MARKET,
            "customers.purchase_rate": 1.0,
            "customers.initial_trust": 1.0,
            "customers.request_rate": 1.0,
        }
    )
    model = OrgModel(sc, seed=1)
    st = model.state
    st.customer_active[:10] = False
    st.request_topic[:10] = NO_REQUEST
    model.step()
    assert model.state.tally.purchases[0] == len(st.customer_trust) - 10
    assert np.all(st.request_topic[:10] == NO_REQUEST)


def test_churn_rises_as_trust_falls() -> None:
    def lost(trust: float) -> float:
        sc = small(
            **{
                **QUIET_MARKET,
                "customers.churn": 0.2,
                "customers.initial_trust": trust,
                "customers.request_rate": 0.0,
            }
        )
        return run(sc, 5).totals["customers_lost"]

    assert lost(1.0) == 0
    assert lost(0.1) > lost(0.6) > 0


def test_prospects_arrive_by_reputation_and_not_without_acquisition() -> None:
    base = {**QUIET_MARKET, "customers.initial_share": 0.2, "customers.request_rate": 0.0}
    won = run(small(**{**base, "customers.acquisition": 0.2}), 5).totals["customers_won"]
    assert won > 0
    assert run(small(**base), 5).totals["customers_won"] == 0


def test_revenue_is_not_a_fixed_multiple_of_mean_trust() -> None:
    model = run(small("traditional_silos", **{"customers.churn": 0.05}), 60)
    frame = model.datacollector.get_model_vars_dataframe().iloc[10:]
    ratio = frame["revenue"] / frame["customer_trust"]
    assert ratio.std() / ratio.mean() > 0.05


def test_public_conversations_build_trust_when_people_know_and_cost_it_when_wrong() -> None:
    def trust(right: bool) -> float:
        sc = small(
            **{
                **QUIET_MARKET,
                **PEOPLE_ONLY,
                "customers.public_talk": 1.0,
                "customers.request_rate": 0.0,
                "customers.public_share": 1.0,
                "customers.outside_expertise": 1.0,
            }
        )
        model = OrgModel(sc, seed=2)
        st = model.state
        st.beliefs[0] = st.reality[0] if right else -st.reality[0]
        model.run_for(5)
        return model.outcomes["customer_trust"]

    assert trust(True) > 0.5 + 0.05
    assert trust(False) < 0.5 - 0.05


def test_being_heard_raises_trust_at_once() -> None:
    sc = small(**{**QUIET_MARKET, "customers.heard_gain": 0.5})
    model = OrgModel(sc, seed=1)
    st = model.state
    from simorg.mechanisms.requests import open_request

    open_request(st, np.array([0]), np.array([0]), np.array([0]), True)
    none = np.array([], dtype=int)
    customers_judge(st, np.array([0]), none, none, RunStreams([np.random.default_rng(0)]))
    assert st.customer_trust[0] == pytest.approx(0.75)


# organizations learn from failure -------------------------------------------------------------------


def test_a_failed_request_corrects_the_code_and_the_people_who_got_it_wrong() -> None:
    from simorg.mechanisms.organizational_learning import learn_from_failure

    model = OrgModel(small(**{"learning.failure_learning": 1.0}), seed=1)
    st = model.state
    st.code[0] = -st.reality[0]
    st.beliefs[0, 3] = -st.reality[0]
    learn_from_failure(
        st, np.array([4]), np.array([[3, -1]]), RunStreams([np.random.default_rng(0)])
    )
    assert st.code[0, 4] == st.reality[0, 4]
    assert st.beliefs[0, 3, 4] == st.reality[0, 4]
    assert (st.code[0] == st.reality[0]).sum() == 1  # only the complaint's topic
    off = OrgModel(small(**{"learning.failure_learning": 0.0}), seed=1)
    off.state.code[0] = -off.state.reality[0]
    learn_from_failure(
        off.state, np.array([4]), np.array([[3, -1]]), RunStreams([np.random.default_rng(0)])
    )
    assert off.state.code[0, 4] != off.state.reality[0, 4]


def test_relearning_a_flipped_dimension_is_not_an_innovation() -> None:
    from simorg.mechanisms.organizational_learning import _count_improvements

    model = OrgModel(small(), seed=1)
    st = model.state
    st.tally = Tally()
    st.flipped_away[:] = False
    st.flipped_away[0, 1] = True
    became = np.zeros((1, st.m), dtype=bool)
    became[0, [1, 2]] = True
    _count_improvements(st, became)
    assert st.tally.innovations[0] == 1 and st.tally.relearned[0] == 1
    assert not st.flipped_away[0, 1]


def test_innovations_do_not_count_the_market_shifts() -> None:
    calm = run(small(**{"learning.turbulence": 0.0}), 80).outcomes
    rough = run(small(**{"learning.turbulence": 0.05}), 80).outcomes
    assert rough["relearned"] > 5 and calm["relearned"] == 0
    assert rough["innovations"] < calm["innovations"] + rough["relearned"]


# leaders are people too --------------------------------------------------------------------------------


def _leaders_practice(stubbornness: float) -> float:
    sc = small(
        "traditional_silos",
        **{
            "culture.stubbornness": stubbornness,
            "culture.walk_the_talk": 0.9,
            "culture.practice": 0.05,
            "culture.practice_spread": 0.0,
            "culture.adaptation": 0.2,
        },
    )
    model = run(sc, 40)
    return float(model.state.practice[model.state.structure.is_leader].mean())


def test_a_leader_with_no_stubbornness_among_closed_people_drifts() -> None:
    assert _leaders_practice(0.0) < 0.5
    assert _leaders_practice(1.0) == pytest.approx(0.9)


def test_employees_keep_part_of_their_own_practice() -> None:
    def practice(persistence: float) -> float:
        sc = small(
            "traditional_silos",
            **{
                "culture.persistence": persistence,
                "culture.stubbornness": 1.0,
                "culture.walk_the_talk": 0.1,
                "culture.practice": 0.8,
                "culture.practice_spread": 0.0,
                "culture.adaptation": 0.2,
                "turnover.base_rate": 0.0,
                "turnover.trust_sensitivity": 0.0,
            },
        )
        return run(sc, 120).outcomes["practice"]

    assert practice(0.0) < 0.2  # pure imitation converges to the leaders' practice
    assert practice(0.5) > 0.35


def test_informal_leaders_are_role_models() -> None:
    def follower_practice(kappa: float) -> float:
        sc = small(
            "traditional_silos",
            **{
                "culture.informal_influence": kappa,
                "culture.role_modeling": 1.0,
                "culture.persistence": 0.0,
                "culture.early_adopters": 0.05,
                "culture.early_adopter_practice": 1.0,
                "culture.adaptation": 0.2,
            },
        )
        model = run(sc, 10)
        st = model.state
        structure = st.structure
        seen = st.informal_ties() > 0
        plain = ~structure.is_leader & ~structure.informal_leader & seen
        return float(st.practice[plain].mean())

    assert follower_practice(1.0) > follower_practice(0.0) + 0.1


def test_willingness_to_share_rises_with_trust() -> None:
    def open_share(trust: float) -> float:
        sc = small(
            **{
                "culture.practice": 0.5,
                "culture.practice_spread": 0.0,
                "culture.walk_the_talk": 0.5,
                "conversation.initial_tie_trust": trust,
                "conversation.trust_sharing": 1.0,
                "organization.platform": False,
            }
        )
        model = OrgModel(sc, seed=1)
        model.step()
        return model.outcomes["open_share"]

    assert open_share(0.0) == 0.0
    assert open_share(1.0) > 0.5 > open_share(0.5) > 0.1


def test_trust_in_leadership_comes_from_ones_own_managers_practice() -> None:
    sc = small("traditional_silos", **{"culture.vision": 0.8, "culture.adaptation": 0.0})
    model = OrgModel(sc, seed=1)
    st = model.state
    structure = st.structure
    dept1 = structure.department == 1
    st.practice[structure.is_leader & dept1] = 0.8  # department 1's leaders live the vision
    model.run_for(20)
    lived = st.leadership_trust[dept1 & ~structure.is_leader].mean()
    others = st.leadership_trust[(structure.department == 2) & ~structure.is_leader].mean()
    assert lived > others + 0.2


# measures that measure --------------------------------------------------------------------------------


def test_a_dormant_tie_does_not_enter_peer_trust() -> None:
    model = OrgModel(small(), seed=1)
    st = model.state
    before = model.outcomes["peer_trust"]
    st.tie_trust[:10] = 0.0
    st.tie_recent[:10] = 0.0
    from simorg.outcomes import compute

    after = compute(st, {k: np.array([v]) for k, v in model.totals.items()})[0]
    assert after["peer_trust"] == pytest.approx(before)
    assert after["dormant_ties"] == pytest.approx(10 / len(st.tie_recent))


def test_a_new_hire_starts_with_a_strangers_trust_on_unused_ties() -> None:
    sc = small(**{"turnover.base_rate": 0.5, "turnover.newcomer_trust": 0.123})
    model = OrgModel(sc, seed=1)
    from simorg.mechanisms.turnover import people_leave

    st = model.state
    st.tally = Tally()
    slots = people_leave(st, RunStreams([np.random.default_rng(0)]))
    assert len(slots)
    structure = st.structure
    mine = np.isin(structure.source, slots) | np.isin(structure.indices, slots)
    assert np.all(st.tie_trust[mine] == 0.123)
    assert np.all(st.tie_recent[mine] == 0)
    assert np.all(st.known_expert[slots] == -1)


def test_default_turnover_is_ten_to_twenty_percent_a_year_in_a_neutral_culture() -> None:
    from simorg.scenario import Turnover

    to = Turnover()
    weekly = to.base_rate + to.trust_sensitivity * (1 - 0.5)
    assert 0.10 <= 1 - (1 - weekly) ** 52 <= 0.20


def test_friction_comes_from_what_people_experience_not_the_schedule() -> None:
    ivs = [Intervention(at=3, action="walk_the_talk", level=0.9)]
    peaks = []
    for seed in (1, 2):
        model = OrgModel(
            small("traditional_silos").model_copy(update={"interventions": ivs}), seed=seed
        )
        model.run_for(10)
        peaks.append(model.datacollector.get_model_vars_dataframe()["friction"].max())
    assert peaks[0] > 0 and peaks[0] != peaks[1]
    # a change nobody experiences (a rate) is not friction
    quiet = [Intervention(at=3, action="set", key="learning.socialization", value=0.5)]
    model = OrgModel(small("traditional_silos").model_copy(update={"interventions": quiet}), seed=1)
    model.run_for(10)
    assert model.state.changes[0]["changed"]["felt"] == 0
