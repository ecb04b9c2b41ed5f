"""`ReplaceField$Key` / `$Value`: keep, drop and rename fields (say, to match the column
names of an existing table). The older `whitelist` / `blacklist` names of `include` /
`exclude` (removed in Kafka 4.0) are still read, as Connect 3.x does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from tote.connect.configdef import ConfigDef, ConfigKey, ConfigType, Importance
from tote.connect.data import Schema, SinkRecord, Struct
from tote.connect.transforms.struct_or_map import StructOrMapTransform
from tote.connect.transforms.support import (
    config_error,
    field_value,
    key_and_value,
    rebuilt_struct,
    replace_null_key,
)

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


class ReplaceField(StructOrMapTransform):
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
    purpose = PURPOSE

    def __init__(self, props: Any) -> None:
        super().__init__(props)
        self.exclude = set(props["exclude"] or props.get("blacklist") or [])
        self.include = set(props["include"] or props.get("whitelist") or [])
        self.renames = parse_renames(list(props["renames"]))
        self.reverse = {to: source for source, to in self.renames.items()}

    def _keep(self, name: str) -> bool:
        return name not in self.exclude and (not self.include or name in self.include)

    def updated_schema(self, schema: Schema) -> Schema:
        return rebuilt_struct(schema, [(self.renames.get(f.name, f.name), f.schema)
                                       for f in schema.fields if self._keep(f.name)])

    def updated_map(self, record: SinkRecord, source: Mapping[str, Any]) -> dict[str, Any]:
        return {self.renames.get(k, k): v for k, v in source.items() if self._keep(k)}

    def updated_values(self, record: SinkRecord, struct: Struct,
                       schema: Schema) -> dict[str, Any]:
        values = {}
        for field in schema.fields:
            source = struct.schema.field(self.reverse.get(field.name, field.name))
            values[field.name] = None if source is None else field_value(
                struct, source, self.replace_null)
        return values


ReplaceFieldKey, ReplaceFieldValue = key_and_value(ReplaceField, "ReplaceField")
