"""The hardware catalog of a real run: one row per execution setting.

A row says what a setting costs (``price_per_hour``, so that cost = time × price) and what each
executor needs to provide it: the local executor pins the job's process to ``cpus``
(``os.sched_setaffinity``), sets ``env`` before the process starts (``XLA_FLAGS``,
``OMP_NUM_THREADS``, ``CUDA_VISIBLE_DEVICES``, ...) and runs at most ``slots`` jobs of that
row at once; ``resources`` is free-form per other executor (e.g. ``{"ray": {...}}``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Hardware:
    """One hardware setting.

    Attributes:
        name: unique name (the candidate table's ``hardware`` value).
        price_per_hour: $/h of the setting (>= 0).
        cpus: CPU ids the job is pinned to (None: not pinned).
        env: environment variables set in the job's process before it starts.
        slots: at most this many jobs of this setting run at the same time (local executor).
        resources: executor-specific requests (e.g. ``{"ray": {"num_cpus": 2}}``).
    """

    name: str
    price_per_hour: float
    cpus: tuple[int, ...] | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    slots: int = 1
    resources: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"hardware name must be a non-empty string; got {self.name!r}")
        p = self.price_per_hour
        if (
            isinstance(p, bool)
            or not isinstance(p, (int, float))
            or not p >= 0
            or p == float("inf")
        ):
            raise ValueError(
                f"hardware {self.name!r}: price_per_hour must be finite >= 0; got {p!r}"
            )
        if self.cpus is not None:
            cpus = tuple(self.cpus)
            if not cpus or any(
                isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in cpus
            ):
                raise ValueError(
                    f"hardware {self.name!r}: cpus must be a non-empty list of CPU ids; got "
                    f"{self.cpus!r}"
                )
            object.__setattr__(self, "cpus", cpus)
        env = dict(self.env)
        for k, v in env.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise ValueError(
                    f"hardware {self.name!r}: env must map str to str; got {k!r}: {v!r}"
                )
        object.__setattr__(self, "env", env)
        if isinstance(self.slots, bool) or not isinstance(self.slots, int) or self.slots < 1:
            raise ValueError(
                f"hardware {self.name!r}: slots must be an integer >= 1; got {self.slots!r}"
            )
        object.__setattr__(self, "price_per_hour", float(p))
        object.__setattr__(self, "resources", dict(self.resources))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "price_per_hour": self.price_per_hour,
            "cpus": None if self.cpus is None else list(self.cpus),
            "env": dict(self.env),
            "slots": self.slots,
            "resources": dict(self.resources),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Hardware:
        return cls(**dict(d))


def parse_catalog(rows: Sequence[Hardware | Mapping[str, Any]] | None) -> tuple[Hardware, ...]:
    """Hardware rows from ``Hardware`` objects or dicts; one unpinned free row when None."""
    if rows is None:
        return (Hardware("local", 0.0),)
    if isinstance(rows, (Hardware, Mapping)):
        rows = [rows]
    out = []
    for r in rows:
        if isinstance(r, Hardware):
            out.append(r)
        elif isinstance(r, Mapping):
            unknown = set(r) - {"name", "price_per_hour", "cpus", "env", "slots", "resources"}
            if unknown:
                raise ValueError(f"hardware row {dict(r)!r} has unknown keys {sorted(unknown)}")
            out.append(Hardware(**dict(r)))
        else:
            raise ValueError(f"a hardware row must be a Hardware or a dict; got {r!r}")
    if not out:
        raise ValueError("the hardware catalog is empty")
    names = [h.name for h in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"duplicated hardware names {dup}")
    return tuple(out)


def local_problems(hw: Hardware) -> list[str]:
    """Why this machine cannot provide ``hw`` to a local process (empty when it can)."""
    bad = []
    if hw.cpus is not None:
        have = os.sched_getaffinity(0)
        missing = sorted(set(hw.cpus) - have)
        if missing:
            bad.append(f"CPUs {missing} (this process may use CPUs {sorted(have)})")
    cvd = hw.env.get("CUDA_VISIBLE_DEVICES")
    if cvd not in (None, "", "-1"):
        for d in cvd.split(","):
            d = d.strip()
            if d.isdigit() and not os.path.exists(f"/dev/nvidia{d}"):
                bad.append(f"GPU {d} (CUDA_VISIBLE_DEVICES; no /dev/nvidia{d})")
    return bad
