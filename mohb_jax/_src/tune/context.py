"""The trial side of a real run: :class:`TrialContext`, checkpoints, the pytree helpers.

The trial contract is *job-bounded* (the simulator's model): a job trains one trial from its
last checkpoint up to a rung level and reports at every grid fidelity on the way::

    def train(config, ctx):
        state = ctx.load_checkpoint() or init(config)        # None on the trial's first job
        for f in ctx.fidelities():                           # after the checkpoint, up to the rung
            state = train_until(state, f)
            ctx.report(f, val_error=...)                     # the runner adds time_s, cost_usd
            ctx.save_checkpoint(state)

``report`` at the job's rung level blocks until the scheduler decides: CONTINUE makes
``fidelities()`` go on (the same process trains on), PAUSE / STOP / DONE end it at the rung,
never past it. The runner times each fidelity segment (from the moment ``fidelities()`` yields
the fidelity to its ``report``), so checkpoint saving and the wait for a decision are not
training time. Checkpoints live in a directory owned by the runner (one per trial); a promoted
or retried job resumes from the latest one.
"""

from __future__ import annotations

import math
import os
import pickle
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

CKPT_PREFIX = "ckpt-"


def _to_host(tree):
    """JAX arrays become numpy arrays (only if JAX is already imported: no import here)."""
    if "jax" not in sys.modules:
        return tree
    import jax
    import numpy as np

    return jax.tree_util.tree_map(lambda x: np.asarray(x) if isinstance(x, jax.Array) else x, tree)


def save_pytree(path: str | os.PathLike, tree: Any) -> None:
    """Write a pytree (JAX arrays as numpy) atomically: a temp file, fsync, rename."""
    path = Path(path)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        pickle.dump(_to_host(tree), f, protocol=pickle.HIGHEST_PROTOCOL)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_pytree(path: str | os.PathLike) -> Any:
    """Read a pytree written by :func:`save_pytree` (leaves as numpy arrays)."""
    with open(path, "rb") as f:
        return pickle.load(f)


def checkpoints(ckpt_dir: Path) -> dict[int, Path]:
    """The checkpoints in ``ckpt_dir`` by fidelity index."""
    out = {}
    if ckpt_dir.is_dir():
        for p in ckpt_dir.iterdir():
            n = p.name
            if n.startswith(CKPT_PREFIX) and n.endswith(".pkl"):
                try:
                    out[int(n[len(CKPT_PREFIX) : -4])] = p
                except ValueError:
                    continue
    return out


def latest_checkpoint(ckpt_dir: Path, limit: int | None = None) -> tuple[int, Path | None]:
    """``(fidelity_index, path)`` of the newest checkpoint at or below ``limit``;
    ``(-1, None)`` when there is none."""
    ok = {i: p for i, p in checkpoints(ckpt_dir).items() if limit is None or i <= limit}
    if not ok:
        return -1, None
    i = max(ok)
    return i, ok[i]


class TrialContext:
    """What a trial function sees (``train(config, ctx)``).

    Attributes:
        config: the configuration (hyperparameters, plus ``hardware``: the setting's name).
        trial: trial id.
        attempt: 0 on the first try; retries after a dead worker count up.
        hardware: the hardware row (dict: name, price_per_hour, cpus, env, slots, resources).
        grid: the fidelity grid (floats).
        checkpoint_dir: this trial's checkpoint directory (owned by the runner).
    """

    def __init__(self, spec: Mapping[str, Any], conn):
        self._conn = conn
        self.config = dict(spec["config"])
        self.trial = int(spec["trial"])
        self.attempt = int(spec["attempt"])
        self.hardware = dict(spec["hardware"])
        self.grid = [float(g) for g in spec["grid"]]
        self.checkpoint_dir = Path(spec["checkpoint_dir"])
        self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        self._names = tuple(spec["report_names"])
        self._target = int(spec["target"])
        # only a checkpoint whose result the driver has journaled: a newer one (saved just
        # before the driver died) would skip a result the journal never got
        self._ckpt_index, self._ckpt_path = latest_checkpoint(
            self.checkpoint_dir, int(spec.get("resume_max", -1))
        )
        self._next = self._ckpt_index + 1  # first fidelity index this job trains
        self._pending: int | None = None  # fidelity index yielded, not reported yet
        self._t_yield = 0.0
        self._ended = False
        self._loaded = False

    @property
    def target(self) -> float:
        """The fidelity this job currently trains to (grows on CONTINUE)."""
        return self.grid[self._target]

    @property
    def resume_fidelity(self) -> float | None:
        """Fidelity of the checkpoint this job resumes from (None: from scratch)."""
        return None if self._ckpt_index < 0 else self.grid[self._ckpt_index]

    def load_checkpoint(self) -> Any:
        """The trial's latest checkpoint (None on its first job or without one)."""
        self._loaded = True
        return None if self._ckpt_path is None else load_pytree(self._ckpt_path)

    def fidelities(self) -> Iterator[float]:
        """Grid fidelities after the checkpoint, up to the rung; more on CONTINUE."""
        while not self._ended and self._next <= self._target:
            if self._pending is not None:
                raise RuntimeError(
                    f"fidelity {self.grid[self._pending]} was not reported: call "
                    "ctx.report(f, ...) for every fidelity that ctx.fidelities() yields"
                )
            self._pending = self._next
            self._t_yield = time.perf_counter()
            yield self.grid[self._next]
            if self._pending is not None:
                raise RuntimeError(
                    f"fidelity {self.grid[self._pending]} was not reported: call "
                    "ctx.report(f, ...) for every fidelity that ctx.fidelities() yields"
                )

    def report(self, fidelity: float, **objectives: float) -> None:
        """Report the objectives at ``fidelity`` (the one ``fidelities()`` just yielded).

        Raises:
            ValueError: another fidelity, missing / unknown / non-numeric objectives, ``-inf``,
                or a runner-measured name (``time_s``, ``cost_usd``).
        """
        seg = time.perf_counter() - self._t_yield
        if self._pending is None:
            raise ValueError("ctx.report called outside ctx.fidelities() (or twice)")
        if not math.isclose(float(fidelity), self.grid[self._pending], rel_tol=1e-9, abs_tol=0):
            raise ValueError(
                f"reported fidelity {fidelity!r}; ctx.fidelities() yielded "
                f"{self.grid[self._pending]}"
            )
        got, need = set(objectives), set(self._names)
        if got != need:
            raise ValueError(
                f"report needs exactly the objectives {sorted(need)}; got {sorted(got)} (time_s "
                "and cost_usd are measured by the runner)"
            )
        vals = {}
        for k, v in objectives.items():
            try:
                x = float(v)
            except (TypeError, ValueError):
                raise ValueError(f"objective {k!r} must be a number; got {v!r}") from None
            if x == -math.inf:
                raise ValueError(f"objective {k!r} is -inf at fidelity {fidelity}")
            vals[k] = x
        i = self._pending
        self._pending = None
        self._next = i + 1
        self._conn.send(("result", i, vals, seg))
        if i == self._target:  # a rung: wait for the decision
            msg = self._conn.recv()
            if msg[0] != "decision":
                raise RuntimeError(f"unexpected message from the runner: {msg!r}")
            _, go, new_target = msg
            if go:
                self._target = int(new_target)
            else:
                self._ended = True

    def save_checkpoint(self, state: Any) -> None:
        """Save the trial's state as of its last reported fidelity (atomic)."""
        i = self._next - 1
        if i < 0 or self._pending is not None:
            raise ValueError("save_checkpoint must follow ctx.report(f, ...) of that fidelity")
        t0 = time.perf_counter()
        p = self.checkpoint_dir / f"{CKPT_PREFIX}{i}.pkl"
        save_pytree(p, state)  # older ones are deleted by the driver once this is journaled
        self._conn.send(("ckpt", i, time.perf_counter() - t0))
