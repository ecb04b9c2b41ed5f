"""Decode many Avro datums of one writer schema in one fastavro call.

A sink reading a topic decodes thousands of small records of the same schema; calling
fastavro once per record costs more than the decoding itself. Avro's binary encoding of
an array is a block count followed by the items back to back, so the payloads of N
records, joined and prefixed with N, *are* an array of N records: one
`schemaless_reader` call decodes them all. The joined buffer must be consumed exactly;
otherwise (or on any decoding error) the records are decoded one by one, so a bad
record is reported alone and never shifts its neighbours.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import fastavro

from tote.serde.avro import _DECODE_ERRORS, AvroCodec
from tote.serde.errors import SerializationError

# Below this many records the per-record path is as fast.
MIN_BATCH = 8


def _count(n: int) -> bytes:
    """Avro's zig-zag varint of a non-negative count."""
    value = n << 1
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


class AvroBatchDecoder:
    """Decodes lists of payloads written with one schema (no references)."""

    def __init__(self, codec: AvroCodec) -> None:
        self.codec = codec
        self._array: Any = None
        if not codec.schema.external and codec.reader is None:
            try:
                self._array = fastavro.parse_schema({"type": "array", "items": codec.schema.raw})
            except (ValueError, TypeError, KeyError, fastavro.schema.SchemaParseException):
                self._array = None

    def decode_all(self, payloads: Sequence[bytes]) -> list[Any] | None:
        """All payloads decoded in one call, or None if that is not possible (too few, a
        schema with references, or a payload that does not decode)."""
        if self._array is None or len(payloads) < MIN_BATCH:
            return None
        joined = b"".join((_count(len(payloads)), *payloads, b"\x00"))
        buffer = io.BytesIO(joined)
        try:
            values: Any = fastavro.schemaless_reader(buffer, self._array, None)
        except _DECODE_ERRORS:
            return None
        if isinstance(values, list) and len(values) == len(payloads) \
                and buffer.tell() == len(joined):
            return values
        return None

    def decode_each(self, payloads: Sequence[bytes]) -> list[Any]:
        """Each payload decoded; a payload that fails yields its SerializationError instead."""
        values = self.decode_all(payloads)
        if values is not None:
            return values
        out: list[Any] = []
        decode = self.codec.decode
        for payload in payloads:
            try:
                out.append(decode(payload))
            except SerializationError as exc:
                out.append(exc)
        return out
