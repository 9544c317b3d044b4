"""Offline evaluation tables: the canonical :class:`Table` and loaders into it."""
