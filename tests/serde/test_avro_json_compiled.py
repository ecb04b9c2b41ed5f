"""The compiled Avro-JSON decoder returns what `from_avro_json` returns, errors included."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tote.serde.avro_json import from_avro_json
from tote.serde.avro_json_compiled import AvroJsonDecoder
from tote.serde.avro_schema import AvroSchema
from tote.serde.errors import SerializationError

SCHEMA = AvroSchema.parse(json.dumps({
    "type": "record", "name": "Bet", "namespace": "tote",
    "fields": [
        {"name": "runner", "type": ["null", "int"], "default": None},
        {"name": "amount", "type": "double"},
        {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
        {"name": "odds", "type": {"type": "map", "values": "long"}, "default": {}},
        {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["WIN", "PLACE"]},
         "default": "WIN"},
        {"name": "next", "type": ["null", "Bet"], "default": None},
    ],
}))

VALUES: list[Any] = [
    {"runner": {"int": 1}, "amount": 25.0},
    {"runner": None, "amount": 5, "tags": ["a"], "odds": {"x": 3.0}, "kind": "PLACE"},
    {"amount": "-Infinity", "next": {"tote.Bet": {"amount": 1.5, "runner": {"int": 2}}}},
    {"amount": 1.0, "next": {"Bet": {"amount": 2.0}}},
    {"runner": {"int": 2**31}, "amount": 1.0},
    {"runner": {"long": 1}, "amount": 1.0},
    {"runner": 1, "amount": 1.0},
    {"runner": {"int": True}, "amount": 1.0},
    {"amount": "1.0"},
    {"runner": {"int": 1}},
    {"amount": 1.0, "kind": "SHOW"},
    {"amount": 1.0, "next": {"tote.Bet": {"amount": None}}},
    [],
]


def _outcome(fn: Any, value: Any) -> Any:
    try:
        return ("ok", fn(value))
    except SerializationError as exc:
        return ("error", exc.message)


@pytest.mark.parametrize("value", VALUES)
def test_same_datum_or_same_error(value: Any) -> None:
    decoder = AvroJsonDecoder(SCHEMA)
    assert _outcome(decoder, value) == _outcome(lambda v: from_avro_json(SCHEMA, v), value)


def test_mutable_defaults_are_not_shared() -> None:
    decoder = AvroJsonDecoder(SCHEMA)
    first = decoder({"amount": 1.0})
    first["tags"].append("changed")
    assert decoder({"amount": 1.0})["tags"] == []


def test_error_message_names_the_path() -> None:
    with pytest.raises(SerializationError) as caught:
        AvroJsonDecoder(SCHEMA)({"runner": {"int": "x"}, "amount": 1.0})
    assert caught.value.message == (
        'Conversion of JSON to Avro failed at /runner/int: expected int, got "x"')
