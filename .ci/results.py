"""docs/results.md's numbers, regenerated from the sweeps' folders: `make results`.

Every table between `<!-- results:KEY -->` and `<!-- /results:KEY -->` in docs/results.md, and
every figure docs/figures/results_*.png, is written here from the results folders of
`simorg sweep experiments/<name>.toml --out RUNS/<name>` (RUNS: `--runs`, default `results/`).
Numbers are never typed by hand: rerun the sweeps (`make results-sweeps`), then `make results`.

Folders are read with simorg's own `Store`; means, 95% intervals and paired differences come from
`simorg.experiments.stats` (replication i shares its seed across variants, so differences are
paired by seed). Distributions are reported as quantiles over runs, and each outcome is checked for
two modes: a two-normal mixture (fitted by EM) must beat one normal by more than 10 in BIC, its
components must be separated (Ashman's D = √2·|μ₁ − μ₂| / √(σ₁² + σ₂²) > 2) and the smaller must
hold at least 5% of the runs (and two runs). Only variants with at least 20 runs and outcomes
with at least 10 distinct values are tested. Verdicts of findings are computed, not written: a
paired difference whose 95% interval excludes 0 "holds" with its sign; after the reversing change it is "reversed" (interval
excludes 0, other sign), "gone" (interval contains 0) or "holds" (same sign).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simorg.experiments import stats
from simorg.experiments.store import Store

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "results.md"
FIGURES = ROOT / "docs" / "figures"
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
DRAW = True  # False (--no-figures): tables only, the figures already in docs/figures stay


# --- reading a sweep ------------------------------------------------------------------------------


class Sweep:
    """One sweep folder: its variants (by name) and the final outcome of every run that finished."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = Store.read(root)
        self.manifest = self.store.manifest
        runs = self.store.runs()
        self.failed = int((runs["status"] != "ok").sum())
        self.runs = runs[runs["status"] == "ok"]
        self.replications = int(self.manifest["replications"])
        self.name = self.manifest["experiment"]["name"]

    def variants(self, label: str | None = None, **params: Any) -> list[int]:
        """Variants of a base (its label in the experiment file) whose varied parameters match (keys with '.' spelt as '__')."""
        want = {k.replace("__", "."): v for k, v in params.items()}
        out = []
        for v in self.manifest["variants"]:
            if label is not None and v["scenario"] != label:
                continue
            if all(_same(v["params"].get(k), x) for k, x in want.items()):
                out.append(int(v["variant"]))
        return out

    def every(self) -> list[int]:
        """Every variant, in the sweep's order."""
        return [int(v["variant"]) for v in self.manifest["variants"]]

    def one(self, label: str | None = None, **params: Any) -> int:
        found = self.variants(label, **params)
        if len(found) != 1:
            raise SystemExit(f"{self.root}: {len(found)} variants match {label} {params}")
        return found[0]

    def label(self, variant: int) -> str:
        """The sweep's own name of a variant: base label · varied parameter=value ..."""
        return str(self.manifest["variants"][variant]["label"])

    def values(self, variant: int, outcome: str) -> np.ndarray:
        """One value per replication, NaN where the run failed (so that seeds stay paired)."""
        out = np.full(self.replications, np.nan)
        rows = self.runs[self.runs["variant"] == variant]
        out[rows["replication"].to_numpy(dtype=int)] = rows[outcome].to_numpy(dtype=float)
        return out

    def provenance(self) -> str:
        m = self.manifest
        versions = m.get("versions", {})
        n = len(self.runs)
        expected = m["expected_runs"]
        steps = m["steps"]
        steps = (
            ", ".join(sorted({str(s) for s in steps.values()}))
            if isinstance(steps, dict)
            else steps
        )
        return (
            f"`{self.name}`: {len(m['variants'])} variants × {self.replications} replications "
            f"({n}/{expected} runs ok, {self.failed} failed), {steps} weeks, root seed "
            f"{m['root_seed']}, simorg {versions.get('simorg', '?')}, mesa {versions.get('mesa', '?')}"
        )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


# --- distributions --------------------------------------------------------------------------------


def _mixture(a: np.ndarray, floor: float) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Maximum-likelihood two-component normal mixture by EM, started from the best 2-means
    split of the sorted values; returns (log-likelihood, weights, means, variances)."""
    n = len(a)
    k = min(range(2, n - 1), key=lambda k: a[:k].var() * k + a[k:].var() * (n - k))
    w = np.array([k / n, 1 - k / n])
    mu = np.array([a[:k].mean(), a[k:].mean()])
    var = np.maximum(np.array([a[:k].var(), a[k:].var()]), floor)
    for _ in range(500):
        dens = w / np.sqrt(2 * np.pi * var) * np.exp(-((a[:, None] - mu) ** 2) / (2 * var))
        total = dens.sum(axis=1, keepdims=True)
        resp = dens / np.maximum(total, 1e-300)
        nk = resp.sum(axis=0)
        if (nk < 1e-9).any():
            break
        w, mu = nk / n, (resp * a[:, None]).sum(axis=0) / nk
        var = np.maximum((resp * (a[:, None] - mu) ** 2).sum(axis=0) / nk, floor)
    dens = w / np.sqrt(2 * np.pi * var) * np.exp(-((a[:, None] - mu) ** 2) / (2 * var))
    return float(np.log(np.maximum(dens.sum(axis=1), 1e-300)).sum()), w, mu, var


def modes(x: np.ndarray) -> dict[str, float] | None:
    """Two modes, if a two-normal mixture beats one normal by BIC (by more than 10) and its
    components are separated (Ashman's D > 2) with the smaller holding >= 5% of runs (and two)."""
    a = np.sort(x[np.isfinite(x)])
    n = len(a)
    if n < 20 or len(np.unique(a)) < 10:  # too few runs, or a count with a handful of values
        return None
    floor = (0.05 * a.std()) ** 2  # no component narrower than 5% of the spread (discrete values)
    v1 = max(a.var(), floor)
    ll1 = float(-0.5 * n * (np.log(2 * np.pi * v1) + 1))
    ll2, w, mu, var = _mixture(a, floor)
    bic1, bic2 = -2 * ll1 + 2 * np.log(n), -2 * ll2 + 5 * np.log(n)
    d = math.sqrt(2) * abs(mu[1] - mu[0]) / math.sqrt(var.sum())
    if bic1 - bic2 <= 10 or d <= 2 or min(w) * n < max(2, 0.05 * n):
        return None
    lo, hi = (0, 1) if mu[0] < mu[1] else (1, 0)
    return {"low": float(w[lo]), "high": float(w[hi]), "d": d,
            "low_median": float(mu[lo]), "high_median": float(mu[hi])}  # fmt: skip


def f(x: float | None, digits: int = 3) -> str:
    return stats.fmt(x, digits)


def dist_table(sw: Sweep, outcome: str, variants: list[int], reference: int | None) -> str:
    """Markdown: one row per variant, mean [CI], paired Δ from the reference, quantiles, modes."""
    ref = variants[0] if reference is None else reference
    head = (
        f"| {outcome} | n | mean [95% CI] | Δ vs {sw.label(ref)} [95% CI] | 5% | 25% | median "
        "| 75% | 95% | two modes? |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|---|---|"]
    x0 = sw.values(ref, outcome)
    for v in variants:
        x = sw.values(v, outcome)
        s = stats.summary(x)
        d = None if v == ref else stats.difference(x, x0, paired=True)
        q = np.nanquantile(x, QUANTILES) if np.isfinite(x).any() else [None] * 5
        m = modes(x)
        mode = (
            "no"
            if m is None
            else f"**yes**: {m['low']:.0%} around {f(m['low_median'])}, {m['high']:.0%} around "
            f"{f(m['high_median'])} (D {m['d']:.1f})"
        )
        lines.append(
            f"| {sw.label(v)} | {s['n']} | {stats.fmt_ci(s, 3)} | "
            f"{'' if d is None else stats.fmt_ci(d, 3)} | "
            + " | ".join(f(float(v_)) if v_ is not None else "–" for v_ in q)
            + f" | {mode} |"
        )
    return "\n".join(lines)


def strip_figure(sw: Sweep, outcome: str, variants: list[int], path: Path, title: str) -> None:
    """Every run as a dot per variant, with median and quartiles: the distribution, not a bar."""
    if not DRAW:
        return
    from simorg.experiments.figures import new_figure, save_figure

    fig, ax = new_figure(6.4, 0.9 + 0.32 * len(variants))
    rng = np.random.default_rng(0)  # jitter only; fixed so the figure is reproducible
    for row, v in enumerate(variants):
        x = sw.values(v, outcome)
        x = x[np.isfinite(x)]
        ax.scatter(x, row + rng.uniform(-0.18, 0.18, len(x)), s=9, color="0.45", alpha=0.7, lw=0)
        if len(x):
            q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
            ax.plot([q1, q3], [row, row], color="C0", lw=3, solid_capstyle="butt")
            ax.plot([med], [row], marker="|", color="C3", ms=14, mew=2)
    ax.set_yticks(range(len(variants)), [sw.label(v) for v in variants], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(outcome, fontsize=8)
    ax.set_title(title, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    save_figure(fig, path)


# --- findings and their reversals -----------------------------------------------------------------


@dataclass
class Contrast:
    """Outcome of variant a minus variant b in one sweep (paired by seed)."""

    sweep: str
    a: dict[str, Any]
    b: dict[str, Any]

    def delta(self, sweeps: dict[str, Sweep], outcome: str) -> dict[str, Any]:
        sw = sweeps[self.sweep]
        va, vb = sw.one(**self.a), sw.one(**self.b)
        return stats.difference(sw.values(va, outcome), sw.values(vb, outcome), paired=True)

    def text(self, sweeps: dict[str, Sweep]) -> str:
        sw = sweeps[self.sweep]
        return f"{sw.label(sw.one(**self.a))} − {sw.label(sw.one(**self.b))}"


@dataclass
class Finding:
    key: str
    outcome: str
    base: Contrast
    reversal: Contrast
    change: str  # the one parameter change, as text


def sign(d: dict[str, Any]) -> int:
    """+1 / −1 when the 95% interval excludes 0, 0 when it does not (or is undefined)."""
    lo, hi = d.get("ci_low"), d.get("ci_high")
    if lo is None or hi is None:
        return 0
    return 1 if lo > 0 else -1 if hi < 0 else 0


def verdict(d0: dict[str, Any], d1: dict[str, Any]) -> str:
    s0, s1 = sign(d0), sign(d1)
    if s0 == 0:
        return {1: "**appears** (+)", -1: "**appears** (−)", 0: "none either way"}[s1]
    if s1 == 0:
        return "**gone**"
    if s1 != s0:
        return "**reversed**"
    return f"holds ({d1['mean'] / d0['mean']:.0%} of its size)"


def findings_table(sweeps: dict[str, Sweep], findings: list[Finding]) -> str:
    lines = [
        "| # | outcome | at the defaults | Δ [95% CI] | change | after the change | Δ [95% CI] "
        "| verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for fd in findings:
        d0 = fd.base.delta(sweeps, fd.outcome)
        d1 = fd.reversal.delta(sweeps, fd.outcome)
        lines.append(
            f"| {fd.key} | {fd.outcome} | {fd.base.text(sweeps)} | {stats.fmt_ci(d0, 3)} | "
            f"{fd.change} | {fd.reversal.text(sweeps)} | {stats.fmt_ci(d1, 3)} | "
            f"{verdict(d0, d1)} |"
        )
    return "\n".join(lines)


# --- what docs/results.md shows -------------------------------------------------------------------

HEADLINE = ["customer_trust", "failure_share", "revenue_total", "peer_trust", "leadership_trust",
            "practice", "turnover_total", "belief_diversity", "code_knowledge", "innovations"]  # fmt: skip


def cmd(name: str) -> str:
    return f"`simorg sweep experiments/{name}.toml --out $RUNS/{name}`"


def regen(names: list[str]) -> str:
    sweeps = "; ".join(cmd(n) for n in names)
    return f"_Generated by `make results RUNS=$RUNS` (.ci/results.py) from {sweeps}._\n\n"


def fig_md(figures: Path | None, name: str, caption: str) -> str:
    """The link to a figure; written whether or not this run draws it (--no-figures keeps it)."""
    return f"![{caption}](figures/{name})\n\n"


def line_figure(sw: Sweep, x_key: str, series: list[tuple[str, list[int]]], outcomes: list[str],
                path: Path) -> None:  # fmt: skip
    """Median over runs (line) and 5–95% of runs (band) against a varied parameter, per series."""
    if not DRAW:
        return
    from simorg.experiments.figures import new_figure, save_figure

    fig, axes = new_figure(3.0 * len(outcomes), 2.6, ncols=len(outcomes))
    axes = np.atleast_1d(axes)
    for ax, outcome in zip(axes, outcomes, strict=True):
        for i, (name, variants) in enumerate(series):
            xs = [sw.manifest["variants"][v]["params"][x_key] for v in variants]
            vals = [sw.values(v, outcome) for v in variants]
            q = np.array([np.nanquantile(x, [0.05, 0.5, 0.95]) for x in vals])
            ax.fill_between(xs, q[:, 0], q[:, 2], color=f"C{i}", alpha=0.2, lw=0)
            ax.plot(xs, q[:, 1], color=f"C{i}", marker="o", ms=3, label=name)
        ax.set_xlabel(x_key.split(".")[-1], fontsize=8)
        ax.set_title(outcome, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def trajectory_figure(sw: Sweep, variants: list[int], outcomes: list[str], path: Path) -> None:
    if not DRAW:
        return
    from simorg.experiments.figures import new_figure, save_figure

    steps = sw.store.steps(columns=["variant", "replication", "step", *outcomes])
    fig, axes = new_figure(3.2 * len(outcomes), 2.6, ncols=len(outcomes))
    axes = np.atleast_1d(axes)
    for ax, outcome in zip(axes, outcomes, strict=True):
        for i, v in enumerate(variants):
            part = steps[steps["variant"] == v].groupby("step")[outcome]
            q = part.quantile([0.05, 0.5, 0.95]).unstack()
            ax.fill_between(q.index, q[0.05], q[0.95], color=f"C{i}", alpha=0.2, lw=0)
            ax.plot(q.index, q[0.5], color=f"C{i}", label=sw.label(v))
        ax.set_xlabel("week", fontsize=8)
        ax.set_title(outcome, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=6)
    fig.tight_layout()
    save_figure(fig, path)


def quantile_cell(x: np.ndarray) -> str:
    x = x[np.isfinite(x)]
    if not len(x):
        return "–"
    q = np.quantile(x, [0.05, 0.5, 0.95])
    return f"{f(float(q[1]))} [{f(float(q[0]))}, {f(float(q[2]))}]"


def tables(
    sw: Sweep, outcomes: list[str], variants: list[int], reference: int | None = None
) -> str:
    return "\n\n".join(dist_table(sw, o, variants, reference) for o in outcomes) + "\n"


def _cell(label: str, permeability: float, expertise: float) -> dict[str, Any]:
    """A variant of reverse_boundaries."""
    return {"label": label, "organization__permeability": permeability,
            "customers__outside_expertise": expertise}  # fmt: skip


MEDIA_TEAM = Contrast("social_media_vs_social_business", {"label": "social_media_team"},
                      {"label": "traditional_silos"})  # fmt: skip
SOCIAL_VS_SILOS = Contrast("reverse_boundaries", _cell("social_business", 0.6, 0.1),
                           _cell("traditional_silos", 0.05, 0.1))  # fmt: skip
SOCIAL_VS_OPEN_SILOS = Contrast("reverse_boundaries", _cell("social_business", 0.6, 0.1),
                                _cell("traditional_silos", 0.6, 0.1))  # fmt: skip
PERMEABILITY = "the silos get the social business's organization.permeability (0.05 → 0.6)"
VISION = Contrast("reverse_vision", {"label": "vision"}, {"label": "no_vision"})
BIG_BANG = Contrast("big_bang_vs_stepwise", {"label": "big_bang", "culture__resistance": 2.0},
                    {"label": "stepwise", "culture__resistance": 2.0})  # fmt: skip

FINDINGS = [
    Finding("F1", "customer_trust", MEDIA_TEAM,
            Contrast("reverse_media_team", {"label": "team_promises"}, {"label": "silos_promises"}),
            "customers.promise_penalty 0.15 → 0.6"),
    Finding("F1′", "customer_trust", MEDIA_TEAM,
            Contrast("reverse_media_team", {"label": "team_heard"}, {"label": "silos_heard"}),
            "customers.heard_gain 0.05 → 0.3"),
    Finding("F2", "customer_trust", SOCIAL_VS_SILOS, SOCIAL_VS_OPEN_SILOS, PERMEABILITY),
    Finding("F2′", "revenue_total", SOCIAL_VS_SILOS, SOCIAL_VS_OPEN_SILOS, PERMEABILITY),
    Finding("F3", "customer_trust",
            Contrast("reverse_boundaries", _cell("traditional_silos", 0.6, 0.1),
                     _cell("traditional_silos", 0.05, 0.1)),
            Contrast("reverse_boundaries", _cell("traditional_silos", 0.6, 1.0),
                     _cell("traditional_silos", 0.05, 1.0)),
            "customers.outside_expertise 0.1 → 1 (anyone who knows may answer)"),
    Finding("F4", "leadership_trust", VISION,
            Contrast("reverse_vision", {"label": "vision_adaptable"}, {"label": "no_vision_adaptable"}),
            "culture.stubbornness 0.5 → 0 (leaders adapt)"),
    Finding("F4′", "leadership_trust", VISION,
            Contrast("reverse_vision", {"label": "vision_no_gap"}, {"label": "no_vision_no_gap"}),
            "culture.credibility 1 → 0 (the word–deed gap not judged)"),
    Finding("F5", "practice",
            Contrast("role_modeling", {"label": "leaders_closed", "culture__role_modeling": 1.0},
                     {"label": "leaders_closed", "culture__role_modeling": 0.0}),
            Contrast("role_modeling", {"label": "leaders_walk", "culture__role_modeling": 1.0},
                     {"label": "leaders_walk", "culture__role_modeling": 0.0}),
            "culture.walk_the_talk 0.2 → 0.8"),
    Finding("F6", "peer_trust", BIG_BANG,
            Contrast("big_bang_vs_stepwise", {"label": "big_bang", "culture__resistance": 0.5},
                     {"label": "stepwise", "culture__resistance": 0.5}),
            "culture.resistance 2 → 0.5"),
    Finding("F6′", "peer_trust", BIG_BANG,
            Contrast("reverse_change_horizon", {"label": "big_bang"}, {"label": "stepwise"}),
            "read at week 520 instead of 260"),
    Finding("F7", "turnover_total",
            Contrast("reverse_turnover", {"label": "social_business", "turnover__trust_sensitivity": 0.004},
                     {"label": "traditional_silos", "turnover__trust_sensitivity": 0.004}),
            Contrast("reverse_turnover", {"label": "social_business", "turnover__trust_sensitivity": 0.0},
                     {"label": "traditional_silos", "turnover__trust_sensitivity": 0.0}),
            "turnover.trust_sensitivity 0.004 → 0"),
    Finding("F8", "belief_diversity",
            Contrast("turnover", {"label": "traditional_silos", "turnover__base_rate": 0.02},
                     {"label": "traditional_silos", "turnover__base_rate": 0.0}),
            Contrast("turnover", {"label": "social_business", "turnover__base_rate": 0.02},
                     {"label": "social_business", "turnover__base_rate": 0.0}),
            "the organization: traditional_silos → social_business"),
]  # fmt: skip


SWEEPS = ["social_media_vs_social_business", "vision_and_walk", "role_modeling",
             "silo_permeability", "big_bang_vs_stepwise", "turnover", "levers_morris",
             "distributions", "reverse_media_team", "reverse_boundaries", "reverse_vision",
             "reverse_turnover", "reverse_change_horizon"]  # fmt: skip


def load_all(runs: Path) -> tuple[dict[str, Sweep], list[str]]:
    """The sweeps this page reads (those found in `runs`) and the names of those missing."""
    sweeps, missing = {}, []
    for n in SWEEPS:
        if (runs / n / "manifest.json").is_file():
            sweeps[n] = Sweep(runs / n)
        else:
            missing.append(n)
    return sweeps, missing


# --- the sections: each is the markdown below its `regen` line, from one sweep ----------------------

Section = Callable[[Sweep, Path | None], str]


def tables_only(outcomes: list[str]) -> Section:
    """A section of tables alone: every variant of the sweep, for these outcomes."""

    def body(sw: Sweep, figures: Path | None) -> str:
        return tables(sw, outcomes, sw.every())

    return body


def grouped(sw: Sweep, groups: list[tuple[str, str, list[int]]], outcomes: list[str],
            figures: Path | None, x_key: str, plotted: list[str], name: str, caption: str) -> str:  # fmt: skip
    """Tables per group of variants (heading, legend, variants), then one line figure of every
    group against the varied parameter `x_key`."""
    body = "".join(f"\n{heading}:\n\n" + tables(sw, outcomes, vs) for heading, _, vs in groups)
    if figures is not None:
        line_figure(sw, x_key, [(legend, vs) for _, legend, vs in groups], plotted, figures / name)
        body += "\n" + fig_md(figures, name, caption)
    return body


def social(sw: Sweep, figures: Path | None) -> str:
    """1. Social media vs social business."""
    vs = sw.every()
    body = tables(sw, HEADLINE, vs)
    if figures is not None:
        for o in ("customer_trust", "peer_trust", "belief_diversity"):
            strip_figure(sw, o, vs, figures / f"results_social_{o}.png",
                         f"{o} at week 200, every run a dot (bar: quartiles, tick: median)")  # fmt: skip
            body += fig_md(figures, f"results_social_{o}.png", f"{o}, every run")
    return body


def silos(sw: Sweep, figures: Path | None) -> str:
    """2. Silos."""
    groups = [(f"Culture practice {p:g}", f"practice {p:g}",
               sw.variants("traditional_silos", culture__practice=p)) for p in (0.2, 0.6)]  # fmt: skip
    return grouped(sw, groups, ["customer_trust", "failure_share", "peer_trust", "cross_silo_share",
                                "belief_diversity", "code_knowledge"], figures,
                   "organization.permeability",
                   ["customer_trust", "failure_share", "peer_trust", "belief_diversity"],
                   "results_silos.png", "outcomes against permeability: median and 5–95% of runs")  # fmt: skip


def vision(sw: Sweep, figures: Path | None) -> str:
    """3. Vision and walk."""
    vs = sw.every()
    body = tables(sw, ["leadership_trust", "peer_trust", "practice", "adoption",
                       "customer_trust", "turnover_total"], vs)  # fmt: skip
    if figures is not None:
        trajectory_figure(sw, vs, ["leadership_trust", "practice"], figures / "results_vision.png")
        body += "\n" + fig_md(
            figures, "results_vision.png", "trust in leadership and practice over time"
        )
    return body


def role(sw: Sweep, figures: Path | None) -> str:
    """4. Role modeling."""
    groups = [(b, b, sw.variants(b)) for b in ("leaders_closed", "leaders_walk")]
    outcomes = ["practice", "peer_trust", "leadership_trust"]
    return grouped(sw, groups, outcomes, figures, "culture.role_modeling", outcomes,
                   "results_role_modeling.png", "outcomes against role modeling")  # fmt: skip


def change(sw: Sweep, figures: Path | None) -> str:
    """5. Big bang vs stepwise."""
    steps = sw.store.steps(columns=["variant", "replication", "step", "practice", "friction"])
    rows = ["| variant | peak friction | week of the peak | first week practice ≥ 0.5 | mean practice over the run |",
            "|---|---|---|---|---|"]  # fmt: skip
    for v in sw.every():
        part = steps[steps["variant"] == v]
        peak, when, reach, mean = [], [], [], []
        for _, run in part.groupby("replication"):
            run = run.sort_values("step")
            peak.append(run["friction"].max())
            when.append(float(run["step"].iloc[int(run["friction"].to_numpy().argmax())]))
            hit = run[run["practice"] >= 0.5]["step"]
            reach.append(float(hit.iloc[0]) if len(hit) else np.nan)
            mean.append(run["practice"].mean())
        never = int(np.isnan(reach).sum())
        rcell = quantile_cell(np.array(reach)) + (f" ({never} runs never)" if never else "")
        rows.append(f"| {sw.label(v)} | {quantile_cell(np.array(peak))} | {quantile_cell(np.array(when))} "
                    f"| {rcell} | {quantile_cell(np.array(mean))} |")  # fmt: skip
    body = "Over time (per-step outcomes every 10 weeks; cells: median [5%, 95%] over runs):\n\n"
    body += "\n".join(rows) + "\n\nAt week 260:\n\n"
    body += tables(sw, ["practice", "peer_trust", "leadership_trust", "customer_trust",
                        "turnover_total", "belief_diversity"], sw.every())  # fmt: skip
    if figures is not None:
        pick = [
            sw.one(b, culture__resistance=2.0)
            for b in ("traditional_silos", "big_bang", "stepwise")
        ]
        trajectory_figure(
            sw, pick, ["practice", "friction", "peer_trust"], figures / "results_change.png"
        )
        body += "\n" + fig_md(
            figures,
            "results_change.png",
            "practice, friction and peer trust over time (resistance 2)",
        )
    return body


def turnover(sw: Sweep, figures: Path | None) -> str:
    """6. Turnover."""
    groups = [(b, b, sw.variants(b)) for b in ("traditional_silos", "social_business")]
    return grouped(sw, groups, ["turnover_total", "belief_diversity", "code_knowledge",
                                "customer_trust", "peer_trust"], figures, "turnover.base_rate",
                   ["belief_diversity", "code_knowledge", "customer_trust"],
                   "results_turnover.png", "outcomes against base turnover")  # fmt: skip


def morris(sw: Sweep, figures: Path | None) -> str:
    """7. Morris screening of the levers."""
    from simorg.experiments.sensitivity import analyze_folder

    res = analyze_folder(sw.root, HEADLINE)
    (group,) = res["groups"].values()
    keys = res["parameters"]
    rows = ["| outcome | " + " | ".join(k.split(".")[-1] for k in keys) + " |",
            "|---|" + "---|" * len(keys)]  # fmt: skip
    for o in HEADLINE:
        cells = []
        ranked = sorted(keys, key=lambda k: -(group[o][k].get("mu_star") or 0))
        for k in keys:
            r = group[o][k]
            if r.get("constant"):
                cells.append("const")
                continue
            star = "**" if k == ranked[0] else ""
            nl = " ⁿ" if (r["sigma"] or 0) > (r["mu_star"] or 0) else ""
            cells.append(f"{star}{f(r['mu_star'])}{star}{nl}")
        rows.append(f"| {o} | " + " | ".join(cells) + " |")
    body = ("Cells: μ* (mean absolute elementary effect, in the outcome's units over "
            "each lever's range [0, 1]); bold: the largest of the row; ⁿ: σ > μ* "
            "(non-linear or interacting).\n\n") + "\n".join(rows) + "\n"  # fmt: skip
    if res.get("incomplete"):
        body += f"\n_{res['incomplete']}_\n"
    return body


#: (marker key, sweep, section) in the order docs/results.md is written.
SECTIONS: list[tuple[str, str, Section]] = [
    ("social", "social_media_vs_social_business", social),
    ("reverse_media", "reverse_media_team",
     tables_only(["customer_trust", "failure_share", "revenue_total"])),
    ("reverse_boundaries", "reverse_boundaries",
     tables_only(["customer_trust", "failure_share", "revenue_total", "resolution_time"])),
    ("reverse_vision", "reverse_vision", tables_only(["leadership_trust", "practice", "peer_trust"])),
    ("reverse_turnover", "reverse_turnover",
     tables_only(["turnover_total", "peer_trust", "belief_diversity"])),
    ("reverse_change", "reverse_change_horizon",
     tables_only(["peer_trust", "leadership_trust", "practice", "customer_trust"])),
    ("silos", "silo_permeability", silos),
    ("vision", "vision_and_walk", vision),
    ("role", "role_modeling", role),
    ("change", "big_bang_vs_stepwise", change),
    ("turnover", "turnover", turnover),
    ("morris", "levers_morris", morris),
]  # fmt: skip


def blocks(runs: Path, figures: Path | None):
    """(marker key, markdown) for every generated block of docs/results.md."""
    sweeps, missing = load_all(runs)

    def absent(name: str) -> str:
        return f"_Not generated: {runs}/{name} is missing; run {cmd(name)}._\n"

    # provenance
    lines = [f"- {sw.provenance()}" for sw in sweeps.values()]
    lines += [f"- `{n}`: **not run** (no folder in {runs})" for n in missing]
    yield "provenance", "\n".join(lines) + "\n"

    # findings
    need = sorted({c.sweep for fd in FINDINGS for c in (fd.base, fd.reversal)})
    have = [fd for fd in FINDINGS if fd.base.sweep in sweeps and fd.reversal.sweep in sweeps]
    body = regen(need) + findings_table(sweeps, have) + "\n"
    if len(have) < len(FINDINGS):
        body += "\n" + "".join(f"_{fd.key}: sweep not run._\n" for fd in FINDINGS if fd not in have)
    yield "findings", body

    for key, n, section in SECTIONS:
        yield key, (regen([n]) + section(sweeps[n], figures)) if n in sweeps else absent(n)

    # 8. distributions
    names = ["social_media_vs_social_business", "distributions"]
    parts = [(sweeps[n], v) for n in names if n in sweeps for v in sweeps[n].every()]
    body = regen(names) + "Cells: median [5%, 95%] over runs at the last week.\n\n"
    outs = ["customer_trust", "failure_share", "peer_trust", "leadership_trust", "practice",
            "turnover_total", "code_knowledge", "belief_diversity"]  # fmt: skip
    body += "| scenario | runs | " + " | ".join(outs) + " |\n|---|---|" + "---|" * len(outs) + "\n"
    found = []
    for sw, v in parts:
        cells = []
        for o in outs:
            x = sw.values(v, o)
            m = modes(x)
            cells.append(quantile_cell(x) + (" **‡**" if m else ""))
        body += (
            f"| {sw.label(v)} | {int(np.isfinite(sw.values(v, outs[0])).sum())} | "
            + " | ".join(cells)
            + " |\n"
        )
        for o in sw.manifest["outcomes"]:
            m = modes(sw.values(v, o))
            if m:
                found.append(f"- {sw.label(v)}, `{o}`: {m['low']:.0%} of runs around {f(m['low_median'])}, "
                             f"{m['high']:.0%} around {f(m['high_median'])} (Ashman's D {m['d']:.1f})")  # fmt: skip
    body += "\n**Two modes found** (‡; every recorded outcome tested): " + (
        "none.\n" if not found else "\n\n" + "\n".join(found) + "\n")  # fmt: skip
    if "distributions" not in sweeps:
        body += "\n" + absent("distributions")
    yield "distributions", body


# --- writing between markers ----------------------------------------------------------------------


def replace_block(text: str, key: str, body: str) -> str:
    pattern = re.compile(
        rf"(<!-- results:{re.escape(key)} -->\n).*?(<!-- /results:{re.escape(key)} -->)", re.S
    )
    if not pattern.search(text):
        raise SystemExit(f"{DOC}: no block <!-- results:{key} --> … <!-- /results:{key} -->")
    return pattern.sub(lambda m: m.group(1) + body.rstrip("\n") + "\n" + m.group(2), text)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=Path, default=ROOT / "results", help="folder of sweep folders")
    p.add_argument("--no-figures", action="store_true", help="tables only")
    args = p.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    global DRAW
    DRAW = not args.no_figures
    for key, body in blocks(args.runs, figures=FIGURES):
        text = replace_block(text, key, body)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
