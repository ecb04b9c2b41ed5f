"""`field.syntax.version` (KIP-821, Kafka 3.8+): how a V2 path splits into nested steps
(dots, backtick quoting, escapes), ExtractField reading nested structs and maps with V2
and names verbatim with V1, the key's validation through Connect's REST validate, and a
V2 extraction end to end into SQLite. Kafka reads the syntax in ExtractField only; the
other SMTs keep taking dotted names literally."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.connect.databases import SqliteDatabase, rows_or_none
from tests.connect.helpers import JDBC_SINK, produce, register, wait_until
from tests.connect.smt_records import applied, configure, record
from tests.connect.test_transforms_config import BASE, entry
from tests.connect.test_validate import errors, validate

from tote.connect.data import Schema, Struct, Type, primitive, struct_schema
from tote.connect.errors import ConfigException, DataException
from tote.connect.herder import Herder
from tote.connect.transforms.base import TRANSFORMS, Transformation
from tote.connect.transforms.field_path import V1, V2, FieldPath
from tote.log.memory import MemoryLog

T = "org.apache.kafka.connect.transforms."
INT, STR = primitive(Type.INT32), primitive(Type.STRING)
INNER = struct_schema(None, [("foo", INT), ("dotted.name", STR)])
OPTIONAL_INNER = struct_schema(None, [("foo", INT)], optional=True)
OUTER = struct_schema(None, [("magic", INNER), ("maybe", OPTIONAL_INNER), ("magic.foo", STR),
                             ("count", INT)])


def smt(kind: str, **props: str) -> Transformation:
    return configure(TRANSFORMS[T + kind], props)


def v2(kind: str, **props: str) -> Transformation:
    return smt(kind, **props, **{"field.syntax.version": "V2"})


def outer(maybe: Struct | None = None) -> Struct:
    return Struct(OUTER, {"magic": Struct(INNER, {"foo": 42, "dotted.name": "in"}),
                          "maybe": maybe, "magic.foo": "top", "count": 3})


def value_of(transform: Transformation, schema: Schema | None, value: Any) -> tuple[Any, Any]:
    done = applied(transform, record(schema, value))
    return done.value_schema, done.value


# -- the path syntax ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "steps"), [
    ("foobarbaz", ["foobarbaz"]),
    ("foo.bar.baz", ["foo", "bar", "baz"]),
    ("", []),
    ("..", ["", "", ""]),
    ("foo..", ["foo", "", ""]),
    (".bar.", ["", "bar", ""]),
    ("..baz", ["", "", "baz"]),
    ("foo`bar`baz", ["foo`bar`baz"]),  # backticks that wrap no step are characters
    ("`foo.bar.baz`", ["foo.bar.baz"]),
    ("foo.`bar.baz`", ["foo", "bar.baz"]),
    ("`foo.bar`.baz", ["foo.bar", "baz"]),
    ("foo.`bar`.baz", ["foo", "bar", "baz"]),
    ("foo.``bar.baz`", ["foo", "`bar.baz"]),
    ("foo.`bar.baz``", ["foo", "bar.baz`"]),
    ("foo.`ba`r.baz`", ["foo", "ba`r.baz"]),
    ("foo.ba`r.baz", ["foo", "ba`r", "baz"]),
    ("foo.``bar``.baz", ["foo", "`bar`", "baz"]),
    ("``foo.bar.baz``", ["`foo.bar.baz`"]),
    ("foo.`bar\\`.baz`", ["foo", "bar`.baz"]),  # a backslash keeps a closing backtick
    ("foo.`bar.`baz`", ["foo", "bar.`baz"]),
    ("foo.`bar\\`.`baz`", ["foo", "bar`.`baz"]),
    ("foo.`bar\\\\`.\\`baz`", ["foo", "bar\\`.\\`baz"]),
])
def test_v2_steps(text: str, steps: list[str]) -> None:
    assert list(FieldPath.parse(text, V2).steps) == steps
    assert list(FieldPath.parse(text, "v2").steps) == steps


@pytest.mark.parametrize("text", ["foo.bar.baz", "foo`bar`", "foo.`bar.baz`", ""])
def test_v1_takes_the_text_as_one_name(text: str) -> None:
    assert FieldPath.parse(text, V1).steps == (text,)


@pytest.mark.parametrize(("text", "at"), [
    ("`foo.bar.baz", 0), ("foo.`bar.baz", 4), ("foo.bar.`baz", 8), ("foo.bar.`baz\\`", 8)])
def test_an_unclosed_backtick_fails_when_the_transform_is_configured(text: str,
                                                                      at: int) -> None:
    expected = (f"Incomplete backtick pair in path: [{text}], consider adding a backslash "
                f"before backtick at position {at} to escape it")
    with pytest.raises(ConfigException) as caught:
        v2("ExtractField$Value", field=text)
    assert caught.value.message == expected
    smt("ExtractField$Value", field=text)  # V1: just a name


# -- ExtractField -------------------------------------------------------------------------


def test_v2_extracts_nested_struct_fields_with_their_schema() -> None:
    assert value_of(v2("ExtractField$Value", field="magic.foo"), OUTER, outer()) == (INT, 42)
    assert value_of(v2("ExtractField$Value", field="magic.`dotted.name`"), OUTER,
                    outer()) == (STR, "in")
    assert value_of(v2("ExtractField$Value", field="`magic.foo`"), OUTER,
                    outer()) == (STR, "top")
    assert value_of(v2("ExtractField$Value", field="magic"), OUTER, outer()) == (
        INNER, Struct(INNER, {"foo": 42, "dotted.name": "in"}))
    keyed = record(None, None, OUTER, outer())
    done = applied(v2("ExtractField$Key", field="magic.foo"), keyed)
    assert (done.key_schema, done.key) == (INT, 42)


def test_v1_reads_a_dotted_name_at_the_root() -> None:
    assert value_of(smt("ExtractField$Value", field="magic.foo"), OUTER,
                    outer()) == (STR, "top")
    explicit = smt("ExtractField$Value", field="magic.foo", **{"field.syntax.version": "v1"})
    assert value_of(explicit, OUTER, outer()) == (STR, "top")
    assert value_of(smt("ExtractField$Value", field="a.b"), None,
                    {"a.b": 1, "a": {"b": 2}}) == (None, 1)
    # A null under a schema that is no struct: the field lookup itself fails, as in Kafka.
    with pytest.raises(DataException, match=r"^Cannot look up fields on non-struct type$"):
        smt("ExtractField$Value", field="a").apply(record(INT, None))


def test_v2_through_null_or_missing_struct_steps() -> None:
    # A null parent gives null under the nested field's schema; so does a null record.
    assert value_of(v2("ExtractField$Value", field="maybe.foo"), OUTER, outer()) == (INT, None)
    assert value_of(v2("ExtractField$Value", field="maybe.foo"), OUTER,
                    outer(Struct(OPTIONAL_INNER, {"foo": 5}))) == (INT, 5)
    assert value_of(v2("ExtractField$Value", field="magic.foo"), OUTER, None) == (INT, None)
    for path in ("magic.nonexistent", "un.known", "magic.foo.deeper"):
        transform = v2("ExtractField$Value", field=path)
        with pytest.raises(Exception) as caught:
            transform.apply(record(OUTER, outer()))
        assert str(caught.value) == {
            "magic.nonexistent": "Unknown field: magic.nonexistent",
            "un.known": "Unknown field: un.known",
            # Stepping into an INT32 schema, as `ConnectSchema.field` refuses it.
            "magic.foo.deeper": "Cannot look up fields on non-struct type"}[path]
    with pytest.raises(DataException, match=r"^Cannot look up fields on non-struct type$"):
        counts = Schema(Type.MAP, key_schema=STR, value_schema=INT)
        v2("ExtractField$Value", field="counts.k").apply(record(
            struct_schema(None, [("counts", counts)]), None))


def test_v2_reads_parent_defaults_and_the_last_step_as_configured() -> None:
    child = struct_schema(None, [("n", primitive(Type.INT32, optional=True, default=7))],
                          optional=True)
    parent = Schema(Type.STRUCT, optional=True, fields=child.fields,
                    default=Struct(child, {"n": 9}))
    schema = struct_schema(None, [("p", parent), ("c", child)])
    value = Struct(schema, {"p": None, "c": Struct(child, {"n": None})})
    assert value_of(v2("ExtractField$Value", field="p.n"), schema, value)[1] == 9
    assert value_of(v2("ExtractField$Value", field="c.n"), schema, value)[1] == 7
    without = v2("ExtractField$Value", field="c.n", **{"replace.null.with.default": "false"})
    assert value_of(without, schema, value)[1] is None


def test_v2_extracts_from_nested_maps() -> None:
    data = {"magic": {"foo": 42, "baz": None, "dotted.name": "in"}, "magic.foo": "top",
            "count": 3, "list": [1]}
    cases = {"magic.foo": 42, "`magic.foo`": "top", "magic.`dotted.name`": "in",
             "magic.nonexistent": None, "un.known": None, "magic.baz.inner": None}
    for path, expected in cases.items():
        assert value_of(v2("ExtractField$Value", field=path), None, data) == (None, expected)
    with pytest.raises(DataException, match=r"^Only Map objects supported in absence of "
                       r"schema for \[nested field access\], found: java.lang.Long$"):
        v2("ExtractField$Value", field="count.x").apply(record(None, data))
    with pytest.raises(DataException, match=r"^Only Map objects supported in absence of "
                       r"schema for \[nested field access\], found: java.util.ArrayList$"):
        v2("ExtractField$Value", field="list.x").apply(record(None, data))
    assert value_of(v2("ExtractField$Value", field="magic.foo"), None, None) == (None, None)


def test_an_empty_v2_path_fails_on_a_record() -> None:
    empty = v2("ExtractField$Value", field="")
    assert value_of(empty, None, None) == (None, None)
    for schema, value in ((None, {"": 1}), (OUTER, outer())):
        with pytest.raises(ValueError, match=r"^fromIndex\(0\) > toIndex\(-1\)$"):
            empty.apply(record(schema, value))


def test_other_transforms_take_dotted_names_literally() -> None:
    # Kafka's other SMTs have no `field.syntax.version`: the key is ignored, names verbatim.
    data = {"magic.foo": "top", "magic": {"foo": 42}}
    done = applied(v2("ValueToKey", fields="magic.foo"), record(None, data))
    assert done.key == {"magic.foo": "top"}
    masked = applied(v2("MaskField$Value", fields="magic.foo"), record(None, data))
    assert masked.value == {"magic.foo": "", "magic": {"foo": 42}}


# -- REST validate ------------------------------------------------------------------------


def chain(**props: str) -> dict[str, str]:
    return {**BASE, "transforms": "x", **{f"transforms.x.{k}": v for k, v in props.items()}}


def test_validate_reports_a_bad_syntax_version(api: httpx.Client) -> None:
    body = validate(api, chain(**{"type": T + "ExtractField$Value", "field": "a.b",
                                  "field.syntax.version": "V3"}))
    assert errors(body) == {"transforms.x.field.syntax.version": [
        "Invalid value V3 for configuration field.syntax.version: String must be one of "
        "(case insensitive): V1, V2"]}
    key = entry(body, "transforms.x.field.syntax.version")["definition"]
    assert (key["default_value"], key["importance"], key["required"]) == ("V1", "HIGH", False)
    for good in ("V2", "v2", "v1"):
        ok = validate(api, chain(**{"type": T + "ExtractField$Value", "field": "a.b",
                                    "field.syntax.version": good}))
        assert ok["error_count"] == 0, errors(ok)


def test_validate_ignores_the_key_on_transforms_without_it(api: httpx.Client) -> None:
    body = validate(api, chain(type=T + "ValueToKey", fields="a.b",
                               **{"field.syntax.version": "V3"}))
    assert body["error_count"] == 0, errors(body)
    names = {c["definition"]["name"] for c in body["configs"] if c["definition"]}
    assert "transforms.x.field.syntax.version" not in names


# -- end to end ---------------------------------------------------------------------------

NESTED_BET = """{"type":"record","name":"Envelope","fields":[{"name":"meta","type":"string"},
{"name":"payload","type":{"type":"record","name":"Payload","fields":[
{"name":"bet","type":{"type":"record","name":"Bet","fields":[
{"name":"RUNNER_ID","type":"int"},{"name":"AMOUNT","type":"double"}]}}]}}]}"""


def test_a_v2_extraction_writes_the_nested_struct_into_sqlite(
        log: MemoryLog, herder: Herder, tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    schema_id = register(log, "bets-value", NESTED_BET)
    log.create_topic("bets")
    produce(log, "bets", schema_id, NESTED_BET, [
        {"meta": "m", "payload": {"bet": {"RUNNER_ID": r, "AMOUNT": r * 1.5}}} for r in (1, 2)])
    herder.create("nested", {"connector.class": JDBC_SINK, "topics": "bets",
                             "connection.url": db.url, "auto.create": "true",
                             "transforms": "unwrap",
                             "transforms.unwrap.type": T + "ExtractField$Value",
                             "transforms.unwrap.field": "payload.bet",
                             "transforms.unwrap.field.syntax.version": "V2"})
    wait_until(lambda: rows_or_none(db, "SELECT * FROM __tote_connect_offsets") == [
        ("nested", "bets", 0, 2)], "offsets past both records")
    assert sorted(db.rows('SELECT "RUNNER_ID", "AMOUNT" FROM bets')) == [(1, 1.5), (2, 3.0)]
