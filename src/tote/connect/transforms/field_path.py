"""KIP-821 field paths (Kafka 3.8+): the `field.syntax.version` key and a field path read
in that syntax, looked up in a Struct's schema, a Struct or a schemaless map.

`V1` (the default) takes the text as one field name, dots and all. `V2` splits it at dots
into nested steps; a step wrapped in backticks may hold dots, and a backslash before a
closing backtick keeps that backtick in the name. Kafka's rules hold to the letter,
oddities included: a backtick not followed by a dot (or the end) is part of the name, an
empty step is a field named "", a trailing dot adds an empty last step, and an empty
path has no steps at all (looking it up then fails as Java's `subList(0, -1)` does).
Kafka itself reads this syntax in ExtractField only; its other SMTs take names verbatim.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tote.connect.configdef import ConfigKey, ConfigType, Importance, one_of
from tote.connect.data import Field, Schema, Struct, Type
from tote.connect.errors import ConfigException, DataException
from tote.connect.transforms.support import field_value, require_map, require_struct

FIELD_SYNTAX_VERSION = "field.syntax.version"
V1, V2 = "V1", "V2"
SYNTAX_DOC = ("Defines the version of the syntax to access fields. If set to `V1`, then the "
              "field paths are limited to access the elements at the root level of the struct "
              "or map. If set to `V2`, the syntax will support accessing nested elements. To "
              "access nested elements, dotted notation is used. If dots are already included "
              "in the field name, then backtick pairs can be used to wrap field names "
              "containing dots. E.g. to access the subfield `baz` from a field named \"foo.bar\" "
              "in a struct/map the following format can be used to access its elements: "
              "\"`foo.bar`.baz\".")
NESTED = "nested field access"  # the `Requirements` purpose of an intermediate step
_TICK, _DOT, _ESCAPE = "`", ".", "\\"


def syntax_version_key() -> ConfigKey:
    """The key as `FieldSyntaxVersion.appendConfigTo` defines it."""
    return ConfigKey(FIELD_SYNTAX_VERSION, ConfigType.STRING, V1, Importance.HIGH, SYNTAX_DOC,
                     validator=one_of(V1, V2, message="String must be one of (case "
                                      "insensitive): V1, V2"))


class EmptyPath(ValueError):
    """Java's IllegalArgumentException from `subList(0, -1)`: a V2 path with no steps."""

    def __init__(self) -> None:
        super().__init__("fromIndex(0) > toIndex(-1)")


@dataclass(frozen=True)
class FieldPath:
    """`SingleFieldPath`: the steps from the root to one (possibly nested) field."""

    steps: tuple[str, ...]

    @classmethod
    def parse(cls, text: str, version: str) -> FieldPath:
        """`text` in syntax `version` (V1 or V2, any case: the config validated it)."""
        if version.upper() == V1:
            return cls((text,))
        return cls(tuple(_v2_steps(text)))

    def _split(self) -> tuple[tuple[str, ...], str]:
        if not self.steps:
            raise EmptyPath()
        return self.steps[:-1], self.steps[-1]

    def field_from(self, schema: Schema | None) -> Field | None:
        """The field's definition, None if a step is missing; stepping into a schema that
        is not a struct fails as `ConnectSchema.field` does."""
        if schema is None:
            return None
        parents, last = self._split()
        current = schema
        for step in parents:
            found = _schema_field(current, step)
            if found is None:
                return None
            current = found.schema
        return _schema_field(current, last)

    def value_from_struct(self, struct: Struct | None, with_default: bool = True) -> Any:
        """The value, None if a step is missing or null. Parents read through their
        defaults; `with_default` governs the last step only, as in Kafka."""
        if struct is None:
            return None
        parents, last = self._split()
        current = struct
        for step in parents:
            found = current.schema.field(step)
            if found is None:
                return None
            inner = field_value(current, found, True)
            if inner is None:
                return None
            current = require_struct(inner, NESTED, found.schema)
        field = current.schema.field(last)
        return None if field is None else field_value(current, field, with_default)

    def value_from_map(self, source: Mapping[str, Any] | None) -> Any:
        """The value, None if a step is missing or null; a parent that is not a map fails
        as `Requirements.requireMapOrNull` does."""
        if source is None:
            return None
        parents, last = self._split()
        current = source
        for step in parents:
            inner = current.get(step)
            if inner is None:
                return None
            current = require_map(inner, NESTED)
        return current.get(last)


def _schema_field(schema: Schema, name: str) -> Field | None:
    if schema.type is not Type.STRUCT:
        raise DataException("Cannot look up fields on non-struct type")
    return schema.field(name)


def _v2_steps(path: str) -> list[str]:
    steps: list[str] = []
    at = 0
    while at < len(path):
        if path[at] == _TICK:
            step, at = _quoted_step(path, at)
        else:
            dot = path.find(_DOT, at)
            end = len(path) if dot < 0 else dot
            step, at = path[at:end], end + 1
        steps.append(step)
    if path.endswith(_DOT):
        steps.append("")
    return steps


def _quoted_step(path: str, opened: int) -> tuple[str, int]:
    """The name a backtick at `opened` wraps, and where the next step starts. The name
    closes at the first unescaped backtick that ends the path or comes before a dot."""
    name: list[str] = []
    start = search = opened + 1
    while True:
        close = path.find(_TICK, search)
        if close < 0:
            raise _incomplete(path, opened)
        escaped = path[close - 1] == _ESCAPE
        if close == len(path) - 1:
            if escaped:
                raise _incomplete(path, opened)
            name.append(path[start:close])
            return "".join(name), close + 1
        if path[close + 1] != _DOT:
            search = close + 1  # a backtick inside the name
        elif escaped:
            name.append(path[start:close - 1] + _TICK)
            start = search = close + 1
        else:
            name.append(path[start:close])
            return "".join(name), close + 2


def _incomplete(path: str, opened: int) -> ConfigException:
    return ConfigException(f"Incomplete backtick pair in path: [{path}], consider adding a "
                           f"backslash before backtick at position {opened} to escape it")
