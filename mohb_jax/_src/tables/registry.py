"""Registry of offline benchmarks: name → loader + cheap static metadata.

The built-in benchmarks are ONE declarative table (:data:`.sources.catalog.BUILTIN`); each
names its loader as ``"<module>:<function>"`` of :mod:`mohb_jax._src.tables.sources`, imported
only when that benchmark is loaded, so importing the registry or listing the benchmarks imports
no loader and reads no data. Users add their own with :func:`register_benchmark`.

A loader is ``loader(data_dir: pathlib.Path | None) -> Table``; it receives the *root* data
directory (the one that holds ``nasbench201/``, ``fcnet/``, ...) and reads its own folder.
Tables that ship inside the package (``data_folder=None``) need no data directory.

The data directory is, in order: the ``data_dir`` argument, ``$MOHB_JAX_DATA``, then
``shared/data`` beside the checkout (``Path(mohb_jax.__file__).parents[2] / "shared" / "data"``).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .sources.catalog import BUILTIN, DATA_SOURCES
from .table import Table

Loader = Callable[[Path | None], Table]
SOURCES_PACKAGE = "mohb_jax._src.tables.sources"


@dataclass(frozen=True)
class BenchmarkSpec:
    """Static description of a registered benchmark (nothing here needs the data).

    Attributes:
        name: registry key.
        loader: ``loader(data_dir) -> Table``, or ``"<module>:<function>"`` of
            :mod:`mohb_jax._src.tables.sources` (imported on first load; see :meth:`get_loader`).
        description: one line.
        citation: paper(s) to cite when showing results on it.
        surrogate: True when values come from a surrogate model, not measurements.
        default_objectives: objectives used by default (e.g. in sweeps and HV reference points).
        tasks: task names (if known statically).
        n_configs: number of configurations (if known statically).
        objectives: all objective names (if known statically).
        data_folder: sub-folder of the data dir the loader reads; None when it needs no data
            (the table ships inside the package); see :attr:`needs_data`.
        version: loader version; part of the cache key (bump it when the conversion changes).
        source_files: optional ``f(data_dir) -> list[Path]`` of files the cache key depends on;
            default: every file under ``data_dir / data_folder``.
    """

    name: str
    loader: Loader | str
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

    @property
    def needs_data(self) -> bool:
        """True when loading needs the shared data directory (False: ships in the package)."""
        return self.data_folder is not None

    def get_loader(self) -> Loader:
        """The loader function (imports its source module the first time).

        Raises:
            ImportError: the source module cannot be imported (chained, naming the benchmark).
        """
        if callable(self.loader):
            return self.loader
        mod, _, fn = self.loader.partition(":")
        full = f"{SOURCES_PACKAGE}.{mod}"
        try:
            module = importlib.import_module(full)
        except ImportError as e:
            raise ImportError(
                f"benchmark {self.name!r}: its loader module {full} failed to import: {e}"
            ) from e
        try:
            return getattr(module, fn)
        except AttributeError:
            raise ImportError(f"benchmark {self.name!r}: {full} has no loader {fn!r}") from None


#: The registry: the built-in table, then whatever users register.
_REGISTRY: dict[str, BenchmarkSpec] = {d["name"]: BenchmarkSpec(**d) for d in BUILTIN}


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
            and no data dir exists. A string ``"<module>:<function>"`` names a loader of
            :mod:`mohb_jax._src.tables.sources`, imported when the benchmark is loaded.
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
        ValueError: ``name`` already registered (and not ``overwrite``), or ``loader`` neither
            callable nor a ``"module:function"`` string.
    """
    if not (callable(loader) or (isinstance(loader, str) and ":" in loader)):
        raise ValueError(
            f"loader for {name!r} must be callable or 'module:function'; "
            f"got {type(loader).__name__}"
        )
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


def get_benchmark_spec(name: str) -> BenchmarkSpec:
    """The :class:`BenchmarkSpec` of ``name``.

    Raises:
        ValueError: ``name`` is unknown; the message lists the registered names.
    """
    if name in _REGISTRY:
        return _REGISTRY[name]
    raise ValueError(f"unknown benchmark {name!r}; registered benchmarks: {sorted(_REGISTRY)}")


def list_benchmarks() -> pd.DataFrame:
    """One row per registered benchmark, from static metadata only (no data is read).

    Returns:
        DataFrame with columns name, description, tasks, n_configs, objectives,
        default_objectives, surrogate, needs_data, data_folder, citation (sorted by name).
    """
    rows = [
        {
            "name": s.name,
            "description": s.description,
            "tasks": list(s.tasks),
            "n_configs": s.n_configs,
            "objectives": list(s.objectives),
            "default_objectives": list(s.default_objectives),
            "surrogate": s.surrogate,
            "needs_data": s.needs_data,
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
        "needs_data",
        "data_folder",
        "citation",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["n_configs"] = out["n_configs"].astype("Int64")
    return out


def repo_data_dir() -> Path:
    """``shared/data`` beside the checkout holding ``mohb_jax``."""
    import mohb_jax

    return Path(mohb_jax.__file__).resolve().parents[2] / "shared" / "data"


def default_data_dir() -> Path | None:
    """``$MOHB_JAX_DATA`` if set, else ``shared/data`` beside the checkout if it exists, else None.

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
        "or place it at shared/data beside the checkout (see the README, section 'Data').",
        f"{spec.data_folder!r} comes from: {src}.",
        "Original sources of all tables: "
        + "; ".join(f"{k}: {v}" for k, v in DATA_SOURCES.items()),
    ]
    return "\n".join(lines)


def resolve_data_dir(spec: BenchmarkSpec, data_dir: str | os.PathLike | None) -> Path | None:
    """The root data dir for ``spec``.

    Candidates: ``data_dir`` if given; else ``$MOHB_JAX_DATA`` (if set) then ``shared/data``
    beside the checkout. The first candidate holding ``spec.data_folder`` wins.

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
            ``$MOHB_JAX_DATA``, then ``shared/data`` beside the checkout. Tables that ship in
            the package (``needs_data`` False) need none.
        cache: read/write the converted table from/to the cache (``$MOHB_JAX_CACHE`` or
            ``~/.cache/mohb_jax``), keyed by content: name, loader version, format version,
            the converter's source text and the source files' sha256 (see
            :func:`~mohb_jax._src.tables.cache.cache_info`).

    Returns:
        The table.

    Raises:
        ValueError: unknown name (the message lists the registered names).
        ImportError: the benchmark's loader module failed to import.
        FileNotFoundError: the data folder is missing (the message says where to put it and
            where it comes from).
    """
    spec = get_benchmark_spec(name)
    root = resolve_data_dir(spec, data_dir)
    if not cache:
        return _call_loader(spec, root)
    from . import cache as _cache

    key, made_of = _cache.key_and_description(spec, root)
    hit = _cache.read_cached(key)
    if hit is not None:
        return hit
    table = _call_loader(spec, root)
    _cache.write_cached(key, table, name=spec.name, described=made_of)
    return table


def _call_loader(spec: BenchmarkSpec, root: Path | None) -> Table:
    table = spec.get_loader()(root)
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
        "needs_data": s.needs_data,
        "data_folder": s.data_folder,
    }
