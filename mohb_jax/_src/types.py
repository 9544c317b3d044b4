"""Small types shared by the schedulers, the searchers and the drivers.

A scheduler and a searcher meet through :class:`Searcher`: the scheduler decides budgets and
stops, the searcher decides which configuration a new trial gets. Everything is a pure function
over explicit state pytrees, so the same functions run under ``jit``/``vmap`` in the simulator
and from a Python loop in real dispatch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float, Int

PRNGKey = Array
SearcherState = Any


class Job(NamedTuple):
    """One unit of work handed to a worker: train ``config`` of ``trial`` up to ``fidelity``.

    Every field is a scalar array so that jobs can be batched (vmap over seeds / workers).
    """

    trial: Int[Array, ""]  # trial id, 0..capacity-1
    config: Int[Array, ""]  # row of the table's configurations
    fidelity: Int[Array, ""]  # index into the fidelity grid: train up to this level
    bracket: Int[Array, ""]  # Hyperband bracket of the trial
    rung: Int[Array, ""]  # rung of the bracket this job ends at
    valid: Bool[Array, ""]  # False: no job (search space exhausted / capacity reached)


def no_job() -> Job:
    """The invalid job (every field -1, ``valid`` False): "nothing to do"."""
    z = jnp.int32(-1)
    return Job(trial=z, config=z, fidelity=z, bracket=z, rung=z, valid=jnp.bool_(False))


def select_tree(pred, a, b):
    """``a`` where ``pred`` else ``b``, leaf by leaf (``pred``: a bool scalar)."""
    return jax.tree_util.tree_map(lambda x, y: jnp.where(pred, x, y), a, b)


class Searcher(NamedTuple):
    """Proposes new configurations; the searcher interface every scheduler accepts.

    Attributes:
        init: ``init(key) -> state``.
        propose: ``propose(key, state) -> (config: int32[], ok: bool[], state)``; ``ok`` is
            False when no configuration is left (finite tables, without replacement).
        observe: ``observe(state, config, fidelity_index, y: float[M]) -> state``; called with
            every result (minimization, as the scheduler sees it). May ignore it.
        diagnostic: optional ``diagnostic(state) -> float32[]``, a scalar the searcher reports
            about itself (jittable, no side effects); the simulator records it at every job
            start (the copula searcher's guard reports its trust in the transfer prior). ``None``
            (the default): nothing to report.
        diagnostic_name: the results column the simulator records ``diagnostic`` in.
    """

    init: Callable[[PRNGKey], SearcherState]
    propose: Callable[[PRNGKey, SearcherState], tuple[Int[Array, ""], Bool[Array, ""], Any]]
    observe: Callable[[SearcherState, Int[Array, ""], Int[Array, ""], Float[Array, " m"]], Any]
    diagnostic: Callable[[SearcherState], Float[Array, ""]] | None = None
    diagnostic_name: str = "searcher_diagnostic"
