"""The converted-table cache: content keys, listing, clearing, eviction, ``mohb-jax cache``."""

from __future__ import annotations

import os
import shutil
import time

import numpy as np
import pandas as pd
import pytest

from mohb_jax import tables
from mohb_jax.cli import main as cli_main


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A registered benchmark reading ``<data>/toy_cache/runs.csv``; counts loader calls."""
    monkeypatch.setenv("MOHB_JAX_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    (data / "toy_cache").mkdir(parents=True)
    rng = np.random.default_rng(0)
    pd.DataFrame(
        {
            "x": np.repeat(np.arange(5), 3),
            "f": np.tile([1, 2, 4], 5),
            "err": rng.random(15),
            "t": rng.uniform(1, 2, 15),
        }  # fmt: skip
    ).to_csv(data / "toy_cache" / "runs.csv", index=False)
    calls = []

    def loader(root):
        calls.append(root)
        df = pd.read_csv(root / "toy_cache" / "runs.csv")
        return tables.Table.from_frame(
            df, config_columns=["x"], fidelity_column="f", objectives={"err": "min", "t": "min"},
            time_objective="t", name="toy_cache",
        )  # fmt: skip

    tables.register_benchmark(
        "toy_cache", loader, description="toy", citation="none", data_folder="toy_cache",
        overwrite=True,
    )  # fmt: skip
    yield data, calls
    tables.unregister_benchmark("toy_cache")


def test_key_is_content_so_a_moved_copy_hits(toy, tmp_path):
    data, calls = toy
    tables.load_benchmark("toy_cache", data_dir=data)
    moved = tmp_path / "elsewhere"
    shutil.copytree(data, moved)
    t = tables.load_benchmark("toy_cache", data_dir=moved)
    assert len(calls) == 1 and t.n_configs == 5  # same content elsewhere: served by the cache
    info = tables.cache_info()
    assert list(info["name"]) == ["toy_cache"] and info["bytes"].iloc[0] > 0


def test_info_marks_superseded_entries_and_clear_stale_removes_only_them(toy, monkeypatch):
    data, calls = toy
    tables.load_benchmark("toy_cache", data_dir=data)
    f = data / "toy_cache" / "runs.csv"
    f.write_text(f.read_text() + "5,1,0.5,1.5\n")  # new data: a new entry, the old one stale
    monkeypatch.setenv("MOHB_JAX_DATA", str(data))  # where cache_info finds the current data
    tables.load_benchmark("toy_cache", data_dir=data)
    info = tables.cache_info()
    assert len(info) == 2 and sorted(info["current"].tolist()) == [False, True]
    assert tables.clear_cache(stale_only=True) == 1
    left = tables.cache_info()
    assert len(left) == 1 and bool(left["current"].iloc[0])
    t = tables.load_benchmark("toy_cache", data_dir=data)
    assert len(calls) == 2 and t.n_configs == 6  # the current entry still serves


def test_old_superseded_entries_are_evicted_on_write(toy):
    data, calls = toy
    tables.load_benchmark("toy_cache", data_dir=data)
    old = tables.cache_info()["path"].iloc[0]
    past = time.time() - 8 * 86400  # unused for 8 days
    os.utime(old, (past, past))
    f = data / "toy_cache" / "runs.csv"
    f.write_text(f.read_text() + "5,1,0.5,1.5\n")
    tables.load_benchmark("toy_cache", data_dir=data)
    paths = tables.cache_info(check_current=False)["path"].tolist()
    assert old not in paths and len(paths) == 1


def test_recent_superseded_entries_are_kept(toy):
    data, _ = toy
    tables.load_benchmark("toy_cache", data_dir=data)
    f = data / "toy_cache" / "runs.csv"
    f.write_text(f.read_text() + "5,1,0.5,1.5\n")
    tables.load_benchmark("toy_cache", data_dir=data)
    assert len(tables.cache_info(check_current=False)) == 2  # another checkout may still use it


def test_cli_cache_list_and_clear(toy, capsys):
    data, _ = toy
    tables.load_benchmark("toy_cache", data_dir=data)
    assert cli_main(["cache", "list"]) == 0
    out = capsys.readouterr().out
    assert "1 entries" in out and "toy_cache" in out
    assert cli_main(["cache", "clear", "--name", "toy_cache"]) == 0
    assert "removed 1 cache entries" in capsys.readouterr().out
    assert cli_main(["cache"]) == 0 and "0 entries" in capsys.readouterr().out


def test_packaged_tables_are_keyed_by_their_shipped_files():
    from mohb_jax._src.tables import cache
    from mohb_jax._src.tables.sources.catalog import BUILTIN

    builtin = {entry["name"] for entry in BUILTIN}  # not tables other tests register
    packaged = [n for n in tables.list_benchmarks().query("not needs_data")["name"] if n in builtin]
    assert {"embedded", "trimtuner_cnn", "trimtuner_rnn"} <= set(packaged)
    for name in packaged:
        files = cache.source_files(tables.get_benchmark_spec(name), None)
        assert files and all(f.is_file() for f in files), name
        assert {f.parent.name for f in files} == {"data"}, name  # mohb_jax/data
