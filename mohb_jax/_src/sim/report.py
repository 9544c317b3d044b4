"""The report of a sweep: what a person reads after ``mohb-jax sweep`` or ``mohb-jax plot``.

From a results frame (and, when at hand, the table it was simulated on) this module computes

* the **normalized HV**: each run's anytime HV divided by the HV of the table's reachable front
  (:func:`mohb_jax.metrics.best_hypervolume`, same fixed reference point, same counting rule),
  so 1.0 means "found the whole front";
* the **summary table** per method: final normalized HV, the fraction of seeds that reach the
  baseline's target, and the time and cost speed-ups to that target with bootstrap CIs;
* a **headline sentence**: which method reached the baseline's target how much sooner, in
  simulated time and in dollars;
* the **settings found**: the Pareto-optimal fully trained (hardware, hyperparameters) of a
  typical run of the best method (the seed whose final HV is the median), with the cheapest
  setting within 1 % of the best value of the first objective;
* the PNGs (:mod:`mohb_jax._src.sim.plots`).

Which results count for the HV is stated everywhere: ``"all"`` (every fidelity: Syne Tune's
convention) or ``"max"`` (only fully trained results). The definitions of traces, targets and
speed-ups are those of :mod:`mohb_jax._src.sim.metrics`.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import metrics

__all__ = [
    "NoResultsError",
    "Summary",
    "annotate",
    "summarize",
    "headline",
    "found_settings",
    "settings_sentence",
    "write_report",
]

#: Within how much of the best value of the first objective a cheaper setting still counts.
NEAR_BEST = 0.01

COUNTING = {
    "all": "every result counts, at every fidelity (Syne Tune's convention)",
    "max": "only results at the highest fidelity count (fully trained)",
}


class NoResultsError(ValueError):
    """The results cannot be summarized (no result at all, or none for a method)."""


class Summary(NamedTuple):
    """Everything :func:`write_report` prints and plots."""

    traces: pd.DataFrame  # hypervolume_traces (normalized when ``normalized``)
    table: pd.DataFrame  # one row per method, strings for printing
    speedups: pd.DataFrame  # metrics.speedups rows, x = "time" and (if known) "cost"
    target: float  # the baseline's target HV (normalized when ``normalized``)
    baseline: str
    hv_fidelity: str  # "all" | "max"
    normalized: bool  # HV divided by the reachable front's HV
    best_hv: float | None  # the reachable front's HV (the denominator), if known


def annotate(df: pd.DataFrame, table, *, task=None) -> pd.DataFrame:
    """Record in ``df.attrs["mohb_jax"]`` what the report needs from the table.

    Adds ``max_fidelity``, ``best_hv`` (``{"all": hv, "max": hv}`` of the reachable front),
    ``true_front`` (the reachable fronts as records, objectives in original units plus the
    configuration's hyperparameters) and ``hardware_columns``, so that ``mohb-jax plot`` on
    saved results needs no table. Returns ``df`` (attrs changed in place).
    """
    meta = df.attrs.setdefault("mohb_jax", {})
    objs = list(meta.get("objectives") or [])
    if task is None:
        task = meta.get("task", 0)
    ref = meta.get("reference_point")
    meta["max_fidelity"] = float(np.asarray(table.fidelities)[-1])
    meta["hardware_columns"] = list(table.hardware.columns) if table.hardware is not None else []
    best, fronts = {}, {}
    for rule in metrics.HV_FIDELITY:
        best[rule] = metrics.best_hypervolume(table, objs, ref=ref, task=task, hv_fidelity=rule)
        f = metrics.reachable_front(table, objs, task=task, hv_fidelity=rule)
        cfg = table.configs.iloc[f["config"].to_numpy()].reset_index(drop=True)
        f = pd.concat([f, cfg.drop(columns=[c for c in cfg if c in f])], axis=1)
        fronts[rule] = f.to_dict("records")
    meta["best_hv"] = best
    meta["true_front"] = fronts
    return df


def summarize(
    df: pd.DataFrame,
    *,
    baseline: str | None = None,
    hv_fidelity: str = "all",
    progress: bool = False,
) -> Summary:
    """Normalized traces, speed-ups to the baseline's target and the per-method table.

    Raises:
        NoResultsError: an empty frame, a method without results, or no result that counts
            under ``hv_fidelity`` (e.g. a budget too small to train anything fully).
        ValueError: an unknown baseline or counting rule.
    """
    if hv_fidelity not in metrics.HV_FIDELITY:
        raise ValueError(f"--hv-fidelity must be one of {metrics.HV_FIDELITY}; got {hv_fidelity!r}")
    meta = df.attrs.get("mohb_jax", {})
    if len(df) == 0:
        raise NoResultsError(
            "the results are empty: no run reported a single result (is the budget smaller "
            "than the cheapest evaluation?)"
        )
    methods = list(meta.get("methods") or dict.fromkeys(df["method"]))
    present = set(df["method"])
    empty = [m for m in methods if m not in present]
    if empty:
        raise NoResultsError(
            f"method(s) {empty} reported no result within the budget; give a larger --budget"
        )
    if baseline is None:
        baseline = "random" if "random" in methods else methods[-1]
    if baseline not in methods:
        raise ValueError(f"baseline {baseline!r} is not among the methods {methods}")
    counted = metrics.counted_mask(df, hv_fidelity)
    if not counted.any():
        raise NoResultsError(
            f"no result counts under --hv-fidelity {hv_fidelity} ({COUNTING[hv_fidelity]}): "
            "no run trained a configuration fully within the budget; give a larger --budget "
            "or use --hv-fidelity all"
        )
    best = (meta.get("best_hv") or {}).get(hv_fidelity)
    best = float(best) if best is not None and float(best) > 0 else None
    tr = metrics.hypervolume_traces(df, progress=progress, hv_fidelity=hv_fidelity, scale=best)
    fin = metrics.final_hypervolume(tr)
    has_cost = "cost" in df and df["cost"].notna().all()
    sp_t = metrics.speedups(tr, baseline=baseline, x="time").set_index("method")
    sp_c = (
        metrics.speedups(tr, baseline=baseline, x="cost").set_index("method") if has_cost else None
    )
    hv_name = "final HV / best" if best is not None else "final HV"
    rows = []
    for m in methods:
        v = fin.loc[fin["method"] == m, "hv"].to_numpy()
        sem = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
        r = {
            "method": m,
            "seeds": len(v),
            hv_name: f"{v.mean():.4g} ± {sem:.2g}",
            "reached target": f"{sp_t.loc[m, 'reached_frac']:.0%}",
            f"time speed-up vs {baseline}": _fmt_ci(*sp_t.loc[m, ["speedup", "lo", "hi"]]),
        }
        if sp_c is not None:
            r[f"cost speed-up vs {baseline}"] = _fmt_ci(*sp_c.loc[m, ["speedup", "lo", "hi"]])
        rows.append(r)
    sp = pd.concat([s.reset_index() for s in (sp_t, sp_c) if s is not None], ignore_index=True)
    return Summary(
        traces=tr,
        table=pd.DataFrame(rows),
        speedups=sp,
        target=float(sp_t["target"].iloc[0]),
        baseline=baseline,
        hv_fidelity=hv_fidelity,
        normalized=best is not None,
        best_hv=best,
    )


def _fmt_ci(v, lo, hi) -> str:
    def f(x):
        return "inf" if x == float("inf") else ("nan" if x != x else f"{x:.2f}")

    return f"{f(v)} [{f(lo)}, {f(hi)}]"


def _times(v: float) -> str:
    if not np.isfinite(v):
        return "∞" if v > 0 else "n/a"
    return f"{v:.0f}×" if v >= 10 else f"{v:.1f}×" if v >= 1.05 else f"{v:.2f}×"


def best_method(s: Summary) -> str | None:
    """The non-baseline method with the largest median time speed-up (None if there is none)."""
    sp = s.speedups[(s.speedups["x"] == "time") & (s.speedups["method"] != s.baseline)]
    sp = sp[sp["speedup"].notna()]
    if sp.empty:
        return None
    return str(sp.sort_values("speedup", ascending=False, kind="stable")["method"].iloc[0])


def headline(s: Summary) -> str:
    """One sentence: which method reached the baseline's target how much sooner (time, $)."""
    m = best_method(s)
    tgt = (f"{s.target:.3g} of the best reachable HV" if s.normalized else f"HV {s.target:.4g}") + (
        ", every fidelity counted" if s.hv_fidelity == "all" else ", highest fidelity only"
    )
    if m is None:
        return f"No method besides {s.baseline} to compare (target {tgt})."
    sp = s.speedups.set_index(["method", "x"])
    t = sp.loc[(m, "time")]
    n = int(t["n_seeds"])
    if not np.isfinite(t["x_to_target"]):
        return (
            f"No method reached {s.baseline}'s target ({tgt}) in most of its seeds within the "
            f"budget (best: {m}, in {t['reached_frac']:.0%} of {n} seeds; {s.baseline}: "
            f"{sp.loc[(s.baseline, 'time'), 'reached_frac']:.0%}): under this counting rule "
            f"{s.baseline} is ahead here."
        )
    word = "sooner" if t["speedup"] >= 1 else "LATER"
    parts = [
        f"{m} reached {s.baseline}'s target ({tgt}) {_times(t['speedup'])} {word} in simulated "
        f"time (median {_dur(t['x_to_target'])} vs {_dur(t['baseline_x_to_target'])}, 95 % CI "
        f"of the ratio {_times(t['lo'])}–{_times(t['hi'])})"
    ]
    if (m, "cost") in sp.index:
        c = sp.loc[(m, "cost")]
        cw = "less" if c["speedup"] >= 1 else "MORE"
        parts.append(
            f"for {_times(c['speedup'])} {cw} money (${c['x_to_target']:.3g} vs "
            f"${c['baseline_x_to_target']:.3g}, CI {_times(c['lo'])}–{_times(c['hi'])})"
        )
    return " and ".join(parts) + f"; medians over {n} seeds."


def _short_headline(s: Summary) -> str | None:
    """Two lines for the HV figure: the headline's ratios."""
    m = best_method(s)
    if m is None:
        return None
    sp = s.speedups.set_index(["method", "x"])
    t = sp.loc[(m, "time")]
    if not np.isfinite(t["x_to_target"]):
        return f"no method reached {s.baseline}'s target\nin most seeds (median: never)"
    text = f"{m} reached {s.baseline}'s target\n{_times(t['speedup'])} "
    text += "sooner" if t["speedup"] >= 1 else "later"
    if (m, "cost") in sp.index:
        c = sp.loc[(m, "cost"), "speedup"]
        text += f" for {_times(c)} {'less' if c >= 1 else 'more'} money"
    return text + " (medians)"


def _dur(sec: float) -> str:
    if not np.isfinite(sec):
        return "never"
    if sec < 120:
        return f"{sec:.0f} s"
    if sec < 7200:
        return f"{sec / 60:.0f} min"
    return f"{sec / 3600:.1f} h"


def hardware_label(row: pd.Series | dict, columns: list[str]) -> str:
    """``"2 × t2.small"`` for a (flavor, count) pair, else ``"col=value, ..."``."""
    vals = [row[c] for c in columns]
    num = [v for v in vals if isinstance(v, (int, np.integer))]
    txt = [v for v in vals if isinstance(v, str)]
    if len(columns) == 2 and len(num) == 1 and len(txt) == 1:
        return f"{num[0]} × {txt[0]}"
    return ", ".join(f"{c}={v}" for c, v in zip(columns, vals, strict=True))


def typical_seed(s: Summary, method: str) -> int:
    """The seed of ``method`` whose final HV is the median (lower median) over its seeds."""
    fin = metrics.final_hypervolume(s.traces)
    fin = fin[fin["method"] == method].sort_values(["hv", "seed"], kind="stable")
    return int(fin["seed"].iloc[(len(fin) - 1) // 2])


def found_settings(
    df: pd.DataFrame, method: str, seed: int, hv_fidelity: str = "all"
) -> pd.DataFrame:
    """The Pareto-optimal settings one run found.

    The run's results that count under ``hv_fidelity`` (every fidelity, or the highest only:
    fully trained), reduced to the non-dominated ones in the sweep's objectives; one row per
    distinct (configuration, fidelity), sorted best first by the first objective.
    """
    meta = df.attrs.get("mohb_jax", {})
    objs, dirs = list(meta["objectives"]), list(meta["directions"])
    run = df[(df["method"] == method) & (df["seed"] == seed)]
    run = run[metrics.counted_mask(run, hv_fidelity)]
    y = metrics.objective_matrix(run, objs, dirs)
    from mohb_jax.tables import pareto_mask_np

    front = run[pareto_mask_np(y)].drop_duplicates(["config", "fidelity"])
    return front.sort_values(objs[0], ascending=dirs[0] == "min", kind="stable").reset_index(
        drop=True
    )


def _cost_objective(meta: dict) -> str | None:
    objs = list(meta.get("objectives") or [])
    for o in objs[1:]:
        if "cost" in o or "usd" in o or "$" in o:
            return o
    return None


def settings_sentence(
    df: pd.DataFrame, s: Summary, method: str | None = None
) -> tuple[str, pd.DataFrame]:
    """A sentence about the settings a typical run of ``method`` found, and their table."""
    meta = df.attrs.get("mohb_jax", {})
    method = method or best_method(s) or s.baseline
    seed = typical_seed(s, method)
    front = found_settings(df, method, seed, s.hv_fidelity)
    objs, dirs = list(meta["objectives"]), list(meta["directions"])
    hw = list(meta.get("hardware_columns") or [])
    q, qd = objs[0], dirs[0]
    cost = _cost_objective(meta) or (objs[1] if len(objs) > 1 else None)
    cfg_cols = [c for c in meta.get("config_columns", []) if c in front.columns]
    shown = front[[*cfg_cols, "fidelity", *objs]].copy()
    if hw:
        shown.insert(0, "hardware", [hardware_label(r, hw) for _, r in front.iterrows()])
    head = (
        f"A typical {method} run (seed {seed}, median final HV) found {len(front)} Pareto-optimal"
    )
    head += " highest-fidelity settings" if s.hv_fidelity == "max" else " settings"
    fname = meta.get("fidelity_name") or "fidelity"
    fid = shown["fidelity"].to_numpy()
    if len(fid) and (fid == fid.round()).all() and abs(fid).max() < 2**53:
        shown["fidelity"] = fid.astype("int64")  # 60000, not 6e+04
    if fname not in shown.columns:
        shown = shown.rename(columns={"fidelity": fname})
    if cost is None or front.empty:
        return head + ".", shown
    best_q = float(front[q].iloc[0])
    tol = NEAR_BEST * abs(best_q)
    near = front[(front[q] >= best_q - tol) if qd == "max" else (front[q] <= best_q + tol)]
    cheap = near.sort_values(cost, kind="stable").iloc[0]
    top = front.iloc[0]

    def what(r):
        hp = [c for c in cfg_cols if c not in hw]
        name = hardware_label(r, hw) if hw else "config " + str(int(r["config"]))
        hp = [f"{c}={r[c]:g}" if isinstance(r[c], float) else f"{c}={r[c]}" for c in hp]
        hp.append(f"{fname}={r['fidelity']:g}")
        return f"{name} ({', '.join(hp)})"

    def vals(r):
        extra = [o for o in objs[1:] if o != cost]
        xs = ", ".join(f"{o} {r[o]:.4g}" for o in extra)
        return f"{q} {r[q]:.4g}, {cost} {r[cost]:.4g}" + (f", {xs}" if xs else "")

    text = f"{head}. Most {'accurate' if qd == 'max' else 'best'}: {what(top)}: {vals(top)}."
    if (int(cheap["config"]), cheap["fidelity"]) != (int(top["config"]), top["fidelity"]):
        ratio = float(top[cost]) / float(cheap[cost]) if float(cheap[cost]) > 0 else np.inf
        text += (
            f" Within {NEAR_BEST:.0%} of that {q}: {what(cheap)}: {vals(cheap)}, "
            f"{_times(ratio)} less {cost} than the most {'accurate' if qd == 'max' else 'best'}"
            " setting."
        )
    else:
        text += f" No other setting comes within {NEAR_BEST:.0%} of its {q} for less {cost}."
    return text, shown


def write_report(
    df: pd.DataFrame,
    out: Path,
    *,
    baseline: str | None = None,
    hv_fidelity: str = "all",
    plot: bool = True,
    progress: bool = False,
    echo=print,
) -> list[Path]:
    """Print the summary, the headline and the settings found; write CSVs and PNGs into
    ``out``. Returns the written paths."""
    out.mkdir(parents=True, exist_ok=True)
    s = summarize(df, baseline=baseline, hv_fidelity=hv_fidelity, progress=progress)
    meta = df.attrs.get("mohb_jax", {})
    written = []
    echo(s.table.to_string(index=False))
    hvdef = (
        "HV / best = fraction of the HV of the table's reachable front (1.0 = the whole front; "
        "same fixed reference point)"
        if s.normalized
        else "HV with the table's fixed reference point (best reachable HV unknown)"
    )
    echo(f"HV counting (--hv-fidelity {s.hv_fidelity}): {COUNTING[s.hv_fidelity]}. {hvdef}.")
    echo(
        f"target = {s.target:.4g} (25 % quantile of {s.baseline}'s final HV); speed-up = ratio of "
        "median time (cost) to target, censored seeds = +inf; 95 % bootstrap CI"
    )
    echo("")
    echo(headline(s))
    settings = None
    if meta.get("objectives") and meta.get("directions"):
        text, settings = settings_sentence(df, s)
        echo(text)
        hw = [c for c in meta.get("hardware_columns") or [] if "hardware" in settings]
        top = settings.drop(columns=hw).head(12)
        with pd.option_context("display.width", 160, "display.max_columns", 20):
            echo(top.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        if len(settings) > len(top):
            echo(f"... {len(settings) - len(top)} more in settings.csv")
    for name, frame in (("speedups", s.speedups), ("summary", s.table), ("settings", settings)):
        if frame is not None:
            p = out / f"{name}.csv"
            frame.to_csv(p, index=False)
            written.append(p)
    p = out / "headline.txt"
    p.write_text(headline(s) + "\n")
    written.append(p)
    if plot:
        written += _plots(df, s, out)
    return written


def _plots(df: pd.DataFrame, s: Summary, out: Path) -> list[Path]:
    from . import plots

    plt = plots._plt()
    meta = df.attrs.get("mohb_jax", {})
    title = f"{meta.get('benchmark', '')} / {meta.get('task', '')}, {meta.get('n_workers')} workers"
    written = []
    fig = plots.plot_hv_report(
        s.traces,
        xs=["time"] + (["cost"] if (s.speedups["x"] == "cost").any() else []),
        target=s.target,
        normalized=s.normalized,
        title=f"{title}; HV counts "
        + ("every fidelity" if s.hv_fidelity == "all" else "the highest fidelity only"),
        baseline=s.baseline,
        note=_short_headline(s),
    )
    p = out / "hv.png"
    fig.savefig(p, bbox_inches="tight")
    plt.close(fig)
    written.append(p)
    objs = list(meta.get("objectives") or [])
    if len(objs) >= 2:
        m = best_method(s) or s.baseline
        runs = {m: typical_seed(s, m)}
        if s.baseline != m:
            runs[s.baseline] = typical_seed(s, s.baseline)
        shown = [objs[0], _cost_objective(meta) or objs[1]]
        tf = (meta.get("true_front") or {}).get(s.hv_fidelity)
        fig = plots.plot_fronts(
            df,
            runs,
            shown,
            [meta["directions"][objs.index(o)] for o in shown],
            true_front=pd.DataFrame(tf) if tf else None,
            hardware_columns=list(meta.get("hardware_columns") or []),
            title=title,
        )
        p = out / "front.png"
        fig.savefig(p, bbox_inches="tight")
        plt.close(fig)
        written.append(p)
    return written
