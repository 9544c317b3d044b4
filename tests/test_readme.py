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
