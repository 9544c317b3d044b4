"""The report of a sweep: normalized HV, the headline sentence, the settings found, the PNGs.

What ``mohb-jax sweep`` and ``mohb-jax plot`` print and write, as functions (definitions in
:mod:`mohb_jax._src.sim.report`).

Example::

    import mohb_jax
    from mohb_jax import report, tables

    t = tables.load_benchmark("trimtuner_cnn")
    df = mohb_jax.sim.compare(t, methods=["epsnet", "random"], seeds=32, budget="100x")
    report.annotate(df, t)                          # best reachable HV, true fronts, hardware
    s = report.summarize(df, hv_fidelity="all")     # HV / best, speed-ups with CIs
    print(report.headline(s))
"""

from mohb_jax._src.sim.report import (
    COUNTING,
    NoResultsError,
    Summary,
    annotate,
    found_settings,
    headline,
    settings_sentence,
    summarize,
    write_report,
)

__all__ = [
    "COUNTING",
    "NoResultsError",
    "Summary",
    "annotate",
    "found_settings",
    "headline",
    "settings_sentence",
    "summarize",
    "write_report",
]
