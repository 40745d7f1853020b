"""Controls built from the scenario schema: one declaration (simorg.scenario.parameters()) gives the
CLI's `--set`, `simorg params` and these widgets the same keys, ranges and help texts.

A number whose range spans at most 100 units gets a slider; wider ranges (employees, customers,
price) get a number field that refuses values outside the range; a choice gets a drop-down and a
yes/no a switch. Each control shows its help text under it. Edits are kept as overrides of the chosen
scenario and take effect on **Reset**, like the seed: a run never changes under the user's feet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import solara
from solara.alias import rv

from simorg.scenario import Parameter, Scenario, parameters

SECTION_TITLES = {
    "organization": "Organization",
    "customers": "Customers",
    "culture": "Culture",
    "learning": "Learning",
    "conversation": "Conversation",
    "turnover": "Turnover",
}


def catalogue_by_section() -> dict[str, list[Parameter]]:
    out: dict[str, list[Parameter]] = {}
    for p in parameters():
        out.setdefault(p.key.split(".", 1)[0], []).append(p)
    return out


def scenario_value(scenario: Scenario, key: str) -> Any:
    section, name = key.split(".", 1)
    return getattr(getattr(scenario, section), name)


def uses_slider(p: Parameter) -> bool:
    return (
        p.kind in ("int", "float")
        and p.low is not None
        and p.high is not None
        and p.high - p.low <= 100
    )


def slider_step(p: Parameter) -> float:
    if p.kind == "int" or p.low is None or p.high is None:
        return 1
    span = p.high - p.low
    return 0.01 if span <= 1 else (0.05 if span <= 10 else 0.5)


def parse_number(p: Parameter, text: str) -> tuple[Any, str | None]:
    """(value, error) for a typed number, checked against the parameter's range."""
    try:
        value: Any = int(text) if p.kind == "int" else float(text)
    except (TypeError, ValueError):
        return None, f"enter {'a whole number' if p.kind == 'int' else 'a number'}"
    if p.low is not None and value < p.low:
        return None, f"at least {p.low:g}"
    if p.high is not None and value > p.high:
        return None, f"at most {p.high:g}"
    return value, None


@solara.component
def ParameterControl(p: Parameter, value: Any, changed: bool, on_value: Callable[[str, Any], None]):
    name = p.key.split(".", 1)[1].replace("_", " ")
    classes = ["simorg-param"] + (["simorg-changed"] if changed else [])
    text, set_text = solara.use_state(str(value), key=f"text-{p.key}")
    error, set_error = solara.use_state(cast(str | None, None), key=f"err-{p.key}")

    def typed(v):
        set_text(v)
        parsed, err = parse_number(p, v)
        set_error(err)
        if err is None:
            on_value(p.key, parsed)

    with solara.Div(classes=classes):
        if p.kind == "bool":
            rv.Switch(label=name, v_model=bool(value), on_v_model=lambda v: on_value(p.key, bool(v)),
                      hint=p.help, persistent_hint=True, dense=True, inset=True)  # fmt: skip
        elif p.kind == "choice":
            rv.Select(label=name, items=list(p.choices or ()), v_model=value,
                      on_v_model=lambda v: on_value(p.key, v), hint=p.help, persistent_hint=True,
                      dense=True)  # fmt: skip
        elif p.kind == "str":  # issue 13: a path on the server (organization.people, .ties)
            solara.InputText(label=f"{name} ({p.help})", value=str(value), continuous_update=False,
                             on_value=lambda v: on_value(p.key, v))  # fmt: skip
        elif uses_slider(p) and p.low is not None and p.high is not None:
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            rv.Slider(label=f"{name}: {shown}", v_model=value, min=p.low, max=p.high, step=slider_step(p),
                      on_v_model=lambda v: on_value(p.key, int(v) if p.kind == "int" else float(v)),
                      hint=p.help, persistent_hint=True, dense=True, thumb_label=True)  # fmt: skip
        else:
            shown = text if error else str(value)
            rv.TextField(label=f"{name} ({p.low:g} … {p.high:g})", v_model=shown, type="number",
                         on_v_model=typed, hint=p.help, persistent_hint=True, dense=True,
                         error_messages=[error] if error else [])  # fmt: skip


@solara.component
def ParameterSection(
    section: str, params: list[Parameter], base: Scenario, overrides: solara.Reactive[dict]
):
    open_, set_open = solara.use_state(False)
    changed = [p for p in params if p.key in overrides.value]
    label = SECTION_TITLES.get(section, section.title())
    if changed:
        label += f"  ({len(changed)} changed)"

    def set_value(key: str, v: Any):
        new = dict(overrides.value)
        if v == scenario_value(base, key):
            new.pop(key, None)
        else:
            new[key] = v
        overrides.set(new)

    solara.Button(label, icon_name="mdi-chevron-up" if open_ else "mdi-chevron-down",
                  on_click=lambda: set_open(not open_), text=True, block=True,
                  classes=["simorg-section-btn"])  # fmt: skip
    if open_:
        with solara.Column(gap="2px", style={"padding": "0 4px 8px 4px"}):
            for p in params:
                value = overrides.value.get(p.key, scenario_value(base, p.key))
                ParameterControl(p, value, p.key in overrides.value, set_value).key(p.key)


@solara.component
def ParameterPanel(base: Scenario, overrides: solara.Reactive[dict]):
    sections = solara.use_memo(catalogue_by_section, [])
    with solara.Column(gap="0px"):
        for section, params in sections.items():
            ParameterSection(section, params, base, overrides).key(section)
        if overrides.value:
            solara.Button("Back to the scenario's values", icon_name="mdi-undo", text=True,
                          on_click=lambda: overrides.set({}))  # fmt: skip
