"""Parsed `.proto` files as descriptors of the `protobuf` runtime, to encode and decode.

`tote.serde.protobuf_model` parses schema text; this module turns a parsed file (and its
references) into `FileDescriptorProto`s loaded into a private descriptor pool, so the
`protobuf` library does the wire work. Imports resolve to the schema's references, to
protobuf's own well-known types (`google/protobuf/*`), or to the few files Confluent's
converters use that protobuf does not ship (`google/type/date.proto`,
`google/type/timeofday.proto`, `confluent/type/decimal.proto`, `confluent/meta.proto`).
Custom options such as `(confluent.field_meta)` do not change the bytes and are left out.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from tote.serde.errors import InvalidSchema
from tote.serde.protobuf_model import SCALARS, parse_proto
from tote.serde.protobuf_types import Message as ProtoMessage
from tote.serde.protobuf_types import ProtoEnum, ProtoField, ProtoFile

_FIELD = descriptor_pb2.FieldDescriptorProto
_SCALAR_TYPES = {name: getattr(_FIELD, f"TYPE_{name.upper()}") for name in SCALARS}
_LABELS = {"repeated": _FIELD.LABEL_REPEATED, "required": _FIELD.LABEL_REQUIRED}
_IMPORT = re.compile(r"""["']([^"']+)["']""")

# Files Confluent's converters import that the protobuf runtime does not ship.
BUNDLED = {
    "google/type/date.proto": (
        'syntax = "proto3"; package google.type;'
        " message Date { int32 year = 1; int32 month = 2; int32 day = 3; }"
    ),
    "google/type/timeofday.proto": (
        'syntax = "proto3"; package google.type;'
        " message TimeOfDay { int32 hours = 1; int32 minutes = 2; int32 seconds = 3;"
        " int32 nanos = 4; }"
    ),
    "confluent/type/decimal.proto": (
        'syntax = "proto3"; package confluent.type;'
        " message Decimal { bytes value = 1; uint32 precision = 2; int32 scale = 3; }"
    ),
    "confluent/meta.proto": (
        'syntax = "proto3"; package confluent;'
        " message Meta { string doc = 1; map<string, string> params = 2;"
        " repeated string tags = 3; }"
    ),
}


def import_paths(proto: ProtoFile) -> list[str]:
    """The file names a parsed file imports, in order."""
    out = []
    for line in proto.imports:
        found = _IMPORT.search(line)
        if found:
            out.append(found.group(1))
    return out


def well_known_file(path: str) -> descriptor_pb2.FileDescriptorProto:
    """The descriptor of a `google/protobuf/*.proto` file the protobuf runtime ships."""
    module = importlib.import_module(
        "google.protobuf." + path.removeprefix("google/protobuf/").removesuffix(".proto") + "_pb2"
    )
    out = descriptor_pb2.FileDescriptorProto()
    module.DESCRIPTOR.CopyToProto(out)
    return out


def _entry_name(field_name: str) -> str:
    """protoc's name for a `map<K, V>` field's entry message: `by_id` -> `ByIdEntry`."""
    return "".join(part[:1].upper() + part[1:] for part in field_name.split("_")) + "Entry"


def _set_type(target: descriptor_pb2.FieldDescriptorProto, type_name: str) -> None:
    if type_name in _SCALAR_TYPES:
        target.type = _SCALAR_TYPES[type_name]
    else:
        target.type_name = type_name  # message or enum: the pool resolves it by scope


def _enum(target: descriptor_pb2.EnumDescriptorProto, enum: ProtoEnum) -> None:
    target.name = enum.name
    for value in enum.values:
        added = target.value.add()
        added.name, added.number = value.name, value.number
    if any(o.name == "allow_alias" and o.value == "true" for o in enum.options):
        target.options.allow_alias = True


def _field(
    message: descriptor_pb2.DescriptorProto, fld: ProtoField, proto3: bool, oneof_index: int | None
) -> None:
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
        for number, (name, type_name) in enumerate(
            zip(("key", "value"), map_types, strict=True), start=1
        ):
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


def _message(target: descriptor_pb2.DescriptorProto, message: ProtoMessage, proto3: bool) -> None:
    target.name = message.name
    for enum in message.enums:
        _enum(target.enum_type.add(), enum)
    for nested in message.messages:
        _message(target.nested_type.add(), nested, proto3)
    for oneof in message.oneofs:
        target.oneof_decl.add().name = oneof.name
    real = {oneof.name: i for i, oneof in enumerate(message.oneofs)}
    for fld, oneof_name in message.all_fields():
        _field(target, fld, proto3, real[oneof_name] if oneof_name is not None else None)


def file_descriptor(proto: ProtoFile, name: str) -> descriptor_pb2.FileDescriptorProto:
    """The `FileDescriptorProto` protoc would write for a parsed file (options left out)."""
    out = descriptor_pb2.FileDescriptorProto()
    out.name = name
    out.syntax = "proto3" if proto.syntax == "proto3" else "proto2"
    if proto.package:
        out.package = proto.package
    out.dependency.extend(import_paths(proto))
    for enum in proto.enums:
        _enum(out.enum_type.add(), enum)
    for message in proto.messages:
        _message(out.message_type.add(), message, out.syntax == "proto3")
    return out


class ProtoPool:
    """A descriptor pool holding one schema file and everything it imports."""

    MAIN = "tote_schema.proto"

    def __init__(self, proto: ProtoFile, references: Mapping[str, ProtoFile] | None = None) -> None:
        self._pool = descriptor_pool.DescriptorPool()
        self._references = dict(references or {})
        self._loaded: set[str] = set()
        self.proto = proto
        try:
            for path in import_paths(proto):
                self._load(path)
            self._pool.Add(file_descriptor(proto, self.MAIN))
            self._file = self._pool.FindFileByName(self.MAIN)
        except (TypeError, KeyError, ValueError) as exc:
            raise InvalidSchema(f"the protobuf schema cannot be loaded: {exc}") from None

    def _load(self, path: str) -> None:
        if path in self._loaded:
            return
        self._loaded.add(path)
        if path in self._references:
            proto = self._references[path]
        elif path in BUNDLED:
            proto = parse_proto(BUNDLED[path])
        elif path.startswith("google/protobuf/"):
            fdp = well_known_file(path)
            for dependency in fdp.dependency:
                self._load(dependency)
            self._pool.Add(fdp)
            return
        else:
            raise InvalidSchema(f'import "{path}" cannot be resolved')
        for dependency in import_paths(proto):
            self._load(dependency)
        self._pool.Add(file_descriptor(proto, path))

    def message_names(self) -> list[str]:
        """Top-level message names of the schema file, in order (message index order)."""
        return list(self._file.message_types_by_name)

    def descriptor(self, indexes: list[int]) -> Descriptor:
        """The message a Confluent message-index array names."""
        try:
            found: Descriptor = list(self._file.message_types_by_name.values())[indexes[0]]
            for index in indexes[1:]:
                found = found.nested_types[index]
        except IndexError:
            raise InvalidSchema(f"no message at index {indexes}") from None
        return found

    def indexes_of(self, name: str) -> list[int]:
        """The message-index array of a message by (optionally package-qualified) name."""
        package = self.proto.package
        short = name.removeprefix(f"{package}.") if package else name
        parts = short.split(".")
        types = list(self._file.message_types_by_name.values())
        out: list[int] = []
        for part in parts:
            position = next((i for i, d in enumerate(types) if d.name == part), None)
            if position is None:
                raise InvalidSchema(f"no message named {name}")
            out.append(position)
            types = list(types[position].nested_types)
        return out

    def find(self, full_name: str) -> Descriptor:
        """A message of this file or of anything it imports, by full name."""
        try:
            found: Descriptor = self._pool.FindMessageTypeByName(full_name)
        except KeyError:
            raise InvalidSchema(f"no message named {full_name}") from None
        return found

    @staticmethod
    def message_class(desc: Descriptor) -> type[Message]:
        return message_factory.GetMessageClass(desc)
