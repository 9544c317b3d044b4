"""(MO-)Hyperband and (MO-)ASHA schedulers as pure JAX state machines, and searchers."""
