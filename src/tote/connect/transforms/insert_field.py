"""`InsertField$Key` / `$Value`: add the record's topic, partition, offset, timestamp or a
static string as fields (say, to keep where each row came from in the sink table).

A field name may end in `!` (required field) or `?` (optional, the default).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

from tote.connect.configdef import ConfigDef, ConfigKey, ConfigType, Importance
from tote.connect.data import (
    TIMESTAMP,
    Schema,
    SinkRecord,
    Struct,
    Type,
    logical_schema,
    primitive,
)
from tote.connect.errors import ConfigException, DataException
from tote.connect.transforms.struct_or_map import StructOrMapTransform
from tote.connect.transforms.support import (
    config_error,
    field_value,
    key_and_value,
    rebuilt_struct,
    replace_null_key,
)

PURPOSE = "field insertion"
OPTIONALITY_DOC = ("Suffix with <code>!</code> to make this a required field, or <code>?</code> "
                   "to keep it optional (the default).")
M = Importance.MEDIUM


class Spec(NamedTuple):
    """A field to insert: its name and whether it is optional."""

    name: str
    optional: bool

    @classmethod
    def parse(cls, spec: str | None) -> Spec | None:
        if spec is None:
            return None
        if spec.endswith("?"):
            return cls(spec[:-1], True)
        if spec.endswith("!"):
            return cls(spec[:-1], False)
        return cls(spec, True)


def _key(name: str, doc: str) -> ConfigKey:
    return ConfigKey(name, ConfigType.STRING, None, M, doc)


class InsertField(StructOrMapTransform):
    """Insert field(s) using attributes from the record metadata or a configured static
    value."""

    config_def: ClassVar[ConfigDef] = ConfigDef([
        _key("topic.field", f"Field name for Kafka topic. {OPTIONALITY_DOC}"),
        _key("partition.field", f"Field name for Kafka partition. {OPTIONALITY_DOC}"),
        _key("offset.field", "Field name for Kafka offset - only applicable to sink "
             f"connectors.<br/>{OPTIONALITY_DOC}"),
        _key("timestamp.field", f"Field name for record timestamp. {OPTIONALITY_DOC}"),
        _key("static.field", f"Field name for static data field. {OPTIONALITY_DOC}"),
        _key("static.value", "Static field value, if field name configured."),
        replace_null_key(),
    ])
    purpose = PURPOSE

    def __init__(self, props: Any) -> None:
        super().__init__(props)
        self.topic = Spec.parse(props["topic.field"])
        self.partition = Spec.parse(props["partition.field"])
        self.offset = Spec.parse(props["offset.field"])
        self.timestamp = Spec.parse(props["timestamp.field"])
        self.static = Spec.parse(props["static.field"])
        self.static_value: str | None = props["static.value"]
        if not (self.topic or self.partition or self.offset or self.timestamp or self.static):
            raise ConfigException("No field insertion configured")
        if self.static is not None and self.static_value is None:
            raise config_error("static.value", None,
                               f"No value specified for static field: {self.static.name}")

    def _inserted(self, record: SinkRecord, *, typed: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.topic:
            out[self.topic.name] = record.topic
        if self.partition:
            out[self.partition.name] = record.partition
        if self.offset:
            out[self.offset.name] = record.offset
        if self.timestamp and record.timestamp is not None:
            out[self.timestamp.name] = datetime.datetime.fromtimestamp(
                record.timestamp / 1000, datetime.UTC) if typed else record.timestamp
        if self.static and self.static_value is not None:
            out[self.static.name] = self.static_value
        return out

    def updated_schema(self, schema: Schema) -> Schema:
        fields = [(f.name, f.schema) for f in schema.fields]
        added: list[tuple[Spec | None, Schema]] = [
            (self.topic, primitive(Type.STRING, optional=bool(self.topic and
                                                             self.topic.optional))),
            (self.partition, primitive(Type.INT32, optional=bool(
                self.partition and self.partition.optional))),
            (self.offset, primitive(Type.INT64, optional=bool(self.offset and
                                                             self.offset.optional))),
            (self.timestamp, logical_schema(TIMESTAMP, optional=bool(
                self.timestamp and self.timestamp.optional))),
            (self.static, primitive(Type.STRING, optional=bool(self.static and
                                                              self.static.optional))),
        ]
        names = [n for n, _ in fields]
        for spec, field_schema in added:
            if spec is None:
                continue
            if spec.name in names:  # Connect's SchemaBuilderException, a DataException
                raise DataException(
                    f"Cannot create field because of field name duplication {spec.name}")
            fields.append((spec.name, field_schema))
            names.append(spec.name)
        return rebuilt_struct(schema, fields)

    def updated_map(self, record: SinkRecord, source: Mapping[str, Any]) -> dict[str, Any]:
        return {**source, **self._inserted(record, typed=False)}

    def updated_values(self, record: SinkRecord, struct: Struct,
                       schema: Schema) -> dict[str, Any]:
        values = {f.name: field_value(struct, f, self.replace_null)
                  for f in struct.schema.fields}
        values.update(self._inserted(record, typed=True))
        return values


InsertFieldKey, InsertFieldValue = key_and_value(InsertField, "InsertField")
