"""OTHER and CONVERSIONS functions: AS_VALUE, byte conversions, ENCODE."""

from __future__ import annotations

import base64
import struct
from typing import Any

from tote.sql.functions.base import ScalarFunction, scalar, variant

_ENCODINGS = ("hex", "utf8", "ascii", "base64")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_URL_SAFE = str.maketrans("-_", "+/")


def _strip_hex(text: str) -> str:
    """ENCODE's hex input may carry a lower-case ``0x`` prefix (odd digits get a leading
    zero) or be quoted as ``X'..'``; anything else is taken as bare digits."""
    if text.startswith("0x"):
        digits = text[2:]
        return "0" + digits if len(digits) % 2 else digits
    if len(text) >= 3 and text[0] in "xX" and text[1] == "'" and text.endswith("'"):
        return text[2:-1]
    return text


def _hex_bytes(digits: str) -> bytes:
    """Strict hex: an odd count or a non-hex character is an error (the row gets null)."""
    if len(digits) % 2 or not _HEX_DIGITS.issuperset(digits):
        raise ValueError(f"Illegal hexadecimal string: {digits}")
    return bytes.fromhex(digits)


def _text_bytes(text: str, encoding: str) -> bytes:
    """A string's bytes; characters ASCII cannot hold become '?', as Java's encoder does."""
    if encoding == "ascii":
        return text.encode("ascii", errors="replace")
    return text.encode("utf-8", errors="surrogatepass")


def _bytes_text(data: bytes, encoding: str) -> str:
    """Bytes read as text; undecodable bytes become U+FFFD, as Java's decoder does."""
    return data.decode("ascii" if encoding == "ascii" else "utf-8", errors="replace")


def _lenient_base64(text: str) -> bytes:
    """ENCODE reads base64 leniently: URL-safe letters are accepted, other stray
    characters skipped and missing padding tolerated."""
    return base64.b64decode(text.translate(_URL_SAFE) + "==")


def _encode(text: str, source: str, target: str) -> str:
    """ENCODE converts only between two different encodings; a same-to-same pair or an
    unknown name is an error, as in ksqlDB. Hex output is lower case."""
    source, target = source.lower(), target.lower()
    if source == target or source not in _ENCODINGS or target not in _ENCODINGS:
        raise ValueError("Supported input and output encodings are: hex, utf8, ascii and base64")
    if source == "hex":
        data = _hex_bytes(_strip_hex(text))
    elif source == "base64":
        data = _lenient_base64(text)
    else:
        data = _text_bytes(text, source)
    if target == "hex":
        return data.hex()
    if target == "base64":
        return base64.b64encode(data).decode("ascii")
    return _bytes_text(data, target)


def _bytes_encoding(name: str) -> str:
    lowered = name.lower()
    if lowered not in _ENCODINGS:
        raise ValueError(
            f"Unknown encoding type '{name}'. "
            "Supported formats are 'hex', 'utf8', 'ascii', and 'base64'."
        )
    return lowered


def _to_bytes(text: str, encoding: str) -> bytes:
    """TO_BYTES is strict: bare hex digits only, canonical base64."""
    kind = _bytes_encoding(encoding)
    if kind == "hex":
        return _hex_bytes(text)
    if kind == "base64":
        return base64.b64decode(text, validate=True)
    return _text_bytes(text, kind)


def _from_bytes(data: bytes, encoding: str) -> str:
    """FROM_BYTES renders hex in upper case (unlike ENCODE)."""
    kind = _bytes_encoding(encoding)
    if kind == "hex":
        return data.hex().upper()
    if kind == "base64":
        return base64.b64encode(data).decode("ascii")
    return _bytes_text(data, kind)


def _unpack(fmt: str, size: int) -> Any:
    def run(data: bytes, order: str = "BIG_ENDIAN") -> Any:
        if len(data) != size:
            raise ValueError(f"Number of bytes must be equal to {size}, but found {len(data)}")
        prefix = "<" if order.upper() == "LITTLE_ENDIAN" else ">"
        return struct.unpack(prefix + fmt, data)[0]

    return run


def functions() -> list[ScalarFunction]:
    int_from, long_from, double_from = _unpack("i", 4), _unpack("q", 8), _unpack("d", 8)
    return [
        scalar(
            "AS_VALUE",
            "OTHER",
            "Copies a key column into the value.",
            variant("T source -> T", lambda v: v, strict=False),
        ),
        scalar(
            "ENCODE",
            "STRING",
            "Re-encodes a string between hex, utf8, ascii and base64.",
            variant("STRING str, STRING inputEncoding, STRING outputEncoding -> STRING", _encode),
        ),
        scalar(
            "TO_BYTES",
            "CONVERSIONS",
            "A string decoded into bytes (hex, utf8, ascii, base64).",
            variant("STRING str, STRING encoding -> BYTES", _to_bytes),
        ),
        scalar(
            "FROM_BYTES",
            "CONVERSIONS",
            "Bytes encoded as a string (hex, utf8, ascii, base64).",
            variant("BYTES bytes, STRING encoding -> STRING", _from_bytes),
        ),
        scalar(
            "INT_FROM_BYTES",
            "CONVERSIONS",
            "An INT from 4 bytes.",
            variant("BYTES bytes -> INT", int_from),
            variant("BYTES bytes, STRING byteOrder -> INT", int_from),
        ),
        scalar(
            "BIGINT_FROM_BYTES",
            "CONVERSIONS",
            "A BIGINT from 8 bytes.",
            variant("BYTES bytes -> BIGINT", long_from),
            variant("BYTES bytes, STRING byteOrder -> BIGINT", long_from),
        ),
        scalar(
            "DOUBLE_FROM_BYTES",
            "CONVERSIONS",
            "A DOUBLE from 8 bytes.",
            variant("BYTES bytes -> DOUBLE", double_from),
            variant("BYTES bytes, STRING byteOrder -> DOUBLE", double_from),
        ),
    ]
