"""Avro binary codec over fastavro: schemaless datums, optionally framed, errors explained.

Encoding writes the datum with the writer schema; decoding reads with the writer schema
and, if given, resolves into a reader schema (Avro schema resolution). A value that does
not fit gets a SerializationError naming the path, never a raw fastavro exception.
"""

from __future__ import annotations

import datetime
import decimal
import io
import struct
import uuid
from typing import Any

import fastavro

from tote.serde.avro_model import Node
from tote.serde.avro_schema import AvroSchema
from tote.serde.errors import SerializationError
from tote.serde.schemas import ParsedSchema
from tote.serde.wire import frame, unframe

_ENCODE_ERRORS = (TypeError, ValueError, KeyError, AttributeError, OverflowError,
                  struct.error, IndexError, decimal.InvalidOperation)
_DECODE_ERRORS = (EOFError, StopIteration, ValueError, TypeError, IndexError, KeyError,
                  UnicodeDecodeError, OverflowError, struct.error,
                  fastavro.read.SchemaResolutionError)


class AvroCodec:
    """Encode/decode one schema's datums; the parsed schemas are cached on the codec."""

    def __init__(self, schema: ParsedSchema | str, reader: ParsedSchema | str | None = None
                 ) -> None:
        self.schema = AvroSchema.of(schema)
        self.reader = AvroSchema.of(reader) if reader is not None else None
        self._writer_parsed = self.schema.fastavro_schema
        self._reader_parsed = self.reader.fastavro_schema if self.reader is not None else None

    def encode(self, value: Any) -> bytes:
        out = io.BytesIO()
        try:
            fastavro.schemaless_writer(out, self._writer_parsed, value)
        except _ENCODE_ERRORS as exc:
            raise SerializationError(_explain_encode(self.schema, value, exc)) from None
        return out.getvalue()

    def decode(self, data: bytes) -> Any:
        try:
            return fastavro.schemaless_reader(io.BytesIO(data), self._writer_parsed,
                                              self._reader_parsed)
        except _DECODE_ERRORS as exc:
            raise SerializationError(
                f"Error deserializing Avro message for schema {_name(self.schema)}: "
                f"{type(exc).__name__}: {exc}") from None

    def encode_framed(self, schema_id: int, value: Any) -> bytes:
        """Confluent wire format: magic byte, schema id, Avro binary."""
        return frame(schema_id, self.encode(value))

    def decode_framed(self, data: bytes) -> tuple[int, Any]:
        """(schema id, value) from Confluent-framed bytes (the id is not checked here)."""
        schema_id, payload = unframe(data)
        return schema_id, self.decode(payload)


def _name(schema: AvroSchema) -> str:
    return schema.node.name or schema.node.type


def _explain_encode(schema: AvroSchema, value: Any, exc: Exception) -> str:
    problem = explain(schema.node, value, "")
    if problem is None:
        problem = f"{type(exc).__name__}: {exc}"
    return f"Error serializing Avro message for schema {_name(schema)}: {problem}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def explain(node: Node, value: Any, path: str) -> str | None:
    """The first reason `value` does not fit `node` (with its path), or None if it fits."""
    kind = node.type
    where = path or "/"
    if kind == "union":
        if any(explain(b, value, path) is None for b in node.branches):
            return None
        return (f"value {_show(value)} at {where} matches no branch of union "
                f"{[b.union_key() for b in node.branches]}")
    checks: dict[str, tuple[type | tuple[type, ...], ...]] = {
        "null": (type(None),), "boolean": (bool,), "int": (int, datetime.date, datetime.time),
        "long": (int, datetime.datetime, datetime.time), "float": (int, float),
        "double": (int, float), "string": (str, uuid.UUID),
        "bytes": (bytes, bytearray, decimal.Decimal),
        "fixed": (bytes, bytearray, decimal.Decimal, uuid.UUID),
        "enum": (str,), "array": (list, tuple), "map": (dict,), "record": (dict,),
    }
    allowed = checks.get(kind, (object,))
    bad_bool = isinstance(value, bool) and kind not in ("boolean",)
    if bad_bool or not isinstance(value, allowed):
        return f"expected {kind} at {where}, got {type(value).__name__} {_show(value)}"
    if kind in ("int", "long") and isinstance(value, int):
        bits = 31 if kind == "int" else 63
        if not -(2**bits) <= value < 2**bits:
            return f"value {value} at {where} is out of range for {kind}"
    if kind == "enum" and value not in node.symbols:
        return f"{_show(value)} at {where} is not a symbol of enum {node.name}"
    if kind == "fixed" and isinstance(value, (bytes, bytearray)) and len(value) != node.size:
        return f"expected {node.size} bytes for fixed {node.name} at {where}, got {len(value)}"
    if kind == "array":
        assert node.items is not None
        for i, item in enumerate(value):
            problem = explain(node.items, item, f"{path}/{i}")
            if problem:
                return problem
    if kind == "map":
        assert node.values is not None
        for key, item in value.items():
            if not isinstance(key, str):
                return f"map key {_show(key)} at {where} is not a string"
            problem = explain(node.values, item, f"{path}/{key}")
            if problem:
                return problem
    if kind == "record":
        for fld in node.fields:
            if fld.name not in value and not fld.has_default:
                if explain(fld.type, None, "") is None:
                    continue
                return f"missing field {fld.name} of record {node.name} at {where}"
            problem = explain(fld.type, value.get(fld.name), f"{path}/{fld.name}") \
                if fld.name in value else None
            if problem:
                return problem
    return None


def fastavro_baseline(schema: ParsedSchema | str) -> tuple[Any, Any]:
    """(encode, decode) calling fastavro directly, unframed: the benchmarks' baseline."""
    parsed = AvroSchema.of(schema).fastavro_schema

    def encode(value: Any) -> bytes:
        out = io.BytesIO()
        fastavro.schemaless_writer(out, parsed, value)
        return out.getvalue()

    def decode(data: bytes) -> Any:
        return fastavro.schemaless_reader(io.BytesIO(data), parsed, None)

    return encode, decode
