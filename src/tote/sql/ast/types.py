"""Type syntax: column types, CAST targets and CREATE TYPE bodies.

A type made only of built-in types is a `BuiltinType` holding a `tote.core.types.SqlType`.
A type that names a custom type (CREATE TYPE) cannot be a SqlType until the analyzer looks
the name up, so it stays a tree of `CustomType`/`ArrayType`/`MapType`/`StructType` nodes;
`resolve` turns either form into a SqlType.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tote.core import types as t
from tote.core.errors import SqlError
from tote.sql.ast.nodes import Node

# ksqlDB's primitive type names (INT and VARCHAR are aliases), upper case.
PRIMITIVES: dict[str, t.SqlType] = {
    "BOOLEAN": t.BOOLEAN,
    "INT": t.INTEGER,
    "INTEGER": t.INTEGER,
    "BIGINT": t.BIGINT,
    "DOUBLE": t.DOUBLE,
    "STRING": t.STRING,
    "VARCHAR": t.STRING,
    "BYTES": t.BYTES,
    "DATE": t.DATE,
    "TIME": t.TIME,
    "TIMESTAMP": t.TIMESTAMP,
}

TypeLookup = Callable[[str], "t.SqlType | None"]


@dataclass(frozen=True, slots=True)
class Type(Node):
    """Base of type syntax nodes."""

    def resolve(self, lookup: TypeLookup) -> t.SqlType:
        """The SqlType this names, looking custom type names up with `lookup`."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class BuiltinType(Type):
    """A type built only from ksqlDB's own types, e.g. `ARRAY<DECIMAL(4, 2)>`."""

    sql_type: t.SqlType

    def resolve(self, lookup: TypeLookup) -> t.SqlType:
        return self.sql_type


@dataclass(frozen=True, slots=True)
class CustomType(Type):
    """A reference to a type registered with CREATE TYPE."""

    name: str

    def resolve(self, lookup: TypeLookup) -> t.SqlType:
        found = lookup(self.name)
        if found is None:
            raise SqlError(
                f"Cannot resolve unknown type: {self.name}",
                line=self.span.line or None,
                column=self.span.column or None,
                span=(self.span.start, self.span.end),
            )
        return found


@dataclass(frozen=True, slots=True)
class ArrayType(Type):
    """An ARRAY whose element type involves a custom type."""

    element: Type

    def resolve(self, lookup: TypeLookup) -> t.SqlType:
        return t.array(self.element.resolve(lookup))


@dataclass(frozen=True, slots=True)
class MapType(Type):
    """A MAP whose key or value type involves a custom type."""

    key: Type
    value: Type

    def resolve(self, lookup: TypeLookup) -> t.SqlType:
        return t.map_of(self.key.resolve(lookup), self.value.resolve(lookup))


@dataclass(frozen=True, slots=True)
class StructTypeField(Node):
    name: str
    type: Type


@dataclass(frozen=True, slots=True)
class StructType(Type):
    """A STRUCT with at least one field whose type involves a custom type."""

    fields: tuple[StructTypeField, ...]

    def resolve(self, lookup: TypeLookup) -> t.SqlType:
        return t.struct(*((f.name, f.type.resolve(lookup)) for f in self.fields))
