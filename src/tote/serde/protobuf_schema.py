"""PROTOBUF `ParsedSchema`: parsed `.proto` text, stored as given, normalised by rendering."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property

from tote.serde.errors import InvalidSchema
from tote.serde.protobuf_model import SCALARS, parse_proto
from tote.serde.protobuf_types import Message, Option, ProtoEnum, ProtoField, ProtoFile
from tote.serde.schemas import ParsedSchema, SchemaType

_WELL_KNOWN_PREFIXES = ("google/protobuf/", "google/type/", "confluent/")
# Packages of those files (Confluent's converters use confluent.type.Decimal).
_WELL_KNOWN_TYPES = ("google.", "confluent.")
_WELL_KNOWN_TYPES_DOTTED = (".google.", ".confluent.")


class ProtobufSchema(ParsedSchema):
    """A `.proto` file; imports must be given as references (well-known types excepted)."""

    schema_type = SchemaType.PROTOBUF

    def __init__(self, text: str, proto: ProtoFile, references: Mapping[str, ProtoFile]) -> None:
        self.text = text
        self.proto = proto
        self.references = dict(references)

    @classmethod
    def parse(cls, text: str, references: Mapping[str, str] | None = None) -> ProtobufSchema:
        proto = _parse(text, "")
        refs = {name: _parse(ref_text, f"reference {name}: ")
                for name, ref_text in (references or {}).items()}
        for line in proto.imports:
            path = line.split()[-1].rstrip(";").strip("\"'")
            if path not in refs and not path.startswith(_WELL_KNOWN_PREFIXES):
                raise InvalidSchema(f"{text}, details: import \"{path}\" is not a reference")
        known = set(_type_names(proto, proto.package))
        for ref in refs.values():
            known.update(_type_names(ref, ref.package))
        for msg_path, fld in _fields(proto.messages, proto.package or ""):
            for type_name in _field_types(fld):
                if not _resolves(type_name, msg_path, known):
                    raise InvalidSchema(f"{text}, details: field '{fld.name}' of message "
                                        f"{msg_path} has unknown type {type_name}")
        return cls(text, proto, refs)

    def canonical(self) -> str:
        return self.text

    def normalized(self) -> str:
        return self._rendered

    @cached_property
    def _rendered(self) -> str:
        return render(self.proto, sort_options=True)

    def message_names(self) -> list[str]:
        """Top-level message names in order (index i is message-index [i] on the wire)."""
        return [m.name for m in self.proto.messages]

    def compatibility_errors(self, reader: ParsedSchema, writer: ParsedSchema,
                             reader_label: str, writer_label: str) -> list[str]:
        from tote.serde.protobuf_compat import incompatibilities

        assert isinstance(reader, ProtobufSchema) and isinstance(writer, ProtobufSchema)
        return incompatibilities(writer.proto, reader.proto, reader_label, writer_label,
                                 original_refs=writer.references,
                                 update_refs=reader.references)


def _parse(text: str, prefix: str) -> ProtoFile:
    try:
        return parse_proto(text)
    except InvalidSchema as exc:
        raise InvalidSchema(f"{prefix}{text}, details: {exc.detail}") from None


def _type_names(proto: ProtoFile, package: str | None) -> Iterator[str]:
    base = f"{package}." if package else ""
    for enum in proto.enums:
        yield base + enum.name
    yield from _message_names(proto.messages, base)


def _message_names(messages: list[Message], prefix: str) -> Iterator[str]:
    for msg in messages:
        full = prefix + msg.name
        yield full
        for enum in msg.enums:
            yield f"{full}.{enum.name}"
        yield from _message_names(msg.messages, full + ".")


def _fields(messages: list[Message], scope: str) -> Iterator[tuple[str, ProtoField]]:
    for msg in messages:
        path = f"{scope}.{msg.name}" if scope else msg.name
        for fld, _ in msg.all_fields():
            yield path, fld
        yield from _fields(msg.messages, path)


def _field_types(fld: ProtoField) -> list[str]:
    pair = fld.map_types
    types = list(pair) if pair else [fld.type]
    return [t for t in types if t not in SCALARS]


def _resolves(type_name: str, scope: str, known: set[str]) -> bool:
    """Protobuf scoping: look the name up from the innermost scope outwards."""
    if type_name.startswith("."):
        return type_name[1:] in known or type_name.startswith(_WELL_KNOWN_TYPES_DOTTED)
    parts = scope.split(".")
    while True:
        candidate = ".".join([*parts, type_name]) if parts else type_name
        if candidate in known:
            return True
        if not parts:
            return type_name.startswith(_WELL_KNOWN_TYPES)
        parts.pop()


def _opts(options: list[Option], sort: bool) -> list[Option]:
    return sorted(options, key=lambda o: o.name) if sort else options


def render(proto: ProtoFile, sort_options: bool = False) -> str:
    """Lay the file out like the Wire formatter: one declaration per line, 2-space indent."""
    out: list[str] = []
    if proto.syntax:
        out.append(f'syntax = "{proto.syntax}";\n')
    if proto.package:
        out.append(f"package {proto.package};\n")
    if proto.imports:
        out.append("\n" + "".join(f"{line}\n" for line in sorted(proto.imports)))
    if proto.options:
        out.append("\n" + "".join(f"option {o.render()};\n"
                                  for o in _opts(proto.options, sort_options)))
    types = {m.name: _message(m, sort_options) for m in proto.messages}
    types.update({e.name: _enum(e, sort_options) for e in proto.enums})
    for name in proto.order:
        out.append("\n" + types[name])
    for extend in proto.extends:
        out.append(f"\n{extend}\n")
    for service in proto.services:
        body = "".join(f"  {line}\n" for line in service.text)
        out.append(f"\nservice {service.name} {{\n{body}}}\n")
    return "".join(out)


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" if line else "\n" for line in text.rstrip("\n").split("\n"))


def _message(msg: Message, sort: bool) -> str:
    parts = [f"message {msg.name} {{"]
    if msg.reserved:
        parts.append("\n" + "".join(f"  reserved {r};\n" for r in msg.reserved))
    if msg.options:
        parts.append("\n" + "".join(f"  option {o.render()};\n" for o in _opts(msg.options, sort)))
    if msg.fields:
        parts.append("\n" + "".join(f"  {_field(f, sort)}\n" for f in msg.fields))
    for oneof in msg.oneofs:
        body = "".join(f"    option {o.render()};\n" for o in _opts(oneof.options, sort))
        body += "".join(f"    {_field(f, sort)}\n" for f in oneof.fields)
        parts.append(f"\n  oneof {oneof.name} {{\n{body}  }}\n")
    if msg.extensions:
        parts.append("\n" + "".join(f"  extensions {e};\n" for e in msg.extensions))
    nested = {m.name: _message(m, sort) for m in msg.messages}
    nested.update({e.name: _enum(e, sort) for e in msg.enums})
    if msg.order:
        parts.append("\n" + "".join(_indent(nested[name]) for name in msg.order))
    if len(parts) == 1:
        parts.append("\n")
    parts.append("}\n")
    return "".join(parts)


def _field(fld: ProtoField, sort: bool) -> str:
    if not sort:
        return fld.render()
    return ProtoField(fld.label, fld.type, fld.name, fld.tag, _opts(fld.options, True)).render()


def _enum(enum: ProtoEnum, sort: bool) -> str:
    parts = [f"enum {enum.name} {{"]
    if enum.reserved:
        parts.append("\n" + "".join(f"  reserved {r};\n" for r in enum.reserved))
    if enum.options:
        parts.append("\n" + "".join(f"  option {o.render()};\n"
                                    for o in _opts(enum.options, sort)))
    if enum.values:
        lines = []
        for value in enum.values:
            opts = (f" [{', '.join(o.render() for o in _opts(value.options, sort))}]"
                    if value.options else "")
            lines.append(f"  {value.name} = {value.number}{opts};\n")
        parts.append("\n" + "".join(lines))
    if len(parts) == 1:
        parts.append("\n")
    parts.append("}\n")
    return "".join(parts)
