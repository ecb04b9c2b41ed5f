"""Avro schemas as a small typed tree: names resolved, defaults checked, Java-style output.

fastavro validates and encodes, but the registry also needs what fastavro does not give:
Avro Java's `Schema.toString()` text (the identity the registry stores), a normalised
form, and a tree the compatibility checker can walk with aliases and full names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tote.serde.errors import InvalidSchema

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
NAMED = frozenset({"record", "error", "enum", "fixed"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NO_DEFAULT: Any = object()

_RESERVED = {
    "record": {"type", "name", "namespace", "doc", "fields", "aliases"},
    "enum": {"type", "name", "namespace", "doc", "symbols", "aliases", "default"},
    "fixed": {"type", "name", "namespace", "doc", "size", "aliases"},
    "array": {"type", "items"},
    "map": {"type", "values"},
}
_FIELD_RESERVED = {"name", "type", "doc", "default", "order", "aliases"}


@dataclass(eq=False)
class Field:
    name: str
    type: Node
    doc: str | None = None
    default: Any = NO_DEFAULT
    order: str = "ascending"
    aliases: tuple[str, ...] = ()
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT


@dataclass(eq=False)
class Node:
    """One Avro type. `type` is a primitive name, record/enum/fixed, array, map or union."""

    type: str
    props: dict[str, Any] = field(default_factory=dict)
    name: str | None = None  # full name of a named type
    doc: str | None = None
    aliases: tuple[str, ...] = ()  # full names
    fields: list[Field] = field(default_factory=list)
    symbols: tuple[str, ...] = ()
    enum_default: str | None = None
    size: int = 0
    items: Node | None = None
    values: Node | None = None
    branches: list[Node] = field(default_factory=list)
    is_error: bool = False

    @property
    def short_name(self) -> str:
        return (self.name or "").rpartition(".")[2]

    @property
    def namespace(self) -> str:
        return (self.name or "").rpartition(".")[0]

    def label(self) -> str:
        """Avro Java's `Schema.Type` name (used in compatibility messages)."""
        return self.type.upper()

    def union_key(self) -> str:
        """The name a union branch goes by in the JSON encoding (`{"int": 1}`)."""
        return self.name if self.name else self.type


def check_name(name: str) -> None:
    if not name:
        raise InvalidSchema("Empty name")
    if not (name[0].isalpha() or name[0] == "_"):
        raise InvalidSchema(f"Illegal initial character: {name}")
    if not _NAME.fullmatch(name):
        raise InvalidSchema(f"Illegal character in: {name}")


def _full_name(name: str, namespace: str) -> str:
    if "." in name:
        parts = name.split(".")
        for part in parts[:-1]:
            if part:
                check_name(part)
        check_name(parts[-1])
        return name
    check_name(name)
    return f"{namespace}.{name}" if namespace else name


class Parser:
    """Parses schema JSON into `Node`s, sharing named types across referenced schemas."""

    def __init__(self, named: dict[str, Node] | None = None) -> None:
        self.named: dict[str, Node] = named if named is not None else {}

    def parse(self, obj: Any, namespace: str = "") -> Node:
        if isinstance(obj, str):
            return self._reference(obj, namespace)
        if isinstance(obj, list):
            return self._union(obj, namespace)
        if isinstance(obj, dict):
            return self._complex(obj, namespace)
        raise InvalidSchema(f"Schema must be a string, object or array, not {json.dumps(obj)}")

    def _reference(self, name: str, namespace: str) -> Node:
        if name in PRIMITIVES:
            return Node(name)
        full = name if "." in name else (f"{namespace}.{name}" if namespace else name)
        node = self.named.get(full) or self.named.get(name)
        if node is None:
            raise InvalidSchema(f"\"{name}\" is not a defined name. The type of the schema "
                                "must be a defined name or one of the primitive types")
        return node

    def _union(self, items: list[Any], namespace: str) -> Node:
        branches = [self.parse(item, namespace) for item in items]
        seen: set[str] = set()
        for branch in branches:
            if branch.type == "union":
                raise InvalidSchema(f"Nested union: {json.dumps(items)}")
            key = branch.union_key()
            if key in seen:
                raise InvalidSchema(f"Duplicate in union:{key}")
            seen.add(key)
        return Node("union", branches=branches)

    def _complex(self, obj: dict[str, Any], namespace: str) -> Node:
        kind = obj.get("type")
        if kind is None:
            raise InvalidSchema(f"No type: {json.dumps(obj)}")
        if isinstance(kind, (dict, list)):
            return self.parse(kind, namespace)
        if not isinstance(kind, str):
            raise InvalidSchema(f"No type: {json.dumps(obj)}")
        if kind in PRIMITIVES:
            props = {k: v for k, v in obj.items() if k != "type"}
            return Node(kind, props=props)
        if kind in NAMED:
            return self._named(kind, obj, namespace)
        if kind == "array":
            if "items" not in obj:
                raise InvalidSchema(f"Array has no items type: {json.dumps(obj)}")
            return Node("array", items=self.parse(obj["items"], namespace),
                        props=_props(obj, "array"))
        if kind == "map":
            if "values" not in obj:
                raise InvalidSchema(f"Map has no values type: {json.dumps(obj)}")
            return Node("map", values=self.parse(obj["values"], namespace),
                        props=_props(obj, "map"))
        return self._reference(kind, namespace)

    def _named(self, kind: str, obj: dict[str, Any], namespace: str) -> Node:
        raw_name = obj.get("name")
        if not isinstance(raw_name, str):
            raise InvalidSchema(f"No name in schema: {json.dumps(obj)}")
        raw_ns = obj.get("namespace")
        if raw_ns is not None and not isinstance(raw_ns, str):
            raise InvalidSchema(f"Namespace must be a string: {json.dumps(obj)}")
        space = raw_ns if raw_ns is not None and "." not in raw_name else namespace
        full = _full_name(raw_name, space)
        if full in self.named:
            raise InvalidSchema(f"Can't redefine: {full}")
        own_ns = full.rpartition(".")[0]
        doc = obj.get("doc")
        aliases = tuple(_full_name(a, own_ns) for a in _string_list(obj, "aliases"))
        base = "record" if kind == "error" else kind
        node = Node(base, name=full, doc=doc if isinstance(doc, str) else None,
                    aliases=aliases, props=_props(obj, base), is_error=kind == "error")
        self.named[full] = node
        if base == "record":
            self._fields(node, obj, own_ns)
        elif base == "enum":
            self._enum(node, obj)
        else:
            size = obj.get("size")
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise InvalidSchema(f"Invalid or no size: {json.dumps(obj)}")
            node.size = size
        return node

    def _fields(self, node: Node, obj: dict[str, Any], namespace: str) -> None:
        raw_fields = obj.get("fields")
        if not isinstance(raw_fields, list):
            raise InvalidSchema(f"Record has no fields: {json.dumps(obj)}")
        names: set[str] = set()
        for raw in raw_fields:
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                raise InvalidSchema(f"No field name: {json.dumps(raw)}")
            name = raw["name"]
            check_name(name)
            if name in names:
                raise InvalidSchema(f"Duplicate field {name} in record {node.name}")
            names.add(name)
            if "type" not in raw:
                raise InvalidSchema(f"No field type: {json.dumps(raw)}")
            ftype = self.parse(raw["type"], namespace)
            order = raw.get("order", "ascending")
            if order not in ("ascending", "descending", "ignore"):
                raise InvalidSchema(f"Invalid order: {order}")
            doc = raw.get("doc")
            fld = Field(name, ftype, doc=doc if isinstance(doc, str) else None, order=order,
                        aliases=tuple(_string_list(raw, "aliases")),
                        props={k: v for k, v in raw.items() if k not in _FIELD_RESERVED})
            if "default" in raw:
                fld.default = raw["default"]
                if not valid_default(ftype, fld.default):
                    from tote.serde.avro_render import render

                    raise InvalidSchema(
                        f"Invalid default for field {name}: {json.dumps(fld.default)} "
                        f"not a {render(ftype)}")
            node.fields.append(fld)

    def _enum(self, node: Node, obj: dict[str, Any]) -> None:
        symbols = obj.get("symbols")
        if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
            raise InvalidSchema(f"Enum has no symbols: {json.dumps(obj)}")
        for symbol in symbols:
            check_name(symbol)
        if len(set(symbols)) != len(symbols):
            raise InvalidSchema(f"Duplicate enum symbol in {node.name}")
        node.symbols = tuple(symbols)
        default = obj.get("default")
        if default is not None:
            if default not in symbols:
                raise InvalidSchema(f"The Enum Default: {default} is not in the enum symbol set: "
                                    f"{symbols}")
            node.enum_default = default


def _props(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    reserved = _RESERVED[kind]
    return {k: v for k, v in obj.items() if k not in reserved}


def _string_list(obj: dict[str, Any], key: str) -> list[str]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidSchema(f"{key} not an array of strings: {json.dumps(obj)}")
    return value


def valid_default(node: Node, value: Any) -> bool:
    """Whether `value` (JSON) is a valid default for `node` (union: its first branch)."""
    kind = node.type
    if kind == "union":
        return valid_default(node.branches[0], value)
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("int", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind in ("bytes", "string", "fixed"):
        return isinstance(value, str)
    if kind == "enum":
        return isinstance(value, str) and value in node.symbols
    if kind == "array":
        assert node.items is not None
        return isinstance(value, list) and all(valid_default(node.items, v) for v in value)
    if kind == "map":
        assert node.values is not None
        return isinstance(value, dict) and all(valid_default(node.values, v)
                                               for v in value.values())
    if kind == "record":
        if not isinstance(value, dict):
            return False
        for fld in node.fields:
            if fld.name in value:
                if not valid_default(fld.type, value[fld.name]):
                    return False
            elif not fld.has_default:
                return False
        return True
    return False
