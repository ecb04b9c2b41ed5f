"""HoistField: wrap the whole key or value in a one-field Struct (with a schema) or Map
(without), as Connect's `org.apache.kafka.connect.transforms.HoistField`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from tote.connect.configdef import NO_DEFAULT, ConfigDef, ConfigKey, ConfigType, Importance
from tote.connect.data import Schema, SinkRecord, Struct, struct_schema
from tote.connect.transforms.base import Transformation
from tote.connect.transforms.support import SchemaCache, Sided, check_put, key_and_value

FIELD = "field"

CONFIG_DEF = ConfigDef([
    ConfigKey(FIELD, ConfigType.STRING, NO_DEFAULT, Importance.MEDIUM,
              "Field name for the single field that will be created in the resulting Struct "
              "or Map."),
])


class HoistField(Sided, Transformation):
    """Shared by `$Key` and `$Value`: the side is the subclass's `side`."""

    config_def: ClassVar[ConfigDef] = CONFIG_DEF

    def __init__(self, props: Mapping[str, Any]) -> None:
        super().__init__(props)
        self.field: str = props[FIELD]
        self._schemas = SchemaCache()

    def apply(self, record: SinkRecord) -> SinkRecord | None:
        schema = self.side.schema(record)
        value = self.side.value(record)
        if schema is None:
            return self.side.replace(record, None, {self.field: value})
        updated = self._schemas.derived(schema, self._hoisted)
        check_put(self.field, schema, value)
        return self.side.replace(record, updated, Struct(updated, {self.field: value}))

    def _hoisted(self, schema: Schema) -> Schema:
        return struct_schema(None, [(self.field, schema)])


HoistFieldKey, HoistFieldValue = key_and_value(HoistField, "HoistField")
