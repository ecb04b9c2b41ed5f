"""Schemas of the intermediate stages of a query (ksqlDB's processing schemas).

A stage's record is a key tuple plus a value row. As in ksqlDB, the value row of a source
stage carries the value columns, the header columns, the pseudo columns (ROWTIME,
ROWPARTITION, ROWOFFSET), the window bounds of a windowed source, and copies of the key
columns, so every expression is evaluated against the value row alone. Each column keeps
the alias of the source it came from, which is how `alias.column` resolves after a join.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tote.core.types import SqlType
from tote.sql.expressions.scope import Binding, Scope
from tote.sql.sources import (
    PSEUDO_COLUMNS,
    WINDOW_BOUNDS,
    ColumnRole,
    DataSource,
    SourceColumn,
)


@dataclass(frozen=True, slots=True)
class Col:
    """A column of a stage: its name, type and the alias of the source it came from."""

    name: str
    type: SqlType
    qualifier: str | None = None


@dataclass(frozen=True, slots=True)
class Schema:
    """`equivalents[i]` are the value slots holding key column i (after a join several
    columns equal the key); empty means "the value column named like the key"."""

    key: tuple[Col, ...]
    value: tuple[Col, ...]
    equivalents: tuple[tuple[int, ...], ...] = ()

    def scope(self, clause: str = "") -> Scope:
        """Bindings of the value row: every column by name and by `alias.name`."""
        return Scope([Binding(c.name, c.qualifier, c.type, i)
                      for i, c in enumerate(self.value)], clause=clause)

    def slot(self, name: str, qualifier: str | None = None) -> int:
        for i, col in enumerate(self.value):
            if col.name == name and (qualifier is None or col.qualifier == qualifier):
                return i
        raise KeyError(name)

    def find(self, name: str, qualifier: str | None = None) -> Col | None:
        for col in self.value:
            if col.name == name and (qualifier is None or col.qualifier == qualifier):
                return col
        return None

    def key_slots(self) -> tuple[int, ...]:
        """The slot holding each key column in the value row."""
        return tuple(group[0] for group in self.key_groups())

    def key_groups(self) -> tuple[tuple[int, ...], ...]:
        """For each key column, every value slot equal to it."""
        if self.equivalents:
            return self.equivalents
        return tuple((self.slot(k.name, k.qualifier),) for k in self.key)

    def is_key(self, name: str) -> bool:
        return any(k.name == name for k in self.key)

    def columns(self) -> Iterator[Col]:
        yield from self.key
        yield from self.value


def source_schema(source: DataSource, alias: str) -> Schema:
    """The processing schema of a source read under `alias`."""
    keys = tuple(Col(c.name, c.type, alias) for c in source.key_columns)
    values: list[Col] = [Col(c.name, c.type, alias) for c in source.query_value_columns]
    values += [Col(c.name, c.type, alias) for c in source.header_columns]
    values += [Col(name, sql, alias) for name, sql in PSEUDO_COLUMNS.items()]
    if source.window is not None:
        values += [Col(name, sql, alias) for name, sql in WINDOW_BOUNDS.items()]
    values += list(keys)
    return Schema(keys, tuple(values))


def output_columns(schema: Schema) -> tuple[SourceColumn, ...]:
    """The logical columns of a sink with this (final) schema: keys, then values."""
    return tuple([SourceColumn(c.name, c.type, ColumnRole.KEY) for c in schema.key]
                 + [SourceColumn(c.name, c.type) for c in schema.value])
