"""Aggregate functions (UDAFs): accumulator life cycles with ksqlDB's result types."""

from __future__ import annotations

from tote.sql.functions.aggregates import attr, basic, collect, list_sum, offset, stats
from tote.sql.functions.base import AggregateFunction


def functions() -> list[AggregateFunction]:
    return [
        *basic.functions(),
        *offset.functions(),
        *collect.functions(),
        *stats.functions(),
        *attr.functions(),
        *list_sum.functions(),
    ]
