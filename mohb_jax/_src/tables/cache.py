"""On-disk cache of converted tables, keyed by content: ``.npz`` + parquet + a JSON sidecar.

An entry is a directory ``<cache>/<name>-<hash>/`` holding ``arrays.npz`` (values, mask,
encoded, fidelities, reference point, hardware prices), ``configs.parquet``,
``hardware.parquet`` (if any), ``table.json`` (names, directions, fields, metadata) and
``entry.json`` (what the key was made of, when it was written). The hash covers the benchmark
name, the loader's version, :data:`FORMAT_VERSION`, the **converter** (the text of the loader's
module and of the table modules it builds on) and the **content** of every source file (size +
sha256; the digests are memoised per (path, size, mtime) in ``<cache>/.file_hashes.json`` so a
large file is hashed once). So two checkouts with the same code and data share an entry, a
changed loader or data file gets a new one, and moving the data does not invalidate anything.

Entries are written to a temporary directory and renamed into place, so a reader never sees a
half-written entry; a read refreshes the entry's mtime (its "last used" time). When a new entry
of a benchmark is written, older entries of the same benchmark not used for
:data:`KEEP_DAYS` days are removed. :func:`cache_info` lists the entries and
:func:`clear_cache` removes them (all, one benchmark's, or the superseded ones); the command
line has ``mohb-jax cache list|clear``. The cache directory is ``$MOHB_JAX_CACHE`` or
``~/.cache/mohb_jax``.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .hardware import HardwareCatalog
from .table import Table

FORMAT_VERSION = 3
#: Superseded entries of a benchmark unused for this many days go when a new one is written.
KEEP_DAYS = 7.0
_HASH_INDEX = ".file_hashes.json"
#: Modules every conversion depends on (besides the loader's own module).
_CORE_MODULES = ("table", "frame", "views", "hardware", "encode", "reference")


def cache_dir() -> Path:
    """``$MOHB_JAX_CACHE`` or ``~/.cache/mohb_jax``."""
    env = os.environ.get("MOHB_JAX_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "mohb_jax"


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of ``path``'s content, memoised in the cache dir per (path, size, mtime)."""
    path = Path(path).resolve()
    st = path.stat()
    stamp = [st.st_size, st.st_mtime_ns]
    index_path = cache_dir() / _HASH_INDEX
    try:
        index = json.loads(index_path.read_text())
    except (OSError, ValueError):
        index = {}
    hit = index.get(str(path))
    if hit is not None and hit[:2] == stamp:
        return hit[2]
    digest = _sha256_file(path)
    index[str(path)] = [*stamp, digest]
    try:  # best effort: a read-only cache dir only costs re-hashing next time
        index_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = index_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(index))
        os.replace(tmp, index_path)
    except OSError:
        pass
    return digest


@functools.lru_cache(maxsize=256)
def _module_digest(module_file: str, size: int, mtime_ns: int) -> str:
    del size, mtime_ns  # part of the memo key: an edited file is read again
    return hashlib.sha256(Path(module_file).read_bytes()).hexdigest()


def converter_digest(loader) -> str:
    """sha256 over the text of ``loader``'s module and of the core table modules."""
    files = []
    try:
        files.append(inspect.getsourcefile(loader))
    except TypeError:  # a builtin or C function: only the core modules
        pass
    here = Path(__file__).parent
    files += [str(here / f"{m}.py") for m in _CORE_MODULES]
    common = here / "sources" / "_common.py"
    files.append(str(common))
    h = hashlib.sha256()
    for f in files:
        if f and Path(f).is_file():
            st = Path(f).stat()
            h.update(_module_digest(str(Path(f).resolve()), st.st_size, st.st_mtime_ns).encode())
    return h.hexdigest()


def source_files(spec, root: Path | None) -> list[Path]:
    """The files a benchmark's conversion reads (the cache key depends on their content)."""
    if spec.source_files is not None:
        return [Path(f) for f in spec.source_files(root)]
    if spec.data_folder is not None and root is not None:
        return sorted(p for p in (root / spec.data_folder).rglob("*") if p.is_file())
    return []


def _key_description(spec, root: Path | None) -> dict[str, Any]:
    files = source_files(spec, root)
    return {
        "name": spec.name,
        "version": spec.version,
        "format": FORMAT_VERSION,
        "converter": converter_digest(spec.get_loader()),
        "files": [[f.name, f.stat().st_size, file_digest(f)] for f in files if f.is_file()],
    }


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def key_and_description(spec, root: Path | None) -> tuple[str, dict[str, Any]]:
    """``(key, what the key is made of)``; the key is ``<name>-<sha256[:16]>``."""
    desc = _key_description(spec, root)
    h = hashlib.sha256(json.dumps(desc, sort_keys=True).encode()).hexdigest()[:16]
    return f"{_safe(spec.name)}-{h}", desc


def cache_key(spec, root: Path | None) -> str:
    """Cache key ``<name>-<sha256[:16]>`` of a benchmark's converter and source contents."""
    return key_and_description(spec, root)[0]


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
        table = load_table(d)
        try:
            os.utime(d)  # last used
        except OSError:
            pass
        return table
    except Exception as e:  # a corrupt entry must not break loading: rebuild it
        warnings.warn(f"ignoring unreadable table cache entry {d}: {e}", stacklevel=3)
        shutil.rmtree(d, ignore_errors=True)
        return None


def write_cached(key: str, table: Table, *, name: str | None = None, described=None) -> None:
    """Store ``table`` under ``key``: written to a temporary dir, then renamed into place.

    If another process wrote the same key meanwhile, its (equivalent) entry is kept. Then the
    entries of benchmark ``name`` with another key that were not used for :data:`KEEP_DAYS`
    days are removed. Failures (read-only disk, unsupported metadata) only warn: the table is
    still returned to the caller.
    """
    root = cache_dir()
    target = root / key
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
        try:
            save_table(table, tmp)
            entry = {"benchmark": name, "key": key, "written": time.time(), "made_of": described}
            (tmp / "entry.json").write_text(json.dumps(entry))
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
        return
    if name is not None:
        cutoff = time.time() - KEEP_DAYS * 86400
        for p in _entries(root):
            if p.name != key and _entry_name(p) == name and p.stat().st_mtime < cutoff:
                shutil.rmtree(p, ignore_errors=True)


def _entries(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _entry_name(p: Path) -> str:
    """Benchmark name of an entry (from its ``entry.json``, else from ``<name>-<hash>``)."""
    try:
        name = json.loads((p / "entry.json").read_text()).get("benchmark")
        if name:
            return str(name)
    except (OSError, ValueError):
        pass
    return p.name.rsplit("-", 1)[0]


def _size(p: Path) -> int:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


def _current_keys(names) -> dict[str, str | None]:
    """The key each registered benchmark would use now (None: unknown or data missing)."""
    from .registry import get_benchmark_spec, resolve_data_dir

    out: dict[str, str | None] = {}
    for n in names:
        try:
            spec = get_benchmark_spec(n)
            out[n] = cache_key(spec, resolve_data_dir(spec, None))
        except Exception:  # unregistered name, missing data, broken loader: not current
            out[n] = None
    return out


def cache_info(*, check_current: bool = True) -> pd.DataFrame:
    """The cache entries, one row each (newest use first).

    Args:
        check_current: also say whether each entry is the one ``load_benchmark(name)`` would
            read now (hashes the source files once; their digests are memoised).

    Returns:
        DataFrame with columns ``name`` (benchmark), ``key``, ``bytes``, ``last_used``
        (pandas Timestamp, UTC), ``current`` (True / False; None when the benchmark is not
        registered or its data are missing; all None without ``check_current``), ``path``.
    """
    rows = []
    root = cache_dir()
    entries = _entries(root)
    names = {p: _entry_name(p) for p in entries}
    current = _current_keys(set(names.values())) if check_current else {}
    for p in entries:
        key_now = current.get(names[p])
        rows.append(
            {
                "name": names[p],
                "key": p.name,
                "bytes": _size(p),
                "last_used": pd.Timestamp(p.stat().st_mtime, unit="s", tz="UTC"),
                "current": None if key_now is None else key_now == p.name,
                "path": str(p),
            }
        )
    cols = ["name", "key", "bytes", "last_used", "current", "path"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("last_used", ascending=False, kind="stable").reset_index(drop=True)


def clear_cache(name: str | None = None, *, stale_only: bool = False) -> int:
    """Delete cache entries; returns how many were removed.

    Args:
        name: only the entries of this benchmark (default: all benchmarks).
        stale_only: only the entries that ``load_benchmark`` would no longer read (another
            key is current: the loader or the data changed), and those of benchmarks that are
            no longer registered.
    """
    root = cache_dir()
    entries = [p for p in _entries(root) if name is None or _entry_name(p) == name]
    if stale_only:
        current = _current_keys({_entry_name(p) for p in entries})
        entries = [p for p in entries if current.get(_entry_name(p)) != p.name]
    for p in entries:
        shutil.rmtree(p, ignore_errors=True)
    return len(entries)
