"""STDDEV_SAMP, STDDEV_SAMPLE and CORRELATION give ksqlDB's numbers, rounding included."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from tests.sql.exprkit import FUNCTIONS

from tote.core import types as t
from tote.sql.functions import Aggregator


def aggregate(name: str, types: Sequence[t.SqlType], *columns: Sequence[Any],
              undo: int = 0) -> Any:
    """Add every row (state through JSON, as a store keeps it), retract the last `undo`."""
    agg = FUNCTIONS.aggregate(name).resolve(types, [])
    acc = agg.init()
    rows = list(zip(*columns, strict=True))
    for row in rows:
        acc = _stored(agg, agg.add(acc, *row))
    for row in rows[len(rows) - undo:]:
        acc = _stored(agg, agg.undo(acc, *row))
    return agg.result(acc)


def _stored(agg: Aggregator, acc: Any) -> Any:
    return agg.from_state(json.loads(json.dumps(agg.to_state(acc))))


def test_stddev_samp_is_the_sample_variance_as_in_ksqldb() -> None:
    # ksqlDB's STDDEV_SAMP leaves out the square root; STDDEV_SAMPLE takes it.
    assert aggregate("STDDEV_SAMP", [t.INTEGER], [4, 8, 12]) == 16.0
    assert aggregate("STDDEV_SAMPLE", [t.INTEGER], [4, 8, 12]) == 4.0
    assert aggregate("STDDEV_SAMP", [t.BIGINT], [7]) == 0.0


def test_stddev_of_large_values_keeps_its_precision() -> None:
    # A sum-of-squares formula cancels catastrophically here; the running form does not.
    values = [1e9 + 1, 1e9 + 2, 1e9 + 3]
    assert aggregate("STDDEV_SAMPLE", [t.DOUBLE], values) == 1.0
    assert aggregate("STDDEV_SAMP", [t.DOUBLE], values) == 1.0
    big = [4_000_000_001, 4_000_000_003, 4_000_000_005]
    assert aggregate("STDDEV_SAMP", [t.BIGINT], big) == 4.0


def test_stddev_retraction_returns_to_the_earlier_result() -> None:
    assert aggregate("STDDEV_SAMP", [t.DOUBLE], [2.0, 4.0, 9.0], undo=1) == 2.0
    assert aggregate("STDDEV_SAMPLE", [t.INTEGER], [3, 5, 100, 7], undo=2) == math.sqrt(2.0)


def test_correlation_of_a_column_without_spread_is_nan() -> None:
    # Six 3.3s: the running sums leave a tiny negative spread, whose root is NaN.
    xs = [3.3] * 6
    ys = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert math.isnan(aggregate("CORRELATION", [t.DOUBLE, t.DOUBLE], xs, ys))
    assert math.isnan(aggregate("CORRELATION", [t.INTEGER, t.INTEGER], [2, 2], [1, 5]))
