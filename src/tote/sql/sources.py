"""What the metastore knows about a stream or table: columns with roles, topic, formats.

A `DataSource` is immutable; every statement that changes the catalogue builds new values,
which is what lets a failed statement leave nothing behind. Column roles follow ksqlDB's
LogicalSchema: KEY columns form the record key, VALUE columns the record value, HEADER
columns come from record headers (all of them, or the one named by `header_key`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import Enum

from tote.core import types as t
from tote.core.types import SqlType


class ColumnRole(Enum):
    KEY = "KEY"
    VALUE = "VALUE"
    HEADER = "HEADER"


class SourceType(Enum):
    STREAM = "STREAM"
    TABLE = "TABLE"

    @property
    def lower(self) -> str:
        return self.value.lower()


# Pseudo columns every source exposes to queries (ksqlDB's SystemColumns).
ROWTIME = "ROWTIME"
ROWPARTITION = "ROWPARTITION"
ROWOFFSET = "ROWOFFSET"
WINDOWSTART = "WINDOWSTART"
WINDOWEND = "WINDOWEND"
PSEUDO_COLUMNS: dict[str, SqlType] = {ROWTIME: t.BIGINT, ROWPARTITION: t.INTEGER,
                                      ROWOFFSET: t.BIGINT}
WINDOW_BOUNDS: dict[str, SqlType] = {WINDOWSTART: t.BIGINT, WINDOWEND: t.BIGINT}
RESERVED_NAMES = frozenset({ROWTIME, ROWPARTITION, ROWOFFSET, WINDOWSTART, WINDOWEND})


@dataclass(frozen=True, slots=True)
class SourceColumn:
    """A column of a source's logical schema."""

    name: str
    type: SqlType
    role: ColumnRole = ColumnRole.VALUE
    header_key: str | None = None

    @property
    def is_key(self) -> bool:
        return self.role is ColumnRole.KEY

    def render(self, primary: bool = False) -> str:
        """`ID` INTEGER KEY, as ksqlDB prints a schema."""
        text = f"`{self.name}` {self.type}"
        if self.role is ColumnRole.KEY:
            return text + (" PRIMARY KEY" if primary else " KEY")
        if self.role is ColumnRole.HEADER:
            return text + (f" HEADER('{self.header_key}')" if self.header_key else " HEADERS")
        return text


class SerdeFeature(Enum):
    WRAP_SINGLES = "WRAP_SINGLES"
    UNWRAP_SINGLES = "UNWRAP_SINGLES"


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """A serialisation format with its properties (fullSchemaName, schemaId, delimiter...)."""

    name: str
    properties: tuple[tuple[str, str], ...] = ()
    features: frozenset[SerdeFeature] = frozenset()

    def prop(self, key: str) -> str | None:
        return dict(self.properties).get(key)

    def with_props(self, props: Mapping[str, str]) -> FormatInfo:
        return replace(self, properties=tuple(sorted(props.items())))

    def with_features(self, features: Iterable[SerdeFeature]) -> FormatInfo:
        return replace(self, features=frozenset(features))

    @property
    def unwrap(self) -> bool:
        return SerdeFeature.UNWRAP_SINGLES in self.features

    @property
    def wrap(self) -> bool:
        return SerdeFeature.WRAP_SINGLES in self.features


class WindowType(Enum):
    TUMBLING = "TUMBLING"
    HOPPING = "HOPPING"
    SESSION = "SESSION"


@dataclass(frozen=True, slots=True)
class WindowInfo:
    """A windowed key: tumbling/hopping windows have a size, sessions do not."""

    type: WindowType
    size_ms: int | None = None


@dataclass(frozen=True, slots=True)
class TimestampColumn:
    """WITH (TIMESTAMP='col', TIMESTAMP_FORMAT='...'): event time from a column."""

    column: str
    format: str | None = None


@dataclass(frozen=True, slots=True)
class DataSource:
    """A stream or table in the catalogue."""

    name: str
    type: SourceType
    columns: tuple[SourceColumn, ...]
    topic: str
    key_format: FormatInfo
    value_format: FormatInfo
    window: WindowInfo | None = None
    timestamp: TimestampColumn | None = None
    is_source: bool = False
    sql: str = ""
    # Whether the statement declared its columns (False: inferred from the registry).
    declared: bool = True
    key_schema_id: int | None = None
    value_schema_id: int | None = None
    # Created by CREATE ... AS SELECT: writes with the schema derived from its columns,
    # where other sources write with the schema registered for their topic.
    from_query: bool = False

    @property
    def is_table(self) -> bool:
        return self.type is SourceType.TABLE

    @property
    def key_columns(self) -> tuple[SourceColumn, ...]:
        return tuple(c for c in self.columns if c.role is ColumnRole.KEY)

    @property
    def value_columns(self) -> tuple[SourceColumn, ...]:
        return tuple(c for c in self.columns if c.role is ColumnRole.VALUE)

    @property
    def header_columns(self) -> tuple[SourceColumn, ...]:
        return tuple(c for c in self.columns if c.role is ColumnRole.HEADER)

    @property
    def hidden_value_slots(self) -> tuple[int, ...]:
        """Positions of value columns queries cannot see. Only ALTER ... ADD makes them:
        ksqlDB lets it add a value column named like a key or header column or a system
        column (ROWTIME...), and its processing schema leaves such a column out, so the
        name reads the key, header or system column. The topic's value still carries it."""
        hiding = RESERVED_NAMES | {c.name for c in self.columns if c.role is not ColumnRole.VALUE}
        return tuple(i for i, c in enumerate(self.value_columns) if c.name in hiding)

    @property
    def query_value_columns(self) -> tuple[SourceColumn, ...]:
        """The value columns a query reading the source sees (see `hidden_value_slots`)."""
        hidden = self.hidden_value_slots
        return tuple(c for i, c in enumerate(self.value_columns) if i not in hidden)

    def column(self, name: str) -> SourceColumn | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None

    def schema_text(self) -> str:
        """The schema as ksqlDB prints it: `ID` INTEGER KEY, `NAME` STRING."""
        return ", ".join(c.render(primary=self.is_table) for c in self.columns)


def render_columns(columns: Iterable[SourceColumn], primary: bool = False) -> str:
    return ", ".join(c.render(primary) for c in columns)
