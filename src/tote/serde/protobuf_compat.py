"""Protobuf compatibility: the wire-breaking changes between two `.proto` files.

Compares messages by name and fields by tag, like the Schema Registry's protobuf diff:
a removed message, a field whose kind (scalar / message / map) or scalar wire kind
changes, a numeric field changing label, a message field pointing at another type,
required fields added or removed, and oneof reshuffles that re-tag data are reported.
Type names are resolved with protobuf scoping (a nested message shadows an outer enum of
the same name), and a message imported from a reference is compared field by field, so an
incompatible change in an imported file breaks the fields that use it.
Renames, added or removed optional fields and enum changes are compatible.
"""

from __future__ import annotations

from collections.abc import Mapping

from tote.serde.protobuf_model import SCALARS
from tote.serde.protobuf_scope import TypeInfo, TypeTable
from tote.serde.protobuf_types import Message, ProtoEnum, ProtoField, ProtoFile

_COMPATIBLE = frozenset({"MESSAGE_ADDED", "MESSAGE_MOVED", "ENUM_ADDED", "ENUM_REMOVED",
                         "ENUM_CONST_ADDED", "ENUM_CONST_CHANGED", "ENUM_CONST_REMOVED",
                         "FIELD_ADDED", "FIELD_REMOVED",
                         "FIELD_NAME_CHANGED", "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
                         "ONEOF_ADDED", "ONEOF_REMOVED", "ONEOF_FIELD_ADDED",
                         "ONEOF_FIELD_MOVED_TO_TOP_LEVEL"})

_SCALAR_KIND = {
    "int32": "GENERAL_NUMBER", "int64": "GENERAL_NUMBER", "uint32": "GENERAL_NUMBER",
    "uint64": "GENERAL_NUMBER", "bool": "GENERAL_NUMBER", "sint32": "SIGNED_NUMBER",
    "sint64": "SIGNED_NUMBER", "string": "STRING_OR_BYTES", "bytes": "STRING_OR_BYTES",
    "fixed32": "FIXED32", "sfixed32": "FIXED32", "fixed64": "FIXED64", "sfixed64": "FIXED64",
    "float": "FLOAT", "double": "DOUBLE",
}


def describe(kind: str, path: str, r: str, w: str) -> str:
    texts = {
        "PACKAGE_CHANGED": f"The package at '{path}' in the {r} schema does not match the "
                           f"package in the {w} schema",
        "MESSAGE_REMOVED": f"The {r} schema is missing a MESSAGE type at path '{path}' in the "
                           f"{w} schema",
        "FIELD_KIND_CHANGED": f"The type of a field at path '{path}' in the {r} schema does not "
                              f"match the {w} schema",
        "FIELD_SCALAR_KIND_CHANGED": f"The kind of a SCALAR field at path '{path}' in the {r} "
                                     f"schema does not match its kind in the {w} schema",
        "FIELD_NAMED_TYPE_CHANGED": f"The type of a MESSAGE field at path '{path}' in the {r} "
                                    f"schema does not match its type in the {w} schema",
        "FIELD_NUMERIC_LABEL_CHANGED": f"The label for a NUMERIC field at path '{path}' in the "
                                       f"{r} schema does not match its label in the {w} schema",
        "REQUIRED_FIELD_ADDED": f"A required field  at path '{path}' in the {r} schema is "
                                f"missing in the {w} schema",
        "REQUIRED_FIELD_REMOVED": f"The {r} schema is missing a required field at path: "
                                  f"'{path}' in the {w} schema",
        "ONEOF_FIELD_REMOVED": f"The {r} schema is missing a oneof field at path '{path}' in "
                               f"the {w} schema",
        "MULTIPLE_FIELDS_MOVED_TO_ONEOF": f"Multiple fields in the oneof at path '{path}' in "
                                          f"the {r} schema are outside a oneof in the {w} schema",
        "FIELD_MOVED_TO_EXISTING_ONEOF": f"A field in the oneof at path '{path}' in the {r} "
                                         f"schema is outside an existing oneof in the {w} schema",
    }
    return f'{{errorType:"{kind}", description:"{texts.get(kind, "")}"}}'


def incompatibilities(original: ProtoFile, update: ProtoFile, r: str, w: str, *,
                      original_refs: Mapping[str, ProtoFile] | None = None,
                      update_refs: Mapping[str, ProtoFile] | None = None) -> list[str]:
    """Messages for the incompatible differences; `*_refs` are the imported files by name."""
    found = differences(original, update, original_refs or {}, update_refs or {})
    return [describe(kind, path, r, w) for kind, path in found if kind not in _COMPATIBLE]


def differences(original: ProtoFile, update: ProtoFile, original_refs: Mapping[str, ProtoFile],
                update_refs: Mapping[str, ProtoFile]) -> list[tuple[str, str]]:
    """Every (difference type, path) between the two files, compatible ones included."""
    diff = _Diff(TypeTable(original, original_refs), TypeTable(update, update_refs))
    if (original.package or "") != (update.package or ""):
        diff.add("PACKAGE_CHANGED", [])
    diff.types_in(original.messages, original.enums, update.messages, update.enums, [])
    return diff.found


class _Diff:
    def __init__(self, o_table: TypeTable, u_table: TypeTable) -> None:
        self.found: list[tuple[str, str]] = []
        self.o_table, self.u_table = o_table, u_table
        self.o_package, self.u_package = o_table.package, u_table.package
        self.scope: list[str] = []  # enclosing message names, for resolving type names
        self.active: set[int] = set()  # original messages being compared (recursion guard)

    def add(self, kind: str, path: list[str]) -> None:
        self.found.append((kind, "#/" + "/".join(path)))

    def compatible(self) -> bool:
        return all(kind in _COMPATIBLE for kind, _ in self.found)

    def types_in(self, o_messages: list[Message], o_enums: list[ProtoEnum],
                 u_messages: list[Message], u_enums: list[ProtoEnum], path: list[str]) -> None:
        o_by = {m.name: (i, m) for i, m in enumerate(o_messages)}
        u_by = {m.name: (i, m) for i, m in enumerate(u_messages)}
        for name in [*o_by, *(n for n in u_by if n not in o_by)]:
            sub = [*path, name]
            if name not in u_by:
                self.add("MESSAGE_REMOVED", sub)
            elif name not in o_by:
                self.add("MESSAGE_ADDED", sub)
            else:
                self.scope.append(name)
                self.message(o_by[name][1], u_by[name][1], sub)
                self.scope.pop()
                if o_by[name][0] != u_by[name][0]:
                    self.add("MESSAGE_MOVED", sub)
        o_enum_by = {e.name: e for e in o_enums}
        u_enum_by = {e.name: e for e in u_enums}
        for name in [*o_enum_by, *(n for n in u_enum_by if n not in o_enum_by)]:
            if name not in u_enum_by:
                self.add("ENUM_REMOVED", [*path, name])
            elif name not in o_enum_by:
                self.add("ENUM_ADDED", [*path, name])
            else:
                self.enum(o_enum_by[name], u_enum_by[name], [*path, name])

    def enum(self, original: ProtoEnum, update: ProtoEnum, path: list[str]) -> None:
        o_by = {v.number: v.name for v in original.values}
        u_by = {v.number: v.name for v in update.values}
        for number in sorted(set(o_by) | set(u_by)):
            if number not in u_by:
                self.add("ENUM_CONST_REMOVED", [*path, str(number)])
            elif number not in o_by:
                self.add("ENUM_CONST_ADDED", [*path, str(number)])
            elif o_by[number] != u_by[number]:
                self.add("ENUM_CONST_CHANGED", [*path, str(number)])

    def message(self, original: Message, update: Message, path: list[str]) -> None:
        if id(original) in self.active:
            self.types_in(original.messages, original.enums, update.messages, update.enums,
                          path)
            return
        self.active.add(id(original))
        try:
            self._fields(original, update, path)
        finally:
            self.active.discard(id(original))
        self.types_in(original.messages, original.enums, update.messages, update.enums, path)

    def _fields(self, original: Message, update: Message, path: list[str]) -> None:
        o_fields = {f.tag: (f, oneof) for f, oneof in original.all_fields()}
        u_fields = {f.tag: (f, oneof) for f, oneof in update.all_fields()}
        o_oneofs = {o.name for o in original.oneofs}
        deleted = {o.name for o in original.oneofs
                   if not any(f.tag in u_fields for f in o.fields)}
        for oneof in update.oneofs:
            groups: set[str] = set()
            moved_in = 0
            for fld in oneof.fields:
                if fld.tag in o_fields:
                    old_oneof = o_fields[fld.tag][1]
                    groups.add(f"oneof:{old_oneof}" if old_oneof else f"field:{fld.tag}")
                    moved_in += old_oneof is None
            if len(groups) > 1:
                self.add("MULTIPLE_FIELDS_MOVED_TO_ONEOF" if moved_in > 1
                         else "FIELD_MOVED_TO_EXISTING_ONEOF", [*path, oneof.name])
        u_oneofs = {o.name for o in update.oneofs}
        for name in sorted(o_oneofs | u_oneofs):
            if name not in u_oneofs:
                self.add("ONEOF_REMOVED", [*path, name])
            elif name not in o_oneofs:
                self.add("ONEOF_ADDED", [*path, name])
        for tag in sorted(set(o_fields) | set(u_fields)):
            self.field(path, tag, o_fields.get(tag), u_fields.get(tag), deleted)

    def field(self, path: list[str], tag: int, old: tuple[ProtoField, str | None] | None,
              new: tuple[ProtoField, str | None] | None, deleted: set[str]) -> None:
        if new is None:
            assert old is not None
            fld, oneof = old
            if oneof is not None:
                if oneof not in deleted:
                    self.add("ONEOF_FIELD_REMOVED", [*path, oneof, str(tag)])
            else:
                self.add("REQUIRED_FIELD_REMOVED" if fld.label == "required" else "FIELD_REMOVED",
                         [*path, str(tag)])
            return
        u_fld, u_oneof = new
        if old is None:
            if u_oneof is not None:
                self.add("ONEOF_FIELD_ADDED", [*path, u_oneof, str(tag)])
            else:
                self.add("REQUIRED_FIELD_ADDED" if u_fld.label == "required" else "FIELD_ADDED",
                         [*path, str(tag)])
            return
        o_fld, o_oneof = old
        if o_oneof is not None and u_oneof is None:
            self.add("ONEOF_FIELD_MOVED_TO_TOP_LEVEL", [*path, str(tag)])
        sub = [*path, u_oneof, str(tag)] if u_oneof else [*path, str(tag)]
        if o_fld.name != u_fld.name:
            self.add("FIELD_NAME_CHANGED", sub)
        self.types(sub, o_fld.label, u_fld.label, o_fld.type, u_fld.type)

    def lookup(self, type_name: str, original: bool) -> tuple[str, TypeInfo] | None:
        table, package = ((self.o_table, self.o_package) if original
                          else (self.u_table, self.u_package))
        full = table.resolve(type_name, package, self.scope)
        return (full, table.types[full]) if full is not None else None

    def kind(self, type_name: str, original: bool) -> str:
        if type_name.startswith("map<"):
            return "MAP"
        if type_name in SCALARS:
            return "SCALAR"
        found = self.lookup(type_name, original)
        return "SCALAR" if found and isinstance(found[1].element, ProtoEnum) else "MESSAGE"

    def types(self, sub: list[str], o_label: str | None, u_label: str | None,
              o_type: str, u_type: str) -> None:
        o_kind, u_kind = self.kind(o_type, True), self.kind(u_type, False)
        if o_kind != u_kind:
            self.add("FIELD_KIND_CHANGED", sub)
        elif o_kind == "SCALAR":
            # Enums are not in the table: they travel as varints, like int32.
            o_scalar = _SCALAR_KIND.get(o_type, "GENERAL_NUMBER")
            u_scalar = _SCALAR_KIND.get(u_type, "GENERAL_NUMBER")
            if o_scalar != u_scalar:
                self.add("FIELD_SCALAR_KIND_CHANGED", sub)
            elif o_label and u_label and o_label != u_label:
                self.add("FIELD_STRING_OR_BYTES_LABEL_CHANGED" if o_scalar == "STRING_OR_BYTES"
                         else "FIELD_NUMERIC_LABEL_CHANGED", sub)
        elif o_kind == "MESSAGE":
            self.message_types(sub, o_type, u_type)
        else:
            o_key, o_value = o_type[4:-1].split(",")
            u_key, u_value = u_type[4:-1].split(",")
            self.types(sub, None, None, o_key.strip(), u_key.strip())
            self.types(sub, None, None, o_value.strip(), u_value.strip())

    def message_types(self, sub: list[str], o_type: str, u_type: str) -> None:
        """Same message type by local name; an imported one must also evolve compatibly."""
        o_found, u_found = self.lookup(o_type, True), self.lookup(u_type, False)
        if o_found is None or u_found is None:
            if o_type.lstrip(".") != u_type.lstrip("."):
                self.add("FIELD_NAMED_TYPE_CHANGED", sub)
            return
        (o_full, o_info), (u_full, u_info) = o_found, u_found
        local = o_info.local_name(o_full)
        if local != u_info.local_name(u_full):
            self.add("FIELD_NAMED_TYPE_CHANGED", sub)
            return
        if o_info.origin is None and u_info.origin is None:
            return  # both declared here: the walk over this schema's messages covers them
        assert isinstance(o_info.element, Message) and isinstance(u_info.element, Message)
        trial = _Diff(self.o_table, self.u_table)
        trial.o_package, trial.u_package = o_info.package, u_info.package
        trial.scope = local.split(".")
        trial.active = self.active
        trial.message(o_info.element, u_info.element, local.split("."))
        self.found += trial.found
        if not trial.compatible():
            self.add("FIELD_NAMED_TYPE_CHANGED", sub)
