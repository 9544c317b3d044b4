"""Gaussian-copula transfer learning for multi-objective search (public API).

See :mod:`mohb_jax._src.transfer` for the implementation notes.

References:
    D. Salinas, H. Shen, V. Perrone. "A quantile-based approach for hyperparameter transfer
    learning." ICML 2020. D. Salinas, V. Perrone, O. Cruchant, C. Archambeau. "A multi-objective
    perspective on jointly tuning hardware and hyperparameters." arXiv 2106.05680, 2021.
"""

from mohb_jax._src.transfer.copula import copula_delta, copula_transform

__all__ = ["copula_delta", "copula_transform"]
