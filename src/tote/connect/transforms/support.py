"""What Connect's SMTs share: `Requirements`' type checks, key/value variants, a schema
cache, and the validators of their configs, with Connect's messages.

Java renders a list in a `ConfigException` as `[a, b]` (and a missing value as `null`),
not the REST form `a,b`; these validators say it the Java way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from tote.connect.data import Field, Schema, SinkRecord, Struct, Type
from tote.connect.errors import ConfigException, DataException

PACKAGE = "org.apache.kafka.connect.transforms"


def java_text(value: Any) -> str:
    """`String.valueOf(value)` for the values configs hold."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_text(v) for v in value) + "]"
    return str(value)


def config_error(name: str, value: Any, why: str) -> ConfigException:
    """Kafka's `ConfigException(name, value, message)`, value rendered as Java does."""
    return ConfigException(f"Invalid value {java_text(value)} for configuration {name}: {why}")


def non_empty_list(name: str, value: Any) -> None:
    """`NonEmptyListValidator`: it runs on a missing value too (then `null`)."""
    if not value:
        raise config_error(name, value, "Empty list")


def valid_regex(name: str, value: Any) -> None:
    """`RegexValidator` (a missing value is reported as missing only)."""
    if value is None:
        return
    try:
        re.compile(java_regex(str(value)))
    except re.error as exc:
        raise config_error(name, value, f"Invalid regex: {exc}") from None


def java_regex(pattern: str) -> str:
    """Java's named groups `(?<name>...)` in Python's spelling; the rest is shared syntax."""
    return re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", pattern)


def java_replacement(replacement: str) -> str:
    r"""`Matcher.replaceFirst`'s `$1` / `${name}` references and `\x` escapes, for `re`."""
    out: list[str] = []
    i = 0
    while i < len(replacement):
        ch = replacement[i]
        if ch == "\\" and i + 1 < len(replacement):
            nxt = replacement[i + 1]
            out.append("\\\\" if nxt == "\\" else nxt)
            i += 2
        elif ch == "$" and replacement.startswith("{", i + 1) and "}" in replacement[i:]:
            end = replacement.index("}", i)
            out.append(f"\\g<{replacement[i + 2:end]}>")
            i = end + 1
        elif ch == "$" and i + 1 < len(replacement) and replacement[i + 1].isdigit():
            j = i + 1
            while j < len(replacement) and replacement[j].isdigit():
                j += 1
            out.append(f"\\g<{replacement[i + 1:j]}>")
            i = j
        else:
            out.append("\\\\" if ch == "\\" else ch)
            i += 1
    return "".join(out)


def _class_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Struct):
        return "org.apache.kafka.connect.data.Struct"
    if isinstance(value, Mapping):
        return "java.util.HashMap"
    names = {str: "java.lang.String", bool: "java.lang.Boolean", int: "java.lang.Long",
             float: "java.lang.Double", bytes: "[B", list: "java.util.ArrayList"}
    return names.get(type(value), f"{type(value).__module__}.{type(value).__qualname__}")


def require_map(value: Any, purpose: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or isinstance(value, Struct):
        raise DataException(f"Only Map objects supported in absence of schema for [{purpose}], "
                            f"found: {_class_name(value)}")
    return value


def require_struct(value: Any, purpose: str) -> Struct:
    if not isinstance(value, Struct):
        raise DataException(f"Only Struct objects supported for [{purpose}], found: "
                            f"{_class_name(value)}")
    return value


def field_value(struct: Struct, field: Field, replace_null_with_default: bool) -> Any:
    """`Struct.get` (a null field reads as its default) or `getWithoutDefault`."""
    value = struct.values.get(field.name)
    if value is None and replace_null_with_default:
        return field.schema.default
    return value


def rebuilt_struct(source: Schema, fields: list[tuple[str, Schema]]) -> Schema:
    """`SchemaUtil.copySchemaBasics(source, SchemaBuilder.struct())` plus `fields`: name,
    version, doc and parameters are kept; the new schema is required, as Connect's is."""
    return Schema(Type.STRUCT, name=source.name, version=source.version, doc=source.doc,
                  parameters=source.parameters,
                  fields=tuple(Field(n, i, s) for i, (n, s) in enumerate(fields)))


class SchemaCache:
    """Connect's per-transform LRU of updated schemas, by source schema identity (schemas
    are shared objects, so the sink sees one new schema per source schema)."""

    def __init__(self, build: Callable[[Schema], Schema], size: int = 16) -> None:
        self._build = build
        self._size = size
        self._entries: dict[int, tuple[Schema, Schema]] = {}

    def get(self, schema: Schema) -> Schema:
        found = self._entries.get(id(schema))
        if found is not None and found[0] is schema:
            return found[1]
        built = self._build(schema)
        if len(self._entries) >= self._size:
            self._entries.pop(next(iter(self._entries)))
        self._entries[id(schema)] = (schema, built)
        return built


class KeyOrValue:
    """The `$Key` / `$Value` halves of a transform: which part of the record it works on."""

    KEY: bool = False

    def schema_of(self, record: SinkRecord) -> Schema | None:
        return record.key_schema if self.KEY else record.value_schema

    def value_of(self, record: SinkRecord) -> Any:
        return record.key if self.KEY else record.value

    def updated(self, record: SinkRecord, schema: Schema | None, value: Any) -> SinkRecord:
        if self.KEY:
            return record._replace(key_schema=schema, key=value)
        return record._replace(value_schema=schema, value=value)
