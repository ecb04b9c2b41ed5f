"""Serialisation of SQL rows for the engine: row codecs per format and registry schemas."""

from tote.sql.codecs.rows import EmptyCodec, RowCodec, Values, build_codec, unencodable
from tote.sql.codecs.windowed import WindowedKeyCodec

__all__ = ["EmptyCodec", "RowCodec", "Values", "WindowedKeyCodec", "build_codec",
           "unencodable"]
