"""Logical and physical plans of persistent queries (frozen dataclasses with stable ids)."""
