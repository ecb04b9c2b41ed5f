"""`ExtractField$Key` / `$Value`: a struct or map is replaced by one of its fields (say,
the id of a struct key, so the JDBC sink gets a primitive key column); with
`field.syntax.version=V2` the field may be nested (`outer.inner`), as in Kafka 3.8+."""

from __future__ import annotations

from typing import Any, ClassVar

from tote.connect.configdef import NO_DEFAULT, ConfigDef, ConfigKey, ConfigType, Importance
from tote.connect.data import SinkRecord
from tote.connect.transforms.base import Transformation
from tote.connect.transforms.field_path import FIELD_SYNTAX_VERSION, FieldPath, syntax_version_key
from tote.connect.transforms.support import (
    Sided,
    key_and_value,
    replace_null_key,
    require_map,
    require_struct,
)

PURPOSE = "field extraction"


class ExtractField(Sided, Transformation):
    """Extract the specified field from a Struct when schema present, or a Map in the case
    of schemaless data. Any null values are passed through unmodified."""

    config_def: ClassVar[ConfigDef] = ConfigDef([
        ConfigKey("field", ConfigType.STRING, NO_DEFAULT, Importance.MEDIUM,
                  "Field name to extract."),
        replace_null_key(),
        syntax_version_key(),
    ])

    def __init__(self, props: Any) -> None:
        super().__init__(props)
        self.field = str(props["field"])
        self.replace_null = bool(props["replace.null.with.default"])
        # A V2 path with an unclosed backtick fails here, at task start, as in Kafka.
        self.path = FieldPath.parse(self.field, str(props[FIELD_SYNTAX_VERSION]))

    def apply(self, record: SinkRecord) -> SinkRecord:
        schema, value = self.side.schema(record), self.side.value(record)
        if schema is None:
            source = None if value is None else require_map(value, PURPOSE)
            return self.side.replace(record, None, self.path.value_from_map(source))
        struct = None if value is None else require_struct(value, PURPOSE)
        field = self.path.field_from(schema)
        if field is None:
            # Connect's IllegalArgumentException (error tolerance covers it all the same).
            raise UnknownField(f"Unknown field: {self.field}")
        extracted = self.path.value_from_struct(struct, self.replace_null)
        return self.side.replace(record, field.schema, extracted)


class UnknownField(ValueError):
    """Connect's IllegalArgumentException: the schema has no such field."""


ExtractFieldKey, ExtractFieldValue = key_and_value(ExtractField, "ExtractField")
