"""Cross-department linking at constant degree: rewiring keeps every person's number of ties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simorg import structures as S
from simorg.scenario import Organization


def _org(**kw):
    base = {"employees": 120, "departments": 6, "team_ties": 6.0, "cross_ties": 0.0}
    return Organization(**{**base, **kw})


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 1000), st.floats(0.0, 1.0), st.sampled_from(["silos", "hierarchy", "matrix"]))
def test_rewiring_keeps_every_degree_and_formal_tie(seed, share, structure):
    plain = S.build(_org(structure=structure), np.random.default_rng(seed))
    linked = S.build(_org(structure=structure, linking=share), np.random.default_rng(seed))
    np.testing.assert_array_equal(plain.degree, linked.degree)
    for kind in (S.REPORTING, S.LEADERSHIP, S.PROJECT):
        pa = plain.kind == kind
        pl = linked.kind == kind
        assert set(zip(plain.source[pa], plain.indices[pa], strict=True)) == set(
            zip(linked.source[pl], linked.indices[pl], strict=True)
        )
    assert (linked.source != linked.indices).all()  # no self-ties; to_csr keeps ties unique
    assert linked.crosses.mean() >= plain.crosses.mean()


def test_linking_zero_builds_the_same_organization():
    a = S.build(_org(), np.random.default_rng(4))
    b = S.build(_org(linking=0.0), np.random.default_rng(4))
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.kind, b.kind)


def test_more_linking_more_ties_across_up_to_nearly_all_informal_ties():
    shares = [
        S.build(_org(linking=x), np.random.default_rng(2)).crosses.mean() for x in (0, 0.25, 0.5, 1)
    ]
    assert shares == sorted(shares) and shares[0] < shares[1] < shares[3]
    full = S.build(_org(linking=1.0), np.random.default_rng(2))
    team_left = np.count_nonzero(full.kind == S.TEAM)
    plain = S.build(_org(), np.random.default_rng(2))
    assert team_left < 0.05 * np.count_nonzero(plain.kind == S.TEAM)


def test_a_swap_by_hand():
    within = np.array([[0, 1], [2, 3]])
    group = np.array([0, 0, 1, 1])
    kept, crossed = S.rewire_across(within, group, 1.0, np.random.default_rng(0), 4)
    assert len(kept) == 0 and len(crossed) == 2
    assert (group[crossed[:, 0]] != group[crossed[:, 1]]).all()
    assert sorted(np.bincount(crossed.ravel(), minlength=4).tolist()) == [1, 1, 1, 1]


def test_a_swap_that_would_duplicate_a_tie_is_refused():
    within = np.array([[0, 1], [2, 3]])
    group = np.array([0, 0, 1, 1])
    taken = np.array([0 * 4 + 3, 1 * 4 + 2, 0 * 4 + 2, 1 * 4 + 3])  # every cross tie exists
    kept, crossed = S.rewire_across(within, group, 1.0, np.random.default_rng(0), 4, taken)
    assert len(crossed) == 0 and len(kept) == 2


@pytest.mark.parametrize("share", [0.1, 0.5])
def test_rewired_share_is_what_was_asked(share):
    rng = np.random.default_rng(9)
    group = np.repeat(np.arange(5), 20)
    pairs = np.array(
        [(i, j) for i in range(100) for j in range(i + 1, 100) if group[i] == group[j]]
    )
    pairs = pairs[rng.random(len(pairs)) < 0.3]
    kept, crossed = S.rewire_across(pairs, group, share, rng, 100)
    assert len(crossed) == 2 * round(share * len(pairs) / 2)
    assert len(kept) + len(crossed) == len(pairs)
