"""The scenario schema: every parameter of simorg, declared once.

A parameter is a pydantic field with a default, a range and a one-line meaning. The CLI (`--set`,
`simorg params`), the docs and the browser app all read them from here, so a range or a help text
is never written twice. Scenario files are TOML; unknown keys are rejected so that a typo cannot pass
silently as "default".
"""

from __future__ import annotations

import os
import re
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simorg.errors import SimorgError
from simorg.limits import (
    MAX_CUSTOMERS,
    MAX_DEPARTMENTS,
    MAX_EMPLOYEES,
    MAX_SEED,
    MAX_STEPS,
    MIN_EMPLOYEES,
)

__all__ = [
    "Conversation",
    "Culture",
    "Customers",
    "Intervention",
    "Learning",
    "Organization",
    "Parameter",
    "Scenario",
    "ScenarioError",
    "Turnover",
    "from_dict",
    "load",
    "parameters",
    "shipped_scenarios",
    "with_overrides",
    "workshop_scenarios",
]

# The shipped scenarios: the top-level scenarios/ folder, installed as the package simorg.scenarios
# (pyproject.toml), so a wheel and an editable install find them the same way.
SCENARIO_DIR: Traversable = resources.files("simorg.scenarios")

DEPARTMENT_NAMES: tuple[str, ...] = (
    "Customer Service",
    "Marketing & Sales",
    "Product Development",
    "Operations",
    "IT",
    "Finance",
    "Human Resources",
    "Legal",
    "Logistics",
    "Research",
)


class ScenarioError(SimorgError, ValueError):
    """A scenario that cannot be used; its message is one line that names the file, key and fix."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Organization(Section):
    """Who works here and how they are wired together."""

    employees: int = Field(
        300,
        ge=MIN_EMPLOYEES,
        le=MAX_EMPLOYEES,
        description="People employed, leaders included",
        json_schema_extra={"unit": "people"},
    )
    departments: int = Field(
        6,
        ge=1,
        le=MAX_DEPARTMENTS,
        description="Functional departments (first two: Customer Service, Marketing & Sales)",
        json_schema_extra={"unit": "departments"},
    )
    structure: Literal["hierarchy", "silos", "matrix", "network", "fluid"] = Field(
        "silos",
        description="How ties are laid: hierarchy, silos (departments), matrix (plus project teams), network (small world), fluid (teams re-form)",
    )
    span_of_control: int = Field(
        8,
        ge=2,
        le=100,
        description="Direct reports per manager",
        json_schema_extra={"unit": "people per manager"},
    )
    team_ties: float = Field(
        6.0,
        ge=0,
        le=100,
        description="Mean informal ties per person inside the own department",
        json_schema_extra={"unit": "ties per person"},
    )
    cross_ties: float = Field(
        1.0,
        ge=0,
        le=100,
        description="Mean informal ties per person to other departments",
        json_schema_extra={"unit": "ties per person"},
    )
    permeability: float = Field(
        0.2,
        ge=0,
        le=1,
        description="How easily talk and requests cross department boundaries (0 = sealed silos, 1 = no silos)",
    )
    project_team_size: int = Field(
        8,
        ge=2,
        le=100,
        description="Members of a cross-functional project team (matrix and fluid structures)",
        json_schema_extra={"unit": "people"},
    )
    team_reform_every: int = Field(
        0,
        ge=0,
        le=10_000,
        description="Steps between re-forming project teams (fluid work; 0 = never)",
        json_schema_extra={"unit": "steps"},
    )
    rewire: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Share of ties rewired at random (network structure: small world)",
        json_schema_extra={"unit": "probability per tie"},
    )
    platform: bool = Field(
        False,
        description="An enterprise social platform lets anyone reach anyone",
        json_schema_extra={"unit": "bool"},
    )
    customer_facing: Literal["none", "team", "everyone"] = Field(
        "none",
        description="Who answers customers on public channels: none (requests queue at Customer Service), the social-media team, or everyone",
    )
    social_media_team: int = Field(
        0,
        ge=0,
        le=10_000,
        description="Size of a dedicated social-media team in Customer Service and Marketing & Sales",
        json_schema_extra={"unit": "people"},
    )
    social_media_team_wired: bool = Field(
        False,
        description="Whether the social-media team keeps its ties into the rest of the organization",
        json_schema_extra={"unit": "bool"},
    )
    linking: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Share of informal ties inside departments rewired to other departments, every person keeping their number of ties",
        json_schema_extra={"unit": "share of within-department informal ties"},
    )
    # --- issue 13: an organization imported from files (simorg/organizations, docs/importing.md)
    people: str = Field(
        "",
        description="People file (CSV: id, department[, manager, leader, customer_facing, level]); sets employees and departments",
    )
    ties: str = Field(
        "",
        description="Ties file (CSV source,target[,weight], GraphML, GEXF or an edge list); none: ties from the org chart",
    )
    department_attribute: str = Field(
        "department",
        description="Column (or GraphML/GEXF node attribute) that holds each person's department",
    )
    self_ties: Literal["error", "drop"] = Field(
        "error",
        description="A tie from a person to themselves in the ties file: an error, or dropped (e-mail data)",
    )

    @model_validator(mode="before")
    @classmethod
    def _imported(cls, data: Any) -> Any:
        """With people or ties files, the organization's size and departments come from them."""
        if not isinstance(data, dict) or not (data.get("people") or data.get("ties")):
            return data
        from simorg.organizations import OrganizationFileError, load_files

        data = dict(data)
        for key in ("people", "ties"):
            if data.get(key):
                data[key] = os.path.abspath(os.path.expanduser(str(data[key])))
        try:
            imp = load_files(
                data.get("people") or None,
                data.get("ties") or None,
                str(data.get("department_attribute", "department")),
                int(data.get("span_of_control", cls.model_fields["span_of_control"].default)),
                data.get("self_ties", "error") == "drop",
            )
        except OrganizationFileError as exc:
            raise ValueError(str(exc)) from None
        if imp.n < MIN_EMPLOYEES:
            raise ValueError(
                f"{imp.files[0]}: {imp.n} people; simorg needs at least {MIN_EMPLOYEES}"
            )
        if imp.departments > MAX_DEPARTMENTS:
            raise ValueError(
                f"{imp.files[0]}: {imp.departments} departments; at most {MAX_DEPARTMENTS}"
            )
        data["employees"], data["departments"] = imp.n, imp.departments
        return data

    # --- end issue 13


class Customers(Section):
    """The market: who asks, who judges, who buys."""

    count: int = Field(
        1000, ge=0, le=MAX_CUSTOMERS, description="People in the market: customers and prospects"
    )
    initial_share: float = Field(
        0.8, ge=0, le=1, description="Share of the market who are customers at the start"
    )
    needs: int = Field(
        3, ge=1, le=100, description="Dimensions of reality each customer cares about"
    )
    request_rate: float = Field(
        0.05,
        ge=0,
        le=1,
        description="λ: chance per step that a customer without an open request raises one",
    )
    request_limit: int = Field(
        12, ge=1, le=10_000, description="Steps a request may stay open before it fails"
    )
    handovers: int = Field(
        3,
        ge=1,
        le=100,
        description="Hand-overs a request can make per step (a week): the pace of routing",
    )
    escalate_after: int = Field(
        2,
        ge=0,
        le=10_000,
        description="Hand-overs a holder keeps a request they cannot route before escalating it to their manager (0 = never)",
    )
    outside_expertise: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Chance that someone outside the owning department who believes the right answer can give it",
    )
    initial_trust: float = Field(
        0.5, ge=0, le=1, description="Customers' starting trust in the company"
    )
    trust_gain: float = Field(
        0.15, ge=0, le=1, description="Share of the distance to full trust a fast resolution closes"
    )
    trust_loss: float = Field(
        0.15, ge=0, le=1, description="Share of trust a failed request destroys"
    )
    promise_penalty: float = Field(
        0.15,
        ge=0,
        le=1,
        description="Extra share of trust lost when an acknowledged request fails (a promise nobody kept)",
    )
    heard_gain: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Share of the distance to full trust a customer gains when a person acknowledges the request (being heard)",
    )
    public_talk: float = Field(
        0.05,
        ge=0,
        le=100,
        description="Public conversations with customers per customer-facing employee per step at full practice",
    )
    churn: float = Field(
        0.01, ge=0, le=1, description="Chance per step that a customer at zero trust leaves"
    )
    acquisition: float = Field(
        0.01,
        ge=0,
        le=1,
        description="Chance per step that a prospect at full trust (word of mouth, reputation) becomes a customer",
    )
    word_of_mouth: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Rate at which a customer's trust moves toward their contacts' trust",
    )
    public_share: float = Field(
        0.05, ge=0, le=1, description="Share of resolutions and failures that happen in public"
    )
    public_reach: int = Field(
        50, ge=0, le=1_000_000, description="Customers who see one public resolution or failure"
    )
    public_impact: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Share of the trust change a public event passes on to those who see it",
    )
    purchase_rate: float = Field(
        0.2, ge=0, le=1, description="Chance per step a fully trusting customer buys"
    )
    price: float = Field(1.0, ge=0, le=1e9, description="Revenue per purchase")


class Culture(Section):
    """How people communicate, and how that changes."""

    practice: float = Field(
        0.3, ge=0, le=1, description="Mean starting social practice (openness, two-way sharing)"
    )
    practice_spread: float = Field(
        0.1, ge=0, le=1, description="Spread (sd) of starting social practice"
    )
    early_adopters: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Share of non-managers (informal leaders first) who start at high practice",
    )
    early_adopter_practice: float = Field(
        0.9, ge=0, le=1, description="Social practice of early adopters"
    )
    walk_the_talk: float = Field(0.3, ge=0, le=1, description="w: leaders' own social practice")
    stubbornness: float = Field(
        0.5,
        ge=0,
        le=1,
        description="σ: weight leaders keep on their own commitment w against what they see (1 = held at walk_the_talk)",
    )
    persistence: float = Field(
        0.2,
        ge=0,
        le=1,
        description="φ: weight employees keep on their own habitual practice (Friedkin-Johnsen; 0 = pure imitation)",
    )
    informal_influence: float = Field(
        0.3,
        ge=0,
        le=1,
        description="κ: share of the role models' weight ρ that goes to informal leaders among one's ties",
    )
    role_modeling: float = Field(
        0.4, ge=0, le=1, description="ρ: weight of the manager's practice in what people imitate"
    )
    adaptation: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Rate at which practice moves toward what people see around them",
    )
    vision: float = Field(
        0.0, ge=0, le=1, description="Announced level of openness (0 = no vision announced)"
    )
    vision_pull: float = Field(
        0.3, ge=0, le=1, description="Weight of an announced vision in the practice people aim for"
    )
    absorption: float = Field(
        0.05, ge=0, le=10, description="Change per step a department absorbs without friction"
    )
    resistance: float = Field(
        2.0,
        ge=0,
        le=100,
        description="How strongly unabsorbed change pushes practice back to the old culture",
    )
    leadership_trust: float = Field(0.5, ge=0, le=1, description="Starting trust in leadership")
    leadership_trust_rate: float = Field(
        0.05, ge=0, le=1, description="Rate at which trust in leadership follows what leaders do"
    )
    credibility: float = Field(
        1.0,
        ge=0,
        le=10,
        description="How much the gap between vision and leaders' practice moves trust in leadership",
    )


class Learning(Section):
    """Knowledge: reality, the organizational code and people's beliefs (March 1991)."""

    dimensions: int = Field(30, ge=1, le=1000, description="m: dimensions of reality")
    socialization: float = Field(
        0.1, ge=0, le=1, description="p1: chance per step a belief moves toward the code"
    )
    code_learning: float = Field(
        0.5, ge=0, le=1, description="p2: rate at which the code learns from the superior group"
    )
    peer_learning: float = Field(
        0.3,
        ge=0,
        le=1,
        description="p_peer: chance an open contact passes on a differing belief on a topic (times trust)",
        json_schema_extra={"unit": "probability (× tie trust)"},
    )
    listening: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Chance an employee at full practice learns a customer's true need",
    )
    failure_learning: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Chance a failed or escalated request corrects the code and the people who got it wrong (problemistic search)",
    )
    transactive_memory: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Chance that people who handled a resolved request remember who answered its topic",
    )
    voice_hierarchy: float = Field(
        0.5,
        ge=0,
        le=1,
        description="How much voice depends on rank: 0 = everyone is heard by the code, 1 = non-leaders only as far as they share",
    )
    turbulence: float = Field(
        0.01,
        ge=0,
        le=1,
        description="p4: chance per step a dimension of reality flips (the market moves)",
    )
    peer_rule: Literal["conformity", "better_performer", "better_on_topic"] = Field(
        "better_performer",
        description="Whom people learn from in open contacts: anyone (conformity), a colleague who performs better on the whole task (better_performer), or one whose belief does better on the topic (better_on_topic)",
        json_schema_extra={"unit": "choice"},
    )
    # --- issue 9: an NK task and department codes (docs/odd.md, learning on an NK task)
    task: Literal["additive", "nk"] = Field(
        "additive",
        description="The task: March's additive reality (each dimension counts on its own) or an NK landscape (each dimension's value depends on K others)",
        json_schema_extra={"unit": "choice"},
    )
    nk_k: int = Field(
        5,
        ge=0,
        le=21,
        description="K: how many other dimensions each dimension's value depends on (NK task; below learning.dimensions)",
        json_schema_extra={"unit": "dimensions"},
    )
    nk_interaction: Literal["random", "adjacent"] = Field(
        "random",
        description="Which K dimensions each one depends on (NK task): drawn at random, or the K next ones",
        json_schema_extra={"unit": "choice"},
    )
    nk_normalise: bool = Field(
        True,
        description="Scores on the NK task divided by the landscape's best possible (as Lazer & Friedman 2007)",
    )
    nk_power: float = Field(
        1.0,
        ge=0.01,
        le=16,
        description="Power the NK score is raised to, to spread scores (Lazer & Friedman 2007 use 8); changes outcomes, not who learns from whom",
    )
    department_codes: bool = Field(
        False,
        description="Each department also keeps its own code (sub-unit routines) that learns from its own members and socializes them",
    )
    department_socialization: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Chance per step a belief moves toward the own department's code (department codes)",
        json_schema_extra={"unit": "probability per step"},
    )

    @model_validator(mode="after")
    def _nk_fits(self) -> Learning:
        from simorg.performance import MAX_NK_DIMENSIONS

        if self.task != "nk":
            return self
        if self.dimensions > MAX_NK_DIMENSIONS:
            raise ValueError(
                f"learning.task = 'nk' needs learning.dimensions <= {MAX_NK_DIMENSIONS} (the "
                f"landscape's optimum is found by scoring all 2^N solutions), got "
                f"{self.dimensions}; set learning.dimensions=20"
            )
        if self.nk_k >= self.dimensions:
            raise ValueError(
                f"learning.nk_k must be below learning.dimensions ({self.dimensions}), got "
                f"{self.nk_k}; set learning.nk_k={self.dimensions - 1} or fewer"
            )
        return self

    # --- end issue 9


class Conversation(Section):
    """Colleagues talk."""

    contacts: int = Field(
        3,
        ge=0,
        le=100,
        description="Contacts per person per step along their ties",
        json_schema_extra={"unit": "contacts per person per step"},
    )
    topics: int = Field(
        3,
        ge=1,
        le=1000,
        description="Dimensions of reality one conversation is about",
        json_schema_extra={"unit": "dimensions per contact"},
    )
    platform_contacts: float = Field(
        1.0,
        ge=0,
        le=100,
        description="Extra contacts per step through the platform at full practice",
        json_schema_extra={"unit": "contacts per person per step at s = 1"},
    )
    initial_tie_trust: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Trust on the ties people have at the start",
        json_schema_extra={"unit": "trust (0–1)"},
    )
    trust_sharing: float = Field(
        0.5,
        ge=0,
        le=1,
        description="How much willingness to share with a colleague rises with trust in them (0 = practice alone)",
        json_schema_extra={"unit": "share"},
    )
    contact_memory: float = Field(
        0.9,
        ge=0,
        le=0.999,
        description="Weight a tie's recent contacts keep each step (0.9: about ten weeks); ties without recent contact are dormant",
        json_schema_extra={"unit": "weight per step"},
    )
    trust_gain: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Share of the distance to full trust an open contact closes",
        json_schema_extra={"unit": "share of 1 − t per open contact"},
    )
    trust_decay: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Share of tie trust a closed or one-way contact erodes",
        json_schema_extra={"unit": "share of t per closed contact"},
    )


class Turnover(Section):
    """People leave and join."""

    base_rate: float = Field(
        0.001, ge=0, le=1, description="Chance per step that a fully trusting employee leaves"
    )
    trust_sensitivity: float = Field(
        0.004, ge=0, le=1, description="Extra chance per step of leaving at zero trust"
    )
    newcomer_trust: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Trust on a new hire's ties, both ways (a stranger's trust)",
    )


# Parameters read only when the organization is built: a `set` intervention could not change them.
STARTUP_ONLY: dict[str, str] = {
    "culture.practice": "use walk_the_talk or announce_vision to move practice",
    "culture.practice_spread": "it only shapes the starting culture",
    "culture.early_adopters": "it only shapes the starting culture",
    "culture.early_adopter_practice": "it only shapes the starting culture",
    "culture.vision": "use action 'announce_vision'",
    "culture.walk_the_talk": "use action 'walk_the_talk'",
    "customers.count": "the market's size is fixed for a run",
    "customers.needs": "customers' needs are drawn at start-up",
    "customers.initial_trust": "it only sets the starting trust",
    "customers.initial_share": "it only sets the starting customers",
    "learning.dimensions": "reality's size is fixed for a run",
    "learning.task": "the task is fixed for a run",
    "learning.nk_k": "the landscape is drawn at start-up",
    "learning.nk_interaction": "the landscape is drawn at start-up",
    "learning.nk_normalise": "the score is set up at start-up",
    "learning.nk_power": "the score is set up at start-up",
    "learning.department_codes": "department codes exist from start-up or not at all",
}


# Conditional levers: a parameter that is read only when a mechanism is switched on, and the
# switch. `simorg levers` switches the mechanism on (in both arms) before moving such a lever; a
# tuple lists the values that count as on (the first is used), a number is the value used when
# the base has the switch at 0.
LEVER_NEEDS: dict[str, dict[str, Any]] = {
    "organization.rewire": {"organization.structure": ("network",)},
    "organization.project_team_size": {"organization.structure": ("matrix", "fluid")},
    "organization.team_reform_every": {"organization.structure": ("fluid",)},
    "organization.social_media_team_wired": {
        "organization.customer_facing": ("team",),
        "organization.social_media_team": 12,
    },
    "conversation.platform_contacts": {"organization.platform": (True,)},
    "culture.early_adopter_practice": {"culture.early_adopters": 0.15},
    "culture.credibility": {"culture.vision": 0.8},
    "culture.vision_pull": {"culture.vision": 0.8},
    "customers.promise_penalty": {"organization.customer_facing": ("everyone", "team")},
    "customers.heard_gain": {"organization.customer_facing": ("everyone", "team")},
    "customers.public_talk": {"organization.customer_facing": ("everyone", "team")},
}


class Intervention(Section):
    """A timed move of the transformation, applied before the step it names."""

    at: int = Field(
        ..., ge=0, le=1_000_000, description="Step before which the intervention is applied"
    )
    action: Literal[
        "announce_vision",
        "walk_the_talk",
        "open_silos",
        "enable_platform",
        "social_media_team",
        "empower_everyone",
        "project_teams",
        "set",
    ] = Field(..., description="What changes")
    level: float | None = Field(
        None, ge=0, le=1, description="New level (vision, walk-the-talk, permeability)"
    )
    size: int | None = Field(None, ge=0, le=10_000, description="Team size (social_media_team)")
    pace: Literal["big_bang", "stepwise"] = Field(
        "big_bang", description="All departments at once, or one at a time"
    )
    order: list[str] = Field(
        default_factory=list,
        description="Stepwise: departments in the order they change (default: as numbered)",
    )
    every: int = Field(
        10, ge=1, le=10_000, description="Stepwise: steps between one department and the next"
    )
    key: str | None = Field(
        None, description="set: the dotted parameter to change, e.g. learning.socialization"
    )
    value: float | int | bool | None = Field(None, description="set: the new value")

    @model_validator(mode="after")
    def _check(self) -> Intervention:
        if self.action in ("announce_vision", "walk_the_talk", "open_silos") and self.level is None:
            raise ValueError(f"action '{self.action}' needs a level in [0, 1]")
        if self.action == "set":
            if self.key is None or self.value is None:
                raise ValueError("action 'set' needs key = 'section.parameter' and value")
            section, _, name = self.key.partition(".")
            if section not in ("learning", "turnover", "conversation", "culture", "customers"):
                raise ValueError(
                    f"'set' can change learning, turnover, conversation, culture or customers parameters, not '{self.key}'"
                )
            fields = SECTION_TYPES[section].model_fields
            if self.key in REMOVED:
                raise ValueError(f"'{self.key}' was removed: {REMOVED[self.key]}")
            if name not in fields:
                raise ValueError(f"unknown parameter '{self.key}'")
            if self.key in STARTUP_ONLY:
                raise ValueError(f"'{self.key}' is only read at start-up; {STARTUP_ONLY[self.key]}")
            _check_set_value(section, name, self.value)
        return self


def _check_set_value(section: str, name: str, value: Any) -> None:
    """A `set` intervention's value is checked against its parameter's range when the file loads,
    not when the intervention fires."""
    cls = SECTION_TYPES[section]
    try:
        cls.__pydantic_validator__.validate_assignment(cls.model_construct(), name, value)
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"]
        raise ValueError(f"'set' value {value!r} for {section}.{name}: {msg}") from None


def check_fires(scenario: Scenario, steps: int | None = None, source: str = "") -> None:
    """Refuse an intervention that cannot fire in a run of `steps` steps (default: the scenario's):
    one applied before step `at` needs `at < steps`."""
    late = _never_fires(scenario.interventions, scenario.steps if steps is None else steps)
    if late:
        raise ScenarioError(f"{source}: {late}" if source else late)


def _never_fires(interventions: list[Intervention], steps: int) -> str | None:
    for i, iv in enumerate(interventions):
        if iv.at >= steps:
            return (
                f"interventions.{i}.at: {iv.action} at step {iv.at} never fires in a run of "
                f"{steps} steps; use at < {steps} or run more steps"
            )
    return None


class Scenario(Section):
    """A complete, validated description of one organization and what happens to it."""

    name: str = Field("custom", description="Short name")
    description: str = Field("", description="One-line story")
    steps: int = Field(200, ge=1, le=MAX_STEPS, description="Steps to run (one step = one week)")
    seed: int = Field(42, ge=0, le=MAX_SEED, description="Seed of the run")
    organization: Organization = Field(default_factory=Organization)
    customers: Customers = Field(default_factory=Customers)
    culture: Culture = Field(default_factory=Culture)
    learning: Learning = Field(default_factory=Learning)
    conversation: Conversation = Field(default_factory=Conversation)
    turnover: Turnover = Field(default_factory=Turnover)
    interventions: list[Intervention] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        late = _never_fires(self.interventions, self.steps)
        if late:
            raise ValueError(late)
        depts = self.department_names()
        if self.organization.people or self.organization.ties:  # issue 13: imported departments
            from simorg.organizations.names import match_order

            for iv in self.interventions:
                iv.order = match_order(iv.order, depts)
        for iv in self.interventions:
            for d in iv.order:
                if d not in depts:
                    raise ValueError(
                        f"interventions: unknown department '{d}' in order; known: {', '.join(depts)}"
                    )
        return self

    def department_names(self) -> list[str]:
        if self.organization.people or self.organization.ties:  # issue 13: names from the data
            from simorg.organizations import load_organization

            return list(load_organization(self.organization).department_names)
        d = self.organization.departments
        names = list(DEPARTMENT_NAMES[:d])
        names += [f"Department {i + 1}" for i in range(len(names), d)]
        return names


SECTION_TYPES: dict[str, type[Section]] = {
    "organization": Organization,
    "customers": Customers,
    "culture": Culture,
    "learning": Learning,
    "conversation": Conversation,
    "turnover": Turnover,
}


# --- parameters as a flat catalogue (for the CLI, the app and the docs) -------------------------


class Parameter(BaseModel):
    key: str
    kind: str
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    help: str = ""
    needs: dict[str, Any] = {}  # the mechanism switch a conditional lever needs (LEVER_NEEDS)
    unit: str | None = None


def parameters() -> list[Parameter]:
    """Every tunable parameter as `section.name` with its type, default, range and meaning."""
    out: list[Parameter] = []
    for section, cls in SECTION_TYPES.items():
        for name, f in cls.model_fields.items():
            low = high = None
            for m in f.metadata:
                low = getattr(m, "ge", low)
                high = getattr(m, "le", high)
            ann = f.annotation
            choices = tuple(getattr(ann, "__args__", ())) if "Literal" in str(ann) else None
            kind = "choice" if choices else getattr(ann, "__name__", str(ann))
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            out.append(
                Parameter(
                    key=f"{section}.{name}",
                    kind=kind,
                    default=f.default,
                    low=low,
                    high=high,
                    choices=choices,
                    help=f.description or "",
                    needs=LEVER_NEEDS.get(f"{section}.{name}", {}),
                    unit=str(extra["unit"]) if "unit" in extra else None,
                )
            )
    return out


# --- loading ---------------------------------------------------------------------------------------


def shipped_files(folder: Traversable) -> dict[str, Traversable]:
    """Name -> file of every .toml file in a shipped data package, sorted by name."""
    found = (p for p in folder.iterdir() if p.is_file() and p.name.endswith(".toml"))
    return {p.name.removesuffix(".toml"): p for p in sorted(found, key=lambda p: p.name)}


def shipped_scenarios() -> dict[str, Traversable]:
    """Name -> file of every scenario shipped in scenarios/ (the package simorg.scenarios)."""
    return shipped_files(SCENARIO_DIR)


#: The workshop scenarios (scenarios/workshop/, the package simorg.scenarios.workshop), named
#: `workshop/<name>`; not among shipped_scenarios(), so `simorg demo` and `simorg levers` keep to
#: the top-level ones.
WORKSHOP_PREFIX = "workshop/"


def workshop_scenarios() -> dict[str, Traversable]:
    """`workshop/<name>` -> file of every scenario for the facilitator's kit (docs/workshop/)."""
    folder = SCENARIO_DIR / "workshop"
    found = shipped_files(folder) if folder.is_dir() else {}
    return {WORKSHOP_PREFIX + name: f for name, f in found.items()}


def locate(ref: str | Path) -> Path | Traversable:
    """A scenario is named (`social_business`, `workshop/silos_room`) or given by path (a file
    that exists wins over a workshop name)."""
    p = Path(ref)
    if str(ref).startswith(WORKSHOP_PREFIX) and not p.exists():
        workshop = workshop_scenarios()
        if str(ref) in workshop:
            return workshop[str(ref)]
        if p.suffix != ".toml":
            raise ScenarioError(f"{ref}: unknown workshop scenario; shipped: {', '.join(workshop)}")
    if p.suffix == ".toml" or p.exists() or "/" in str(ref):
        if not p.exists():
            raise ScenarioError(
                f"{ref}: no such file; give a path to a .toml file or a shipped name"
            )
        return p
    shipped = shipped_scenarios()
    if str(ref) in shipped:
        return shipped[str(ref)]
    raise ScenarioError(
        f"{ref}: unknown scenario; shipped: {', '.join(shipped)} (or give a path to a .toml file)"
    )


# Parameters that were removed because they moved no outcome in any shipped scenario (`simorg
# levers`, docs/results.md): key -> what to do instead. A file that still sets one is refused.
REMOVED: dict[str, str] = {
    "customers.ties": "merged into customers.word_of_mouth (the number of word-of-mouth ties "
    "moved nothing; set word_of_mouth = 0 to switch word of mouth off)",
}


SHOWN_INPUT = 64  # characters of a refused value quoted in its one-line error (a long list is cut)


def _first_error(exc: ValidationError, source: str) -> ScenarioError:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
    msg = err["msg"]
    got = "" if isinstance(err.get("input"), dict) else f" (got {err.get('input')!r})"
    if err["type"] == "extra_forbidden" and loc in REMOVED:
        return ScenarioError(f"{source}: '{loc}' was removed: {REMOVED[loc]}; delete it")
    if err["type"] == "extra_forbidden":
        return ScenarioError(
            f"{source}: unknown key '{loc}'; run 'simorg params' for the valid keys"
        )
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if not err["loc"]:  # a check across fields: the message names them, the input is everything
        return ScenarioError(f"{source}: {msg}")
    if got:
        got = got if len(got) <= SHOWN_INPUT + 3 else got[:SHOWN_INPUT] + "...)"
    return ScenarioError(f"{source}: {loc}: {msg}{got}")


def from_dict(data: dict[str, Any], source: str = "scenario") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, source) from None


def load(ref: str | Path) -> Scenario:
    """Load and validate a scenario by name or path; errors are one-line ScenarioErrors."""
    path = locate(ref)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
            "save the scenario file as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: TOML syntax error: {exc}") from None
    data.setdefault("name", path.name.removesuffix(".toml"))
    anchor_paths(data, Path(str(path)).parent)
    return from_dict(data, str(path))


def anchor_paths(data: dict[str, Any], folder: Path) -> None:
    """An organization's people and ties files are named relative to the scenario file's folder."""
    org = data.get("organization")
    if isinstance(org, dict):
        for key in ("people", "ties"):
            if isinstance(org.get(key), str) and org[key]:
                org[key] = str(folder / os.path.expanduser(org[key]))


def _parse_value(text: str) -> Any:
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if re.fullmatch(r"[+-]?\d+", low):
        return int(low)
    try:
        return float(low)
    except ValueError:
        return text


def with_overrides(
    scenario: Scenario, overrides: dict[str, Any], source: str = "--set"
) -> Scenario:
    """A copy of `scenario` with dotted keys changed (`culture.vision=0.8`), validated again."""
    data = scenario.model_dump()
    for key, value in overrides.items():
        if key in REMOVED:
            raise ScenarioError(f"{source}: '{key}' was removed: {REMOVED[key]}; delete it")
        parts = key.split(".")
        node = data
        for p in parts[:-1]:
            if not isinstance(node.get(p), dict):
                raise ScenarioError(
                    f"{source}: unknown key '{key}'; run 'simorg params' for the valid keys"
                )
            node = node[p]
        if parts[-1] not in node:
            raise ScenarioError(
                f"{source}: unknown key '{key}'; run 'simorg params' for the valid keys"
            )
        node[parts[-1]] = _parse_value(value) if isinstance(value, str) else value
    return from_dict(data, source)


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """`["a.b=1", ...]` -> {"a.b": "1"}; a malformed item is a one-line error."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(
                f"--set {item!r}: expected section.key=value, e.g. culture.vision=0.8"
            )
        out[key.strip()] = value.strip()
    return out
