"""Serialisation of SQL rows for the engine: row codecs per format and registry schemas."""

from tote.sql.codecs.rows import (
    EmptyCodec,
    RowCodec,
    Values,
    build_codec,
    encode_as_java,
    java_text,
    unencodable,
)
from tote.sql.codecs.windowed import WindowedKeyCodec

__all__ = ["EmptyCodec", "RowCodec", "Values", "WindowedKeyCodec", "build_codec",
           "encode_as_java", "java_text", "unencodable"]
