"""Append-only JSON Lines journal of a real run (Optuna's ``JournalFileBackend`` model).

One JSON object per line, written with ``flush`` + ``os.fsync`` before the driver acts on it,
so a killed driver loses nothing that had an effect. The first record is the header (versions,
the scheduler's static configuration, objectives, catalog, hash of the candidate table). A torn
last line (a write interrupted by the kill) is ignored on reading; an invalid line followed by
more lines is corruption and raises.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

JOURNAL_FILE = "journal.jsonl"
FORMAT = 1


def _default(o):
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serializable: {o!r}")


def encode_float(x: float) -> float | str:
    """JSON has no NaN/inf: they are written as the strings "nan", "inf", "-inf"."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def decode_float(x) -> float:
    return float(x)  # float("nan"), float("inf") parse the strings back


class JournalWriter:
    """Appends records, each flushed and fsynced."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._f = open(self.path, "ab")  # noqa: SIM115 (kept open for the whole run)
        self.n = 0

    def append(self, rec: dict[str, Any]) -> None:
        line = json.dumps(rec, default=_default, separators=(",", ":"), allow_nan=False)
        self._f.write(line.encode() + b"\n")
        self._f.flush()
        os.fsync(self._f.fileno())
        self.n += 1

    def close(self) -> None:
        if not self._f.closed:
            self._f.close()


def read_journal(path: Path) -> list[dict[str, Any]]:
    """All complete records; a torn last line is dropped (and cut off the file on resume).

    Raises:
        ValueError: an invalid line that is not the last one, or no header.
    """
    path = Path(path)
    data = path.read_bytes()
    lines = data.split(b"\n")
    recs = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            recs.append(json.loads(line))
        except json.JSONDecodeError:
            if i == len(lines) - 1:  # the last line, no newline after it: torn
                break
            raise ValueError(f"{path}: line {i + 1} is not valid JSON (corrupt journal)") from None
    if not recs or recs[0].get("type") != "header":
        raise ValueError(f"{path}: no header record; not a mohb_jax journal")
    if recs[0].get("format") != FORMAT:
        raise ValueError(f"{path}: journal format {recs[0].get('format')!r}; expected {FORMAT}")
    return recs


def truncate_torn(path: Path) -> None:
    """Cut a torn last line off the file so that appends start on a fresh line."""
    path = Path(path)
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        keep = data.rfind(b"\n") + 1
        with open(path, "r+b") as f:
            f.truncate(keep)
            f.flush()
            os.fsync(f.fileno())
