"""Private implementation of mohb_jax. Public names are re-exported by the top-level modules."""
