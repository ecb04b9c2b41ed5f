"""The test functions `tote qtt` loads next to the built-ins, as ksqlDB's harness does: QTT
cases call them to check variant choice, lazy CASE branches, variadic aggregate arguments
and table functions over every type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tote.sql.functions import default_functions
from tote.sql.qtt import Outcome, run_files
from tote.sql.qtt.udfs import with_test_functions


def _run(tmp_path: Path, *cases: dict[str, Any]) -> dict[str, str]:
    """Each case's failure reason by name ("" when it passed)."""
    path = tmp_path / "cases.json"
    path.write_text(json.dumps({"tests": list(cases)}))
    return {r.case.name: "" if r.outcome is Outcome.PASSED else r.reason
            for r in run_files([path]).results()}


def _stream(columns: str) -> str:
    return f"CREATE STREAM S (K STRING KEY, {columns}) WITH (kafka_topic='s', value_format='JSON');"


def test_scalar_test_functions(tmp_path: Path) -> None:
    lazy = {
        "name": "lazy case",
        "statements": [_stream("X INT"), "CREATE STREAM O AS SELECT K, CASE "
                       "WHEN WHENCONDITION(X > 1, true) THEN WHENRESULT(X, true) "
                       "WHEN WHENCONDITION(true, X <= 1) THEN WHENRESULT(-X, X <= 1) "
                       "ELSE WHENRESULT(0, false) END AS R FROM S;"],
        "inputs": [{"topic": "s", "key": "a", "value": {"X": 5}},
                   {"topic": "s", "key": "b", "value": {"X": 1}}],
        "outputs": [{"topic": "O", "key": "a", "value": {"R": 5}},
                    {"topic": "O", "key": "b", "value": {"R": -1}}],
    }
    chosen = {
        "name": "variant choice",
        "statements": [_stream("N BIGINT, P STRUCT<A STRING>"),
                       "CREATE STREAM O AS SELECT K, TEST_UDF(N, NULL) AS TWO, "
                       "TEST_UDF(N, N, N) AS MANY, TEST_UDF(P) AS FIELD, "
                       "TOSTRUCT('x')->A AS WRAPPED, TEST_UDF()->A AS NONE FROM S;"],
        "inputs": [{"topic": "s", "key": "a", "value": {"N": 1, "P": {"A": "in"}}}],
        "outputs": [{"topic": "O", "key": "a", "value": {
            "TWO": "doStuffLongString", "MANY": "doStuffLongVarargs", "FIELD": "in",
            "WRAPPED": "x", "NONE": "foo"}}],
    }
    assert _run(tmp_path, lazy, chosen) == {"lazy case": "", "variant choice": ""}


def test_variadic_test_aggregates(tmp_path: Path) -> None:
    """Per-row arguments may be literals; the variadic run ends where the init literals
    begin; a call that fits no factory is refused by its argument types."""
    table = "CREATE TABLE O AS SELECT K, {} AS R FROM S GROUP BY K;"
    middle = {
        "name": "middle variadic",
        "statements": [_stream("N BIGINT, W STRING"),
                       table.format("MID_VAR_ARG(N, 'abc', W, 10, 20)")],
        "inputs": [{"topic": "s", "key": "a", "value": {"N": 4, "W": "hello"}},
                   {"topic": "s", "key": "a", "value": {"N": 1, "W": None}}],
        # 4 + 3 + 5, then + 1 + 3; the init literals add 30 to each result
        "outputs": [{"topic": "O", "key": "a", "value": {"R": 42}},
                    {"topic": "O", "key": "a", "value": {"R": 46}}],
    }
    generic = {
        "name": "generic variadic",
        "statements": [_stream("D DECIMAL(3, 1), I INT, X DOUBLE"),
                       table.format("GENERIC_VAR_ARG(D, I, X, X)")],
        "inputs": [{"topic": "s", "key": "a", "value": {"D": 1.5, "I": 1, "X": 2.0}},
                   {"topic": "s", "key": "a", "value": {"D": 2.5, "I": 1, "X": None}}],
        "outputs": [{"topic": "O", "key": "a", "value": {"R": [1.5]}},
                    {"topic": "O", "key": "a", "value": {"R": [1.5]}}],
    }
    refused = {
        "name": "refused",
        "statements": [_stream("N BIGINT, W STRING"),
                       table.format("MID_VAR_ARG(N, W, N, 2)")],
        "expectedException": {"message": "Function 'MID_VAR_ARG' does not accept parameters "
                                         "(BIGINT, STRING, BIGINT, INTEGER)."},
    }
    assert set(_run(tmp_path, middle, generic, refused).values()) == {""}


def test_test_table_functions(tmp_path: Path) -> None:
    rows = {
        "name": "texts",
        "statements": [_stream("I INT, D DOUBLE, B BOOLEAN, S STRING, M DECIMAL(4, 2), "
                               "T STRUCT<A STRING>"),
                       "CREATE STREAM O AS SELECT K, TEST_UDTF(I, 7, D, B, S, M, T) AS V, "
                       "THROWING_UDTF(B) AS F FROM S;"],
        "inputs": [{"topic": "s", "key": "a", "value": {
            "I": 3, "D": 0.5, "B": False, "S": "s", "M": 1.5, "T": {"A": "q"}}}],
        "outputs": [{"topic": "O", "key": "a", "value": {"V": v, "F": f}} for v, f in [
            ("3", False), ("7", None), ("0.5", None), ("false", None), ("s", None),
            ("1.50", None), ("Struct{A=q}", None)]],
    }
    assert _run(tmp_path, rows) == {"texts": ""}


def test_test_functions_stay_out_of_the_products_library() -> None:
    product = default_functions()
    runner = with_test_functions(product)
    for name in ("TEST_UDF", "WHENCONDITION", "MID_VAR_ARG", "TEST_UDTF"):
        assert product.kind(name) is None
        assert runner.kind(name) is not None
