"""`simorg report DIR`: one self-contained HTML file about a sweep, readable offline.

The page is built here; the figures come from `figures` and the data behind them from
`report_data`. Figures are embedded as base64 PNG; styles are
inline; there is no script and nothing is loaded from the network. The tables behind every figure
are in the page, and each can be downloaded as CSV from a data: link (also offline).

Contents: what was run (question, design, seeds, versions, sessions); failed runs with their
errors; per outcome the final value against the varied parameter (mean and 95% CI per variant), the
trajectories (mean and 95% band) and a table of mean [95% CI] and the difference from the first
variant, paired by replication seed, with Hedges' g; sensitivity indices when asked for (or when the
design was made for them: saltelli, morris).
"""

from __future__ import annotations

import base64
import html
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from simorg.experiments import figures, stats
from simorg.experiments.report_data import (
    aggregate_steps,
    chart_layout,
    trajectory_variants,
    variant_frame,
)
from simorg.experiments.store import Store, StoreError, chosen_outcomes
from simorg.outcomes import OUTCOMES

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;
color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
h3{margin-top:1.6em} .muted{color:#666} .warn{background:#fff4e5;border-left:4px solid #f0a020;padding:.5em 1em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0} th,td{padding:.25em .6em;border-bottom:1px solid #eee;
text-align:right;vertical-align:top} th{background:#f6f6f6} td.l,th.l{text-align:left}
img{max-width:100%;height:auto} .figs{display:flex;flex-wrap:wrap;gap:1em} .figs figure{margin:0;flex:1 1 480px}
figcaption{font-size:.85em;color:#555} code{background:#f4f4f4;padding:0 .2em}
nav{display:flex;flex-wrap:wrap;gap:.2em .8em;font-size:.9em} details{margin:.5em 0}
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _img(fig: Any, caption: str, name: str, files: list[tuple[str, Any]] | None) -> str:
    """The figure embedded with its caption; kept in `files` to be written out when asked."""
    data = figures.figure_png(fig)
    if files is not None:
        files.append((name, fig))
    return f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{data}"><figcaption>{_e(caption)}</figcaption></figure>'


def _csv_link(frame, name: str) -> str:
    data = base64.b64encode(frame.to_csv(index=False).encode()).decode("ascii")
    return f'<a download="{_e(name)}" href="data:text/csv;base64,{data}">download as CSV</a>'


def _table(headers: list[str] | None, rows: list[list[Any]], left: int = 1) -> str:
    if headers is None:
        plain = "".join(
            "<tr>" + "".join(f'<td class="l">{_e(c)}</td>' for c in row) + "</tr>" for row in rows
        )
        return f"<table><tbody>{plain}</tbody></table>"
    head = "".join(
        f'<th class="{"l" if i < left else ""}">{_e(h)}</th>' for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{"l" if i < left else ""}">{_e(c)}</td>' for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def write_report(
    folder: Path,
    out: Path | None = None,
    outcomes: list[str] | None = None,
    sensitivity: bool = False,
    figures_dir: Path | None = None,
    figure_format: str = "png",
) -> Path:

    from simorg.progress import progress

    store = Store.read(Path(folder))
    m = store.manifest
    outcomes = chosen_outcomes(m, outcomes)
    runs = store.runs()
    if runs.empty:
        raise StoreError(f"{folder}: no finished runs yet; run the sweep first")
    vf = variant_frame(m)
    ok = runs[runs["status"] == "ok"]
    failed = runs[runs["status"] != "ok"]
    layout = chart_layout(m, vf)
    files: list[tuple[str, Any]] | None = [] if figures_dir is not None else None
    exp = m["experiment"]
    parts: list[str] = []

    # --- header
    n_done = len(runs)
    parts.append(f"<h1>{_e(exp['name'])}</h1>")
    if exp.get("question"):
        parts.append(f"<p><strong>Question.</strong> {_e(exp['question'])}</p>")
    if exp.get("description"):
        parts.append(f"<p>{_e(exp['description'])}</p>")
    if n_done < m["expected_runs"]:
        parts.append(
            f'<p class="warn">Partial sweep: {n_done} of {m["expected_runs"]} runs recorded. '
            "Run the same <code>simorg sweep</code> command again to finish it.</p>"
        )
    parts.append("<h2>What was run</h2>" + _table(None, _what_was_run(m, exp, n_done, len(failed))))
    nav = "".join(f'<a href="#o-{_e(o)}">{_e(o)}</a>' for o in outcomes)
    parts.append(f"<nav><strong>Outcomes:</strong> {nav}</nav>")

    if len(failed):
        shown = failed.head(20)
        rows = [[r.run_key, r.scenario, r.replication, r.error] for r in shown.itertuples()]
        parts.append(
            f"<h2>Failed runs ({len(failed)})</h2>"
            + _table(["run", "scenario", "replication", "error"], rows, 4)
        )

    with progress("report", total=len(outcomes) + 2, unit="parts") as bar:
        _body(parts, store, m, runs, ok, vf, layout, outcomes, sensitivity, files, bar)
    return _finish(parts, store, m, exp, out, figures_dir, figure_format, files)


def _what_was_run(
    m: dict[str, Any], exp: dict[str, Any], n_done: int, n_failed: int
) -> list[list[Any]]:
    """The design, seeds, versions and sessions of the sweep, as rows of (what, value)."""
    steps = ", ".join(f"{k}: {v}" for k, v in m["steps"].items())
    return [
        ["experiment file", exp.get("source", "")],
        ["base scenarios", ", ".join(m["bases"])],
        ["varied", ", ".join(m["varied"]) or "nothing (base scenarios only)"],
        [
            "sample",
            f"{m['sample']['method']}, {m['sample']['points']} points"
            if m.get("sample")
            else "none",
        ],
        [
            "variants × replications",
            f"{len(m['variants'])} × {m['replications']} = {m['expected_runs']} runs",
        ],
        ["runs recorded", f"{n_done} ({n_failed} failed)"],
        ["steps", steps],
        ["per-step outcomes", f"every {m['every']} steps" if m["every"] else "not recorded"],
        [
            "seeds",
            f"root {m['root_seed']}; replication i uses seed i of SeedSequence(root).spawn(n) in every "
            f"variant (first: {m['seeds'][0]})",
        ],
        ["experiment hash", m["hash"][:16]],
        ["versions", ", ".join(f"{k} {v}" for k, v in m["versions"].items())],
        [
            "sessions",
            "; ".join(
                f"{s['started']} {s['executor']} ran {s['ran']}" for s in m.get("sessions", [])
            ),
        ],
    ]


def _body(parts, store, m, runs, ok, vf, layout, outcomes, sensitivity, files, bar) -> None:
    import pandas as pd

    exp = m["experiment"]
    # --- sensitivity
    do_sa = sensitivity or (m.get("sample") or {}).get("method") in ("saltelli", "morris")
    if do_sa:
        parts.append(_sensitivity_section(m, runs, outcomes, files))
    bar.advance()

    # --- per outcome
    wide = ok.pivot_table(index="replication", columns="variant", values=outcomes, aggfunc="first")
    traj_variants = trajectory_variants(layout, vf) if m["every"] else []
    trajs = aggregate_steps(store, outcomes, traj_variants) if traj_variants else {}
    bar.advance()
    ref = int(vf.index[0])
    for name in outcomes:
        bar.advance()
        meaning = OUTCOMES.get(name, ("", ""))[1]
        parts.append(
            f'<h2 id="o-{_e(name)}">{_e(name)}</h2><p class="muted">{_e(meaning)}</p><div class="figs">'
        )
        groups = {
            int(v): (
                wide[name][v].reindex(range(m["replications"])).to_numpy(dtype=float)
                if (name in wide and v in wide[name])
                else np.full(m["replications"], np.nan)
            )
            for v in vf.index
        }
        rows = stats.table({str(v): groups[v] for v in groups}, reference=str(ref), paired=True)
        summary = {int(r["group"]): r for r in rows}
        parts.append(_img(*figures.final_figure(name, layout, vf, summary, ok), files))
        if trajs:
            drawn = figures.trajectory_figure(name, outcomes.index(name), trajs, traj_variants, vf)
            parts.append(_img(*drawn, files))
        parts.append("</div>")
        table_rows = []
        csv_rows = []
        for v in vf.index:
            r = summary[int(v)]
            d = r["difference"]
            table_rows.append(
                [
                    vf.loc[v, "label"],
                    r["n"],
                    stats.fmt_ci(r),
                    stats.fmt_ci(d) if d else "reference",
                    stats.fmt(d["hedges_g"], 3) if d else "",
                ]
            )
            csv_rows.append(
                {
                    "variant": int(v),
                    "label": vf.loc[v, "label"],
                    "n": r["n"],
                    "mean": r["mean"],
                    "sd": r["sd"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "difference": d["mean"] if d else None,
                    "difference_ci_low": d["ci_low"] if d else None,
                    "difference_ci_high": d["ci_high"] if d else None,
                    "hedges_g": d["hedges_g"] if d else None,
                }
            )
        headers = [
            "variant",
            "runs",
            "final: mean [95% CI]",
            f"difference from {vf.loc[ref, 'label']} [95% CI]",
            "g",
        ]
        body = _table(headers, table_rows[:300])
        more = (
            f"<p class='muted'>First 300 of {len(table_rows)} rows; the CSV has all.</p>"
            if len(table_rows) > 300
            else ""
        )
        parts.append(
            f"<details{' open' if len(table_rows) <= 24 else ''}><summary>Table of final values "
            f"({_csv_link(pd.DataFrame(csv_rows), f'{exp["name"]}_{name}.csv')})</summary>{body}{more}</details>"
        )


def _finish(parts, store, m, exp, out, figures_dir, figure_format, files) -> Path:
    parts.append(
        f"<p class='muted'>Differences are paired by replication seed (common random numbers); "
        f"g is Hedges' g (difference over pooled sd, small-sample corrected). Generated by simorg "
        f"{_e(m['versions'].get('simorg'))} on {datetime.now(UTC).isoformat(timespec='seconds')}.</p>"
    )
    doc = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_e(exp['name'])}: simorg sweep "
        f"report</title><style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
    )
    path = Path(out) if out is not None else store.root / "report.html"
    path.write_text(doc, encoding="utf-8")
    if figures_dir is not None and files:
        figures_dir = Path(figures_dir)
        figures_dir.mkdir(parents=True, exist_ok=True)
        for fname, fig in files:
            figures.save_figure(fig, figures_dir / f"{fname}.{figure_format}", figure_format)
    return path


def _sensitivity_section(m: dict[str, Any], runs, outcomes: list[str], files) -> str:
    from simorg.experiments import sensitivity as sa

    try:
        result = sa.analyze(m, runs, outcomes)
    except StoreError as exc:
        return f"<h2>Sensitivity</h2><p class='warn'>{_e(exc)}</p>"
    first, second = sa.headline(result["method"])
    out = [
        f"<h2>Sensitivity</h2><p>{_e(result['description'])}. Cells: <code>{first}</code>"
        + (f" (<code>{second}</code>)" if second else "")
        + ".</p>"
    ]
    params = result["parameters"]
    for group, per_outcome in result["groups"].items():
        names = list(per_outcome)
        mat = np.full((len(names), len(params)), np.nan)
        rows = []
        for i, name in enumerate(names):
            row = [name]
            for j, p in enumerate(params):
                ix = per_outcome[name].get(p, {})
                val = None if ix.get("constant") else ix.get(first)
                mat[i, j] = val if val is not None else np.nan
                text = "const" if ix.get("constant") else stats.fmt(val, 2)
                if second and not ix.get("constant"):
                    text += f" ({stats.fmt(ix.get(second), 2)})"
                row.append(text)
            rows.append(row)
        fig = figures.sensitivity_heatmap(
            mat, names, params, scale_rows=result["method"] == "morris"
        )
        label = f"{first} per outcome and parameter" + (
            " (colour: share of the row's largest)" if result["method"] == "morris" else ""
        )
        safe = "".join(ch if ch.isalnum() else "_" for ch in group)[:40]
        out.append(
            f"<h3>{_e(group)}</h3><div class='figs'>{_img(fig, label, f'sensitivity_{safe}', files)}</div>"
        )
        out.append(_table(["outcome", *[p.split(".")[-1] for p in params]], rows))
    return "".join(out)
