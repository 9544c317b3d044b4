"""Leave-one-task-out transfer on an offline table: fit on the source tasks, tune the target.

:func:`fit_source` pools every task of a :class:`~mohb_jax.tables.Table` except the target,
copula-transforms each (task, objective) over all its valid (config, seed) rows at one fidelity
(the last one by default, as Syne Tune's copula searcher does), fits a surrogate (MLP or exact
GP) of the copula values from ``Table.encoded``, and returns ``μ, σ`` for **every** config of
the table. :func:`copula_searcher_for` turns that into the ``copula`` searcher for the target.

References:
    D. Salinas, H. Shen, V. Perrone. "A quantile-based approach for hyperparameter transfer
    learning." ICML 2020.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import jax
import numpy as np

from mohb_jax._src.transfer.copula import copula_transform
from mohb_jax._src.transfer.searcher import copula_searcher
from mohb_jax._src.transfer.surrogate import fit_gp, fit_mlp, predict_gp, predict_mlp


class SourceFit(NamedTuple):
    """Result of :func:`fit_source`: the prior of the target task's copula values."""

    mu: np.ndarray  # float32[C, M]: predicted mean copula value, every config of the table
    sigma: np.ndarray  # float32[C, M]: predicted standard deviation
    objectives: tuple[str, ...]  # the M objective names, in column order
    target_task: str
    source_tasks: tuple[str, ...]
    fidelity: int  # fidelity index the surrogate models
    kind: str  # "mlp" or "gp"
    model: Any  # MLPSurrogate / GPSurrogate
    n_rows: int  # pooled training rows


def _resolve_objectives(table, objectives):
    if objectives is None:
        objectives = table.default_objectives
    if isinstance(objectives, str):
        objectives = [objectives]
    objectives = tuple(objectives)
    if not objectives:
        raise ValueError("need at least one objective")
    return objectives, [table.objective_index(o) for o in objectives]


def task_copula_rows(table, task, objectives, fidelity: int = -1):
    """Copula values of one task: every valid (config, seed) row at ``fidelity``.

    Args:
        table: a :class:`~mohb_jax.tables.Table`.
        task: task name or index.
        objectives: objective names.
        fidelity: fidelity index.

    Returns:
        ``(configs int64[R], z float32[R, M])``.

    Raises:
        ValueError: fewer than 2 valid rows, an objective constant on the task (it carries no
            ranking information and its ties would all map to ``Φ⁻¹(δ)``), or NaN values.
    """
    t = table.task_index(task)
    _, idx = _resolve_objectives(table, objectives)
    f = int(np.arange(table.n_fidelities)[fidelity])
    m = np.asarray(table.mask[t, :, :, f])  # [C, S]
    c, s = np.nonzero(m)
    if len(c) < 2:
        raise ValueError(
            f"task {table.tasks[t]!r} has {len(c)} valid evaluation(s) at fidelity index {f}; "
            "the copula transform needs at least 2"
        )
    y = np.asarray(table.values[t, c, s, f][:, idx], np.float64)
    for j, o in enumerate(np.asarray(table.objectives)[idx]):
        col = y[:, j]
        if np.isnan(col).any():
            raise ValueError(f"task {table.tasks[t]!r}, objective {o!r}: NaN in a masked-in row")
        if np.all(col == col[0]):
            raise ValueError(
                f"objective {o!r} is constant on task {table.tasks[t]!r}; drop the objective "
                "or the task (a constant column carries no ranking information)"
            )
    z = np.asarray(copula_transform(y.astype(np.float32)))
    return c.astype(np.int64), z.astype(np.float32)


def fit_source(
    table,
    target_task: str | int,
    objectives: Sequence[str] | str | None = None,
    *,
    model: str = "mlp",
    fidelity: int = -1,
    key=None,
    source_tasks: Sequence[str | int] | None = None,
    max_rows: int | None = None,
    **fit_kwargs,
) -> SourceFit:
    """Fit the transfer prior for ``target_task`` on all other tasks of ``table``.

    Args:
        table: a :class:`~mohb_jax.tables.Table` (or a benchmark name for ``load_benchmark``).
        target_task: name or index of the task to tune (left out of the fit).
        objectives: objective names (default ``table.default_objectives``).
        model: ``"mlp"`` (:func:`fit_mlp`, any size) or ``"gp"`` (:func:`fit_gp`, subsampled).
        fidelity: fidelity index whose evaluations are modelled (default: the last one).
        key: PRNG key (default ``jax.random.key(0)``).
        source_tasks: restrict the sources (default: every task but the target).
        max_rows: optional random subsample of the pooled rows (after the per-task transform).
        **fit_kwargs: passed to :func:`fit_mlp` / :func:`fit_gp` (``steps``, ``max_points``...).

    Returns:
        :class:`SourceFit` with ``mu``/``sigma`` of shape ``[C, M]`` for every config.

    Raises:
        ValueError: unknown task/objective/model, no source task, a source task with < 2
            evaluations or a constant objective.
    """
    if isinstance(table, str):
        from mohb_jax.tables import load_benchmark

        table = load_benchmark(table)
    if model not in ("mlp", "gp"):
        raise ValueError(f"model must be 'mlp' or 'gp'; got {model!r}")
    objectives, _ = _resolve_objectives(table, objectives)
    t_target = table.task_index(target_task)
    if source_tasks is None:
        src = [t for t in range(table.n_tasks) if t != t_target]
    else:
        src = [table.task_index(t) for t in source_tasks]
        if t_target in src:
            raise ValueError(f"the target task {table.tasks[t_target]!r} is among the sources")
    if not src:
        raise ValueError(
            f"table {table.name!r} has no task besides {table.tasks[t_target]!r} to learn from"
        )
    key = jax.random.key(0) if key is None else key
    enc = np.asarray(table.encoded, np.float32)
    cs, zs = [], []
    for t in src:
        c, z = task_copula_rows(table, t, objectives, fidelity)
        cs.append(c)
        zs.append(z)
    c = np.concatenate(cs)
    z = np.concatenate(zs)
    k_sub, k_fit = jax.random.split(key)
    if max_rows is not None and len(c) > max_rows:
        sel = np.asarray(jax.random.permutation(k_sub, len(c)))[:max_rows]
        c, z = c[sel], z[sel]
    x = enc[c]
    if model == "mlp":
        m = fit_mlp(k_fit, x, z, **fit_kwargs)
        mu, sd = predict_mlp(m, enc)
    else:
        m = fit_gp(k_fit, x, z, **fit_kwargs)
        mu, sd = predict_gp(m, enc)
    return SourceFit(
        mu=np.asarray(mu),
        sigma=np.asarray(sd),
        objectives=objectives,
        target_task=table.tasks[t_target],
        source_tasks=tuple(table.tasks[t] for t in src),
        fidelity=int(np.arange(table.n_fidelities)[fidelity]),
        kind=model,
        model=m,
        n_rows=int(len(c)),
    )


def copula_searcher_for(table, fit: SourceFit, **options):
    """The ``copula`` searcher for ``fit.target_task`` on ``table``.

    Allowed configurations are those with at least one complete evaluation (every fidelity) on
    the target task, as for the random searcher of the simulator; ``x`` is ``table.encoded``.
    Pass it to the simulator with ``objectives=fit.objectives`` so that the observed ``y``
    columns match ``mu``'s.

    Args:
        table: the table ``fit`` was made from.
        fit: a :class:`SourceFit`.
        **options: passed to :func:`~mohb_jax.transfer.copula_searcher`.

    Returns:
        A :class:`~mohb_jax._src.types.Searcher`.
    """
    t = table.task_index(fit.target_task)
    allowed = np.asarray(table.mask[t]).all(axis=-1).any(axis=-1)
    options.setdefault("x", np.asarray(table.encoded, np.float32))
    options.setdefault("allowed", allowed)
    return copula_searcher(fit.mu, fit.sigma, **options)
