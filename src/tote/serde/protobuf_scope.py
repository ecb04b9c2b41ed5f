"""Protobuf type names for the compatibility diff: every message and enum a schema can see.

The diff must know what a field's type name means (message or enum, local or imported),
so names are resolved the way `protoc` scopes them: innermost enclosing message first,
then outwards through the package, then as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tote.serde.protobuf_types import Message, ProtoEnum, ProtoFile


@dataclass(frozen=True)
class TypeInfo:
    """One named type: its element, the package it lives in, and the reference it came from."""

    element: Message | ProtoEnum
    package: str
    origin: str | None  # reference name; None when declared in the schema itself

    def local_name(self, full_name: str) -> str:
        prefix = f"{self.package}." if self.package else ""
        return full_name[len(prefix):] if prefix and full_name.startswith(prefix) else full_name


class TypeTable:
    """Fully-qualified name -> `TypeInfo` for a schema and the files it references."""

    def __init__(self, proto: ProtoFile, references: Mapping[str, ProtoFile]) -> None:
        self.types: dict[str, TypeInfo] = {}
        for name, ref in references.items():
            self._add_file(ref, name)
        self._add_file(proto, None)
        self.package = proto.package or ""

    def _add_file(self, proto: ProtoFile, origin: str | None) -> None:
        package = proto.package or ""
        self._add(proto.messages, proto.enums, package, package, origin)

    def _add(self, messages: list[Message], enums: list[ProtoEnum], scope: str, package: str,
             origin: str | None) -> None:
        for enum in enums:
            self.types[_join(scope, enum.name)] = TypeInfo(enum, package, origin)
        for msg in messages:
            full = _join(scope, msg.name)
            self.types[full] = TypeInfo(msg, package, origin)
            self._add(msg.messages, msg.enums, full, package, origin)

    def resolve(self, name: str, package: str, scope: list[str]) -> str | None:
        """The full name `name` denotes inside message `scope` of `package`, if known."""
        if not self.types:
            return None
        if name.startswith("."):
            return name[1:] if name[1:] in self.types else None
        prefix = [*(package.split(".") if package else []), *scope]
        while prefix:
            candidate = ".".join([*prefix, name])
            if candidate in self.types:
                return candidate
            prefix.pop()
        return name if name in self.types else None


def _join(scope: str, name: str) -> str:
    return f"{scope}.{name}" if scope else name
