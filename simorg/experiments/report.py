"""`simorg report DIR`: one self-contained HTML file about a sweep, readable offline.

Figures are drawn with matplotlib (no pyplot state, Agg) and embedded as base64 PNG; styles are
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
import io
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from simorg.experiments import stats
from simorg.experiments.store import Store, StoreError
from simorg.outcomes import OUTCOMES

COLORS = [
    "#1b6ca8",
    "#d1495b",
    "#2e933c",
    "#edae49",
    "#6a4c93",
    "#00798c",
    "#8d6a9f",
    "#4f5d75",
    "#c05805",
    "#30638e",
    "#a23b72",
    "#3b8b5a",
]
MAX_SERIES = 12


# --- figures ----------------------------------------------------------------------------------------


def new_figure(width: float = 6.4, height: float = 3.6, ncols: int = 1):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(alpha=0.25, linewidth=0.6)
        ax.tick_params(labelsize=8)
    return (fig, axes[0]) if ncols == 1 else (fig, axes)


LINESTYLES = ["-", "--", ":", "-."]


def styles(vf, ids: list[int]) -> dict[int, tuple[str, str]]:
    """(colour, line style) per variant: colour by base scenario, style by rank within it."""
    bases = list(dict.fromkeys(vf.loc[ids, "scenario"]))
    rank: dict[str, int] = {}
    out = {}
    for v in ids:
        b = vf.loc[v, "scenario"]
        k = rank.get(b, 0)
        rank[b] = k + 1
        if len(bases) == 1:  # one base: colours tell the variants apart
            out[v] = (COLORS[k % len(COLORS)], "-")
        else:
            out[v] = (COLORS[bases.index(b) % len(COLORS)], LINESTYLES[k % len(LINESTYLES)])
    return out


def plot_band(
    ax, x, mean, lo, hi, label: str, color: str | None = None, linestyle: str = "-"
) -> None:
    ok = np.isfinite(mean)
    line = ax.plot(
        np.asarray(x)[ok], mean[ok], label=label, linewidth=1.4, color=color, linestyle=linestyle
    )[0]
    ax.fill_between(
        np.asarray(x)[ok], lo[ok], hi[ok], alpha=0.18, color=line.get_color(), linewidth=0
    )


def _png_bytes(fig, dpi: int) -> bytes:
    """PNG quantized to 128 colours: a third of the size, no visible loss for line plots."""
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    buf.seek(0)
    image = Image.open(buf).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def save_figure(fig, path: Path, fmt: str = "png") -> None:
    if fmt == "png":
        Path(path).write_bytes(_png_bytes(fig, 100))
    else:
        fig.savefig(path, format=fmt, metadata={"Date": None})


def figure_png(fig) -> str:
    return base64.b64encode(_png_bytes(fig, 90)).decode("ascii")


# --- data ---------------------------------------------------------------------------------------------


def _variant_frame(manifest: dict[str, Any]):
    import pandas as pd

    rows = []
    for v in manifest["variants"]:
        rows.append(
            {"variant": v["variant"], "scenario": v["scenario"], "label": v["label"], **v["params"]}
        )
    return pd.DataFrame(rows).set_index("variant")


def aggregate_steps(
    store: Store, outcomes: list[str], variants: list[int]
) -> dict[int, dict[str, Any]]:
    """Mean and 95% band of each outcome per step for the chosen variants, one part at a time."""
    sums: dict[tuple[int, int], np.ndarray] = {}
    wanted = set(variants)
    k = len(outcomes)
    for part in store.iter_steps(columns=["variant", "step", *outcomes]):
        part = part[part["variant"].isin(wanted)]
        if part.empty:
            continue
        vals = part[outcomes].to_numpy(dtype=float)
        g = part.groupby(["variant", "step"]).indices
        for key, idx in g.items():
            block = vals[idx]
            acc = sums.setdefault((int(key[0]), int(key[1])), np.zeros((3, k)))
            acc[0] += np.isfinite(block).sum(axis=0)
            acc[1] += np.nansum(block, axis=0)
            acc[2] += np.nansum(block**2, axis=0)
    from scipy import stats as sps

    out: dict[int, dict[str, Any]] = {}
    for v in variants:
        steps = sorted(s for (vv, s) in sums if vv == v)
        if not steps:
            continue
        acc = np.stack([sums[(v, s)] for s in steps])  # steps × 3 × k
        n, s1, s2 = acc[:, 0], acc[:, 1], acc[:, 2]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = s1 / n
            var = np.maximum(s2 - s1**2 / n, 0) / (n - 1)
            half = (
                np.where(n > 1, sps.t.ppf(0.5 + stats.LEVEL / 2, np.maximum(n - 1, 1)), 0)
                * np.sqrt(np.nan_to_num(var))
                / np.sqrt(n)
            )
        out[v] = {"step": np.array(steps), "mean": mean, "lo": mean - half, "hi": mean + half}
    return out


def _layout(manifest: dict[str, Any], vf) -> dict[str, Any]:
    """How to draw final outcomes: x = a numeric varied parameter, series = everything else."""
    kinds = manifest["param_kinds"]
    sample = manifest.get("sample")
    varied = list(manifest["varied"])
    sampled = list(sample["ranges"]) if sample else []
    grid = [k for k in varied if k not in sampled]
    if sampled:
        return {"mode": "scatter", "x": sampled}
    numeric = [k for k in grid if kinds.get(k) in ("int", "float") and vf[k].nunique() > 1]
    if numeric:
        x = max(numeric, key=lambda k: vf[k].nunique())
        others = ["scenario"] + [k for k in grid if k != x]
        series = vf.groupby([vf[c].astype(str) for c in others], sort=False).ngroups
        if series <= MAX_SERIES:
            return {"mode": "lines", "x": x, "others": others}
    return {"mode": "points"}


def _series_label(others: list[str], key: tuple | str) -> str:
    key = key if isinstance(key, tuple) else (key,)
    parts = []
    for name, value in zip(others, key, strict=True):
        parts.append(value if name == "scenario" else f"{name.split('.')[-1]}={value}")
    return " · ".join(parts)


def _trajectory_variants(layout: dict[str, Any], vf) -> list[int]:
    ids = list(vf.index)
    if len(ids) <= 8:
        return ids
    if layout["mode"] == "lines":
        chosen: list[int] = []
        others = layout["others"]
        groups = vf.groupby([vf[c].astype(str) for c in others], sort=False)
        for _, g in groups:
            g = g.sort_values(layout["x"])
            picks = [g.index[0], g.index[-1]]
            if groups.ngroups <= 3 and len(g) > 2:
                picks.insert(1, g.index[len(g) // 2])
            chosen.extend(p for p in picks if p not in chosen)
        if len(chosen) <= MAX_SERIES:
            return chosen
    step = max(1, len(ids) // 8)
    return ids[::step][:8]


# --- html ---------------------------------------------------------------------------------------------

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


def _img(fig, caption: str, files: list[tuple[str, Any]] | None, name: str) -> str:
    data = figure_png(fig)
    if files is not None:
        files.append((name, fig))
    return f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{data}"><figcaption>{_e(caption)}</figcaption></figure>'


def _csv_link(frame, name: str) -> str:
    data = base64.b64encode(frame.to_csv(index=False).encode()).decode("ascii")
    return f'<a download="{_e(name)}" href="data:text/csv;base64,{data}">download as CSV</a>'


def _table(headers: list[str] | None, rows: list[list[Any]], left: int = 1) -> str:
    if headers is None:
        body = "".join(
            "<tr>" + "".join(f'<td class="l">{_e(c)}</td>' for c in row) + "</tr>" for row in rows
        )
        return f"<table><tbody>{body}</tbody></table>"
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
    recorded = m["outcomes"]
    outcomes = outcomes or recorded
    for name in outcomes:
        if name not in recorded:
            raise StoreError(
                f"--outcome: '{name}' was not recorded by this sweep; recorded: {', '.join(recorded)}"
            )
    runs = store.runs()
    if runs.empty:
        raise StoreError(f"{folder}: no finished runs yet; run the sweep first")
    vf = _variant_frame(m)
    ok = runs[runs["status"] == "ok"]
    failed = runs[runs["status"] != "ok"]
    layout = _layout(m, vf)
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
    steps = ", ".join(f"{k}: {v}" for k, v in m["steps"].items())
    design_rows = [
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
        ["runs recorded", f"{n_done} ({len(failed)} failed)"],
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
    parts.append("<h2>What was run</h2>" + _table(None, design_rows))
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
    traj_variants = _trajectory_variants(layout, vf) if m["every"] else []
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
        parts.append(_final_figure(name, layout, vf, summary, ok, files))
        if trajs:
            fig, ax = new_figure(6.4, 3.6)
            look = styles(vf, traj_variants)
            for v in traj_variants:
                if v not in trajs:
                    continue
                j = outcomes.index(name)
                t = trajs[v]
                plot_band(
                    ax,
                    t["step"],
                    t["mean"][:, j],
                    t["lo"][:, j],
                    t["hi"][:, j],
                    vf.loc[v, "label"],
                    *look[v],
                )
            ax.set_xlabel("step (week)", fontsize=9)
            ax.set_ylabel(name, fontsize=9)
            ax.legend(fontsize=7, frameon=False)
            shown = (
                ""
                if len(traj_variants) == len(vf)
                else f" ({len(traj_variants)} of {len(vf)} variants)"
            )
            parts.append(
                _img(
                    fig,
                    f"{name} over time: mean and 95% band over replications{shown}",
                    files,
                    f"{name}_trajectory",
                )
            )
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
            save_figure(fig, figures_dir / f"{fname}.{figure_format}", figure_format)
    return path


def _final_figure(
    name: str, layout: dict[str, Any], vf, summary: dict[int, dict], ok, files
) -> str:
    mean = {v: summary[v]["mean"] for v in summary}

    def ci(v):
        r = summary[v]
        lo = r["ci_low"] if r["ci_low"] is not None else r["mean"]
        hi = r["ci_high"] if r["ci_high"] is not None else r["mean"]
        return lo, hi

    if layout["mode"] == "lines":
        x, others = layout["x"], layout["others"]
        fig, ax = new_figure(6.4, 3.6)
        groups = vf.groupby([vf[c].astype(str) for c in others], sort=False)
        look = styles(vf, [int(g.index[0]) for _, g in groups])
        for key, g in groups:
            color, style = look[int(g.index[0])]
            g = g.sort_values(x)
            xs = g[x].to_numpy(dtype=float)
            ms = np.array(
                [mean[v] if mean[v] is not None else np.nan for v in g.index], dtype=float
            )
            lohi = np.array(
                [ci(v) if mean[v] is not None else (np.nan, np.nan) for v in g.index], dtype=float
            )
            ax.plot(
                xs,
                ms,
                marker="o",
                markersize=3.5,
                linewidth=1.4,
                color=color,
                linestyle=style,
                label=_series_label(others, key),
            )
            ax.fill_between(xs, lohi[:, 0], lohi[:, 1], alpha=0.18, color=color, linewidth=0)
        ax.set_xlabel(x, fontsize=9)
        ax.set_ylabel(f"{name} (final)", fontsize=9)
        ax.legend(fontsize=7, frameon=False)
        return _img(
            fig,
            f"final {name} against {x}: mean and 95% CI over replications",
            files,
            f"{name}_final",
        )
    if layout["mode"] == "scatter":
        keys = layout["x"]
        fig, axes = new_figure(min(3.0 * len(keys), 12), 3.0, ncols=len(keys))
        per_variant = ok.groupby("variant")[name].mean()
        for ax, k in zip(axes, keys, strict=True):
            xs = vf.loc[per_variant.index, k].to_numpy(dtype=float)
            for i, (base, idx) in enumerate(
                vf.loc[per_variant.index].groupby("scenario", sort=False).groups.items()
            ):
                sel = np.isin(per_variant.index, idx)
                ax.scatter(
                    xs[sel],
                    per_variant.to_numpy()[sel],
                    s=8,
                    alpha=0.7,
                    color=COLORS[i % len(COLORS)],
                    label=base,
                )
            ax.set_xlabel(k.split(".")[-1], fontsize=9)
        axes[0].set_ylabel(f"{name} (final, mean over replications)", fontsize=8)
        if vf["scenario"].nunique() > 1:
            axes[0].legend(fontsize=7, frameon=False)
        return _img(
            fig,
            f"final {name} at each sample point against each sampled parameter",
            files,
            f"{name}_scatter",
        )
    # points: one row per variant
    ids = list(vf.index)[:60]
    fig, ax = new_figure(6.4, max(2.0, (0.45 if len(ids) <= 12 else 0.28) * len(ids) + 1.0))
    ys = np.arange(len(ids))[::-1]
    jitter = np.random.default_rng(0)  # fixed: the same report twice is the same picture
    for y, v in zip(ys, ids, strict=True):
        if mean[v] is None:
            continue
        runs_v = ok.loc[ok["variant"] == v, name].to_numpy(dtype=float)
        if len(ids) <= 12 and len(runs_v):  # every run, so a skewed or bimodal spread shows
            ax.scatter(
                runs_v,
                y - 0.25 + 0.12 * jitter.uniform(-1, 1, len(runs_v)),
                s=5,
                color="#999999",
                alpha=0.6,
                linewidths=0,
            )
        lo, hi = ci(v)
        color = COLORS[list(vf["scenario"].unique()).index(vf.loc[v, "scenario"]) % len(COLORS)]
        ax.errorbar(
            mean[v],
            y,
            xerr=[[mean[v] - lo], [hi - mean[v]]],
            fmt="o",
            color=color,
            markersize=4,
            capsize=3,
        )
    ax.set_yticks(ys, [vf.loc[v, "label"] for v in ids], fontsize=7)
    ax.set_xlabel(
        f"{name} (final): mean and 95% CI" + (" (grey: each run)" if len(ids) <= 12 else ""),
        fontsize=9,
    )
    more = "" if len(ids) == len(vf) else f" (first {len(ids)} of {len(vf)} variants)"
    return _img(fig, f"final {name} per variant{more}", files, f"{name}_final")


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
        shown = mat.copy()
        if result["method"] == "morris":  # μ* has the outcome's units: scale rows to their maximum
            import warnings

            with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # rows of constants: all NaN
                shown = mat / np.nanmax(np.abs(mat), axis=1, keepdims=True)
        fig, ax = new_figure(1.2 + 0.9 * len(params), 0.8 + 0.28 * len(names))
        ax.grid(False)
        im = ax.imshow(np.nan_to_num(shown), cmap="Blues", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(
            range(len(params)),
            [p.split(".")[-1] for p in params],
            rotation=30,
            ha="right",
            fontsize=8,
        )
        ax.set_yticks(range(len(names)), names, fontsize=8)
        for i in range(len(names)):
            for j in range(len(params)):
                if math.isfinite(mat[i, j]):
                    ax.text(
                        j,
                        i,
                        stats.fmt(mat[i, j], 2),
                        ha="center",
                        va="center",
                        fontsize=6.5,
                        color="white" if shown[i, j] > 0.6 else "#222",
                    )
        fig.colorbar(im, ax=ax, shrink=0.8)
        label = f"{first} per outcome and parameter" + (
            " (colour: share of the row's largest)" if result["method"] == "morris" else ""
        )
        safe = "".join(ch if ch.isalnum() else "_" for ch in group)[:40]
        out.append(
            f"<h3>{_e(group)}</h3><div class='figs'>{_img(fig, label, files, f'sensitivity_{safe}')}</div>"
        )
        out.append(_table(["outcome", *[p.split(".")[-1] for p in params]], rows))
    return "".join(out)
