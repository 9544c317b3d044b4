"""Our rung rule and schedulers inside other tuners (each an optional extra).

* :mod:`mohb_jax.integrations.optuna` (``pip install 'mohb_jax[optuna]'``): ``MOHBPruner``,
  ``MOHBTrial`` and ``MOHBSampler`` for multi-objective Optuna studies.
* :mod:`mohb_jax.integrations.syne_tune` (``pip install 'mohb_jax[syne_tune]'``):
  ``JaxNonDominatedPriority`` for Syne Tune's ``MOASHA`` and ``MOHBScheduler``, a full
  ``TrialScheduler`` driving our ask/tell (promotion included).
* :mod:`mohb_jax.integrations.ray_tune` (``pip install 'mohb_jax[ray]'``): ``MOHBSearcher``
  and ``MOHBRayScheduler`` for Ray Tune (several metrics, promotion through ``PAUSE``), and
  ``hardware_resources`` for ``tune.with_resources``.

The submodules are imported on demand, so this package needs neither library.

References:
    Salinas, Perrone, Cruchant, Archambeau. "A multi-objective perspective on jointly tuning
    hardware and hyperparameters." arXiv 2106.05680 (2021).
    Schmucker, Donini, Zafar, Salinas, Archambeau. "Multi-objective Asynchronous Successive
    Halving." arXiv 2106.12639 (2021).
    Li et al. "A System for Massively Parallel Hyperparameter Tuning." MLSys 2020 (ASHA).
"""

__all__: list[str] = []
