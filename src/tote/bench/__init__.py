"""Benchmarks (`tote bench ...`): measured against baselines taken in the same run."""
