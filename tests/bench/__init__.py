"""Smoke runs of the benchmark modules: each works at a tiny size (the full runs: make bench)."""
