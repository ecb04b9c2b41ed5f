"""Kafka Connect's data model: schemas, structs and sink records, as small Python values.

Converters turn record bytes into these; the JDBC sink turns them into rows. A `Schema`
is immutable and built once per registered schema (converters cache them), so sinks can
compare schemas by identity on the hot path. Logical types (Decimal, Date, Time,
Timestamp) are Connect's named schemas; their values are `decimal.Decimal`,
`datetime.date`, `datetime.time` and `datetime.datetime` (UTC).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NamedTuple

from tote.core.records import Headers, LogRecord


class Type(Enum):
    """Connect's schema types, named as in Connect's JSON schemas."""

    INT8 = "int8"
    INT16 = "int16"
    INT32 = "int32"
    INT64 = "int64"
    FLOAT32 = "float32"
    FLOAT64 = "float64"
    BOOLEAN = "boolean"
    STRING = "string"
    BYTES = "bytes"
    ARRAY = "array"
    MAP = "map"
    STRUCT = "struct"

    @property
    def primitive(self) -> bool:
        return self not in (Type.ARRAY, Type.MAP, Type.STRUCT)


DECIMAL = "org.apache.kafka.connect.data.Decimal"
DATE = "org.apache.kafka.connect.data.Date"
TIME = "org.apache.kafka.connect.data.Time"
TIMESTAMP = "org.apache.kafka.connect.data.Timestamp"
LOGICAL_NAMES = frozenset({DECIMAL, DATE, TIME, TIMESTAMP})
SCALE = "scale"


@dataclass(frozen=True, slots=True)
class Field:
    """A named member of a STRUCT schema, at position `index`."""

    name: str
    index: int
    schema: Schema


@dataclass(frozen=True, slots=True, eq=True)
class Schema:
    """A Connect schema. Only the attributes of its `type` are set.

    `default` is None when the schema has no default (Connect cannot tell a null default
    from none either).
    """

    type: Type
    optional: bool = False
    default: Any = None
    name: str | None = None
    version: int | None = None
    doc: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()
    fields: tuple[Field, ...] = ()
    key_schema: Schema | None = None
    value_schema: Schema | None = None
    _by_name: dict[str, Field] = field(default_factory=dict, compare=False, repr=False,
                                       hash=False)

    def __post_init__(self) -> None:
        self._by_name.update({f.name: f for f in self.fields})

    def field(self, name: str) -> Field | None:
        return self._by_name.get(name)

    def parameter(self, key: str) -> str | None:
        return dict(self.parameters).get(key)

    @property
    def logical(self) -> str | None:
        """The logical type name (Decimal, Date, Time, Timestamp) or None."""
        return self.name if self.name in LOGICAL_NAMES else None

    @property
    def scale(self) -> int:
        return int(self.parameter(SCALE) or 0)

    def describe(self) -> str:
        """Connect's short rendering, e.g. `Schema{INT32}` or `Schema{io.x.Rec:STRUCT}`."""
        kind = self.type.name
        return f"Schema{{{self.name}:{kind}}}" if self.name else f"Schema{{{kind}}}"


def struct_schema(name: str | None, fields: list[tuple[str, Schema]], *, optional: bool = False,
                  version: int | None = None, doc: str | None = None) -> Schema:
    """A STRUCT schema from (name, schema) pairs, indexes assigned in order."""
    return Schema(Type.STRUCT, optional=optional, name=name, version=version, doc=doc,
                  fields=tuple(Field(n, i, s) for i, (n, s) in enumerate(fields)))


def primitive(kind: Type, *, optional: bool = False, default: Any = None) -> Schema:
    return Schema(kind, optional=optional, default=default)


def decimal_schema(scale: int, *, optional: bool = False, precision: int | None = None) -> Schema:
    params: list[tuple[str, str]] = [(SCALE, str(scale))]
    if precision is not None:
        params.append(("connect.decimal.precision", str(precision)))
    return Schema(Type.BYTES, optional=optional, name=DECIMAL, version=1,
                  parameters=tuple(params))


def logical_schema(name: str, *, optional: bool = False) -> Schema:
    kind = Type.INT64 if name == TIMESTAMP else Type.INT32
    return Schema(kind, optional=optional, name=name, version=1)


OPTIONAL_STRING = primitive(Type.STRING, optional=True)
OPTIONAL_BYTES = primitive(Type.BYTES, optional=True)


class Struct(NamedTuple):
    """A STRUCT value: its schema and the field values by name (missing means null).

    A NamedTuple because converters build one per record and tuples are the cheapest
    objects to build; `values` is the decoder's own dict, not a copy.
    """

    schema: Schema
    values: Mapping[str, Any]

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def __repr__(self) -> str:
        inner = ",".join(f"{f.name}={self.values.get(f.name)!r}" for f in self.schema.fields)
        return f"Struct{{{inner}}}"


class SinkRecord(NamedTuple):
    """A converted record as a sink task sees it, with the raw log record it came from."""

    topic: str
    partition: int
    offset: int
    key_schema: Schema | None
    key: Any
    value_schema: Schema | None
    value: Any
    timestamp: int
    headers: Headers
    raw: LogRecord
