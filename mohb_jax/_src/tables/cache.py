"""On-disk cache of converted tables: ``.npz`` arrays + parquet frames + a JSON sidecar.

An entry is a directory ``<cache>/<name>-<hash>/`` holding ``arrays.npz`` (values, mask,
encoded, fidelities, hardware prices), ``configs.parquet``, ``hardware.parquet`` (if any) and
``table.json`` (names, directions, flags, metadata). The hash covers the benchmark name, the
loader version, :data:`FORMAT_VERSION`, the size and mtime of the loader's source file and of
every source data file, so editing either invalidates the entry. Entries are written to a
temporary directory and renamed into place, so a reader never sees a half-written entry.
The cache directory is ``$MOHB_JAX_CACHE`` or ``~/.cache/mohb_jax``.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .hardware import HardwareCatalog
from .table import Table

FORMAT_VERSION = 3


def cache_dir() -> Path:
    """``$MOHB_JAX_CACHE`` or ``~/.cache/mohb_jax``."""
    env = os.environ.get("MOHB_JAX_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "mohb_jax"


def _stat(p: Path) -> list:
    st = p.stat()
    return [st.st_size, st.st_mtime_ns]


def cache_key(spec, root: Path | None) -> str:
    """Cache key ``<name>-<sha256[:16]>`` of a benchmark spec and its source files."""
    if spec.source_files is not None:
        files = [Path(f) for f in spec.source_files(root)]
    elif spec.data_folder is not None and root is not None:
        files = sorted(p for p in (root / spec.data_folder).rglob("*") if p.is_file())
    else:
        files = []
    try:
        loader_file = inspect.getsourcefile(spec.get_loader())
    except TypeError:
        loader_file = None
    desc = {
        "name": spec.name,
        "version": spec.version,
        "format": FORMAT_VERSION,
        "loader": [str(loader_file), _stat(Path(loader_file))] if loader_file else None,
        "files": [[str(f.name), *_stat(f)] for f in files],
    }
    h = hashlib.sha256(json.dumps(desc, sort_keys=True).encode()).hexdigest()[:16]
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in spec.name)
    return f"{safe}-{h}"


# ---- JSON with tagged numpy arrays / tuples ---------------------------------------------------
# Arrays inside ``metadata`` go into the npz (exact, fast); the JSON keeps a reference to them.
def _to_json(x: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "biufcUSM":
            raise TypeError(f"cannot store a {x.dtype} array in the table cache")
        key = f"meta_{len(arrays)}"
        arrays[key] = x
        return {"__npz__": key}
    if isinstance(x, np.generic):
        return {"__npscalar__": x.item(), "dtype": x.dtype.str}
    if isinstance(x, tuple):
        return {"__tuple__": [_to_json(v, arrays) for v in x]}
    if isinstance(x, list):
        return [_to_json(v, arrays) for v in x]
    if isinstance(x, dict):
        if not all(isinstance(k, str) for k in x):
            raise TypeError(f"metadata dict keys must be str; got {list(x)[:5]}")
        return {k: _to_json(v, arrays) for k, v in x.items()}
    if isinstance(x, float) and not np.isfinite(x):
        return {"__float__": repr(x)}
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    raise TypeError(f"cannot store {type(x).__name__} in the table cache")


def _from_json(x: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(x, list):
        return [_from_json(v, arrays) for v in x]
    if isinstance(x, dict):
        if "__npz__" in x:
            return arrays[x["__npz__"]]
        if "__npscalar__" in x:
            return np.dtype(x["dtype"]).type(x["__npscalar__"])
        if "__tuple__" in x:
            return tuple(_from_json(v, arrays) for v in x["__tuple__"])
        if "__float__" in x:
            return float(x["__float__"])
        return {k: _from_json(v, arrays) for k, v in x.items()}
    return x


# ---- save / load ------------------------------------------------------------------------------
def save_table(table: Table, directory: str | os.PathLike) -> None:
    """Write ``table`` into ``directory`` (created) as npz + parquet + JSON."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    arrays = {
        "values": np.asarray(table.values),
        "mask": np.asarray(table.mask),
        "encoded": np.asarray(table.encoded),
        "fidelities": np.asarray(table.fidelities),
        "ref_point": np.asarray(table.ref_point, np.float64),
    }
    hw = table.hardware
    if hw is not None:
        arrays["price_per_hour"] = np.asarray(hw.price_per_hour)
        hw.catalog.to_parquet(d / "hardware.parquet")
    table.configs.to_parquet(d / "configs.parquet")
    meta_arrays: dict[str, np.ndarray] = {}
    meta = {
        "format": FORMAT_VERSION,
        "name": table.name,
        "objectives": list(table.objectives),
        "directions": list(table.directions),
        "tasks": list(table.tasks),
        "fidelity_name": table.fidelity_name,
        "time_objective": table.time_objective,
        "time_cumulative": table.time_cumulative,
        "fidelity_kind": table.fidelity_kind,
        "default_objectives": list(table.default_objectives),
        "hardware": None if hw is None else {"columns": list(hw.columns), "source": hw.source},
        "metadata": table.metadata,
    }
    text = json.dumps(_to_json(meta, meta_arrays))
    np.savez(d / "arrays.npz", **arrays, **meta_arrays)
    (d / "table.json").write_text(text)


def load_table(directory: str | os.PathLike) -> Table:
    """Read a table written by :func:`save_table`."""
    d = Path(directory)
    raw = json.loads((d / "table.json").read_text())
    if raw.get("format") != FORMAT_VERSION:
        raise ValueError(f"cache entry {d} has format {raw.get('format')}, need {FORMAT_VERSION}")
    with np.load(d / "arrays.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = _from_json(raw, arrays)
    hw = None
    if meta["hardware"] is not None:
        hw = HardwareCatalog(
            columns=tuple(meta["hardware"]["columns"]),
            price_per_hour=arrays["price_per_hour"],
            catalog=pd.read_parquet(d / "hardware.parquet"),
            source=meta["hardware"]["source"],
        )
    return Table(
        name=meta["name"],
        values=arrays["values"],
        mask=arrays["mask"],
        configs=pd.read_parquet(d / "configs.parquet"),
        encoded=arrays["encoded"],
        fidelities=arrays["fidelities"],
        objectives=tuple(meta["objectives"]),
        directions=tuple(meta["directions"]),
        tasks=tuple(meta["tasks"]),
        fidelity_name=meta["fidelity_name"],
        time_objective=meta["time_objective"],
        time_cumulative=meta["time_cumulative"],
        hardware=hw,
        fidelity_kind=meta["fidelity_kind"],
        default_objectives=tuple(meta["default_objectives"]),
        ref_point=arrays["ref_point"],
        metadata=meta["metadata"],
    )


def read_cached(key: str) -> Table | None:
    """The cached table for ``key``, or None.

    A missing entry gives None; an unreadable one is deleted (so it is rebuilt) with a warning.
    """
    d = cache_dir() / key
    if not (d / "table.json").is_file():
        return None
    try:
        return load_table(d)
    except Exception as e:  # a corrupt entry must not break loading: rebuild it
        warnings.warn(f"ignoring unreadable table cache entry {d}: {e}", stacklevel=3)
        shutil.rmtree(d, ignore_errors=True)
        return None


def write_cached(key: str, table: Table) -> None:
    """Store ``table`` under ``key``: written to a temporary dir, then renamed into place.

    If another process wrote the same key meanwhile, its (equivalent) entry is kept. Failures
    (read-only disk, unsupported metadata) only warn: the table is still returned to the caller.
    """
    root = cache_dir()
    target = root / key
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
        try:
            save_table(table, tmp)
            try:
                os.replace(tmp, target)
            except OSError:
                if not (target / "table.json").is_file():
                    raise
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    except Exception as e:
        warnings.warn(f"could not write table cache entry {key} in {root}: {e}", stacklevel=3)


def clear_cache(name: str | None = None) -> int:
    """Delete cache entries (of benchmark ``name``, or all); returns how many were removed."""
    root = cache_dir()
    if not root.is_dir():
        return 0
    n = 0
    for p in root.iterdir():
        if (
            p.is_dir()
            and not p.name.startswith(".")
            and (name is None or p.name.rsplit("-", 1)[0] == name)
        ):
            shutil.rmtree(p, ignore_errors=True)
            n += 1
    return n
