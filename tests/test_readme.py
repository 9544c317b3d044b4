"""The README's first Python example runs as written (sizes shrunk to keep the test fast)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python example"
    code = blocks[0]
    for old, new in (("(1000, 256, 2)", "(4, 32, 2)"), ("seeds=100", "seeds=2")):
        assert old in code, f"README example changed: {old!r} not found; update this test"
        code = code.replace(old, new)
    ns: dict = {}
    exec(compile(code, str(README), "exec"), ns)  # noqa: S102 - our own README
    assert ns["ranks"].shape == (4, 32)
    assert ns["hv"].shape == (4,) and (ns["hv"] > 0).all()
    traces = ns["traces"]
    assert set(traces["seed"]) == {0, 1} and (traces["hv"] >= 0).all()
    # HV never decreases within a run
    assert (traces.groupby("seed")["hv"].diff().dropna() >= 0).all()


def test_readme_cli_lines_parse():
    """Every ``mohb-jax ...`` command in the README's bash blocks is accepted by the CLI parser
    (flags and arguments exist; nothing is run)."""
    import shlex

    import pytest

    from mohb_jax.cli import _parser

    lines = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.S):
        for cmd in block.replace("\\\n", " ").splitlines():
            cmd = cmd.split(" #")[0].strip()
            if "mohb-jax " in cmd:
                lines.append(cmd[cmd.index("mohb-jax ") :])  # also after "... && .venv/bin/"
    assert len(lines) >= 4, lines
    for cmd in lines:
        argv = shlex.split(cmd)[1:]
        try:
            _parser().parse_args(argv)
        except SystemExit:
            pytest.fail(f"README command does not parse: {cmd}")


def _quick_start_command() -> list[str]:
    """argv of the README's first ``mohb-jax`` command (the main job), after ``mohb-jax``."""
    import shlex

    block = re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.S)[0]
    line = next(ln for ln in block.splitlines() if "mohb-jax " in ln)
    return shlex.split(line[line.index("mohb-jax ") :])[1:]


def test_readme_main_job_end_to_end(tmp_path, monkeypatch, capsys):
    """The README's main job, as written, at a small size (2 seeds, a 20x budget): the
    headline sentence, the settings found (their hardware real rows of the table), the PNGs.

    It runs with ``MOHB_JAX_DATA`` pointing to an empty folder: the default table ships with
    the package.
    """
    import json

    import pandas as pd

    from mohb_jax.cli import DEFAULT_BENCHMARK, main
    from mohb_jax.tables import load_benchmark

    argv = _quick_start_command()
    assert argv == ["sweep"], f"README main job changed: {argv}; update this test"
    empty = tmp_path / "no_data"
    empty.mkdir()
    monkeypatch.setenv("MOHB_JAX_DATA", str(empty))
    monkeypatch.setenv("MOHB_JAX_NO_COMPILE_CACHE", "1")
    table = load_benchmark(DEFAULT_BENCHMARK)
    out = tmp_path / "res"
    small = ["--seeds", "0:2", "--budget", "20x", "--no-progress", "--out", str(out)]
    rc = main(argv + small)
    text = capsys.readouterr().out
    assert rc == 0, text
    assert "reached random's target" in text or "No method reached" in text
    assert "Pareto-optimal settings" in text
    for f in ("hv.png", "front.png", "headline.txt", "settings.csv", "summary.csv"):
        assert (out / f).stat().st_size > 0, f
    meta = json.loads((out / "results.json").read_text())
    assert meta["benchmark"] == DEFAULT_BENCHMARK and 0 < meta["best_hv"]["max"]
    assert meta["best_hv"]["max"] <= meta["best_hv"]["all"]
    # the hardware the summary names are real rows of the table
    settings = pd.read_csv(out / "settings.csv")
    hw = list(table.hardware.columns)
    real = set(map(tuple, table.configs[hw].astype(str).to_numpy()))
    named = set(map(tuple, settings[hw].astype(str).to_numpy()))
    assert named and named <= real
    for label, row in zip(settings["hardware"], settings[hw].to_numpy(), strict=True):
        assert all(str(v) in label for v in row)  # "2 × t2.small" names that row
    cfg = table.configs.astype(str).to_numpy()
    cols = list(table.configs.columns)
    for r in settings[cols].astype(str).to_numpy():
        assert (cfg == r).all(axis=1).any(), f"{r} is not a configuration of the table"
