"""The shape InsertField and ReplaceField share: a `$Key` / `$Value` SMT that rebuilds a
Struct (under a new schema, cached per source schema) or a schemaless Map, field by field;
a null key or value passes through unchanged."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from tote.connect.data import Schema, SinkRecord, Struct
from tote.connect.transforms.base import Transformation
from tote.connect.transforms.support import (
    REPLACE_NULL_WITH_DEFAULT,
    SchemaCache,
    Sided,
    require_map,
    require_struct,
)


class StructOrMapTransform(Sided, Transformation):
    """Subclasses say how the map, the schema and the struct's values change."""

    purpose: ClassVar[str]  # Connect's `Requirements` purpose, named in its messages

    def __init__(self, props: Mapping[str, Any]) -> None:
        super().__init__(props)
        self.replace_null = bool(props[REPLACE_NULL_WITH_DEFAULT])
        self._schemas = SchemaCache()

    def apply(self, record: SinkRecord) -> SinkRecord:
        value = self.side.value(record)
        if value is None:
            return record
        if self.side.schema(record) is None:
            found = require_map(value, self.purpose)
            return self.side.replace(record, None, self.updated_map(record, found))
        struct = require_struct(value, self.purpose)
        schema = self._schemas.derived(struct.schema, self.updated_schema)
        values = self.updated_values(record, struct, schema)
        return self.side.replace(record, schema, Struct(schema, values))

    @abstractmethod
    def updated_map(self, record: SinkRecord, source: Mapping[str, Any]) -> dict[str, Any]:
        """The schemaless result."""

    @abstractmethod
    def updated_schema(self, schema: Schema) -> Schema:
        """The new struct schema for `schema` (cached by the caller)."""

    @abstractmethod
    def updated_values(self, record: SinkRecord, struct: Struct,
                       schema: Schema) -> dict[str, Any]:
        """The new struct's values, `schema` being `updated_schema(struct.schema)`."""
