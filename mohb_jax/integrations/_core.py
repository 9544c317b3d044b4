"""The one place where the integrations drive the scheduler core.

:class:`RungReplay` replays externally recorded rung results through the core's jitted ASHA
*stopping* ``tell`` (``mohb_jax._src.schedulers.core``), in a given arrival order, and returns
the core's decisions. Trial ids, brackets and levels are chosen by the caller (e.g. Optuna trial
numbers), so a decision only depends on the recorded results and their order, never on which
process computes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from mohb_jax._src.schedulers.core import CONTINUE, DONE, RUNNING, STOP, make_scheduler
from mohb_jax._src.schedulers.schedule import Schedule
from mohb_jax._src.schedulers.searchers import random_searcher
from mohb_jax._src.types import Job

__all__ = ["RungReplay", "bracket_from_uniform", "to_minimization"]

_DIRECTIONS = ("minimize", "maximize")


def bracket_from_uniform(schedule: Schedule, u: float) -> int:
    """ASHA bracket at the uniform ``u`` (inverse CDF of ``schedule.bracket_probs``).

    The same rule as the core's ``draw_bracket``: bracket ``b`` is the number of CDF values
    (all but the last) ``<= u``.
    """
    if not 0.0 <= float(u) < 1.0:
        raise ValueError(f"u must be in [0, 1); got {u}")
    cdf = np.cumsum(np.asarray(schedule.bracket_probs, np.float64))[:-1]
    return int(np.sum(cdf.astype(np.float32) <= np.float32(u)))


def to_minimization(values: Sequence[float], directions: Sequence[str]) -> np.ndarray:
    """Objective vector as the core sees it: maximized objectives negated, NaN ranked last.

    A NaN (diverged) value becomes ``+inf`` (worst); an infinite value in the *good* direction
    (``-inf`` minimized, ``+inf`` maximized) is refused: it would dominate everything.

    Raises:
        ValueError: length mismatch, unknown direction or an infinite best value.
    """
    v = np.asarray(values, np.float64)
    if v.ndim != 1 or len(v) != len(directions):
        raise ValueError(f"expected {len(directions)} objective values; got {v.tolist()}")
    for d in directions:
        if d not in _DIRECTIONS:
            raise ValueError(f"direction must be one of {_DIRECTIONS}; got {d!r}")
    sign = np.array([1.0 if d == "minimize" else -1.0 for d in directions])
    y = v * sign
    if np.any(np.isneginf(y)):
        raise ValueError(
            f"an infinite value in the optimization direction ({v.tolist()} for {directions}) "
            "would dominate every other result"
        )
    return np.where(np.isnan(y), np.inf, y)


#: (schedule, M, rule, capacity) -> (scheduler, jitted tell): one compilation per process
_COMPILED: dict[tuple, tuple] = {}


class RungReplay:
    """Replay rung results through the core's MO-ASHA stopping ``tell``, incrementally.

    Args:
        schedule: rung levels and bracket probabilities (``make_schedule``).
        n_objectives: M.
        rule: the rung rule (``"epsnet"``, ``"crowding"``, ``"scalarize"``, ``"single"``).
        seed: key of the core state (used by ``"scalarize"``'s weights only).
        capacity: initial trial-id capacity; doubled (one re-compile and a replay from the
            start) when a trial id does not fit.

    ``push(trial, bracket, level, y)`` tells one result; results of a trial after its STOP or
    DONE are not told (a real scheduler never receives them) and return ``None``.
    """

    def __init__(
        self,
        schedule: Schedule,
        n_objectives: int,
        *,
        rule: str = "epsnet",
        seed: int = 0,
        capacity: int = 256,
    ):
        if rule == "random":
            raise ValueError("rule='random' never stops a trial; use no pruner instead")
        self.schedule = schedule
        self.n_objectives = int(n_objectives)
        self.rule = rule
        self.seed = int(seed)
        self._build(max(int(capacity), 1))

    def _build(self, capacity: int) -> None:
        s = self.schedule
        key = (
            tuple(s.levels.tolist()), s.eta, s.n_brackets, tuple(s.bracket_probs.tolist()),
            self.n_objectives, self.rule, capacity,
        )  # fmt: skip
        if key not in _COMPILED:
            _COMPILED[key] = self._compile(capacity)
        self.capacity = capacity
        self._scheduler, self._tell = _COMPILED[key]
        self.reset()

    def _compile(self, capacity: int):
        sched = make_scheduler(
            self.schedule,
            random_searcher(np.ones(1, bool)),
            n_objectives=self.n_objectives,
            max_trials=capacity,
            method="asha",
            rule=self.rule,
            variant="stopping",
        )
        levels = jnp.asarray(self.schedule.levels, jnp.int32)

        def tell_event(state, t, b, k, y):
            # register trial t in bracket b (the caller owns ids and brackets), then tell
            z = jnp.int32(0)
            state = state._replace(
                n_trials=jnp.maximum(state.n_trials, t + 1),
                config=state.config.at[t].set(z),
                bracket=state.bracket.at[t].set(b),
                group=state.group.at[t].set(b),
                status=state.status.at[t].set(RUNNING),
            )
            job = Job(trial=t, config=z, fidelity=levels[k], bracket=b, rung=k - b, valid=True)
            state, decision, info = sched.tell(state, job, y)
            return state, decision, info.position, info.n_rung

        return sched, jax.jit(tell_event)

    def reset(self) -> None:
        """Forget every result."""
        self._state = self._scheduler.init(jax.random.key(self.seed))
        self.closed: set[int] = set()  # trials stopped or done
        self.n_told = 0

    def push(self, trial: int, bracket: int, level: int, y) -> tuple[int, int, int] | None:
        """Tell ``y`` (minimization, float[M]) of ``trial`` at rung ``level`` of ``bracket``.

        Returns:
            ``(decision, position, n_rung)`` (the core's ``CONTINUE``/``STOP``/``DONE``), or
            ``None`` when the trial was already stopped or done.

        Raises:
            ValueError: a level outside the bracket, a bad bracket or a bad ``y``.
            IndexError: a trial id beyond the capacity (rebuild with :meth:`grow`, replay).
        """
        K, B = self.schedule.n_levels, self.schedule.n_brackets
        if not 0 <= bracket < B or not bracket <= level < K:
            raise ValueError(f"bracket {bracket} / level {level} outside 0..{B - 1} / b..{K - 1}")
        if trial >= self.capacity:
            raise IndexError(trial)
        if trial in self.closed:
            return None
        y = np.asarray(y, np.float32)
        if y.shape != (self.n_objectives,) or np.any(np.isnan(y)) or np.any(np.isneginf(y)):
            raise ValueError(f"y must be float[{self.n_objectives}] without NaN/-inf; got {y}")
        self._state, d, p, n = self._tell(
            self._state, jnp.int32(trial), jnp.int32(bracket), jnp.int32(level), jnp.asarray(y)
        )
        d, p, n = int(d), int(p), int(n)
        if d in (STOP, DONE):
            self.closed.add(trial)
        self.n_told += 1
        return d, p, n

    def grow(self, needed: int) -> None:
        """Rebuild with a capacity above ``needed`` (power of two); forgets every result."""
        self._build(max(2 * self.capacity, 1 << max(1, math.ceil(math.log2(needed + 1)))))


DECISION_NAMES = {CONTINUE: "continue", STOP: "stop", DONE: "done"}
