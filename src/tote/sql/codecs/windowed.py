"""Windowed keys as Kafka Streams writes them, so windowed tables read like ksqlDB's.

A time-windowed key (TUMBLING, HOPPING) is the inner key followed by the window start as
an 8-byte big-endian long; a session-windowed key is the inner key, then the window end,
then the window start. The end of a time window is start + size.
"""

from __future__ import annotations

import struct

from tote.serde.errors import SerializationError
from tote.sql.codecs.rows import RowCodec, Values
from tote.sql.sources import WindowInfo, WindowType

_LONG = struct.Struct(">q")
_TWO_LONGS = struct.Struct(">qq")


class WindowedKeyCodec:
    """Wraps the inner key codec of a windowed source."""

    def __init__(self, inner: RowCodec, window: WindowInfo) -> None:
        self.inner = inner
        self.window = window
        self.session = window.type is WindowType.SESSION

    def encode(self, values: Values, start: int, end: int) -> bytes:
        return self.frame(self.inner.encode(values), start, end)

    def frame(self, inner: bytes | None, start: int, end: int) -> bytes:
        """The windowed key around an already encoded inner key."""
        if self.session:
            return (inner or b"") + _TWO_LONGS.pack(end, start)
        return (inner or b"") + _LONG.pack(start)

    def decode(self, data: bytes | None) -> tuple[Values | None, int, int]:
        """(key values, window start, window end)."""
        if data is None:
            raise SerializationError("A windowed key cannot be null.")
        if self.session:
            if len(data) < 16:
                raise SerializationError("Session-windowed key is shorter than 16 bytes.")
            end, start = _TWO_LONGS.unpack(data[-16:])
            return self.inner.decode(data[:-16]), start, end
        if len(data) < 8:
            raise SerializationError("Time-windowed key is shorter than 8 bytes.")
        (start,) = _LONG.unpack(data[-8:])
        size = self.window.size_ms or 0
        return self.inner.decode(data[:-8]), start, start + size
