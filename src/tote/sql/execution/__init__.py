"""Executing analysed statements: side effects, catalogue changes, queries, listings."""
