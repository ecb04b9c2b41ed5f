"""Confluent framing: exact header bytes and the errors a stock deserializer would raise."""

from __future__ import annotations

import struct

import pytest

from tote.serde.errors import SerializationError
from tote.serde.wire import (
    decode_message_indexes,
    encode_message_indexes,
    frame,
    schema_id_of,
    unframe,
)


def test_frame_is_magic_byte_then_big_endian_id() -> None:
    assert frame(1, b"\x02\x02") == b"\x00\x00\x00\x00\x01\x02\x02"
    assert frame(0x01020304, b"") == b"\x00\x01\x02\x03\x04"
    # the recipe from the spec (what confluent-kafka's serializers write)
    assert frame(12, b"xy") == struct.pack(">bI", 0, 12) + b"xy"


def test_unframe_round_trip() -> None:
    assert unframe(b"\x00\x00\x00\x01\x00payload") == (256, b"payload")
    assert unframe(frame(4_000_000_000, b"")) == (4_000_000_000, b"")
    assert schema_id_of(frame(77, b"abc")) == 77


def test_unknown_magic_byte() -> None:
    with pytest.raises(SerializationError) as info:
        unframe(b"\x01\x00\x00\x00\x01abc")
    assert info.value.message == "Unknown magic byte!"
    assert info.value.error_code == 42203


def test_too_short() -> None:
    with pytest.raises(SerializationError) as info:
        unframe(b"\x00\x00\x01")
    assert str(info.value) == (
        "Expecting data framing of length 5 bytes or more but total data size is 3 bytes. "
        "This message was not produced with a Confluent Schema Registry serializer")


def test_schema_id_out_of_range() -> None:
    with pytest.raises(SerializationError):
        frame(-1, b"")


@pytest.mark.parametrize(("indexes", "encoded"), [
    ([0], b"\x00"),
    ([1], b"\x02\x02"),  # the spec's example: second top-level message
    ([0, 2], b"\x04\x00\x04"),
])
def test_protobuf_message_indexes(indexes: list[int], encoded: bytes) -> None:
    assert encode_message_indexes(indexes) == encoded
    assert decode_message_indexes(encoded + b"rest") == (indexes, b"rest")


def test_truncated_message_indexes() -> None:
    with pytest.raises(SerializationError, match="Truncated"):
        decode_message_indexes(b"\x04\x80")


def test_schema_id_of_refuses_what_unframe_refuses() -> None:
    assert schema_id_of(b"\x00\xff\xff\xff\xfe") == 0xFFFFFFFE
    for data, message in ((b"\x00\x00\x01", "Expecting data framing of length 5"),
                          (b"", "Expecting data framing of length 5"),
                          (b"\x01\x00\x00\x00\x01abc", "Unknown magic byte!"),
                          (b"\xff\x00\x00\x00\x01", "Unknown magic byte!")):
        with pytest.raises(SerializationError) as info:
            schema_id_of(data)
        assert str(info.value).startswith(message)
