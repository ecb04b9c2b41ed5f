"""HoistField: wrap the whole key or value in a one-field Struct (with a schema) or Map
(without), as Connect's `org.apache.kafka.connect.transforms.HoistField`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from tote.connect.configdef import NO_DEFAULT, ConfigDef, ConfigKey, ConfigType, Importance
from tote.connect.data import SinkRecord, Struct, struct_schema
from tote.connect.transforms.base import Transformation, register
from tote.connect.transforms.smt_support import KEY, VALUE, SchemaCache, Side, check_put

FIELD = "field"

CONFIG_DEF = ConfigDef([
    ConfigKey(FIELD, ConfigType.STRING, NO_DEFAULT, Importance.MEDIUM,
              "Field name for the single field that will be created in the resulting Struct "
              "or Map."),
])


class HoistField(Transformation):
    """Shared by `$Key` and `$Value`: the side is the subclass's `side`."""

    config_def: ClassVar[ConfigDef] = CONFIG_DEF
    side: ClassVar[Side]

    def __init__(self, props: Mapping[str, Any]) -> None:
        super().__init__(props)
        self.field: str = props[FIELD]
        self._schemas = SchemaCache()

    def apply(self, record: SinkRecord) -> SinkRecord | None:
        schema = self.side.schema(record)
        value = self.side.value(record)
        if schema is None:
            return self.side.replace(record, None, {self.field: value})
        updated = self._schemas.get(schema)
        if updated is None:
            updated = struct_schema(None, [(self.field, schema)])
            self._schemas.put(schema, updated)
        check_put(self.field, schema, value)
        return self.side.replace(record, updated, Struct(updated, {self.field: value}))


@register("org.apache.kafka.connect.transforms.HoistField$Key")
class HoistFieldKey(HoistField):
    side = KEY


@register("org.apache.kafka.connect.transforms.HoistField$Value")
class HoistFieldValue(HoistField):
    side = VALUE
