"""The PROTOBUF embedded format: JSON <-> protobuf messages for a registered `.proto` schema.

kafka-rest converts with protobuf's `JsonFormat` (the proto3 JSON mapping: lowerCamelCase
names on output, either name accepted on input, 64-bit integers as strings, default
values printed) against the schema's first message, and frames the bytes with the
message-index array `[0]`. tote does the same with the `protobuf` runtime: the schema
parsed by `tote.serde` is turned into a `FileDescriptorProto`, loaded into a private
descriptor pool, and messages are built from that. Imports other than protobuf's
well-known types would need schema references, which the proxy does not resolve.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.message import DecodeError, EncodeError, Message

from tote.proxy.errors import InvalidSchema, JsonConversionFailed, NotSupported
from tote.serde.errors import SerializationError
from tote.serde.protobuf_model import SCALARS
from tote.serde.protobuf_schema import ProtobufSchema
from tote.serde.protobuf_types import Message as ProtoMessage
from tote.serde.protobuf_types import ProtoEnum, ProtoField, ProtoFile
from tote.serde.wire import decode_message_indexes, encode_message_indexes

_FIELD = descriptor_pb2.FieldDescriptorProto
_SCALAR_TYPES = {name: getattr(_FIELD, f"TYPE_{name.upper()}") for name in SCALARS}
_LABELS = {"repeated": _FIELD.LABEL_REPEATED, "required": _FIELD.LABEL_REQUIRED}
_IMPORT = re.compile(r"""["']([^"']+)["']""")


def _entry_name(field_name: str) -> str:
    """protoc's name for a map field's entry message: `odds_by_runner` -> `OddsByRunnerEntry`."""
    return "".join(part[:1].upper() + part[1:] for part in field_name.split("_")) + "Entry"


def _set_type(target: descriptor_pb2.FieldDescriptorProto, type_name: str) -> None:
    if type_name in _SCALAR_TYPES:
        target.type = _SCALAR_TYPES[type_name]
    else:
        target.type_name = type_name  # message or enum, resolved by the pool's scoping rules


def _enum(target: descriptor_pb2.EnumDescriptorProto, enum: ProtoEnum) -> None:
    target.name = enum.name
    for value in enum.values:
        added = target.value.add()
        added.name, added.number = value.name, value.number
    if any(o.name == "allow_alias" and o.value == "true" for o in enum.options):
        target.options.allow_alias = True


def _field(message: descriptor_pb2.DescriptorProto, fld: ProtoField, proto3: bool,
           oneof_index: int | None) -> None:
    target = message.field.add()
    target.name, target.number = fld.name, fld.tag
    target.label = _LABELS.get(fld.label or "", _FIELD.LABEL_OPTIONAL)
    if oneof_index is not None:
        target.oneof_index = oneof_index
    map_types = fld.map_types
    if map_types is not None:
        entry = message.nested_type.add()
        entry.name = _entry_name(fld.name)
        entry.options.map_entry = True
        for number, (name, type_name) in enumerate(zip(("key", "value"), map_types,
                                                       strict=True), start=1):
            side = entry.field.add()
            side.name, side.number, side.label = name, number, _FIELD.LABEL_OPTIONAL
            _set_type(side, type_name)
        target.label = _FIELD.LABEL_REPEATED
        target.type_name = entry.name
        return
    _set_type(target, fld.type)
    if proto3 and fld.label == "optional":
        target.proto3_optional = True
        synthetic = message.oneof_decl.add()
        synthetic.name = f"_{fld.name}"
        target.oneof_index = len(message.oneof_decl) - 1


def _message(target: descriptor_pb2.DescriptorProto, message: ProtoMessage,
             proto3: bool) -> None:
    target.name = message.name
    for enum in message.enums:
        _enum(target.enum_type.add(), enum)
    for nested in message.messages:
        _message(target.nested_type.add(), nested, proto3)
    for oneof in message.oneofs:
        target.oneof_decl.add().name = oneof.name
    real_oneofs = {oneof.name: i for i, oneof in enumerate(message.oneofs)}
    for fld, oneof_name in message.all_fields():
        index = real_oneofs[oneof_name] if oneof_name is not None else None
        _field(target, fld, proto3, index)
    # proto3 `optional` fields add synthetic oneofs in `_field`, after the real ones as
    # protoc orders them.


def file_descriptor(proto: ProtoFile, name: str = "tote_rest_proxy.proto"
                    ) -> descriptor_pb2.FileDescriptorProto:
    """The `FileDescriptorProto` protoc would write for a parsed `.proto` file."""
    out = descriptor_pb2.FileDescriptorProto()
    out.name = name
    out.syntax = "proto3" if proto.syntax == "proto3" else "proto2"
    if proto.package:
        out.package = proto.package
    for line in proto.imports:
        found = _IMPORT.search(line)
        if found:
            out.dependency.append(found.group(1))
    for enum in proto.enums:
        _enum(out.enum_type.add(), enum)
    for message in proto.messages:
        _message(out.message_type.add(), message, out.syntax == "proto3")
    return out


def _well_known(pool: descriptor_pool.DescriptorPool, path: str) -> None:
    """Load `google/protobuf/<x>.proto` (and its own dependencies) into `pool`."""
    if not path.startswith("google/protobuf/"):
        raise NotSupported(
            f"The schema imports {path}; schema references are not supported by the proxy."
        )
    module = importlib.import_module(
        "google.protobuf." + path.removeprefix("google/protobuf/").removesuffix(".proto") + "_pb2"
    )
    proto = descriptor_pb2.FileDescriptorProto()
    module.DESCRIPTOR.CopyToProto(proto)
    for dependency in proto.dependency:
        _well_known(pool, dependency)
    pool.Add(proto)


class ProtobufCodec:
    """Converts between JSON and one schema's messages (the first message, like kafka-rest)."""

    def __init__(self, schema: ProtobufSchema) -> None:
        if not schema.proto.messages:
            raise InvalidSchema("The protobuf schema defines no message.")
        self._pool = descriptor_pool.DescriptorPool()
        descriptor = file_descriptor(schema.proto)
        try:
            for dependency in descriptor.dependency:
                _well_known(self._pool, dependency)
            self._pool.Add(descriptor)
            self._file = self._pool.FindFileByName(descriptor.name)
        except (TypeError, KeyError, ValueError) as exc:
            raise InvalidSchema(f"The protobuf schema cannot be loaded: {exc}") from None

    def _class(self, indexes: list[int]) -> type[Message]:
        types = self._file.message_types_by_name
        descriptor = list(types.values())[indexes[0]]
        for index in indexes[1:]:
            descriptor = descriptor.nested_types[index]
        return message_factory.GetMessageClass(descriptor)

    def encode(self, value: Any) -> bytes:
        """JSON -> message-index array `[0]` + protobuf bytes (the part after the id)."""
        message = self._class([0])()
        try:
            json_format.ParseDict(value, message)
            payload = message.SerializeToString()
        except (json_format.ParseError, EncodeError, TypeError, ValueError) as exc:
            raise JsonConversionFailed(str(exc)) from None
        return encode_message_indexes([0]) + payload

    def decode(self, data: bytes) -> Any:
        """Message-index array + protobuf bytes -> JSON in JsonFormat's shape."""
        indexes, payload = decode_message_indexes(data)
        try:
            message = self._class(indexes)()
            message.ParseFromString(payload)
        except (DecodeError, IndexError) as exc:
            raise SerializationError(f"Error deserializing Protobuf message: {exc}") from None
        return json_format.MessageToDict(message, always_print_fields_with_no_presence=True)
