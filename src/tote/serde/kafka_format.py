"""ksqlDB's KAFKA format: one primitive per key or value, as Kafka's own serializers write it.

INT is a 4-byte big-endian int, BIGINT 8 bytes, DOUBLE an IEEE-754 double, STRING UTF-8,
BYTES the raw bytes; a null value is a Kafka null (no bytes at all).
"""

from __future__ import annotations

import struct
from typing import Any

from tote.core import bases
from tote.core.types import Base, SqlType
from tote.serde.errors import InvalidSchema, SerializationError

_FIXED = {Base.INTEGER: (struct.Struct(">i"), "IntegerDeserializer", 4),
          Base.BIGINT: (struct.Struct(">q"), "LongDeserializer", 8),
          Base.DOUBLE: (struct.Struct(">d"), "DoubleDeserializer", 8)}
SUPPORTED = frozenset({Base.INTEGER, Base.BIGINT, Base.DOUBLE, Base.STRING, Base.BYTES})


class KafkaCodec:
    """Serialise one column of a supported primitive type in the KAFKA format."""

    def __init__(self, sql_type: SqlType) -> None:
        if sql_type.base not in SUPPORTED:
            raise InvalidSchema(f"The 'KAFKA' format does not support type '{sql_type}'")
        self.sql_type = sql_type
        # Looked up once: enum hashing per record is a measurable cost in the engine.
        self._fixed = _FIXED.get(sql_type.base)
        self._base = sql_type.base
        # (Python 3.11 reads `Base.DOUBLE` in a function body through EnumType's slow
        # `__getattr__` hook.)
        self._double = sql_type.base is Base.DOUBLE

    def encode(self, value: Any) -> bytes | None:
        if value is None:
            return None
        base = self._base
        try:
            if self._fixed is not None:
                packer = self._fixed[0]
                if self._double:
                    return packer.pack(float(value))
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError
                return packer.pack(value)
            if base is bases.STRING:
                if not isinstance(value, str):
                    raise TypeError
                # Java's String.getBytes(UTF_8), as Kafka's StringSerializer: a lone
                # surrogate becomes '?', not an error.
                return value.encode("utf-8", "replace")
            if not isinstance(value, (bytes, bytearray)):
                raise TypeError
            return bytes(value)
        except (TypeError, ValueError, struct.error):
            raise SerializationError(
                f"Cannot serialize {value!r} as {self.sql_type} in the KAFKA format") from None

    def decode(self, data: bytes | None) -> Any:
        if data is None:
            return None
        base = self._base
        if self._fixed is not None:
            unpacker, name, size = self._fixed
            if len(data) != size:
                raise SerializationError(
                    f"Size of data received by {name} is not {size}")
            return unpacker.unpack(data)[0]
        if base is bases.STRING:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SerializationError(f"Invalid UTF-8 in STRING value: {exc}") from None
        return bytes(data)
