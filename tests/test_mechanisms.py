"""One test per process of MODEL.md, each able to fail if the mechanism is wrong."""

from __future__ import annotations

import numpy as np
import pytest

from simorg.mechanisms.customers import customers_judge
from simorg.model import OrgModel
from simorg.scenario import Intervention
from simorg.state import NO_REQUEST
from simorg.structures import MEDIA_TEAM, REPORTING

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
        assert model.state.tally.get("crossings", 0) == 0
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
        crossings += model.state.tally.get("crossings", 0)
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
    customers_judge(st, none, none, np.array([0, 1]), np.random.default_rng(0))
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
    customers_judge(st, none, np.array([0, 1]), none, np.random.default_rng(0))
    assert st.customer_trust[0] > st.customer_trust[1] > 0.5


# 5. colleagues talk --------------------------------------------------------------------------------


def test_full_practice_makes_every_contact_open() -> None:
    sc = small(
        **{"culture.practice": 1.0, "culture.practice_spread": 0.0, "culture.walk_the_talk": 1.0}
    )
    model = OrgModel(sc, seed=5)
    model.step()
    tally = model.state.tally
    assert tally["contacts"] > 0 and tally["open_contacts"] == tally["contacts"]
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
    assert model.state.tally["open_contacts"] == 0
    assert model.outcomes["peer_trust"] < 0.5


def test_sealed_silos_mean_no_contact_crosses_a_department() -> None:
    model = run(small("traditional_silos", **{"organization.permeability": 0.0}), 10)
    assert model.state.tally["cross_contacts"] == 0
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
    s = model.state.structure
    team = s.media_team
    assert team.sum() == 12
    outside = team[s.source] & ~team[s.indices]
    assert np.all(s.kind[outside] == REPORTING)
    assert np.any(s.kind == MEDIA_TEAM)


def test_ties_are_symmetric_and_reverse_points_back() -> None:
    model = OrgModel(small("fluid_work"), seed=1)
    s = model.state.structure
    assert np.array_equal(s.source[s.reverse], s.indices)
    assert np.array_equal(s.indices[s.reverse], s.source)
    assert not np.any(s.source == s.indices)


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
    s = model.state.structure
    team = s.project_team
    for t in np.unique(team[team >= 0]):
        members = set(np.flatnonzero(team == t))
        for i in members:
            nb = set(s.indices[s.indptr[i] : s.indptr[i + 1]])
            assert members - {i} <= nb


def test_an_unwired_media_team_stays_isolated_when_project_teams_reform() -> None:
    sc = small(
        "social_media_team",
        **{"organization.structure": "fluid", "organization.team_reform_every": 2},
    )
    model = OrgModel(sc, seed=2)
    model.run_for(5)
    s = model.state.structure
    outside = s.media_team[s.source] & ~s.media_team[s.indices]
    assert np.all(s.kind[outside] == REPORTING)


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
