"""The one-pass Avro-JSON encoder writes fastavro's bytes, or hands the value on — never others.

The reference is the REST Proxy's general path: `from_avro_json`, then fastavro. On
random Avro-JSON values, valid and damaged, the compiled encoder must either write
exactly the bytes the general path writes, or give up (None / its fallback); and it must
give up on every value the general path rejects, so the proxy's error messages stay the
general path's own.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tote.serde.avro import AvroCodec
from tote.serde.avro_json import from_avro_json
from tote.serde.avro_json_encoder import compile_encoder, varint
from tote.serde.errors import SerializationError

COLOUR = {
    "type": "enum",
    "name": "Colour",
    "namespace": "paint",
    "symbols": ["RED", "GREEN", "BLUE"],
}
FIXED = {"type": "fixed", "name": "Pair", "size": 2}
FIELDS: list[tuple[str, Any, Any]] = [  # name, type, default (... = none)
    ("i", "int", ...),
    ("l", "long", ...),
    ("f", "float", ...),
    ("d", "double", ...),
    ("b", "boolean", ...),
    ("s", "string", ...),
    ("raw", "bytes", ...),
    ("n", "null", ...),
    ("e", COLOUR, ...),
    ("fx", FIXED, ...),
    ("day", {"type": "int", "logicalType": "date"}, ...),
    ("tm", {"type": "int", "logicalType": "time-millis"}, ...),
    ("tu", {"type": "long", "logicalType": "time-micros"}, ...),
    ("ts", {"type": "long", "logicalType": "timestamp-millis"}, ...),
    ("tsu", {"type": "long", "logicalType": "timestamp-micros"}, ...),
    ("lts", {"type": "long", "logicalType": "local-timestamp-millis"}, ...),
    ("id", {"type": "string", "logicalType": "uuid"}, ...),
    ("oi", ["null", "int"], None),
    ("os", ["string", "null"], "dflt"),
    ("od", ["null", "double"], None),
    ("ol", ["long", "null"], 7),
    ("ob", ["null", "boolean"], None),
    ("oraw", ["null", "bytes"], None),
    ("oe", ["null", "paint.Colour"], None),
    ("ots", ["null", {"type": "long", "logicalType": "timestamp-millis"}], None),
    ("di", "int", 42),
    ("dd", "double", 1.5),
    ("ds", "string", "x"),
]
SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "All",
        "namespace": "tote",
        "fields": [
            {"name": n, "type": t} if d is ... else {"name": n, "type": t, "default": d}
            for n, t, d in FIELDS
        ],
    }
)
CODEC = AvroCodec(SCHEMA)
ENCODER = compile_encoder(CODEC.schema.node)
HEADER = b"\x00\x00\x00\x00\x07"
FRAMED = compile_encoder(CODEC.schema.node, HEADER)

INT32 = st.integers(-(2**31), 2**31 - 1)
INT64 = st.integers(-(2**63), 2**63 - 1)
LATIN1 = st.text(alphabet=st.characters(max_codepoint=255))
NUMBER = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**60), 2**60)


def _union(key: str, inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | inner.map(lambda v: {key: v})


VALID: dict[str, st.SearchStrategy[Any]] = {
    "i": INT32,
    "l": INT64,
    "f": st.floats(width=32, allow_nan=False, allow_infinity=False),
    "d": NUMBER,
    "b": st.booleans(),
    "s": st.text(),
    "raw": LATIN1,
    "n": st.none(),
    "e": st.sampled_from(["RED", "GREEN", "BLUE"]),
    "fx": LATIN1.filter(lambda s: len(s) == 2) | st.just("ab"),
    "day": INT32,
    "tm": INT32,
    "tu": INT64,
    "ts": INT64,
    "tsu": INT64,
    "lts": INT64,
    "id": st.uuids().map(str),
    "oi": _union("int", INT32),
    "os": _union("string", st.text()),
    "od": _union("double", NUMBER),
    "ol": _union("long", INT64),
    "ob": _union("boolean", st.booleans()),
    "oraw": _union("bytes", LATIN1),
    "oe": _union("paint.Colour", st.sampled_from(["RED", "BLUE"]))
    | _union("Colour", st.just("GREEN")),
    "ots": _union("long", INT64),
    "di": INT32,
    "dd": NUMBER,
    "ds": st.text(),
}
OPTIONAL = {name for name, _, default in FIELDS if default is not ...}
JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=5)
    | st.sampled_from(["NaN", "Infinity", "-Infinity", "RED", "\ud800"]),
    lambda inner: (
        st.lists(inner, max_size=2)
        | st.dictionaries(
            st.sampled_from(
                [
                    "int",
                    "long",
                    "double",
                    "string",
                    "bytes",
                    "boolean",
                    "Colour",
                    "paint.Colour",
                    "null",
                    "x",
                ]
            ),
            inner,
            max_size=2,
        )
    ),
    max_leaves=4,
)


@st.composite
def records(draw: st.DrawFn, damaged: bool) -> dict[str, Any]:
    """A valid record (optional fields sometimes left out), or one with one or two
    fields junk or left out."""
    out: dict[str, Any] = {}
    for name, _, _ in FIELDS:
        if name not in OPTIONAL or draw(st.integers(0, 4)):
            out[name] = draw(VALID[name])
    if damaged:
        for name in draw(
            st.lists(st.sampled_from([n for n, _, _ in FIELDS]), min_size=1, max_size=2)
        ):
            if draw(st.integers(0, 4)):
                out[name] = draw(JUNK)
            else:
                out.pop(name, None)
        if draw(st.booleans()):
            out["extra"] = draw(JUNK)
    return out


def _general(value: Any) -> bytes | None:
    try:
        return CODEC.encode(from_avro_json(CODEC.schema, value))
    except SerializationError:
        return None


def test_the_schema_compiles() -> None:
    assert ENCODER is not None
    assert FRAMED is not None


@settings(max_examples=200, deadline=None)
@given(records(damaged=False))
def test_valid_records_are_written_as_fastavro_writes_them(value: dict[str, Any]) -> None:
    assert ENCODER is not None and FRAMED is not None
    expected = _general(value)
    assert expected is not None
    assert ENCODER(value) == expected
    assert FRAMED(value) == HEADER + expected


@settings(max_examples=400, deadline=None)
@given(records(damaged=True))
def test_damaged_records_are_written_identically_or_handed_on(value: dict[str, Any]) -> None:
    assert ENCODER is not None
    written = ENCODER(value)
    if written is not None:
        assert written == _general(value)


@settings(max_examples=200, deadline=None)
@given(records(damaged=True))
def test_everything_the_general_path_rejects_goes_to_the_fallback(value: dict[str, Any]) -> None:
    seen: list[Any] = []

    def fallback(v: Any) -> bytes:
        seen.append(v)
        return b"general"

    encoder = compile_encoder(CODEC.schema.node, HEADER, fallback)
    assert encoder is not None
    written = encoder(value)
    if _general(value) is None:
        assert written == b"general" and seen == [value]
    elif seen:
        assert written == b"general"
    else:
        assert written == HEADER + _general(value)  # type: ignore[operator]


def test_the_seed_bet() -> None:
    codec = AvroCodec(
        json.dumps(
            {
                "type": "record",
                "name": "KsqlDataSourceSchema",
                "namespace": "io.confluent.ksql.avro_schemas",
                "fields": [
                    {"name": "RUNNER_ID", "type": ["null", "int"], "default": None},
                    {"name": "RACE_ID", "type": ["null", "int"], "default": None},
                    {"name": "AMOUNT", "type": ["null", "double"], "default": None},
                ],
            }
        )
    )
    encoder = compile_encoder(codec.schema.node, b"\x00\x00\x00\x00\x01")
    assert encoder is not None
    bet = {"RUNNER_ID": {"int": 1}, "RACE_ID": {"int": 0}, "AMOUNT": {"double": 25.0}}
    assert encoder(bet) == b"\x00\x00\x00\x00\x01" + codec.encode(
        {"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0}
    )
    assert encoder({}) == b"\x00\x00\x00\x00\x01\x00\x00\x00"  # defaults: three nulls
    assert encoder({"RUNNER_ID": 1}) is None  # not wrapped: the general path's error
    assert encoder({"AMOUNT": {"double": "NaN"}}) is None  # rare spelling: general path


def test_varints_match_fastavro() -> None:
    codec = AvroCodec('"long"')
    for n in (0, -1, 1, 63, -64, 64, -65, 8191, -8192, 2**31, -(2**63), 2**63 - 1):
        assert varint(n) == codec.encode(n)


def test_unsupported_schemas_are_not_compiled() -> None:
    for field_type in (
        {"type": "array", "items": "int"},
        {"type": "map", "values": "int"},
        ["null", "int", "string"],
        ["int", "string"],
        {"type": "bytes", "logicalType": "decimal", "precision": 4},
        {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "int"}]},
    ):
        schema = json.dumps(
            {"type": "record", "name": "R", "fields": [{"name": "a", "type": field_type}]}
        )
        assert compile_encoder(AvroCodec(schema).schema.node) is None
    assert compile_encoder(AvroCodec('"int"').schema.node) is None
