"""`ValueToKey`: the record key becomes a struct (or map) of some value fields — the
usual way to give a JDBC sink with `pk.mode=record_key` a key when producers set none."""

from __future__ import annotations

from typing import Any, ClassVar

from tote.connect.configdef import NO_DEFAULT, ConfigDef, ConfigKey, ConfigType, Importance
from tote.connect.data import Schema, SinkRecord, Struct, Type, struct_schema
from tote.connect.errors import DataException
from tote.connect.transforms.base import Transformation, register
from tote.connect.transforms.support import (
    PACKAGE,
    SchemaCache,
    field_value,
    non_empty_list,
    replace_null_key,
    require_map,
    require_struct,
)

PURPOSE = "copying fields from value to key"


@register(f"{PACKAGE}.ValueToKey", "ValueToKey")
class ValueToKey(Transformation):
    """Replace the record key with a new key formed from a subset of fields in the value."""

    config_def: ClassVar[ConfigDef] = ConfigDef([
        ConfigKey("fields", ConfigType.LIST, NO_DEFAULT, Importance.HIGH,
                  "Field names on the record value to extract as the record key.",
                  validator=non_empty_list),
        replace_null_key(),
    ])

    def __init__(self, props: Any) -> None:
        super().__init__(props)
        self.fields: list[str] = list(props["fields"])
        self.replace_null = bool(props["replace.null.with.default"])
        self._schemas = SchemaCache()

    def _key_schema(self, value: Schema) -> Schema:
        members = []
        for name in self.fields:
            found = value.field(name)
            if found is None:
                raise DataException(f"Field does not exist: {name}")
            members.append((name, found.schema))
        return struct_schema(None, members)

    def apply(self, record: SinkRecord) -> SinkRecord:
        if record.value_schema is None:
            value = require_map(record.value, PURPOSE)
            key: Any = {name: value.get(name) for name in self.fields}
            return record._replace(key_schema=None, key=key)
        struct = require_struct(record.value, PURPOSE)
        schema = self._schemas.derived(struct.schema, self._key_schema)
        values = {}
        for name in self.fields:
            found = struct.schema.field(name)
            assert found is not None and schema.type is Type.STRUCT
            values[name] = field_value(struct, found, self.replace_null)
        return record._replace(key_schema=schema, key=Struct(schema, values))
