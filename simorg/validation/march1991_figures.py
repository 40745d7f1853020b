"""March's figures drawn from the validation's rows, in the black-and-white style of March (1991)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from simorg.validation.rows import Row

_STYLES = ("-o", "--s", ":^", "-.v", "-D", "--x")


def _lines(
    ax: Any,
    rows: list[Row],
    key: str,
    x: str,
    label: Callable[[Any], str],
    styles: Sequence[str] = _STYLES,
) -> None:
    """One black-and-white line (with ±1 s.e. bars) per value of `key`, as in March's figures."""
    groups: dict[Any, list[Row]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    for (value, group), style in zip(groups.items(), list(styles) * 4, strict=False):
        sems = [0.0 if r["sem"] is None or math.isnan(r["sem"]) else r["sem"] for r in group]
        ax.errorbar(
            [r[x] for r in group],
            [r["mean"] for r in group],
            yerr=sems if len(group) < 30 else None,
            fmt=style if len(group) < 30 else style[:-1],
            color="black",
            mfc="white",
            capsize=2,
            label=label(value),
        )


def write_figure(rows: list[Row], experiment: str, stem: Path) -> list[Path]:
    """Draw the experiment in the style of March's figures; write `stem`.png and `stem`.svg."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first = rows[0]
    wide = experiment == "mixed"
    fig, axes = plt.subplots(1, 2 if wide else 1, figsize=(10 if wide else 6, 4.5), squeeze=False)
    ax = axes[0][0]
    if experiment == "figure1":
        _lines(ax, rows, "p2", "p1", lambda v: f"p2 = {v:g}")
        ax.set_xlabel("Socialization rate (p1)")
        ax.set_ylabel("Average equilibrium knowledge")
        title = "Effect of learning rates (p1, p2) on equilibrium knowledge"
    elif experiment == "mixed":
        rates = f"{first['p1_slow']:g} and {first['p1_fast']:g}"
        _lines(ax, rows, "p2", "fast", lambda v: f"mixed: p1 = {rates}")
        twins = [{**r, "mean": r["homogeneous"], "sem": r["homogeneous_sem"]} for r in rows]
        _lines(ax, twins, "p2", "fast", lambda v: "homogeneous: same mean p1", _STYLES[1:])
        ax.legend(frameon=False)
        ax.set_xlabel(f"Number of fast learners (p1 = {first['p1_fast']:g})")
        ax.set_ylabel("Average equilibrium code knowledge")
        ax2 = axes[0][1]
        for key, label, style in zip(
            ("code_at", "fast_at", "slow_at"),
            ("code", "fast individuals", "slow individuals"),
            _STYLES,
            strict=False,
        ):
            pts = [(r["fast"], r[key]) for r in rows if r[key] is not None and r[key] == r[key]]
            ax2.plot(*zip(*pts, strict=True), style, color="black", mfc="white", label=label)
        ax2.set_xlabel("Number of fast learners")
        ax2.set_ylabel(f"Average period-{first['period']} knowledge")
        ax2.legend(frameon=False)
        title = f"Mixed socialization rates (p1 = {first['p1_slow']:g}, {first['p1_fast']:g})"
    elif experiment == "turnover":
        _lines(ax, rows, "p1", "p3", lambda v: f"p1 = {v:g}")
        ax.set_xlabel("Turnover rate (p3)")
        ax.set_ylabel(f"Average period-{first['period']} code knowledge")
        title = "Effect of turnover (p3) and socialization rate (p1)"
    elif experiment == "turbulence":
        _lines(ax, rows, "p3", "period", lambda v: "no turnover" if v == 0 else f"p3 = {v:g}")
        ax.set_xlabel("Time period")
        ax.set_ylabel("Average code knowledge")
        title = f"Effect of turnover and turbulence (p4 = {first['p4']:g})"
    else:
        raise ValueError(f"unknown experiment {experiment!r}")
    if not wide:
        ax.legend(frameon=False)
    fixed = {"figure1": "", "turbulence": f"p1 = {first['p1']:g}; p2 = {first['p2']:g}; "}.get(
        experiment, f"p2 = {first['p2']:g}; "
    )
    params = f"m = {first['m']}; n = {first['n']}; {fixed}"
    fig.suptitle(f"simorg: {title}\n{params}{first['runs']} runs per point", fontsize=10)
    fig.tight_layout()
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    for path in paths:
        fig.savefig(path, dpi=150)
    plt.close(fig)
    return paths
