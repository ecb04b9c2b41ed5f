"""The KAFKA key codec that remembers recent keys both ways gives what the codec under it
gives, first time and every time after: the same bytes, the same rows, the same errors."""

from __future__ import annotations

import pytest

from tote.core import types as t
from tote.serde.errors import SerializationError
from tote.sql.codecs import build_codec
from tote.sql.codecs.rows import RememberingSingle, RowCodec
from tote.sql.sources import FormatInfo, SourceColumn


def _key_codec(sql: t.SqlType) -> RowCodec:
    codec = build_codec([SourceColumn("K", sql)], FormatInfo("KAFKA"), topic="keys",
                        is_key=True, registry=None)
    assert isinstance(codec, RememberingSingle)
    return codec


@pytest.mark.parametrize("sql,value,data", [
    (t.INTEGER, 7, b"\x00\x00\x00\x07"), (t.BIGINT, -1, b"\xff" * 8),
    (t.STRING, "r1", b"r1")])
def test_keys_encode_and_decode_alike_every_time(sql: t.SqlType, value: object,
                                                  data: bytes) -> None:
    codec = _key_codec(sql)
    for _ in range(2):
        assert codec.encode((value,)) == data
        assert codec.decode(data) == (value,)
        assert codec.encode((None,)) is None
        assert codec.decode(None) is None


def test_a_remembered_key_does_not_let_a_bool_or_a_bad_length_through() -> None:
    codec = _key_codec(t.INTEGER)
    assert codec.encode((1,)) == b"\x00\x00\x00\x01"
    for _ in range(2):
        with pytest.raises(SerializationError):
            codec.encode((True,))
        with pytest.raises(SerializationError):
            codec.decode(b"\x00\x01")


def test_codecs_of_one_type_share_key_bytes_and_other_types_do_not() -> None:
    ints, longs, texts = _key_codec(t.INTEGER), _key_codec(t.BIGINT), _key_codec(t.STRING)
    assert ints.encode((5,)) == b"\x00\x00\x00\x05"
    assert _key_codec(t.INTEGER).encode((5,)) == b"\x00\x00\x00\x05"
    assert longs.encode((5,)) == b"\x00" * 7 + b"\x05"
    assert texts.encode(("5",)) == b"5"
    for bad in (5.0, True, "5"):
        with pytest.raises(SerializationError):
            ints.encode((bad,))
    with pytest.raises(SerializationError):
        texts.encode((5,))
