"""`ExtractField$Key` / `$Value`: a struct or map is replaced by one of its fields (say,
the id of a struct key, so the JDBC sink gets a primitive key column)."""

from __future__ import annotations

from typing import Any, ClassVar

from tote.connect.configdef import (
    NO_DEFAULT,
    ConfigDef,
    ConfigKey,
    ConfigType,
    Importance,
    one_of,
)
from tote.connect.data import SinkRecord
from tote.connect.errors import ConfigException
from tote.connect.transforms.base import Transformation
from tote.connect.transforms.support import (
    Sided,
    field_value,
    key_and_value,
    replace_null_key,
    require_map,
    require_struct,
)

PURPOSE = "field extraction"
SYNTAX_DOC = ("Defines the version of the syntax to access fields. If set to `V1`, then the "
              "field paths are limited to access the elements at the root level of the struct "
              "or map. If set to `V2`, the syntax will support accessing nested elements. To "
              "access nested elements, dotted notation is used. If dots are already included "
              "in the field name, then backtick pairs can be used to wrap field names "
              "containing dots. E.g. to access the subfield `baz` from a field named \"foo.bar\" "
              "in a struct/map the following format can be used to access its elements: "
              "\"`foo.bar`.baz\".")


class ExtractField(Sided, Transformation):
    """Extract the specified field from a Struct when schema present, or a Map in the case
    of schemaless data. Any null values are passed through unmodified."""

    config_def: ClassVar[ConfigDef] = ConfigDef([
        ConfigKey("field", ConfigType.STRING, NO_DEFAULT, Importance.MEDIUM,
                  "Field name to extract."),
        replace_null_key(),
        ConfigKey("field.syntax.version", ConfigType.STRING, "V1", Importance.HIGH, SYNTAX_DOC,
                  validator=one_of(
                      "V1", "V2", message="String must be one of (case insensitive): V1, V2")),
    ])

    def __init__(self, props: Any) -> None:
        super().__init__(props)
        self.field = str(props["field"])
        self.replace_null = bool(props["replace.null.with.default"])
        if str(props["field.syntax.version"]).upper() == "V2":
            # Nested paths (KIP-821) are not emulated: refuse them rather than misread them.
            raise ConfigException("tote's ExtractField supports field.syntax.version V1 only")

    def apply(self, record: SinkRecord) -> SinkRecord:
        schema, value = self.side.schema(record), self.side.value(record)
        if schema is None:
            found = None if value is None else require_map(value, PURPOSE).get(self.field)
            return self.side.replace(record, None, found)
        struct = None if value is None else require_struct(value, PURPOSE)
        field = schema.field(self.field)
        if field is None:
            # Connect's IllegalArgumentException (error tolerance covers it all the same).
            raise UnknownField(f"Unknown field: {self.field}")
        extracted = None if struct is None else field_value(struct, field, self.replace_null)
        return self.side.replace(record, field.schema, extracted)


class UnknownField(ValueError):
    """Connect's IllegalArgumentException: the schema has no such field."""


ExtractFieldKey, ExtractFieldValue = key_and_value(ExtractField, "ExtractField")
