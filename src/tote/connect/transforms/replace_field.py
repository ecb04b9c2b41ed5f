"""`ReplaceField$Key` / `$Value`: keep, drop and rename fields (say, to match the column
names of an existing table). The older `whitelist` / `blacklist` names of `include` /
`exclude` (removed in Kafka 4.0) are still read, as Connect 3.x does."""

from __future__ import annotations

from typing import Any, ClassVar

from tote.connect.configdef import ConfigDef, ConfigKey, ConfigType, Importance
from tote.connect.data import Schema, SinkRecord, Struct
from tote.connect.transforms.base import Transformation, register
from tote.connect.transforms.support import (
    PACKAGE,
    KeyOrValue,
    SchemaCache,
    config_error,
    field_value,
    rebuilt_struct,
    require_map,
    require_struct,
)
from tote.connect.transforms.value_to_key import replace_null_key

PURPOSE = "field replacement"
L, M = Importance.LOW, Importance.MEDIUM


def parse_renames(mappings: list[str]) -> dict[str, str]:
    """`from:to` pairs; Java's `split(":")` drops trailing empty parts, so `a:` is invalid."""
    out: dict[str, str] = {}
    for mapping in mappings:
        parts = mapping.split(":")
        while parts and parts[-1] == "":
            parts.pop()
        if len(parts) != 2:
            raise config_error("renames", mappings, f"Invalid rename mapping: {mapping}")
        out[parts[0]] = parts[1]
    return out


def _renames(name: str, value: Any) -> None:
    parse_renames(list(value or []))


class ReplaceField(KeyOrValue, Transformation):
    """Filter or rename fields."""

    config_def: ClassVar[ConfigDef] = ConfigDef([
        ConfigKey("exclude", ConfigType.LIST, [], M,
                  "Fields to exclude. This takes precedence over the fields to include."),
        ConfigKey("blacklist", ConfigType.LIST, None, L, "Deprecated. Use exclude instead."),
        ConfigKey("include", ConfigType.LIST, [], M,
                  "Fields to include. If specified, only these fields will be used."),
        ConfigKey("whitelist", ConfigType.LIST, None, L, "Deprecated. Use include instead."),
        ConfigKey("renames", ConfigType.LIST, [], M, "Field rename mappings.",
                  validator=_renames),
        replace_null_key(),
    ])

    def __init__(self, props: Any) -> None:
        super().__init__(props)
        self.exclude = set(props["exclude"] or props.get("blacklist") or [])
        self.include = set(props["include"] or props.get("whitelist") or [])
        self.renames = parse_renames(list(props["renames"]))
        self.reverse = {to: source for source, to in self.renames.items()}
        self.replace_null = bool(props["replace.null.with.default"])
        self._schemas = SchemaCache(self._updated_schema)

    def _keep(self, name: str) -> bool:
        return name not in self.exclude and (not self.include or name in self.include)

    def _updated_schema(self, schema: Schema) -> Schema:
        return rebuilt_struct(schema, [(self.renames.get(f.name, f.name), f.schema)
                                       for f in schema.fields if self._keep(f.name)])

    def apply(self, record: SinkRecord) -> SinkRecord:
        value = self.value_of(record)
        if value is None:
            return record
        if self.schema_of(record) is None:
            found = require_map(value, PURPOSE)
            return self.updated(record, None, {self.renames.get(k, k): v
                                               for k, v in found.items() if self._keep(k)})
        struct = require_struct(value, PURPOSE)
        schema = self._schemas.get(struct.schema)
        values = {}
        for field in schema.fields:
            source = struct.schema.field(self.reverse.get(field.name, field.name))
            values[field.name] = None if source is None else field_value(
                struct, source, self.replace_null)
        return self.updated(record, schema, Struct(schema, values))


@register(f"{PACKAGE}.ReplaceField$Key")
class ReplaceFieldKey(ReplaceField):
    KEY = True


@register(f"{PACKAGE}.ReplaceField$Value")
class ReplaceFieldValue(ReplaceField):
    KEY = False
