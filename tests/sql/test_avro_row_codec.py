"""The engine's AVRO row codec: rows read by generated code are the rows the general
decoder gives, and a row shared between readers of the same record is never shared in a
way one reader's change could show in another's."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tote.core import types as t
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.serde.avro import AvroCodec
from tote.serde.errors import SerializationError
from tote.sql.codecs import build_codec
from tote.sql.codecs.rows import RowCodec
from tote.sql.sources import FormatInfo, SourceColumn

WRITER = {
    "type": "record",
    "name": "Bet",
    "fields": [
        {"name": "bet_id", "type": "string"},
        {"name": "combinations", "type": {"type": "array", "items": "string"}},
        {"name": "stake_cents", "type": "long"},
        {"name": "runner", "type": ["null", "int"], "default": None},
        {
            "name": "scores",
            "type": ["null", {"type": "array", "items": ["null", "long"]}],
            "default": None,
        },
    ],
}


@pytest.fixture
def registry() -> Iterator[Registry]:
    with MemoryLog() as log, Registry(log) as found:
        found.register("bets-value", json.dumps(WRITER))
        yield found


def _codec(registry: Registry, *columns: tuple[str, t.SqlType]) -> RowCodec:
    return build_codec(
        [SourceColumn(name, sql) for name, sql in columns],
        FormatInfo("AVRO"),
        topic="bets",
        is_key=False,
        registry=registry,
        prefer_registered=True,
    )


def _framed(registry: Registry, value: dict[str, Any]) -> bytes:
    schema_id = registry.get_version("bets-value").id
    return b"\x00" + schema_id.to_bytes(4, "big") + AvroCodec(json.dumps(WRITER)).encode(value)


VALUE = {
    "bet_id": "b1",
    "combinations": ["1-2", "2-1"],
    "stake_cents": 300,
    "runner": None,
    "scores": [4, None],
}


def test_columns_read_their_fields_by_name_in_any_case_and_order(registry: Registry) -> None:
    codec = _codec(
        registry,
        ("STAKE_CENTS", t.BIGINT),
        ("Combinations", t.array(t.STRING)),
        ("BET_ID", t.STRING),
        ("MISSING", t.STRING),
        ("SCORES", t.array(t.BIGINT)),
    )
    assert codec.decode(_framed(registry, VALUE)) == (300, ["1-2", "2-1"], "b1", None, [4, None])


def test_a_field_read_as_another_type_is_converted_as_ksqldb_does(registry: Registry) -> None:
    codec = _codec(
        registry, ("STAKE_CENTS", t.STRING), ("RUNNER", t.STRING), ("SCORES", t.array(t.STRING))
    )
    value = {**VALUE, "runner": 7}
    assert codec.decode(_framed(registry, value)) == ("300", "7", ["4", None])


def test_a_damaged_record_fails_as_the_general_decoder_says(registry: Registry) -> None:
    from tote.serde.errors import SerializationError

    codec = _codec(registry, ("BET_ID", t.STRING))
    with pytest.raises(SerializationError, match="Error deserializing Avro message"):
        codec.decode(_framed(registry, VALUE)[:-3])


def test_readers_of_one_record_do_not_share_lists(registry: Registry) -> None:
    columns = (("BET_ID", t.STRING), ("COMBINATIONS", t.array(t.STRING)))
    first, second = _codec(registry, *columns), _codec(registry, *columns)
    data = _framed(registry, VALUE)
    row = first.decode(data)
    assert row is not None
    row[1].append("changed by the first reader")
    assert second.decode(data) == ("b1", ["1-2", "2-1"])
    assert first.decode(data) == ("b1", ["1-2", "2-1"])


def _generated_codec(registry: Registry, topic: str, *columns: tuple[str, t.SqlType]
                     ) -> RowCodec:
    """A codec writing with the schema generated from its columns (a query's sink)."""
    return build_codec([SourceColumn(name, sql) for name, sql in columns],
                       FormatInfo("AVRO"), topic=topic, is_key=False, registry=registry)


@pytest.mark.parametrize("with_list", [True, False])
def test_a_written_row_reads_back_as_decoding_gives_it(registry: Registry,
                                                       with_list: bool) -> None:
    """A row a sink writes is read by the next query without decoding (the memo); what
    it reads is what decoding gives: an int in a DOUBLE column comes back a float, a
    row's array is the reader's own."""
    columns = (("RUNNER", t.INTEGER), ("AMOUNT", t.DOUBLE), ("ODDS", t.DOUBLE),
               ("TAGS", t.array(t.STRING)))[:4 if with_list else 3]
    topic = f"odds-{with_list}"
    writer = _generated_codec(registry, topic, *columns)
    rows: list[tuple[Any, ...]] = [(7, 2.5, 4.0, ["a"]), (7, 2, 4.0, ["a"]),
                                   (7, 2.5, None, None), (None, 3, 4, []),
                                   (1 << 40, 1.0, 1.0, None)]
    for row in rows:
        values = row[:len(columns)]
        if values[0] == 1 << 40:  # not an INT: refused, by the general encoder too
            with pytest.raises(SerializationError):
                writer.encode(values)
            continue
        data = writer.encode(values)
        assert data is not None
        first = _generated_codec(registry, topic, *columns).decode(data)
        assert first == values
        assert first is not None and all(v is None or type(v) is float for v in first[1:3])
        if with_list and first[3] is not None:
            first[3].append("changed by a reader")
        assert _generated_codec(registry, topic, *columns).decode(data) == values


@pytest.mark.parametrize("columns", [
    (("STAKE_CENTS", t.BIGINT), ("RUNNER", t.INTEGER)),  # read by the generated reader
    (("STAKE_CENTS", t.STRING), ("RUNNER", t.STRING)),  # converted: the general decoder
])
def test_decoding_alone_gives_what_decoding_gives_and_leaves_the_memo(
        registry: Registry, columns: tuple[tuple[str, t.SqlType], ...]) -> None:
    """`decoding_alone` (a record's one decoding, shared by all its readers) reads a
    record, fails on a damaged one or an unknown schema id, as `decode` does; and notes
    nothing in the memo for other readers (there are none)."""
    from tote.sql.codecs.rows import _RECENT, decoding_alone

    alone, codec = decoding_alone(_codec(registry, *columns)), _codec(registry, *columns)
    data = _framed(registry, {**VALUE, "runner": 7})
    _RECENT.rows.clear()
    assert alone(data) == codec.decode(data) is not None
    assert alone(None) is None
    for bad in (data[:-3], b"\x00\x00\x00\x00\x63" + data[5:]):
        with pytest.raises(SerializationError) as expected:
            codec.decode(bad)
        with pytest.raises(SerializationError) as found:
            alone(bad)
        assert found.value.message == expected.value.message
    _RECENT.rows.clear()
    alone(data)
    assert id(data) not in _RECENT.rows


FLAT = {"type": "record", "name": "Odds", "fields": [
    {"name": "RUNNER_ID", "type": ["null", "int"], "default": None},
    {"name": "RACE_ID", "type": ["null", "int"], "default": None},
    {"name": "AMOUNT", "type": ["null", "double"], "default": None}]}
FLAT_COLUMNS = (("RUNNER_ID", t.INTEGER), ("RACE_ID", t.INTEGER), ("AMOUNT", t.DOUBLE))


def test_decoding_alone_reads_the_writers_own_records_in_one_call(registry: Registry) -> None:
    """Columns that are the writer schema's fields: `decoding_alone` is one generated
    function for records of the writer's id (`AvroRowDecoder.framed`), which hands every
    other record (None, another schema id, unknown ids, damaged ones) to the general
    path: the same rows and the same errors as `decode`."""
    from tote.sql.codecs.rows import decoding_alone

    wider = {**FLAT, "fields": [*FLAT["fields"], {"name": "X", "type": "long", "default": 0}]}
    other = registry.register("odds-value", json.dumps(wider)).id
    own = registry.register("odds-value", json.dumps(FLAT)).id  # (the latest: the writer)
    codec = build_codec([SourceColumn(n, sql) for n, sql in FLAT_COLUMNS], FormatInfo("AVRO"),
                        topic="odds", is_key=False, registry=registry, prefer_registered=True)
    alone = decoding_alone(codec)
    assert alone.__name__ == "decode_framed"

    def framed(schema_id: int, schema: dict[str, Any], value: dict[str, Any]) -> bytes:
        return (b"\x00" + schema_id.to_bytes(4, "big")
                + AvroCodec(json.dumps(schema)).encode(value))

    value = {"RUNNER_ID": 1234, "RACE_ID": -3, "AMOUNT": 2.5}
    records = [framed(own, FLAT, value), framed(own, FLAT, dict.fromkeys(value)),
               framed(own, FLAT, {**value, "AMOUNT": 2}), framed(other, wider, {**value, "X": 9})]
    for data in records:
        row, expected = alone(data), codec.decode(data)
        assert row is not None and expected is not None and row == expected
        assert [type(v) for v in row] == [type(v) for v in expected]
    assert alone(None) is None
    good = records[0]
    for bad in (good[:-3], good + b"\x00", good[:5] + b"\x04" + good[6:],
                b"\x00\x00\x00\x00\x63" + good[5:], b"\x01" + good[1:], good[:3]):
        assert _outcome(alone, bad) == _outcome(codec.decode, bad)


def _outcome(decode: Any, data: bytes) -> object:
    """What decoding gives: the row (as text: a damaged double may be NaN) or the error
    (less the addresses of objects it names)."""
    try:
        return repr(decode(data))
    except SerializationError as exc:
        return re.sub(r" at 0x[0-9a-f]+", "", exc.message)
