"""Gaussian-copula transfer learning for multi-objective search (public API).

Transform objectives per task with :func:`copula_transform`, fit a probabilistic surrogate on
the source tasks (:func:`fit_source`, or :func:`fit_mlp` / :func:`fit_gp` directly), and tune
the target task with the ``copula`` searcher (:func:`copula_searcher`,
:func:`copula_searcher_for`), which Thompson-samples the Pareto front and corrects the prior
with target observations (:func:`residual_posterior`).

Example::

    from mohb_jax import tables, transfer, simulate
    nb = tables.load_benchmark("nasbench201")
    fit = transfer.fit_source(nb, "cifar100")  # sources: cifar10, ImageNet16-120
    df = simulate(nb, task="cifar100", objectives=fit.objectives,
                  searcher=transfer.copula_searcher_for(nb, fit), seeds=100)

References:
    D. Salinas, H. Shen, V. Perrone. "A quantile-based approach for hyperparameter transfer
    learning." ICML 2020. D. Salinas, V. Perrone, O. Cruchant, C. Archambeau. "A multi-objective
    perspective on jointly tuning hardware and hyperparameters." arXiv 2106.05680, 2021.
"""

from mohb_jax._src.transfer.copula import copula_delta, copula_transform
from mohb_jax._src.transfer.searcher import (
    LENGTHSCALE_GRID,
    NOISE_GRID,
    CopulaSearcherState,
    copula_searcher,
    guard_trust,
    residual_log_marginal,
    residual_posterior,
)
from mohb_jax._src.transfer.source import (
    SourceFit,
    copula_searcher_for,
    fit_source,
    task_copula_rows,
)
from mohb_jax._src.transfer.surrogate import (
    GPSurrogate,
    MLPSurrogate,
    fit_gp,
    fit_mlp,
    gaussian_nll,
    predict_gp,
    predict_mlp,
)

#: Searcher factories of this module (the random searcher lives in ``mohb_jax.schedulers``).
SEARCHERS = {"copula": copula_searcher}

__all__ = [
    "LENGTHSCALE_GRID",
    "NOISE_GRID",
    "SEARCHERS",
    "CopulaSearcherState",
    "GPSurrogate",
    "MLPSurrogate",
    "SourceFit",
    "copula_delta",
    "copula_searcher",
    "copula_searcher_for",
    "copula_transform",
    "fit_gp",
    "fit_mlp",
    "fit_source",
    "gaussian_nll",
    "guard_trust",
    "predict_gp",
    "predict_mlp",
    "residual_log_marginal",
    "residual_posterior",
    "task_copula_rows",
]
