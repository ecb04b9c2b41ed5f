"""The parsed shape of a `.proto` file: messages, fields by tag, oneofs, enums, services."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Option:
    name: str
    value: str  # source text of the value (strings keep their quotes)

    def render(self) -> str:
        return f"{self.name} = {self.value}"


@dataclass
class ProtoField:
    label: str | None  # optional / required / repeated / None (proto3 singular)
    type: str  # scalar, message/enum name, or "map<K, V>"
    name: str
    tag: int
    options: list[Option] = field(default_factory=list)

    def render(self) -> str:
        opts = f" [{', '.join(o.render() for o in self.options)}]" if self.options else ""
        label = f"{self.label} " if self.label else ""
        return f"{label}{self.type} {self.name} = {self.tag}{opts};"

    @property
    def map_types(self) -> tuple[str, str] | None:
        if not self.type.startswith("map<"):
            return None
        key, _, value = self.type[4:-1].partition(",")
        return key.strip(), value.strip()


@dataclass
class OneOf:
    name: str
    fields: list[ProtoField] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)


@dataclass
class EnumValue:
    name: str
    number: int
    options: list[Option] = field(default_factory=list)


@dataclass
class ProtoEnum:
    name: str
    values: list[EnumValue] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    reserved: list[str] = field(default_factory=list)


@dataclass
class Message:
    name: str
    fields: list[ProtoField] = field(default_factory=list)
    oneofs: list[OneOf] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    enums: list[ProtoEnum] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    reserved: list[str] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # nested type names in source order

    def all_fields(self) -> list[tuple[ProtoField, str | None]]:
        """Every field with the oneof it belongs to (None for top-level fields)."""
        out: list[tuple[ProtoField, str | None]] = [(f, None) for f in self.fields]
        for oneof in self.oneofs:
            out += [(f, oneof.name) for f in oneof.fields]
        return out


@dataclass
class Service:
    name: str
    text: list[str] = field(default_factory=list)  # rendered rpc lines and options


@dataclass
class ProtoFile:
    syntax: str | None = None
    package: str | None = None
    imports: list[str] = field(default_factory=list)  # rendered import lines
    options: list[Option] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    enums: list[ProtoEnum] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    extends: list[str] = field(default_factory=list)  # raw text of extend blocks
    order: list[str] = field(default_factory=list)  # top-level type names in source order
