"""OTHER and CONVERSIONS functions: AS_VALUE, byte conversions, ENCODE."""

from __future__ import annotations

import base64
import binascii
import struct
from typing import Any

from tote.sql.functions.base import ScalarFunction, scalar, variant

_ENCODINGS = ("hex", "utf8", "ascii", "base64")


def _decode(text: str, encoding: str) -> bytes:
    if encoding == "hex":
        stripped = text
        if stripped[:2] in ("0x", "0X"):
            stripped = stripped[2:]
        elif stripped[:2] in ("X'", "x'") and stripped.endswith("'"):
            stripped = stripped[2:-1]
        if len(stripped) % 2:
            stripped = "0" + stripped
        return binascii.unhexlify(stripped)
    if encoding == "base64":
        return base64.b64decode(text)
    return text.encode("ascii" if encoding == "ascii" else "utf-8")


def _encode_bytes(data: bytes, encoding: str) -> str:
    if encoding == "hex":
        return data.hex()
    if encoding == "base64":
        return base64.b64encode(data).decode("ascii")
    return data.decode("ascii" if encoding == "ascii" else "utf-8", errors="replace")


def _encoding(name: str) -> str:
    lowered = name.lower()
    if lowered not in _ENCODINGS:
        raise ValueError("Supported input and output encodings are: hex, utf8, ascii and base64")
    return lowered


def _encode(text: str, source: str, target: str) -> str:
    return _encode_bytes(_decode(text, _encoding(source)), _encoding(target))


def _to_bytes(text: str, encoding: str) -> bytes:
    return _decode(text, _encoding(encoding))


def _from_bytes(data: bytes, encoding: str) -> str:
    return _encode_bytes(data, _encoding(encoding))


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
