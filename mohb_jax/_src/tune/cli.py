"""``mohb-jax tune FILE.py`` and ``mohb-jax resume DIR`` (the block ``mohb_jax.cli`` calls).

``FILE.py`` defines ``train`` (module level), ``space``, ``objectives``, ``fidelity`` and
optionally ``hardware`` and ``settings`` (a dict of further :class:`Tuner` arguments, e.g.
``method``, ``n_workers``, ``stop``, ``journal``). ``resume`` imports ``train`` from the file
recorded in the journal's header.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

MODULE_NAME = "__mohb_tune_main__"


def load_file(path: str):
    """Import a tuning file as a module (its ``if __name__ == "__main__"`` block is skipped)."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no tuning file {path}")
    spec = importlib.util.spec_from_file_location(MODULE_NAME, p.resolve())
    mod = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = mod
    sys.path.insert(0, str(p.resolve().parent))
    spec.loader.exec_module(mod)
    return mod


def add_parsers(sub) -> None:
    t = sub.add_parser(
        "tune",
        help="tune a real training function (FILE.py defines train, space, objectives, ...)",
        description="Run real trials of FILE.py's train(config, ctx) over its space and "
        "hardware catalog; crash-safe journal in settings['journal'] or --journal.",
    )
    t.add_argument("file", help="a .py file defining train, space, objectives, fidelity")
    t.add_argument("--journal", default=None, help="run directory (overrides the file's)")
    t.add_argument("--no-progress", action="store_true", help="no live progress bar")
    r = sub.add_parser("resume", help="continue a tuning run from its journal directory")
    r.add_argument("dir", help="the run directory (holds journal.jsonl)")
    r.add_argument("--no-progress", action="store_true", help="no live progress bar")


def _print(res) -> None:
    front = res.pareto()
    print(
        f"{res.frame['trial'].nunique()} trials, {len(res.frame)} results, "
        f"${res.spent:.6f} spent; journal: {res.journal_dir}"
    )
    if len(front):
        cols = [c for c in ("trial", "hardware", *res.objectives) if c in front]
        print("Pareto front at the highest fidelity:")
        print(front[cols].to_string(index=False))


def cmd_tune(args) -> int:
    from mohb_jax._src.tune.tuner import Tuner

    mod = load_file(args.file)
    missing = [k for k in ("train", "space", "objectives", "fidelity") if not hasattr(mod, k)]
    if missing:
        raise ValueError(f"{args.file} must define {missing}")
    settings = dict(getattr(mod, "settings", {}) or {})
    if args.journal:
        settings["journal"] = args.journal
    settings.setdefault("journal", f"runs/{Path(args.file).stem}")
    if args.no_progress:
        settings["progress"] = False
    res = Tuner(
        mod.train,
        mod.space,
        hardware=getattr(mod, "hardware", None),
        objectives=mod.objectives,
        fidelity=mod.fidelity,
        **settings,
    ).run()
    _print(res)
    return 0


def cmd_resume(args) -> int:
    from mohb_jax._src.tune.journal import JOURNAL_FILE, read_journal
    from mohb_jax._src.tune.tuner import Tuner

    header = read_journal(Path(args.dir) / JOURNAL_FILE)[0]
    ref = header["train"]
    mod = load_file(ref["file"])
    train = mod
    for part in ref["qualname"].split("."):
        train = getattr(train, part)
    res = Tuner.resume(args.dir, train, progress=not args.no_progress).run()
    _print(res)
    return 0
