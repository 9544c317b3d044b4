"""Simulation on offline tables: the single-seed driver, vectorized sweeps, metrics, plots."""
