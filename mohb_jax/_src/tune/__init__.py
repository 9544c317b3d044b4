"""Real trials on real hardware: the tuner, its executors, the journal (see ``mohb_jax.tune``).

Kept free of heavy imports: the worker subprocess imports ``mohb_jax._src.tune.worker`` before
it pins itself to its CPUs and before JAX starts.
"""
