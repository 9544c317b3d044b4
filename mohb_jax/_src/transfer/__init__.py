"""Gaussian-copula transfer learning: transform, surrogates, searcher (private implementation)."""
