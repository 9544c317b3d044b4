"""Neural architecture search on tables: NAS-Bench-201 encoding and searchers."""
