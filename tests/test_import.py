"""Bring your own organization: formats round-trip, bad files fail one line at a time through the
real CLI, imported organizations run every shipped scenario, the real email-eu-core case."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from simorg import structures
from simorg.organizations import OrganizationFileError, inspect, read
from simorg.organizations.build import structure as imported_structure
from simorg.organizations.export import write_people, write_ties
from simorg.organizations.pseudonyms import KEY_VARIABLE, pseudonymise
from simorg.scenario import (
    Organization,
    Scenario,
    ScenarioError,
    load,
    shipped_scenarios,
    with_overrides,
)
from simorg.simulate import simulate

from conftest import ROOT, simorg

EXAMPLE = ROOT / "examples" / "example_org"
FIELDS = ("department", "manager", "level", "is_leader", "informal_leader", "indptr", "indices",
          "kind", "reverse", "source")  # fmt: skip


def email_eu_core() -> Path | None:
    """The shared copy of SNAP's email-Eu-core: $SIMORG_EMAIL_EU_CORE, else ../shared beside the repo."""
    for candidate in (
        os.environ.get("SIMORG_EMAIL_EU_CORE"),
        ROOT.parent / "shared" / "data" / "email-eu-core",
        Path("/work/shared/data/email-eu-core"),
    ):
        if candidate and (Path(candidate) / "email-Eu-core.txt").exists():
            return Path(candidate)
    return None


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("built", ["silos", "hierarchy", "network"])
@pytest.mark.parametrize("fmt", ["ties.csv", "ties.txt", "org.graphml", "org.gexf"])
def test_each_format_round_trips_a_built_organization(tmp_path, built, fmt):
    org = Organization(employees=150, departments=7, structure=built)
    structure = structures.build(org, np.random.default_rng(3))
    names = Scenario(organization=org).department_names()
    write_people(structure, names, tmp_path / "people.csv")
    write_ties(structure, names, tmp_path / fmt)
    graph = fmt.startswith("org.")
    imp = read(None if graph else tmp_path / "people.csv", tmp_path / fmt)
    assert imp.department_names == names
    again = imported_structure(imp, Organization(structure="silos"), np.random.default_rng(9))
    kinds_kept = fmt != "ties.txt"  # an edge list has no kind column
    for name in FIELDS:
        if name == "kind" and not kinds_kept:
            continue
        assert np.array_equal(getattr(structure, name), getattr(again, name)), name
    if not kinds_kept:  # the kind is recovered from departments for all but leadership/reporting
        same = structure.department[structure.source] == structure.department[structure.indices]
        data = np.isin(structure.kind, [structures.TEAM, structures.CROSS])
        assert np.array_equal(
            again.kind[data & same], np.full((data & same).sum(), structures.TEAM)
        )


def test_scenario_on_an_exported_organization_runs_like_the_built_one(tmp_path):
    sc = with_overrides(
        load("traditional_silos"), {"organization.employees": 120, "customers.count": 100}
    )
    from simorg.model import OrgModel

    structure = OrgModel(sc, seed=4).state.structure  # the structure a run with seed 4 builds
    write_people(structure, sc.department_names(), tmp_path / "people.csv")
    write_ties(structure, sc.department_names(), tmp_path / "ties.csv")
    imported = with_overrides(
        sc,
        {
            "organization.people": str(tmp_path / "people.csv"),
            "organization.ties": str(tmp_path / "ties.csv"),
        },
    )
    assert imported.organization.employees == 120 and imported.organization.departments == 6
    assert imported.department_names() == sc.department_names()
    # the same structure, the same seed: the same run, step for step
    a = simulate(sc, steps=15, seed=4).trajectory
    b = simulate(imported, steps=15, seed=4).trajectory
    assert a.equals(b)


# --- reading rules -----------------------------------------------------------------------------


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_ties_merge_directions_and_duplicates_and_sum_weights(tmp_path):
    people = write(
        tmp_path / "p.csv", "id,department\n" + "".join(f"{i},{'AB'[i % 2]}\n" for i in range(12))
    )
    ties = write(tmp_path / "t.csv", "source,target,weight\n1,2,1\n2,1,2.5\n1,2,1\n3,4,\n")
    imp = read(people, ties)
    assert imp.tie_rows == 4
    assert imp.tie_pairs.tolist() == [[1, 2], [3, 4]]
    assert imp.tie_weight.tolist() == [4.5, 1.0]


def test_leaders_and_managers_are_inferred_from_centrality_when_the_file_gives_none(tmp_path):
    rows = "".join(f"{i},{'X' if i < 10 else 'Y'}\n" for i in range(20))
    people = write(tmp_path / "p.csv", "id,department\n" + rows)
    hub_x, hub_y = 7, 13  # the most connected person of each department
    ties = [(hub_x, j) for j in range(10) if j != hub_x] + [
        (hub_y, j) for j in range(10, 20) if j != hub_y
    ]
    ties += [(0, 1), (1, 2)]
    t = write(tmp_path / "t.csv", "source,target\n" + "".join(f"{a},{b}\n" for a, b in ties))
    imp = read(people, t, span=4)
    assert imp.managers_inferred and imp.leaders_inferred
    heads = np.flatnonzero(imp.manager < 0)
    assert sorted(heads.tolist()) == [hub_x, hub_y]
    assert imp.is_leader[[hub_x, hub_y]].all()
    assert (imp.level[imp.manager >= 0] == imp.level[imp.manager[imp.manager >= 0]] + 1).all()
    spans = np.bincount(imp.manager[imp.manager >= 0])
    assert spans.max() <= 9  # reports follow ties to the level above: the hub keeps its contacts
    # a manager is someone one level up with a tie, when there is one
    pairs = {tuple(p) for p in imp.tie_pairs.tolist()}
    tied = lambda i, j: (min(i, j), max(i, j)) in pairs  # noqa: E731
    for i in np.flatnonzero(imp.manager >= 0):
        up = [
            j
            for j in range(20)
            if imp.level[j] == imp.level[i] - 1 and imp.department[j] == imp.department[i]
        ]
        if any(tied(i, j) for j in up):
            assert tied(i, imp.manager[i]), i
    assert imp.manager[2] == 1 or imp.level[1] != imp.level[2] - 1


def test_an_inferred_manager_is_a_tie_one_level_up_rather_than_the_place_in_the_tree(tmp_path):
    people = write(tmp_path / "p.csv", "id,department\n" + "".join(f"{i},Z\n" for i in range(9)))
    ties = [(0, j) for j in range(1, 9)] + [(1, 3), (1, 4), (1, 5), (2, 6)]
    t = write(tmp_path / "t.csv", "source,target\n" + "".join(f"{a},{b}\n" for a, b in ties))
    imp = read(people, t, span=2)
    # ranks by ties: 0, 1, then 2..8 in file order; levels 0 | 1, 2 | 3, 4, 5, 6 | 7, 8
    assert imp.level.tolist() == [0, 1, 1, 2, 2, 2, 2, 3, 3]
    # in a binary tree 5 would report to 2; 5 talks to 1 (one level up), not to 2
    assert imp.manager[5] == 1 and imp.manager[6] == 2 and imp.manager[3] == 1
    assert imp.manager[7] == 3  # no tie one level up: the place in the tree decides


def test_department_roles_follow_the_customer_facing_column(tmp_path):
    rows = ["id,department,customer_facing"]
    rows += [f"{i},Engineering,false" for i in range(6)]
    rows += [f"{i},Help Desk,true" for i in range(6, 12)]
    rows += [f"{i},Shop,{'true' if i % 2 else 'false'}" for i in range(12, 18)]
    imp = read(write(tmp_path / "p.csv", "\n".join(rows) + "\n"))
    assert imp.department_names == ["Help Desk", "Shop", "Engineering"]


def test_personal_ids_become_stable_pseudonyms_and_never_reach_results(tmp_path, monkeypatch):
    imp = read(EXAMPLE / "people.csv", EXAMPLE / "ties.csv")
    assert imp.pseudonymised == imp.n
    assert not any("@" in str(x) for x in imp.ids)
    assert all(str(x).startswith("p") and len(str(x)) == 17 for x in imp.ids)
    assert "name" in imp.dropped_columns and list(imp.attributes.columns) == ["site"]
    again = read(EXAMPLE / "people.csv", EXAMPLE / "ties.csv")
    assert (imp.ids == again.ids).all()  # stable: same key, same pseudonyms
    import pandas as pd

    series = pd.Series(["ada@example.org", "42"])
    default = pseudonymise(series).tolist()
    monkeypatch.setenv(KEY_VARIABLE, "a secret")
    keyed = pseudonymise(series).tolist()
    assert default[1] == keyed[1] == "42" and default[0] != keyed[0]
    out = tmp_path / "out"
    r = simorg("run", "social_business", "--steps", "3", "--out", str(out),
               "--set", f"organization.people={EXAMPLE / 'people.csv'}",
               "--set", f"organization.ties={EXAMPLE / 'ties.csv'}")  # fmt: skip
    assert r.returncode == 0, r.stderr
    written = (
        "".join(p.read_text(errors="replace") for p in out.glob("*.csv")) + r.stdout + r.stderr
    )
    assert "@" not in written and "example.org" not in written


# --- bad files: one line each, exit 2, through the real CLI ------------------------------------

GOOD_PEOPLE = "id,department,manager\n1,A,\n2,A,1\n3,B,1\n"
BAD = {
    "duplicate id": ("id,department\n1,A\n2,A\n1,B\n", None, "p.csv:4: duplicate id '1' (first on line 2)"),
    "unknown manager": ("id,department,manager\n1,A,\n2,A,9\n", None, "p.csv:3: manager '9' is not an id"),
    "management cycle": ("id,department,manager\n1,A,\n2,A,3\n3,A,4\n4,A,2\n", None,
                         "a cycle in the management chain (lines 3 → 4 → 5 → 3)"),
    "unknown tie id": (GOOD_PEOPLE, "source,target\n1,2\n2,77\n", "t.csv:3: target '77' is not a person in"),
    "self-tie": (GOOD_PEOPLE, "source,target\n1,2\n3,3\n", "t.csv:3: self-tie (source = target)"),
    "empty people": ("", None, "p.csv: empty file"),
    "empty ties": (GOOD_PEOPLE, "\n\n", "t.csv: empty file"),
    "header only": ("id,department\n", None, "p.csv: empty file: a header but no people"),
    "missing department": ("id,dept\n1,A\n", None, "p.csv:1: no 'department' column (columns: id, dept)"),
    "no department": ("id,department\n1,A\n2,\n", None, "p.csv:3: no department; every person belongs"),
    "bad level": ("id,department,level\n1,A,0\n2,A,-1\n", None, "p.csv:3: level '-1' is not a whole number"),
    "bad flag": ("id,department,leader\n1,A,yes\n2,A,maybe\n", None, "p.csv:3: leader 'maybe' is not true or false"),
    "not utf-8": ("id,department\n1,A\n2,Caf\xe9\n".encode("latin-1"), None, "p.csv:3: not UTF-8 (byte 0xe9)"),
    "personal id in an error": ("id,department,manager\nada@x.org,A,\nbob@x.org,A,eve@x.org\n", None,
                                "p.csv:3: manager (a name or address, not shown) is not an id"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_file_gives_its_one_line_error_and_exit_2(tmp_path, case):
    people, ties, expected = BAD[case]
    args = [str(write(tmp_path / "p.csv", people))]
    if ties is not None:
        args.append(str(write(tmp_path / "t.csv", ties)))
    r = simorg("import", "check", *args)
    assert r.returncode == 2, r.stdout + r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("simorg: error: ")]
    assert errors and all("Traceback" not in line for line in r.stderr.splitlines())
    assert any(expected in line for line in errors), r.stderr
    assert "@" not in r.stdout + r.stderr.replace("@x.org", "") or case != "personal id in an error"
    if case == "personal id in an error":
        assert "eve@x.org" not in r.stderr


def test_every_problem_of_a_file_is_listed_at_once(tmp_path):
    people = write(tmp_path / "p.csv", "id,department,manager\n1,A,\n1,A,\n2,A,8\n3,,1\n")
    ties = write(tmp_path / "t.csv", "source,target,weight\n1,1,1\n1,5,1\n1,2,-3\n")
    _, problems = inspect(people, ties)
    assert sorted({p.kind for p in problems}) == sorted(
        {
            "duplicate id",
            "unknown manager",
            "missing department",
            "self-tie",
            "unknown id",
            "bad weight",
        }
    )
    with pytest.raises(OrganizationFileError, match=r"p.csv:3: duplicate id .*more problems"):
        read(people, ties)


def test_a_scenario_with_a_bad_file_fails_in_one_line(tmp_path):
    write(tmp_path / "p.csv", "id,department\n1,A\n1,A\n")
    (tmp_path / "s.toml").write_text('[organization]\npeople = "p.csv"\n')
    with pytest.raises(
        ScenarioError, match=r"^\S*s.toml: organization: \S*p.csv:3: duplicate id '1'"
    ):
        load(tmp_path / "s.toml")
    r = simorg("check", str(tmp_path / "s.toml"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "p.csv:3" in r.stderr


# --- the example organization ------------------------------------------------------------------


def test_example_organization_is_what_its_script_writes(tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "examples" / "make_example_org.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    for name in ("people.csv", "ties.csv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), name


def test_scenario_on_the_example_is_reproducible_by_seed_and_paths_are_relative_to_the_file():
    sc = load(ROOT / "examples" / "example_org.toml")
    assert sc.organization.employees == 302 and sc.organization.departments == 12
    assert sc.department_names()[:2] == ["Customer Support", "Sales"]
    a = simulate(sc, steps=12, seed=5).trajectory
    b = simulate(sc, steps=12, seed=5).trajectory
    c = simulate(sc, steps=12, seed=6).trajectory
    assert a.equals(b) and not a.equals(c)


@pytest.mark.parametrize("name", list(shipped_scenarios()))
def test_every_shipped_scenario_runs_on_the_example(name):
    sc = with_overrides(
        load(name),
        {"organization.people": str(EXAMPLE / "people.csv"), "organization.ties": str(EXAMPLE / "ties.csv"),
         "customers.count": 200},
    )  # fmt: skip
    r = simulate(sc, steps=25, seed=1)
    assert r.steps == 25 and np.isfinite(list(r.final.values())).all()
    if sc.organization.social_media_team:
        from simorg.model import OrgModel

        m = OrgModel(sc, seed=1)
        team = m.state.structure.media_team
        assert team.sum() == sc.organization.social_media_team
        assert set(np.unique(m.state.structure.department[team])) <= {0, 1}


def test_an_org_chart_alone_gets_ties_from_reporting_lines_teams_and_the_rules():
    sc = with_overrides(
        load("traditional_silos"), {"organization.people": str(EXAMPLE / "people.csv")}
    )
    structure = structures.build(sc.organization, np.random.default_rng(0))
    kinds = np.bincount(structure.kind, minlength=len(structures.TIE_KINDS))
    assert kinds[structures.REPORTING] == 2 * (structure.manager >= 0).sum()
    assert kinds[structures.TEAM] > 0 and kinds[structures.CROSS] > 0
    team = structure.kind == structures.TEAM
    assert (
        structure.manager[structure.source[team]] == structure.manager[structure.indices[team]]
    ).all()  # team = same manager


def test_stepwise_order_names_match_imported_departments():
    sc = with_overrides(load("stepwise"), {"organization.people": str(EXAMPLE / "people.csv")})
    orders = [iv.order for iv in sc.interventions if iv.order]
    assert orders == [["Customer Support", "Sales"]]  # the two roles, by the customer_facing column
    with pytest.raises(ScenarioError, match="unknown department 'Nowhere'"):
        with_overrides(sc, {}).model_copy()  # still valid
        from simorg.scenario import from_dict

        data = sc.model_dump()
        data["interventions"][0]["order"] = ["Nowhere"]
        from_dict(data)


# --- the real case: email-eu-core --------------------------------------------------------------


@pytest.fixture(scope="module")
def eu_core() -> Path:
    folder = email_eu_core()
    if folder is None:
        pytest.skip(
            "email-eu-core not found: set SIMORG_EMAIL_EU_CORE or put shared/data/email-eu-core beside the repository"
        )
    return folder


def test_email_eu_core_is_read_as_its_readme_says(eu_core):
    r = simorg("import", "check", "--json", "--drop-self-ties",
               str(eu_core / "email-Eu-core-department-labels.txt"), str(eu_core / "email-Eu-core.txt"))  # fmt: skip
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s["people"], s["departments"], s["ties"]) == (1005, 42, 16064)
    assert s["tie_rows"] == 25571 and s["self_ties_dropped"] == 642
    assert 0.6 < s["cross_department_share"] < 0.7  # "two thirds of the undirected ties"
    assert s["managers_inferred"] and s["leaders_inferred"] and s["pseudonymised"] == 0
    strict = simorg("import", "check", str(eu_core / "email-Eu-core-department-labels.txt"),
                    str(eu_core / "email-Eu-core.txt"))  # fmt: skip
    assert strict.returncode == 2 and "self-tie" in strict.stderr


@pytest.mark.parametrize("name", list(shipped_scenarios()))
def test_every_shipped_scenario_runs_on_email_eu_core(eu_core, name):
    sc = with_overrides(
        load(name),
        {"organization.people": str(eu_core / "email-Eu-core-department-labels.txt"),
         "organization.ties": str(eu_core / "email-Eu-core.txt"), "organization.self_ties": "drop",
         "customers.count": 300},
    )  # fmt: skip
    assert sc.organization.employees == 1005 and sc.organization.departments == 42
    r = simulate(sc, steps=8, seed=2)
    assert r.steps == 8 and np.isfinite(list(r.final.values())).all()


# --- invariants on any organization ---------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def organizations(draw):
    n = draw(st.integers(10, 60))
    depts = draw(st.integers(1, 6))
    department = draw(st.lists(st.integers(0, depts - 1), min_size=n, max_size=n))
    with_managers = draw(st.booleans())
    # a forest: each person's manager comes earlier in the file (or none)
    manager = [-1] + [draw(st.integers(-1, i - 1)) for i in range(1, n)]
    m = draw(st.integers(0, 3 * n))
    ties = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=m, max_size=m)
    )
    return n, department, manager if with_managers else None, [(a, b) for a, b in ties if a != b]


@given(organizations(), st.sampled_from(["silos", "matrix", "fluid"]), st.booleans())
def test_any_imported_organization_gives_a_structure_every_mechanism_can_use(
    tmp_path_factory, org, built, ties_file
):
    n, department, manager, ties = org
    d = tmp_path_factory.mktemp("org")
    rows = ["id,department" + (",manager" if manager else "")]
    for i in range(n):
        rows.append(
            f"u{i}@x.org,D{department[i]}"
            + ("," + (f"u{manager[i]}@x.org" if manager[i] >= 0 else "") if manager else "")
        )
    write(d / "p.csv", "\n".join(rows) + "\n")
    write(d / "t.csv", "source,target\n" + "".join(f"u{a}@x.org,u{b}@x.org\n" for a, b in ties))
    imp = read(d / "p.csv", d / "t.csv" if ties_file and ties else None)
    structure = imported_structure(
        imp, Organization(structure=built, project_team_size=4), np.random.default_rng(0)
    )
    e = np.arange(len(structure.indices))
    assert (structure.reverse[structure.reverse] == e).all() and (
        structure.source[structure.reverse] == structure.indices
    ).all()
    assert (np.diff(structure.indptr) >= 0).all() and structure.indptr[-1] == len(structure.indices)
    assert (structure.source != structure.indices).all()
    has = structure.manager >= 0
    assert (structure.level[has] == structure.level[structure.manager[has]] + 1).all() and (
        structure.level[~has] == 0
    ).all()
    assert structure.is_leader[structure.manager[has]].all() and structure.is_leader[~has].all()
    key = set(zip(structure.source.tolist(), structure.indices.tolist(), strict=True))
    assert all(
        (i, int(structure.manager[i])) in key for i in np.flatnonzero(has)
    )  # reporting lines are ties
    if manager:
        assert (structure.manager == np.array(manager)).all()
    names = sorted({f"D{x}" for x in department})
    assert sorted(imp.department_names) == names and structure.departments == len(names)
    if ties_file and ties:  # every tie of the file is in the structure
        assert all((a, b) in key for a, b in ties)


def test_dropped_files_are_kept_only_as_pseudonymised_copies():
    pytest.importorskip("solara")
    from simorg.app.import_org import scenario_from_files

    files = [(n, (EXAMPLE / n).read_bytes()) for n in ("ties.csv", "people.csv")]
    sc = scenario_from_files(files, load("traditional_silos"))
    folder = Path(sc.organization.people).parent
    assert sorted(p.name for p in folder.iterdir()) == ["people.csv", "ties.csv"]  # no originals
    text = (folder / "people.csv").read_text() + (folder / "ties.csv").read_text()
    assert "@" not in text and "Hamilton" not in text
    assert sc.organization.employees == 302 and sc.department_names()[0] == "Customer Support"
    original = imported_structure(
        read(EXAMPLE / "people.csv", EXAMPLE / "ties.csv"),
        sc.organization,
        np.random.default_rng(1),
    )
    copy = structures.build(sc.organization, np.random.default_rng(1))
    for name in FIELDS:
        assert np.array_equal(getattr(original, name), getattr(copy, name)), name
    with pytest.raises(ScenarioError, match=r"^p.csv:3: duplicate id '1'"):
        scenario_from_files([("p.csv", b"id,department\n1,A\n1,A\n")], load("traditional_silos"))


def test_every_shipped_experiment_runs_on_the_example(tmp_path):
    """Each shipped experiment with a `set` table naming the example's files (relative to the
    experiment file): it resolves, and its first and last variants run a few steps."""
    import shutil

    from simorg.experiments import design as dz
    from simorg.experiments import spec
    from simorg.experiments.runner import run_one

    shutil.copytree(EXAMPLE, tmp_path / "example_org")
    (tmp_path / "exp").mkdir()
    for name, path in spec.shipped_experiments().items():
        text = path.read_text() + (
            '\n[set]\n"organization.people" = "../example_org/people.csv"\n'
            '"organization.ties" = "../example_org/ties.csv"\n'
        )
        (tmp_path / "exp" / f"{name}.toml").write_text(text)
        d = dz.load_design(tmp_path / "exp" / f"{name}.toml", replications=1)
        for v in (d.variants[0], d.variants[-1]):
            base = Scenario.model_validate(d.bases[v.base])
            assert base.organization.employees == 302, name
            final, _ = run_one(base, v.params, d.seeds[0], 3, 0, d.outcomes)
            assert np.isfinite(final).all(), name


def test_the_old_name_organizations_load_warns_and_is_load_organization():
    """`organizations.load` (docs/importing.md named it) is now `load_organization`."""
    from simorg import organizations

    with pytest.warns(DeprecationWarning, match="load_organization"):
        old = organizations.load
    assert old is organizations.load_organization
