"""Scalar function modules, one per ksqlDB category."""
