"""ksqlDB's PROTOBUF schemas: the `.proto` a source's columns register, and the reverse.

Generation follows Connect's ProtobufData as ksqlDB configures it: a proto3 file whose
message is named by `fullSchemaName` (a dotted name gives the package) or
`ConnectDefault1`; fields numbered from 1 in column order; STRUCTs become nested messages
and MAPs nested `<name>Entry` messages (key = 1, value = 2), both named `ConnectDefaultN`
in the order they are met, depth first; ARRAYs are `repeated`; DECIMAL is
`confluent.type.Decimal` with precision and scale in `(confluent.field_meta)`, DATE
`google.type.Date`, TIME `google.type.TimeOfDay`, TIMESTAMP `google.protobuf.Timestamp`.
The nullable representations `optional` (proto3 `optional` labels) and `wrapper`
(`google.protobuf.*Value` for primitives) are ksqlDB's `*_PROTOBUF_NULLABLE_REPRESENTATION`.

Inference reads a registered message back into columns: 32-bit signed integers are
INTEGER, other integers BIGINT, float and double DOUBLE, enums STRING, map entries MAP,
other messages STRUCT (wrappers unwrap only with the `wrapper` representation).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from google.protobuf.descriptor import Descriptor, FieldDescriptor, OneofDescriptor

from tote.core import types as t
from tote.core.types import Base, Column, SqlType
from tote.serde.errors import InvalidSchema
from tote.serde.protobuf_descriptors import ProtoPool
from tote.serde.protobuf_schema import render
from tote.serde.protobuf_types import Message, Option, ProtoField, ProtoFile

DEFAULT_NAME = "ConnectDefault"
DECIMAL_TYPE = "confluent.type.Decimal"
DATE_TYPE = "google.type.Date"
TIME_TYPE = "google.type.TimeOfDay"
TIMESTAMP_TYPE = "google.protobuf.Timestamp"
WRAPPERS_FILE = "google/protobuf/wrappers.proto"
_LOGICAL = {
    Base.DECIMAL: (DECIMAL_TYPE, "confluent/type/decimal.proto"),
    Base.DATE: (DATE_TYPE, "google/type/date.proto"),
    Base.TIME: (TIME_TYPE, "google/type/timeofday.proto"),
    Base.TIMESTAMP: (TIMESTAMP_TYPE, "google/protobuf/timestamp.proto"),
}
_SCALAR = {
    Base.BOOLEAN: "bool",
    Base.INTEGER: "int32",
    Base.BIGINT: "int64",
    Base.DOUBLE: "double",
    Base.STRING: "string",
    Base.BYTES: "bytes",
}
WRAPPER_OF = {
    Base.BOOLEAN: "google.protobuf.BoolValue",
    Base.INTEGER: "google.protobuf.Int32Value",
    Base.BIGINT: "google.protobuf.Int64Value",
    Base.DOUBLE: "google.protobuf.DoubleValue",
    Base.STRING: "google.protobuf.StringValue",
    Base.BYTES: "google.protobuf.BytesValue",
}
OPTIONAL = "optional"
WRAPPER = "wrapper"


@dataclass
class _Generator:
    nullable: str | None
    imports: list[str] = field(default_factory=list)
    counter: int = 0

    def default_name(self) -> str:
        self.counter += 1
        return f"{DEFAULT_NAME}{self.counter}"

    def message(self, name: str, fields: Sequence[tuple[str, SqlType]]) -> Message:
        msg = Message(name)
        for tag, (field_name, sql) in enumerate(fields, start=1):
            msg.fields.append(self.field(msg, field_name, sql, tag))
        return msg

    def field(self, parent: Message, name: str, sql: SqlType, tag: int) -> ProtoField:
        label = None
        if sql.base is Base.ARRAY:
            assert sql.element is not None
            label, sql = "repeated", sql.element
            if sql.base is Base.ARRAY:
                raise InvalidSchema("Array cannot be nested")
        elif sql.base is Base.MAP or self.nullable == OPTIONAL:
            label = "repeated" if sql.base is Base.MAP else OPTIONAL
        options: list[Option] = []
        type_name = self.type_name(parent, name, sql, options)
        return ProtoField(label, type_name, name, tag, options)

    def type_name(self, parent: Message, name: str, sql: SqlType, options: list[Option]) -> str:
        base = sql.base
        if base in _LOGICAL:
            type_name, path = _LOGICAL[base]
            self._import(path)
            if base is Base.DECIMAL:
                options.append(
                    Option(
                        "(confluent.field_meta)", _decimal_meta(sql.precision or 0, sql.scale or 0)
                    )
                )
            return type_name
        if base in _SCALAR:
            if self.nullable == WRAPPER:
                self._import(WRAPPERS_FILE)
                return WRAPPER_OF[base]
            return _SCALAR[base]
        if base is Base.MAP:
            assert sql.key is not None and sql.value is not None
            entry = self.default_name() + "Entry"
            msg = Message(entry)
            msg.fields.append(self.field(msg, "key", sql.key, 1))
            msg.fields.append(self.field(msg, "value", sql.value, 2))
            _nest(parent, msg)
            return entry
        if base is Base.ARRAY:
            raise InvalidSchema("Array cannot be nested")
        nested = self.default_name()
        if nested == name:
            nested += "Message"
        _nest(parent, self.message(nested, [(f.name, f.type) for f in sql.fields]))
        return nested

    def _import(self, path: str) -> None:
        if path not in self.imports:
            self.imports.append(path)


def _nest(parent: Message, child: Message) -> None:
    if child.name not in parent.order:
        parent.messages.append(child)
        parent.order.append(child.name)


def _decimal_meta(precision: int, scale: int) -> str:
    """The `(confluent.field_meta)` value laid out as Confluent's formatter prints it."""
    params = ",\n".join(
        f'      {{\n        value: "{value}",\n        key: "{key}"\n      }}'
        for key, value in (("precision", precision), ("scale", scale))
    )
    return f"{{\n    params: [\n{params}\n    ]\n  }}"


def protobuf_schema_text(
    columns: Sequence[Column], full_name: str | None = None, nullable: str | None = None
) -> str:
    """The `.proto` text ksqlDB registers for `columns` (wrapped: one field per column)."""
    gen = _Generator(nullable)
    name = (full_name or "").strip() or gen.default_name()
    package, _, short = name.rpartition(".")
    root = gen.message(short, [(c.name, c.type) for c in columns])
    proto = ProtoFile(syntax="proto3", package=package or None, messages=[root], order=[root.name])
    text = render(proto)
    if not gen.imports:
        return text
    head, sep, body = text.partition("\nmessage ")
    imports = "".join(f'import "{path}";\n' for path in gen.imports)
    return f"{head}\n{imports}{sep}{body}"


# --- inference: a registered message -> ksqlDB columns -------------------------------

_INT32 = frozenset(
    {FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32}
)
_INT64 = frozenset(
    {
        FieldDescriptor.TYPE_UINT32,
        FieldDescriptor.TYPE_FIXED32,
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT64,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED64,
    }
)
_SIMPLE = {
    FieldDescriptor.TYPE_FLOAT: t.DOUBLE,
    FieldDescriptor.TYPE_DOUBLE: t.DOUBLE,
    FieldDescriptor.TYPE_BOOL: t.BOOLEAN,
    FieldDescriptor.TYPE_STRING: t.STRING,
    FieldDescriptor.TYPE_BYTES: t.BYTES,
    FieldDescriptor.TYPE_ENUM: t.STRING,
}
_WRAPPED = {
    "google.protobuf.DoubleValue": t.DOUBLE,
    "google.protobuf.FloatValue": t.DOUBLE,
    "google.protobuf.Int64Value": t.BIGINT,
    "google.protobuf.UInt64Value": t.BIGINT,
    "google.protobuf.Int32Value": t.INTEGER,
    "google.protobuf.UInt32Value": t.BIGINT,
    "google.protobuf.BoolValue": t.BOOLEAN,
    "google.protobuf.StringValue": t.STRING,
    "google.protobuf.BytesValue": t.BYTES,
}
_META = re.compile(r'(value|key)\s*:\s*"([^"]*)"\s*,\s*(value|key)\s*:\s*"([^"]*)"')


def decimal_params(option_value: str) -> dict[str, str]:
    """`precision`/`scale` from a `(confluent.field_meta)` option's text."""
    out: dict[str, str] = {}
    for first, first_text, _, second_text in _META.findall(option_value):
        key, value = (first_text, second_text) if first == "key" else (second_text, first_text)
        out[key] = value
    return out


def _message_type(fd: FieldDescriptor) -> Descriptor:
    found = fd.message_type
    assert found is not None, fd.full_name
    return found


def synthetic(oneof: OneofDescriptor) -> bool:
    """The oneof protoc adds for a proto3 `optional` field (not a real union)."""
    return len(oneof.fields) == 1 and oneof.name == "_" + oneof.fields[0].name


def is_map_entry(fd: FieldDescriptor) -> bool:
    """Connect's test for a map: a repeated `...Entry` message of exactly key and value."""
    entry = fd.message_type
    if not fd.is_repeated or entry is None:
        return False
    if entry.GetOptions().map_entry:
        return True
    names = [f.name for f in entry.fields]
    return (
        entry.name.endswith("Entry")
        and names == ["key", "value"]
        and not any(f.is_repeated for f in entry.fields)
    )


class ProtobufInference:
    """Columns of one message of a registered schema."""

    def __init__(
        self,
        pool: ProtoPool,
        decimals: dict[tuple[str, str], dict[str, str]],
        *,
        unwrap_wrappers: bool = False,
        keep_case: bool = False,
    ) -> None:
        self.pool = pool
        self.decimals = decimals
        self.unwrap_wrappers = unwrap_wrappers
        self.keep_case = keep_case

    def columns(self, message: Descriptor, key: bool = False) -> list[Column]:
        out = []
        for name, sql in self._fields(message, frozenset()):
            out.append(Column(name, sql, is_key=key))
        return out

    def _name(self, name: str) -> str:
        return name if self.keep_case else name.upper()

    def _fields(self, message: Descriptor, active: frozenset[str]) -> list[tuple[str, SqlType]]:
        if message.full_name in active:
            raise InvalidSchema(f"recursive message {message.full_name} has no ksqlDB type")
        inner = active | {message.full_name}
        out: list[tuple[str, SqlType]] = []
        for oneof in message.oneofs:
            if not synthetic(oneof):
                out.append(
                    (
                        self._name(oneof.name),
                        t.struct(
                            *((self._name(f.name), self.field_type(f, inner)) for f in oneof.fields)
                        ),
                    )
                )
        for fd in message.fields:
            container = fd.containing_oneof
            if container is None or synthetic(container):
                out.append((self._name(fd.name), self.field_type(fd, inner)))
        return out

    def field_type(self, fd: FieldDescriptor, active: frozenset[str]) -> SqlType:
        if is_map_entry(fd):
            key_fd, value_fd = _message_type(fd).fields
            self.field_type(key_fd, active)  # must itself be a type ksqlDB knows
            return t.map_of(t.STRING, self._single(value_fd, active))
        single = self._single(fd, active)
        return t.array(single) if fd.is_repeated else single

    def _single(self, fd: FieldDescriptor, active: frozenset[str]) -> SqlType:
        kind = fd.type
        if kind in _INT32:
            return t.INTEGER
        if kind in _INT64:
            return t.BIGINT
        if kind in _SIMPLE:
            return _SIMPLE[kind]
        message = _message_type(fd)
        full = message.full_name
        if full == DECIMAL_TYPE:
            parent = fd.containing_type
            params = self.decimals.get((parent.full_name if parent else "", fd.name), {})
            return t.decimal(int(params.get("precision", 64)), int(params.get("scale", 0)))
        if full == DATE_TYPE:
            return t.DATE
        if full == TIME_TYPE:
            return t.TIME
        if full == TIMESTAMP_TYPE:
            return t.TIMESTAMP
        if self.unwrap_wrappers and full in _WRAPPED:
            return _WRAPPED[full]
        return t.struct(*self._fields(message, active))


def decimal_fields(*protos: ProtoFile) -> dict[tuple[str, str], dict[str, str]]:
    """(message full name, field name) -> field_meta params, for every field carrying them."""
    out: dict[tuple[str, str], dict[str, str]] = {}

    def walk(messages: list[Message], scope: str) -> None:
        for msg in messages:
            full = f"{scope}.{msg.name}" if scope else msg.name
            for fld, _ in msg.all_fields():
                for option in fld.options:
                    if option.name.strip("()") == "confluent.field_meta":
                        out[(full, fld.name)] = decimal_params(option.value)
            walk(msg.messages, full)

    for proto in protos:
        walk(proto.messages, proto.package or "")
    return out
