"""ksqlDB's SQL type system, shared by the SQL engine and the serialisation formats.

It lives in core because both `serde` (schemas for AVRO / JSON_SR / PROTOBUF, KAFKA and
DELIMITED codecs) and `sql` (analyzer, expressions) need it, and serde sits below sql.
`str(t)` renders a type the way ksqlDB prints it (DESCRIBE, schema headers of queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Base(Enum):
    BOOLEAN = "BOOLEAN"
    INTEGER = "INTEGER"
    BIGINT = "BIGINT"
    DOUBLE = "DOUBLE"
    DECIMAL = "DECIMAL"
    STRING = "STRING"
    BYTES = "BYTES"
    DATE = "DATE"
    TIME = "TIME"
    TIMESTAMP = "TIMESTAMP"
    ARRAY = "ARRAY"
    MAP = "MAP"
    STRUCT = "STRUCT"


NUMERIC = frozenset({Base.INTEGER, Base.BIGINT, Base.DOUBLE, Base.DECIMAL})


@dataclass(frozen=True, slots=True)
class Field:
    """A named member of a STRUCT."""

    name: str
    type: SqlType


@dataclass(frozen=True, slots=True)
class SqlType:
    """A ksqlDB type. Only the attributes of its `base` are set."""

    base: Base
    precision: int | None = None
    scale: int | None = None
    element: SqlType | None = None
    key: SqlType | None = None
    value: SqlType | None = None
    fields: tuple[Field, ...] = ()

    def __str__(self) -> str:
        base = self.base
        if base is Base.DECIMAL:
            return f"DECIMAL({self.precision}, {self.scale})"
        if base is Base.ARRAY:
            return f"ARRAY<{self.element}>"
        if base is Base.MAP:
            return f"MAP<{self.key}, {self.value}>"
        if base is Base.STRUCT:
            inner = ", ".join(f"`{f.name}` {f.type}" for f in self.fields)
            return f"STRUCT<{inner}>"
        return str(base.value)

    @property
    def is_numeric(self) -> bool:
        return self.base in NUMERIC

    def field(self, name: str) -> Field | None:
        """The STRUCT field called `name`, if any."""
        for f in self.fields:
            if f.name == name:
                return f
        return None


BOOLEAN = SqlType(Base.BOOLEAN)
INTEGER = SqlType(Base.INTEGER)
BIGINT = SqlType(Base.BIGINT)
DOUBLE = SqlType(Base.DOUBLE)
STRING = SqlType(Base.STRING)
BYTES = SqlType(Base.BYTES)
DATE = SqlType(Base.DATE)
TIME = SqlType(Base.TIME)
TIMESTAMP = SqlType(Base.TIMESTAMP)


def decimal(precision: int, scale: int) -> SqlType:
    return SqlType(Base.DECIMAL, precision=precision, scale=scale)


def array(element: SqlType) -> SqlType:
    return SqlType(Base.ARRAY, element=element)


def map_of(key: SqlType, value: SqlType) -> SqlType:
    return SqlType(Base.MAP, key=key, value=value)


def struct(*fields: tuple[str, SqlType]) -> SqlType:
    return SqlType(Base.STRUCT, fields=tuple(Field(n, t) for n, t in fields))


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a stream or table: key columns form the record key, the rest the value."""

    name: str
    type: SqlType
    is_key: bool = False
    is_primary_key: bool = False
