"""The generated row decoder gives fastavro's values, or gives up (None) — never others."""

from __future__ import annotations

import datetime
import decimal
import io
import json
from typing import Any

import fastavro
from hypothesis import given, settings
from hypothesis import strategies as st

from tote.serde.avro import AvroCodec
from tote.serde.avro_rows import AvroRowDecoder
from tote.serde.errors import SerializationError

DECIMAL = {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 3}
FIELDS: list[tuple[str, Any]] = [
    ("i", "int"), ("l", "long"), ("f", "float"), ("d", "double"), ("b", "boolean"),
    ("s", "string"), ("raw", "bytes"), ("n", "null"),
    ("e", {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN", "BLUE"]}),
    ("dec", DECIMAL),
    ("day", {"type": "int", "logicalType": "date"}),
    ("tm", {"type": "int", "logicalType": "time-millis"}),
    ("tu", {"type": "long", "logicalType": "time-micros"}),
    ("ts", {"type": "long", "logicalType": "timestamp-millis"}),
    ("tsu", {"type": "long", "logicalType": "timestamp-micros"}),
    ("oi", ["null", "int"]), ("os", ["string", "null"]), ("od", ["null", "double"]),
    ("odec", ["null", DECIMAL]),
    ("ots", ["null", {"type": "long", "logicalType": "timestamp-millis"}]),
    ("arr", {"type": "array", "items": "long"}),
    ("oarr", ["null", {"type": "array", "items": ["null", "string"]}]),
    ("nest", {"type": "array", "items": {"type": "array", "items": "int"}}),
]
SCHEMA = json.dumps({"type": "record", "name": "All",
                     "fields": [{"name": n, "type": t} for n, t in FIELDS]})
CODEC = AvroCodec(SCHEMA)
DECODER = AvroRowDecoder.compile(CODEC.schema.node, arrays=True)
UTC = datetime.UTC

INT32 = st.integers(-(2**31), 2**31 - 1)
INT64 = st.integers(-(2**63), 2**63 - 1)
FLOAT32 = st.floats(width=32, allow_nan=False)
DECIMALS = st.decimals(min_value=-(10**8), max_value=10**8, places=3, allow_nan=False,
                       allow_infinity=False)
TIMESTAMPS = st.datetimes(min_value=datetime.datetime(1, 1, 2),
                          max_value=datetime.datetime(9999, 12, 30),
                          timezones=st.just(UTC))
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
VALUES = st.fixed_dictionaries({
    "i": INT32, "l": INT64, "f": FLOAT32, "d": st.floats(allow_nan=False),
    "b": st.booleans(), "s": TEXT, "raw": st.binary(), "n": st.none(),
    "e": st.sampled_from(["RED", "GREEN", "BLUE"]), "dec": DECIMALS,
    "day": st.dates(), "tm": st.times().map(lambda t: t.replace(microsecond=t.microsecond
                                                                 // 1000 * 1000)),
    "tu": st.times(), "ts": TIMESTAMPS.map(lambda t: t.replace(
        microsecond=t.microsecond // 1000 * 1000)),
    "tsu": TIMESTAMPS, "oi": st.none() | INT32, "os": st.none() | TEXT,
    "od": st.none() | st.floats(allow_nan=False), "odec": st.none() | DECIMALS,
    "ots": st.none() | TIMESTAMPS.map(lambda t: t.replace(
        microsecond=t.microsecond // 1000 * 1000)),
    "arr": st.lists(INT64, max_size=4), "oarr": st.none() | st.lists(st.none() | TEXT,
                                                                      max_size=4),
    "nest": st.lists(st.lists(INT32, max_size=3), max_size=3),
})


def _fastavro(payload: bytes) -> tuple[Any, ...] | None:
    try:
        value = CODEC.decode(payload)
    except SerializationError:
        return None
    return tuple(value[name] for name, _ in FIELDS)


def test_every_supported_type_compiles() -> None:
    assert DECODER is not None
    assert DECODER.names == tuple(name for name, _ in FIELDS)


@settings(max_examples=200, deadline=None)
@given(st.lists(VALUES, min_size=1, max_size=5))
def test_same_values_as_fastavro(values: list[dict[str, Any]]) -> None:
    assert DECODER is not None
    payloads = [b"HEAD!" + CODEC.encode(v) for v in values]
    rows = DECODER.decode(payloads, 5)
    assert rows == [_fastavro(p[5:]) for p in payloads]
    assert [DECODER.decode_one(p, 5) for p in payloads] == rows


@settings(max_examples=300, deadline=None)
@given(VALUES, st.data())
def test_damaged_payloads_decode_as_fastavro_does_or_not_at_all(
        value: dict[str, Any], data: st.DataObject) -> None:
    assert DECODER is not None
    payload = bytearray(CODEC.encode(value))
    cut = data.draw(st.integers(0, len(payload)))
    damaged = bytes(payload[:cut]) if data.draw(st.booleans()) else bytes(
        payload[:cut] + bytes([data.draw(st.integers(0, 255))]) + payload[cut + 1:])
    rows = DECODER.decode([damaged])
    if rows is not None:
        # repr: a damaged double may read as NaN, which never equals itself.
        assert repr(rows) == repr([_fastavro(damaged)])
    one = DECODER.decode_one(damaged)
    assert repr(one) == repr(rows[0] if rows is not None else None)


def test_a_bad_payload_anywhere_gives_up_for_the_whole_batch() -> None:
    assert DECODER is not None
    good = CODEC.encode({"i": 1, "l": 2, "f": 0.5, "d": 1.5, "b": True, "s": "x", "raw": b"",
                         "n": None, "e": "RED", "dec": decimal.Decimal("1.000"),
                         "day": datetime.date(2024, 1, 1), "tm": datetime.time(1),
                         "tu": datetime.time(2),
                         "ts": datetime.datetime(2024, 1, 1, tzinfo=UTC),
                         "tsu": datetime.datetime(2024, 1, 1, tzinfo=UTC), "oi": None,
                         "os": None, "od": None, "odec": None, "ots": None, "arr": [1],
                         "oarr": None, "nest": [[2]]})
    assert DECODER.decode([good, good]) is not None
    assert DECODER.decode([good, good + b"\x00"]) is None  # trailing bytes
    assert DECODER.decode([good, good[:-1]]) is None  # truncated


def test_large_and_negative_varints() -> None:
    codec = AvroCodec('{"type":"record","name":"R","fields":[{"name":"v","type":"long"}]}')
    decoder = AvroRowDecoder.compile(codec.schema.node)
    assert decoder is not None
    numbers = [0, -1, 63, -64, 64, 8191, -8192, 8192, 2**31, -(2**63), 2**63 - 1]
    assert decoder.decode([codec.encode({"v": n}) for n in numbers]) == [(n,) for n in numbers]
    assert decoder.decode([b"\xff" * 11 + b"\x01"]) is None  # longer than any long
    # A tenth byte carrying bits past the 64th: fastavro's 64-bit arithmetic drops them.
    for tenth in (b"\x02", b"\x03", b"\x7f"):
        damaged = b"\x80" * 9 + tenth
        assert decoder.decode([damaged]) == [(codec.decode(damaged)["v"],)]


def test_arrays_in_several_blocks_and_damaged_counts() -> None:
    codec = AvroCodec('{"type":"record","name":"R","fields":[{"name":"v","type":'
                      '{"type":"array","items":"string"}}]}')
    assert AvroRowDecoder.compile(codec.schema.node) is None  # unless asked for
    decoder = AvroRowDecoder.compile(codec.schema.node, arrays=True)
    assert decoder is not None
    item = b"\x04ab"  # "ab"
    # A block of two items with its byte size (negative count), then one of one item.
    payload = b"\x03" + bytes([2 * len(item) * 2]) + item + item + b"\x02" + item + b"\x00"
    assert decoder.decode_one(payload) == (["ab", "ab", "ab"],) == (codec.decode(payload)["v"],)
    assert decoder.decode_one(b"\xfe\xff\xff\xff\x0f") is None  # a count past the payload


def test_unsupported_schemas_are_not_compiled() -> None:
    for field_type in ({"type": "array", "items": "null"}, {"type": "map", "values": "int"},
                       {"type": "fixed", "name": "F", "size": 2}, ["null", "int", "string"],
                       {"type": "string", "logicalType": "uuid"},
                       {"type": "record", "name": "Inner", "fields": [{"name": "x",
                                                                       "type": "int"}]}):
        schema = json.dumps({"type": "record", "name": "R",
                             "fields": [{"name": "a", "type": field_type}]})
        assert AvroRowDecoder.compile(AvroCodec(schema).schema.node, arrays=True) is None
    assert AvroRowDecoder.compile(AvroCodec('"int"').schema.node) is None


def test_every_two_byte_varint_reads_as_fastavro_does() -> None:
    codec = AvroCodec('{"type":"record","name":"R","fields":[{"name":"v","type":'
                      '["null","long"]},{"name":"w","type":"int"}]}')
    decoder = AvroRowDecoder.compile(codec.schema.node)
    assert decoder is not None
    payloads = [bytes([2, first, second, 0]) for first in range(128, 256)
                for second in range(128)]
    expected = [tuple(codec.decode(p).values()) for p in payloads]
    assert decoder.decode(payloads) == expected
    read = decoder.reader(1)
    assert [read(b"!" + p) for p in payloads] == expected
    assert read(b"!" + payloads[0][:-1]) is None  # (truncated)


NULLABLE = {"int": INT32, "long": INT64, "double": st.floats(), "float": FLOAT32}


@st.composite
def _nullable_records(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A record schema of `["null", T]` (or `[T, "null"]`) fields and a few of its values."""
    kinds = draw(st.lists(st.sampled_from(sorted(NULLABLE)), min_size=1, max_size=4))
    firsts = draw(st.lists(st.booleans(), min_size=len(kinds), max_size=len(kinds)))
    fields = [{"name": f"F{i}", "type": ["null", kind] if null_first else [kind, "null"]}
              for i, (kind, null_first) in enumerate(zip(kinds, firsts, strict=True))]
    values = draw(st.lists(st.fixed_dictionaries(
        {f"F{i}": st.none() | NULLABLE[kind] for i, kind in enumerate(kinds)}),
        min_size=1, max_size=4))
    return {"type": "record", "name": "R", "fields": fields}, values


@settings(max_examples=200, deadline=None)
@given(_nullable_records(), st.data())
def test_nullable_fields_read_as_fastavro_does_framed_or_not(
        record: tuple[dict[str, Any], list[dict[str, Any]]], data: st.DataObject) -> None:
    """Records of nullable primitives (as a stream's rows are), whole or damaged: every
    value as fastavro's `schemaless_reader` gives it (types too), or a give-up; the framed
    reader gives what `decode_one` gives, else hands the data on."""
    schema, values = record
    parsed = fastavro.parse_schema(schema)
    decoder = AvroRowDecoder.compile(AvroCodec(json.dumps(schema)).schema.node)
    assert decoder is not None
    handed: list[bytes | None] = []
    framed = decoder.framed(b"\x00HDR", handed.append)
    for value in values:
        out = io.BytesIO()
        fastavro.schemaless_writer(out, parsed, value)
        payload = out.getvalue()
        cut = data.draw(st.integers(0, len(payload)))
        for datum in (payload, payload[:cut], payload[:cut] + b"\x04" + payload[cut + 1:]):
            one = decoder.decode_one(datum)
            if datum == payload:
                assert one is not None
            if one is not None:
                read = fastavro.schemaless_reader(io.BytesIO(datum), parsed)
                assert isinstance(read, dict)
                expected = tuple(read.values())
                assert repr([(type(v), v) for v in one]) == repr(
                    [(type(v), v) for v in expected])
            handed.clear()
            assert repr(framed(b"\x00HDR" + datum)) == repr(one)
            assert handed == ([] if one is not None else [b"\x00HDR" + datum])
    handed.clear()
    for other in (None, b"", b"\x00HDX" + payload):
        assert framed(other) is None and handed == [other]
        handed.clear()
