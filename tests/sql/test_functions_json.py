"""JSON functions over JSON text."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from tests.sql.exprkit import evaluate

from tote.core import types as t

DOC = '{"log": {"cloud": "gcp", "app": "ksql"}, "nums": [1, 2.50, {"x": true}], "n": null}'


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("EXTRACTJSONFIELD(J, '$.log.cloud')", "gcp"),
        ("EXTRACTJSONFIELD(J, '$.log')", '{"cloud":"gcp","app":"ksql"}'),
        ("EXTRACTJSONFIELD(J, '$.nums[1]')", "2.50"),
        ("EXTRACTJSONFIELD(J, '$.nums[2]')", '{"x":true}'),
        ("EXTRACTJSONFIELD(J, '$[''log''].app')", "ksql"),
        ("EXTRACTJSONFIELD(J, '$.missing')", None),
        ("EXTRACTJSONFIELD(J, '$.n')", None),
        ("EXTRACTJSONFIELD('not json', '$.a')", None),
        # Like Jackson, only the first JSON value is read; what follows it is ignored.
        ("EXTRACTJSONFIELD('{\"a\": \"b\"}} trailing', '$.a')", "b"),
        ("EXTRACTJSONFIELD('', '$.a')", None),
        ("JSON_ARRAY_CONTAINS('[1, 2, 3]', 2)", True),
        ("JSON_ARRAY_CONTAINS('[1, 2, 3]', 5)", False),
        ("JSON_ARRAY_CONTAINS('[\"a\", 1]', 'a')", True),
        ("JSON_ARRAY_CONTAINS('[1.5]', 1.5E0)", True),
        ("JSON_ARRAY_CONTAINS('{}', 1)", False),
        ("IS_JSON_STRING('[1, 2]')", True),
        ("IS_JSON_STRING('abc')", False),
        ("JSON_CONCAT('{\"a\": 1}', '{\"b\": 2}')", '{"a":1,"b":2}'),
        ("JSON_CONCAT('[1, 2]', '[3]')", "[1,2,3]"),
        ("JSON_CONCAT('[1]', '{\"a\": 2}')", '[1,{"a":2}]'),
        (
            "JSON_RECORDS(J)",
            {"log": '{"cloud":"gcp","app":"ksql"}', "nums": '[1,2.50,{"x":true}]', "n": "null"},
        ),
        # A string member is its text, not a quoted JSON string.
        ("JSON_RECORDS('{\"s\": \"x y\", \"q\": \"\"}')", {"s": "x y", "q": ""}),
        ("JSON_KEYS(J)", ["log", "nums", "n"]),
        ("JSON_KEYS('[1]')", None),
        ("JSON_ARRAY_LENGTH('[1, [2, 3]]')", 2),
        ("JSON_ITEMS('[1, {\"a\": 2}]')", ["1", '{"a":2}']),
    ],
)
def test_json_functions(sql: str, expected: object) -> None:
    assert evaluate(sql, [("J", t.STRING)], (DOC,)) == expected


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (t.INTEGER, 1, "1"),
        (t.DOUBLE, 1.0, "1.0"),
        (t.decimal(4, 2), Decimal("1.50"), "1.50"),
        (t.STRING, 'a"b', '"a\\"b"'),
        (t.BOOLEAN, False, "false"),
        (t.array(t.INTEGER), [1, None], "[1,null]"),
        (t.map_of(t.STRING, t.DOUBLE), {"a": 0.5}, '{"a":0.5}'),
        (t.struct(("A", t.INTEGER), ("B", t.STRING)), {"A": 1, "B": None}, '{"A":1,"B":null}'),
        # Struct fields and map keys come out sorted by name.
        (t.struct(("Z", t.INTEGER), ("A", t.INTEGER)), {"Z": 1, "A": 2}, '{"A":2,"Z":1}'),
        (t.map_of(t.STRING, t.INTEGER), {"b": 1, "a": 2}, '{"a":2,"b":1}'),
        # Temporal values are written as their text, not as numbers.
        (
            t.TIMESTAMP,
            datetime.datetime(1970, 1, 1, 0, 0, 1, 250000, tzinfo=datetime.UTC),
            '"1970-01-01T00:00:01.250"',
        ),
        (t.DATE, datetime.date(1970, 1, 3), '"1970-01-03"'),
        (t.TIME, datetime.time(7, 5, 9, 500000), '"07:05:09"'),
        (t.TIME, datetime.time(7, 5), '"07:05"'),
        (t.array(t.DATE), [datetime.date(2001, 2, 3)], '["2001-02-03"]'),
        (t.BYTES, b"hi", '"aGk="'),
        (t.STRING, None, "null"),
        # Jackson's escapes: short ones where JSON has them, else upper-case hex; a
        # backslash in the text (before "u001f") stays an escaped backslash.
        (t.STRING, "a\x1f\n\x00b", '"a\\u001F\\n\\u0000b"'),
        (t.STRING, "\\u001f\x1f", '"\\\\u001f\\u001F"'),
        (t.map_of(t.STRING, t.STRING), {"k\x1b": "v"}, '{"k\\u001B":"v"}'),
    ],
)
def test_to_json_string(kind: t.SqlType, value: object, expected: str) -> None:
    assert evaluate("TO_JSON_STRING(V)", [("V", kind)], (value,)) == expected
