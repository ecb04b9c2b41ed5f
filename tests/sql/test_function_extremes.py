"""Date/time and math functions at the edges of their arguments' ranges.

ksqlDB formats any long of milliseconds (`TIMESTAMPTOSTRING(9223372036854775807, 'yyyy')`
is `+292278994`) and rounds a double to any scale; where a function fails, a persistent
query logs the error to the processing log and writes NULL, while INSERT VALUES fails.
Either way the message is ksqlDB's (`Failed to format timestamp ...`) or names tote's
TIMESTAMP range, never Python's (`Python int too large to convert to C int`).
"""

from __future__ import annotations

import pytest

from tote.core.errors import ToteError
from tote.sql.engine import Engine
from tote.sql.testing import rows

LONG_MAX = 9223372036854775807
PYTHON_WORDS = ("Python", "C int", "magnitude", "date value out of range", "<class",
                "decimal.")


@pytest.fixture
def engine(engine: Engine) -> Engine:
    engine.execute("CREATE STREAM S (K INT KEY, MS BIGINT, D INT, X DOUBLE, P INT) "
                   "WITH (kafka_topic='s', partitions=1, value_format='JSON');")
    return engine


def _project(engine: Engine, expr: str, values: str) -> tuple[object, list[str]]:
    """`expr` computed by a persistent query over one row; its value and the processing
    log's messages."""
    engine.execute(f"CREATE STREAM OUT AS SELECT K, {expr} AS R FROM S;"
                   f"INSERT INTO S (K, MS, D, X, P) VALUES ({values});")
    engine.run_until_idle()
    (row,) = rows(engine, "OUT")
    return row[1], [e.message for e in engine.processing_log.errors]


@pytest.mark.parametrize(("expr", "values", "expected"), [
    ("TIMESTAMPTOSTRING(MS, 'yyyy-MM-dd HH:mm:ss.SSS')", f"1, {LONG_MAX}, 0, 0, 0",
     "+292278994-08-17 07:12:55.807"),
    ("TIMESTAMPTOSTRING(MS, 'yyyy-MM-dd')", "1, 253402300800000, 0, 0, 0", "+10000-01-01"),
    ("TIMESTAMPTOSTRING(MS, 'yyyy-MM-dd G', 'UTC')", f"1, -{LONG_MAX}, 0, 0, 0",
     "+292275056-05-16 BC"),
    ("DATETOSTRING(D, 'yyyy-MM-dd EEE')", "1, 0, 2147483647, 0, 0", "+5881580-07-11 Fri"),
    ("FORMAT_TIMESTAMP(FROM_UNIXTIME(MS), 'yyyy-MM-dd', 'Pacific/Kiritimati')",
     "1, 253402300799999, 0, 0, 0", "+10000-01-01"),
    ("ROUND(X, P)", "1, 0, 0, 1e308, 99999", 1e308),
    # BigDecimal.setScale needs 10^536870919 at most here: slow in Java, but no failure.
    ("ROUND(X, P)", "1, 0, 0, 1.5, 536870920", 1.5),
    ("ROUND(X, P)", "1, 0, 0, 1.25, -536870917", 0.0),
    ("ROUND(X, P)", "1, 0, 0, 0, -2147483648", 0.0),  # zero takes any scale
    ("ROUND(X, P)", "1, 0, 0, 1.7976931348623157e308, -308", float("inf")),
    ("TRUNC(X, P)", "1, 0, 0, 1e308, 5", 1e308),
])
def test_extreme_arguments_give_ksqldbs_values(engine: Engine, expr: str, values: str,
                                               expected: object) -> None:
    assert _project(engine, expr, values) == (expected, [])


# (expression over S's columns, S's row, the same call on constants, the error message)
FAILURES = [
    ("TIMESTAMPTOSTRING(MS, 'yyyy', 'Nope/Zone')", "1, 0, 0, 0, 0",
     "TIMESTAMPTOSTRING(0, 'yyyy', 'Nope/Zone')",
     "Failed to format timestamp 0 at timeZone 'Nope/Zone' with formatter 'yyyy': "
     "Unknown time-zone ID: Nope/Zone"),
    ("TIMESTAMPTOSTRING(MS, 'Q')", "1, 0, 0, 0, 0", "TIMESTAMPTOSTRING(0, 'Q')",
     "Failed to format timestamp 0 with formatter 'Q': Unknown pattern letter: Q"),
    ("FROM_UNIXTIME(MS)", f"1, {LONG_MAX}, 0, 0, 0", f"FROM_UNIXTIME({LONG_MAX})",
     f"TIMESTAMP out of range: {LONG_MAX} ms since the epoch is not in the years 1 to 9999"),
    ("TIMESTAMPADD(DAYS, D, FROM_UNIXTIME(0))", "1, 0, 2147483647, 0, 0",
     "TIMESTAMPADD(DAYS, 2147483647, FROM_UNIXTIME(0))",
     "TIMESTAMP out of range: 185542587100800000 ms since the epoch is not in the years 1 "
     "to 9999"),
    ("DATEADD(DAYS, D, FROM_DAYS(0))", "1, 0, 2147483647, 0, 0",
     "DATEADD(DAYS, 2147483647, FROM_DAYS(0))",
     "DATE out of range: 2147483647 days since the epoch is not in the years 1 to 9999"),
    ("FROM_DAYS(D)", "1, 0, 2147483647, 0, 0", "FROM_DAYS(2147483647)",
     "DATE out of range: 2147483647 days since the epoch is not in the years 1 to 9999"),
    # ROUND and TRUNC compute BigDecimal.valueOf(x).setScale(p): a scale difference
    # beyond a Java int, or a power of ten beyond BigInteger's range, fails in Java.
    ("ROUND(X, P)", "1, 0, 0, 1.5, 2147483647", "ROUND(1.5E0, 2147483647)",
     "BigInteger would overflow supported range"),
    ("ROUND(X, P)", "1, 0, 0, 1.5, 536870921", "ROUND(1.5E0, 536870921)",
     "BigInteger would overflow supported range"),
    ("ROUND(X, P)", "1, 0, 0, 1.25, -2147483647", "ROUND(1.25E0, -2147483647)", "Underflow"),
    ("TRUNC(X, P)", "1, 0, 0, 1.5, -2147483648", "TRUNC(1.5E0, -2147483648)", "Underflow"),
    ("ROUND(X, P)", "1, 0, 0, 1e308, 2147483647", "ROUND(1E308, 2147483647)", "Underflow"),
    ("ROUND(CAST(X AS DECIMAL(3, 2)), P)", "1, 0, 0, 1.25, -2147483647",
     "ROUND(1.25, -2147483647)", "Underflow"),
    ("TRUNC(CAST(X AS DECIMAL(2, 1)), P)", "1, 0, 0, 1.5, 2147483647",
     "TRUNC(1.5, 2147483647)", "BigInteger would overflow supported range"),
    ("ROUND((X / 0), 2)", "1, 0, 0, 1.5, 0", "ROUND((1.5E0 / 0), 2)",
     'Character I is neither a decimal digit number, decimal point, nor "e" notation '
     "exponential mark."),
    ("CONVERT_TZ(FROM_UNIXTIME(MS), 'UTC', 'Pacific/Kiritimati')",
     "1, 253402300799999, 0, 0, 0",
     "CONVERT_TZ(FROM_UNIXTIME(253402300799999), 'UTC', 'Pacific/Kiritimati')",
     "TIMESTAMP out of range: the converted time is not in the years 1 to 9999"),
]


@pytest.mark.parametrize(("expr", "values", "constant", "message"), FAILURES)
def test_a_failing_function_in_a_query_is_null_and_a_processing_log_error(
        engine: Engine, expr: str, values: str, constant: str, message: str) -> None:
    value, errors = _project(engine, expr, values)
    assert value is None
    assert errors == [f"Error computing expression {expr}: {message}"]


@pytest.mark.parametrize(("expr", "values", "constant", "message"), FAILURES)
def test_a_failing_function_in_insert_values_is_the_statements_error(
        engine: Engine, expr: str, values: str, constant: str, message: str) -> None:
    engine.execute("CREATE STREAM T (K INT KEY, R STRING) "
                   "WITH (kafka_topic='t', partitions=1, value_format='JSON');")
    with pytest.raises(ToteError) as caught:
        engine.execute(f"INSERT INTO T (K, R) VALUES (1, CAST({constant} AS STRING));")
    assert caught.value.message == (
        f"Failed to insert values into 'T'. Failed to evaluate expression "
        f"CAST({constant} AS STRING): {message}")
    assert rows(engine, "T") == []  # not a NULL written instead
    assert not any(word in caught.value.message for word in PYTHON_WORDS)
