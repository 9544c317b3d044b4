"""OptunaHub package: multi-objective Hyperband (MO-ASHA) pruning and sampling from mohb_jax.

The implementation lives in ``mohb_jax.integrations.optuna`` (``pip install 'mohb_jax[optuna]'``);
this package re-exports it in OptunaHub's layout.
"""

from mohb_jax.integrations.optuna import MOHBPruner, MOHBSampler, MOHBTrial

__all__ = ["MOHBPruner", "MOHBSampler", "MOHBTrial"]
