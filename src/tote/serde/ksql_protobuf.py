"""ksqlDB rows <-> protobuf messages for the PROTOBUF and PROTOBUF_NOSR formats.

Rows are tuples of the values of `sql_values`, one per column. Conversion walks the SQL
type and the message descriptor together, matching fields by name (exactly, then
ignoring case), the way Connect's ProtobufData and ksqlDB's translators do:

* writing, a null leaves the field unset; an empty ARRAY is an unset repeated field; a
  null ARRAY element cannot be written;
* reading, a field with presence (messages, proto3 `optional`, oneof members) that is not
  set is null, while plain proto3 scalars and repeated fields read as their defaults
  (0, "", false, empty) — protobuf has no null there.

PROTOBUF records carry Confluent's framing (magic byte, schema id, message-index array);
PROTOBUF_NOSR records are the bare message. An unwrapped single PROTOBUF_NOSR column of a
primitive type is written as its `google.protobuf.*Value` wrapper message.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Sequence
from typing import Any

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import DecodeError, EncodeError, Message

from tote.core import bases
from tote.core.types import Base, Column, Field, SqlType
from tote.serde import sql_values as sv
from tote.serde.errors import InvalidSchema, SerializationError
from tote.serde.ksql_protobuf_schemas import (
    DATE_TYPE,
    DECIMAL_TYPE,
    TIME_TYPE,
    TIMESTAMP_TYPE,
    WRAPPER_OF,
    is_map_entry,
)
from tote.serde.protobuf_descriptors import ProtoPool
from tote.serde.protobuf_model import parse_proto
from tote.serde.sql_values import java_double
from tote.serde.wire import decode_message_indexes, encode_message_indexes, frame, unframe

_WRAPPER_NAMES = frozenset(WRAPPER_OF.values()) | {
    "google.protobuf.FloatValue",
    "google.protobuf.UInt64Value",
    "google.protobuf.UInt32Value",
}
_FLOATS = frozenset({FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE})
_WRAPPER_POOL: ProtoPool | None = None


def wrapper_descriptor(sql: SqlType) -> Descriptor:
    """The `google.protobuf.*Value` message an unwrapped primitive is written as."""
    global _WRAPPER_POOL
    name = WRAPPER_OF.get(sql.base)
    if name is None:
        raise SerializationError(f"Unsupported root schema of type {sql.base.value}")
    if _WRAPPER_POOL is None:
        _WRAPPER_POOL = ProtoPool(
            parse_proto('syntax = "proto3"; import "google/protobuf/wrappers.proto";')
        )
    return _WRAPPER_POOL.find(name)


def _row_type(columns: Sequence[Column]) -> SqlType:
    return SqlType(Base.STRUCT, fields=tuple(Field(c.name, c.type) for c in columns))


def _field_named(desc: Descriptor, name: str) -> FieldDescriptor | None:
    found = desc.fields_by_name.get(name)
    if found is not None:
        return found
    upper = name.upper()
    return next((f for f in desc.fields if f.name.upper() == upper), None)


def _member(sql: SqlType, name: str) -> Field | None:
    found = sql.field(name)
    if found is not None:
        return found
    upper = name.upper()
    return next((f for f in sql.fields if f.name.upper() == upper), None)


def _message_type(fd: FieldDescriptor) -> Descriptor:
    found = fd.message_type
    assert found is not None, fd.full_name
    return found


def _enum_type(fd: FieldDescriptor) -> EnumDescriptor:
    found = fd.enum_type
    assert found is not None, fd.full_name
    return found


def _lookup(row: dict[str, Any], name: str) -> Any:
    if name in row:
        return row[name]
    upper = name.upper()
    return next((v for k, v in row.items() if k.upper() == upper), None)


# --- SQL values -> messages ------------------------------------------------------------


def _unscaled_bytes(unscaled: int) -> bytes:
    """Java's `BigInteger.toByteArray`: minimal big-endian two's complement."""
    bits = unscaled.bit_length() if unscaled >= 0 else (~unscaled).bit_length()
    return unscaled.to_bytes(bits // 8 + 1, "big", signed=True)


def _fill_logical(target: Any, full: str, sql: SqlType, value: Any) -> bool:
    """Write a DECIMAL/DATE/TIME/TIMESTAMP into its well-known message; False if `full` is
    not one of those messages."""
    if full == DECIMAL_TYPE:
        dec = sv.to_decimal(value, sql) if sql.base is bases.DECIMAL else decimal.Decimal(value)
        sign, digits, exponent = dec.as_tuple()
        assert isinstance(exponent, int)
        unscaled = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        target.value = _unscaled_bytes(unscaled)
        target.precision = len(str(abs(unscaled)))
        target.scale = -exponent
    elif full == TIMESTAMP_TYPE:
        millis = value if isinstance(value, int) else sv.timestamp_to_millis(value)
        target.seconds, rest = divmod(millis, 1000)
        target.nanos = rest * 1_000_000
    elif full == DATE_TYPE:
        day = sv.days_to_date(value) if isinstance(value, int) else value
        target.year, target.month, target.day = (day.year, day.month, day.day)
    elif full == TIME_TYPE:
        tod = sv.millis_to_time(value) if isinstance(value, int) else value
        target.hours, target.minutes = tod.hour, tod.minute
        target.seconds = tod.second
        target.nanos = (tod.microsecond // 1000) * 1_000_000
    else:
        return False
    return True


def _scalar(fd: FieldDescriptor, sql: SqlType, value: Any) -> Any:
    """A SQL value as the Python value protobuf stores in a scalar field."""
    kind = fd.type
    if kind == FieldDescriptor.TYPE_ENUM:
        enum = _enum_type(fd)
        enum_value = enum.values_by_name.get(str(value))
        if enum_value is None:
            raise SerializationError(f"{value!r} is not a value of enum {enum.name}")
        return enum_value.number
    if kind == FieldDescriptor.TYPE_STRING:
        if isinstance(value, str):
            return value
        if isinstance(value, float):
            return java_double(value)
        return str(value).lower() if isinstance(value, bool) else str(value)
    if kind == FieldDescriptor.TYPE_BYTES:
        return bytes(value)
    if kind == FieldDescriptor.TYPE_BOOL:
        return bool(value)
    if kind in _FLOATS:
        return float(value)
    if isinstance(value, (str, float, decimal.Decimal)) or sql.base is bases.DECIMAL:
        return int(value)
    if kind in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return value & 0xFFFFFFFF  # Connect writes a long's low 32 bits
    return value


def fill_message(target: Any, sql: SqlType, value: Any) -> None:
    """Write `value` (a STRUCT dict, or a logical/wrapped value) into `target`."""
    desc: Descriptor = target.DESCRIPTOR
    full = desc.full_name
    if _fill_logical(target, full, sql, value):
        return
    if full in _WRAPPER_NAMES and sql.base is not bases.STRUCT:
        target.value = _scalar(desc.fields_by_name["value"], sql, value)
        return
    if sql.base is not bases.STRUCT or not isinstance(value, dict):
        raise SerializationError(f"Cannot write {sql} as protobuf message {full}")
    target.SetInParent()
    for member in sql.fields:
        fd = _field_named(desc, member.name)
        if fd is not None:
            _set_field(target, fd, member.type, _lookup(value, member.name))


def _set_field(target: Any, fd: FieldDescriptor, sql: SqlType, value: Any) -> None:
    if value is None:
        return
    if is_map_entry(fd):
        if sql.base is not bases.MAP or sql.value is None:
            raise SerializationError(f"Cannot write {sql} as protobuf map {fd.name}")
        _set_map(target, fd, sql.value, value)
        return
    if fd.is_repeated:
        if sql.base is not bases.ARRAY or sql.element is None:
            raise SerializationError(f"Cannot write {sql} as repeated field {fd.name}")
        _set_repeated(target, fd, sql.element, value)
        return
    if fd.message_type is not None:
        fill_message(getattr(target, fd.name), sql, value)
    else:
        setattr(target, fd.name, _scalar(fd, sql, value))


def _set_repeated(target: Any, fd: FieldDescriptor, element: SqlType, values: list[Any]) -> None:
    if any(v is None for v in values):
        raise SerializationError(
            f"Error serializing Protobuf message: null element in repeated field {fd.name}"
        )
    container = getattr(target, fd.name)
    if fd.message_type is not None:
        for item in values:
            fill_message(container.add(), element, item)
    else:
        container.extend(_scalar(fd, element, v) for v in values)


def _set_map(target: Any, fd: FieldDescriptor, value_sql: SqlType, values: dict[Any, Any]) -> None:
    entry = _message_type(fd)
    key_fd, value_fd = entry.fields_by_name["key"], entry.fields_by_name["value"]
    container = getattr(target, fd.name)
    native = entry.GetOptions().map_entry
    for key, item in values.items():
        if native:
            if value_fd.message_type is None:
                container[key] = (
                    value_fd.default_value if item is None else _scalar(value_fd, value_sql, item)
                )
            elif item is not None:
                fill_message(container[key], value_sql, item)
            else:
                container[key].SetInParent()
            continue
        added = container.add()
        if key is not None:
            _set_field(added, key_fd, SqlType(bases.STRING), key)
        _set_field(added, value_fd, value_sql, item)


# --- messages -> SQL values ------------------------------------------------------------


def _read_logical(message: Any, full: str, sql: SqlType) -> tuple[bool, Any]:
    if full == DECIMAL_TYPE:
        raw = message.value
        unscaled = int.from_bytes(raw, "big", signed=True) if raw else 0
        dec = decimal.Decimal(unscaled).scaleb(-message.scale)
        return True, sv.to_decimal(dec, sql) if sql.base is bases.DECIMAL else dec
    if full == TIMESTAMP_TYPE:
        millis = message.seconds * 1000 + message.nanos // 1_000_000
        return True, sv.millis_to_timestamp(millis)
    if full == DATE_TYPE:
        try:
            return True, datetime.date(message.year, message.month, message.day)
        except ValueError as exc:
            raise SerializationError(f"Invalid google.type.Date: {exc}") from None
    if full == TIME_TYPE:
        millis = (
            (message.hours * 60 + message.minutes) * 60 + message.seconds
        ) * 1000 + message.nanos // 1_000_000
        return True, sv.millis_to_time(millis)
    return False, None


def _sql_scalar(sql: SqlType, fd: FieldDescriptor, raw: Any) -> Any:
    """A scalar field's value as the column's SQL value (ksqlDB's implicit conversions)."""
    if fd.type == FieldDescriptor.TYPE_ENUM:
        found = _enum_type(fd).values_by_number.get(raw)
        raw = found.name if found is not None and sql.base is bases.STRING else raw
    base = sql.base
    if base is bases.STRING:
        if isinstance(raw, str):
            return raw
        if isinstance(raw, bool):
            return "true" if raw else "false"
        return java_double(raw) if isinstance(raw, float) else str(raw)
    if base is bases.DOUBLE:
        return float(raw)
    if base is bases.DECIMAL:
        return sv.to_decimal(raw, sql)
    if base is bases.BYTES:
        return bytes(raw)
    if base is bases.DATE and isinstance(raw, int):
        return sv.days_to_date(raw)
    if base is bases.TIME and isinstance(raw, int):
        return sv.millis_to_time(raw)
    if base is bases.TIMESTAMP and isinstance(raw, int):
        return sv.millis_to_timestamp(raw)
    return raw


def read_message(message: Any, sql: SqlType) -> Any:
    """The SQL value of a message read as `sql` (a STRUCT, or a logical/wrapped value)."""
    desc: Descriptor = message.DESCRIPTOR
    full = desc.full_name
    handled, value = _read_logical(message, full, sql)
    if handled:
        return value
    if full in _WRAPPER_NAMES and sql.base is not bases.STRUCT:
        return _sql_scalar(sql, desc.fields_by_name["value"], message.value)
    if sql.base is not bases.STRUCT:
        raise SerializationError(f"Cannot read protobuf message {full} as {sql}")
    out: dict[str, Any] = {}
    for member in sql.fields:
        fd = _field_named(desc, member.name)
        out[member.name] = None if fd is None else _get_field(message, fd, member.type)
    return out


def _get_field(message: Any, fd: FieldDescriptor, sql: SqlType) -> Any:
    if is_map_entry(fd):
        if sql.base is not bases.MAP or sql.value is None:
            raise SerializationError(f"Cannot read protobuf map {fd.name} as {sql}")
        return _get_map(message, fd, sql.value)
    if fd.is_repeated:
        items = getattr(message, fd.name)
        element = sql.element if sql.base is bases.ARRAY else None
        if element is None:
            raise SerializationError(f"Cannot read repeated field {fd.name} as {sql}")
        if fd.message_type is not None:
            return [read_message(item, element) for item in items]
        return [_sql_scalar(element, fd, item) for item in items]
    if fd.has_presence and not message.HasField(fd.name):
        return None
    raw = getattr(message, fd.name)
    if fd.message_type is not None:
        return read_message(raw, sql)
    return _sql_scalar(sql, fd, raw)


def _get_map(message: Any, fd: FieldDescriptor, value_sql: SqlType) -> dict[Any, Any]:
    entry = _message_type(fd)
    key_fd, value_fd = entry.fields_by_name["key"], entry.fields_by_name["value"]
    container = getattr(message, fd.name)
    out: dict[Any, Any] = {}
    if entry.GetOptions().map_entry:
        for key in container:
            item = container[key]
            out[_sql_scalar(SqlType(bases.STRING), key_fd, key)] = (
                read_message(item, value_sql)
                if value_fd.message_type is not None
                else _sql_scalar(value_sql, value_fd, item)
            )
        return out
    for item in container:
        key = _get_field(item, key_fd, SqlType(bases.STRING))
        out[key] = _get_field(item, value_fd, value_sql)
    return out


# --- codecs ------------------------------------------------------------------------------


class KsqlProtobufCodec:
    """Rows of `columns` <-> one message of a schema, framed (PROTOBUF) or bare (NOSR).

    `schema_id` None means PROTOBUF_NOSR. `message` names the message rows are written as
    (default: the first); `unwrap` writes a single column as the whole message.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        pool: ProtoPool,
        *,
        message: str | None = None,
        unwrap: bool = False,
        schema_id: int | None = None,
    ) -> None:
        self.columns = list(columns)
        self.pool = pool
        self.schema_id = schema_id
        self.unwrap = unwrap
        if unwrap and len(self.columns) != 1:
            raise SerializationError("Only a single column can be unwrapped")
        self.row_type = self.columns[0].type if unwrap else _row_type(self.columns)
        if unwrap and self.row_type.base is not Base.STRUCT:
            self.indexes: list[int] = []
            self.descriptor = wrapper_descriptor(self.row_type)
        else:
            try:
                self.indexes = pool.indexes_of(message) if message else [0]
                self.descriptor = pool.descriptor(self.indexes)
            except InvalidSchema as exc:
                raise SerializationError(f"Invalid protobuf schema: {exc.detail}") from None
        self._classes: dict[tuple[int, ...], type[Message]] = {}
        self._class = ProtoPool.message_class(self.descriptor)

    def _payload(self, values: tuple[Any, ...]) -> bytes:
        message = self._class()
        datum = (
            values[0]
            if self.unwrap
            else dict(zip((c.name for c in self.columns), values, strict=True))
        )
        if datum is not None:
            fill_message(message, self.row_type, datum)
        try:
            return message.SerializeToString()
        except EncodeError as exc:
            raise SerializationError(f"Error serializing Protobuf message: {exc}") from None

    def encode(self, values: tuple[Any, ...]) -> bytes:
        payload = self._payload(values)
        if self.schema_id is None:
            return payload
        return frame(self.schema_id, encode_message_indexes(self.indexes or [0]) + payload)

    def decode(self, data: bytes) -> tuple[Any, ...]:
        if self.schema_id is None:
            return self.decode_payload(self._class, data)
        _, body = unframe(data)
        indexes, payload = decode_message_indexes(body)
        return self.decode_payload(self.class_at(indexes), payload)

    def class_at(self, indexes: list[int]) -> type[Message]:
        key = tuple(indexes)
        found = self._classes.get(key)
        if found is None:
            try:
                found = ProtoPool.message_class(self.pool.descriptor(indexes))
            except InvalidSchema as exc:
                raise SerializationError(f"Invalid message indexes: {exc.detail}") from None
            self._classes[key] = found
        return found

    def decode_payload(self, cls: type[Message], payload: bytes) -> tuple[Any, ...]:
        message = cls()
        try:
            message.ParseFromString(payload)
        except DecodeError as exc:
            raise SerializationError(f"Error deserializing Protobuf message: {exc}") from None
        if self.unwrap:
            return (read_message(message, self.row_type),)
        row = read_message(message, self.row_type)
        return tuple(row[c.name] for c in self.columns)
