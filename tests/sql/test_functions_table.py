"""Table functions and the registry (SHOW FUNCTIONS / DESCRIBE FUNCTION data)."""

from __future__ import annotations

import pytest
from tests.sql.exprkit import FUNCTIONS, typed

from tote.core import types as t
from tote.core.errors import SqlError
from tote.sql.functions import default_functions
from tote.sql.functions.resolution import NoMatchingVariant


def test_explode() -> None:
    resolved = FUNCTIONS.table("EXPLODE").resolve([t.array(t.STRING)])
    assert str(resolved.return_type) == "STRING"
    assert resolved.fn(["a", None, "b"]) == ["a", None, "b"]
    assert resolved.fn(None) == []
    assert str(typed("EXPLODE(ARRAY[1, 2])")) == "INTEGER"


def test_cube_explode() -> None:
    resolved = FUNCTIONS.table("CUBE_EXPLODE").resolve([t.array(t.INTEGER)])
    assert str(resolved.return_type) == "ARRAY<INTEGER>"
    # All NULL first, then counting up with the first element as the high bit.
    assert resolved.fn([1, 2]) == [[None, None], [None, 2], [1, None], [1, 2]]
    assert resolved.fn([1, None]) == [[None, None], [1, None]]
    assert resolved.fn([None, None, 3]) == [[None, None, None], [None, None, 3]]
    assert len(resolved.fn(list(range(20)))) == 2**20
    with pytest.raises(ValueError, match=r"too many columns \(21\); max is 20"):
        resolved.fn(list(range(21)))


def test_table_function_argument_errors_list_the_alternatives() -> None:
    with pytest.raises(NoMatchingVariant) as caught:
        FUNCTIONS.table("EXPLODE").resolve([t.map_of(t.STRING, t.INTEGER)])
    assert str(caught.value) == (
        "Function 'explode' does not accept parameters (MAP<STRING, INTEGER>).\n"
        "Valid alternatives are:\n"
        "explode(ARRAY<DECIMAL> input)\n"
        "explode(ARRAY<T> list)\n"
        "For detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;"
    )


def test_registry_lookups() -> None:
    assert FUNCTIONS.kind("substring") == "SCALAR"
    assert FUNCTIONS.kind("SUM") == "AGGREGATE"
    assert FUNCTIONS.kind("EXPLODE") == "TABLE"
    assert FUNCTIONS.kind("NOPE") is None
    with pytest.raises(SqlError) as caught:
        FUNCTIONS.scalar("NOPE")
    assert caught.value.message == "Can't find any functions with the name 'NOPE'"
    with pytest.raises(SqlError):
        FUNCTIONS.aggregate("UCASE")


def test_show_functions_lists_every_function_sorted() -> None:
    summaries = FUNCTIONS.list()
    names = [s.name for s in summaries]
    assert names == sorted(names)
    by_name = {s.name: s for s in summaries}
    assert (by_name["ABS"].type, by_name["ABS"].category) == ("SCALAR", "MATHEMATICAL")
    assert (by_name["COUNT"].type, by_name["COUNT"].category) == ("AGGREGATE", "AGGREGATE")
    assert (by_name["EXPLODE"].type, by_name["EXPLODE"].category) == ("TABLE", "TABLE")
    assert by_name["FORMAT_TIMESTAMP"].category == "DATE / TIME"
    assert len(summaries) >= 130


def test_describe_function() -> None:
    description = FUNCTIONS.describe("substring")
    assert (description.name, description.type, description.category) == (
        "SUBSTRING",
        "SCALAR",
        "STRING",
    )
    first = description.signatures[0]
    assert [(a.name, a.type) for a in first.arguments] == [("str", "VARCHAR"), ("pos", "INT")]
    assert first.return_type == "VARCHAR"
    variadic = FUNCTIONS.describe("CONCAT").signatures[0].arguments[0]
    assert (variadic.name, variadic.type, variadic.is_variadic) == ("inputs", "VARCHAR[]", True)


def test_each_registry_is_independent() -> None:
    assert default_functions() is not FUNCTIONS
    extended = FUNCTIONS.with_functions([])
    assert extended.kind("ABS") == "SCALAR"
