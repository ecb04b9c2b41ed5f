"""Confluent's wire format: magic byte 0, a 4-byte big-endian schema id, then the payload.

Every AVRO / JSON_SR / PROTOBUF record on a tote topic is framed this way so a stock
confluent-kafka deserializer reads it unchanged. Protobuf payloads additionally start
with a message-index array (zig-zag varints) naming the message type inside the file.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from tote.serde.errors import SerializationError

MAGIC_BYTE = 0
HEADER = struct.Struct(">bI")
HEADER_SIZE = HEADER.size  # 5


def frame(schema_id: int, payload: bytes) -> bytes:
    """Prefix `payload` with the magic byte and `schema_id`."""
    if not 0 <= schema_id <= 0xFFFFFFFF:
        raise SerializationError(f"Schema id {schema_id} does not fit in 4 bytes.")
    return HEADER.pack(MAGIC_BYTE, schema_id) + payload


def unframe(data: bytes) -> tuple[int, bytes]:
    """Split framed bytes into (schema_id, payload); reject a missing or wrong header."""
    if len(data) < HEADER_SIZE:
        raise SerializationError(
            f"Expecting data framing of length {HEADER_SIZE} bytes or more "
            f"but total data size is {len(data)} bytes. This message was not produced "
            "with a Confluent Schema Registry serializer"
        )
    if data[0] != MAGIC_BYTE:
        raise SerializationError("Unknown magic byte!")
    return int.from_bytes(data[1:5], "big"), data[5:]


_read_header = HEADER.unpack_from


def schema_id_of(data: bytes) -> int:
    """The schema id of framed bytes, without copying the payload (every record a query
    reads asks: one struct call, not a slice and `int.from_bytes`)."""
    schema_id: int
    try:
        magic, schema_id = _read_header(data)
    except struct.error:
        magic = -1  # too short
    if magic != MAGIC_BYTE:
        unframe(data)  # raises the precise error
    return schema_id


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


def _write_varint(n: int, out: bytearray) -> None:
    while True:
        bits = n & 0x7F
        n >>= 7
        if n:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return


def encode_message_indexes(indexes: Sequence[int]) -> bytes:
    """Protobuf message-index array; `[0]` (first top-level message) is the single byte 0."""
    if list(indexes) == [0]:
        return b"\x00"
    out = bytearray()
    _write_varint(_zigzag(len(indexes)), out)
    for index in indexes:
        _write_varint(_zigzag(index), out)
    return bytes(out)


def decode_message_indexes(payload: bytes) -> tuple[list[int], bytes]:
    """Read the message-index array; returns (indexes, the protobuf bytes after it)."""
    pos = 0

    def read() -> int:
        nonlocal pos
        shift = result = 0
        while True:
            if pos >= len(payload):
                raise SerializationError("Truncated protobuf message-index array.")
            byte = payload[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return (result >> 1) ^ -(result & 1)
            shift += 7

    count = read()
    if count == 0:
        return [0], payload[pos:]
    if count < 0 or count > len(payload):
        raise SerializationError(f"Invalid protobuf message-index count {count}.")
    return [read() for _ in range(count)], payload[pos:]
