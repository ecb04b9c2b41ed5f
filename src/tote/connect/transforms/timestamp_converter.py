"""TimestampConverter: convert a timestamp field (or the whole key or value) between a
formatted string, Unix time, and Connect's Date, Time and Timestamp, as Connect's
`org.apache.kafka.connect.transforms.TimestampConverter`.

Every conversion goes through an instant in epoch milliseconds (Java's `java.util.Date`),
so sub-millisecond precision is lost as in Connect. The source format comes from the
schema (Timestamp/Date/Time by name, STRING is `format`, INT64 is Unix time) or, without
one, from the value (a string, a whole number, or a date/time).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from tote.connect.configdef import NO_DEFAULT, ConfigDef, ConfigKey, ConfigType, Importance, one_of
from tote.connect.data import (
    DATE,
    TIME,
    TIMESTAMP,
    Field,
    Schema,
    SinkRecord,
    Struct,
    Type,
    logical_schema,
    primitive,
)
from tote.connect.errors import ConfigException, ConnectException, DataException
from tote.connect.transforms.base import Transformation
from tote.connect.transforms.support import (
    REPLACE_NULL_WITH_DEFAULT,
    SchemaCache,
    Sided,
    copy_basics,
    epoch_millis,
    field_value,
    java_class_text,
    key_and_value,
    replace_null_key,
    require_map,
    require_struct,
)
from tote.core.java.simple_date_format import SimpleDateFormat

FIELD = "field"
TARGET_TYPE = "target.type"
FORMAT = "format"
UNIX_PRECISION = "unix.precision"
PURPOSE = "converting timestamp formats"

STRING, UNIX, DATE_TYPE, TIME_TYPE, TIMESTAMP_TYPE = "string", "unix", "Date", "Time", "Timestamp"
SECONDS, MILLIS, MICROS, NANOS = "seconds", "milliseconds", "microseconds", "nanoseconds"

CONFIG_DEF = ConfigDef([
    ConfigKey(FIELD, ConfigType.STRING, "", Importance.HIGH,
              "The field containing the timestamp, or empty if the entire value is a timestamp"),
    ConfigKey(TARGET_TYPE, ConfigType.STRING, NO_DEFAULT, Importance.HIGH,
              "The desired timestamp representation: string, unix, Date, Time, or Timestamp",
              validator=one_of(STRING, UNIX, DATE_TYPE, TIME_TYPE, TIMESTAMP_TYPE,
                               case_insensitive=False)),
    ConfigKey(FORMAT, ConfigType.STRING, "", Importance.MEDIUM,
              "A SimpleDateFormat-compatible format for the timestamp. Used to generate the "
              "output when type=string or used to parse the input if the input is a string."),
    ConfigKey(UNIX_PRECISION, ConfigType.STRING, MILLIS, Importance.LOW,
              "The desired Unix precision for the timestamp: seconds, milliseconds, "
              "microseconds, or nanoseconds. Used to generate the output when type=unix or "
              "used to parse the input if the input is a Long.Note: This SMT will cause "
              "precision loss during conversions from, and to, values with sub-millisecond "
              "components.",
              validator=one_of(NANOS, MICROS, MILLIS, SECONDS, case_insensitive=False)),
    replace_null_key(),
])

_DAY_MS = 86_400_000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
# Milliseconds per unit of each precision, as (multiply, divide).
_SCALE = {SECONDS: (1000, 1), MILLIS: (1, 1), MICROS: (1, 1000), NANOS: (1, 1_000_000)}
_SCHEMAS = {
    STRING: (primitive(Type.STRING), primitive(Type.STRING, optional=True)),
    UNIX: (primitive(Type.INT64), primitive(Type.INT64, optional=True)),
    DATE_TYPE: (logical_schema(DATE), logical_schema(DATE, optional=True)),
    TIME_TYPE: (logical_schema(TIME), logical_schema(TIME, optional=True)),
    TIMESTAMP_TYPE: (logical_schema(TIMESTAMP), logical_schema(TIMESTAMP, optional=True)),
}


def _truncating_div(a: int, b: int) -> int:
    """Java's `/` on longs (rounds toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _saturating(value: int) -> int:
    """`TimeUnit` conversions clamp to the long range instead of overflowing."""
    return max(_LONG_MIN, min(_LONG_MAX, value))


def _from_java_date(value: Any, expected: str) -> int:
    if not isinstance(value, (datetime.date, datetime.time)):
        raise DataException(f"Expected {expected} to be a java.util.Date, but found "
                            f"{java_class_text(value)}")
    return epoch_millis(value)


def _moment(millis: int) -> datetime.datetime:
    try:
        return _EPOCH + datetime.timedelta(milliseconds=millis)
    except OverflowError:
        raise DataException(f"Timestamp {millis} is outside the supported range") from None


def schema_type(schema: Schema) -> str:
    """Connect's `timestampTypeFromSchema`."""
    if schema.name == TIMESTAMP:
        return TIMESTAMP_TYPE
    if schema.name == DATE:
        return DATE_TYPE
    if schema.name == TIME:
        return TIME_TYPE
    if schema.type is Type.STRING:
        return STRING
    if schema.type is Type.INT64:
        return UNIX
    raise ConnectException(f"Schema {schema.describe()} does not correspond to a known "
                           "timestamp type format")


def inferred_timestamp_type(value: Any) -> str:
    """Connect's `inferTimestampType`: a date/time is a Timestamp (Date, Time and
    Timestamp share `java.util.Date` in Java), a whole number Unix time, text a string."""
    if isinstance(value, (datetime.date, datetime.time)):
        return TIMESTAMP_TYPE
    if isinstance(value, int) and not isinstance(value, bool):
        return UNIX
    if isinstance(value, str):
        return STRING
    raise DataException(f"TimestampConverter does not support {java_class_text(value)} "
                        "objects as timestamps")


class TimestampConverter(Sided, Transformation):
    """Shared by `$Key` and `$Value`."""

    config_def: ClassVar[ConfigDef] = CONFIG_DEF

    def __init__(self, props: Mapping[str, Any]) -> None:
        super().__init__(props)
        self.field: str = props.get(FIELD, "")
        self.target: str = props[TARGET_TYPE]
        self.precision: str = props.get(UNIX_PRECISION, MILLIS)
        self.with_default: bool = props.get(REPLACE_NULL_WITH_DEFAULT, True)
        pattern: str = props.get(FORMAT) or ""
        if self.target == STRING and not pattern.strip():
            raise ConfigException("TimestampConverter requires format option to be specified "
                                  "when using string timestamps")
        self.format: SimpleDateFormat | None = None
        if pattern.strip():
            try:
                self.format = SimpleDateFormat(pattern)
            except ValueError:
                raise ConfigException("TimestampConverter requires a SimpleDateFormat-compatible"
                                      f" pattern for string timestamps: {pattern}") from None
        self._to_type: Callable[[int], Any] = {
            STRING: self._to_string, UNIX: self._to_unix, DATE_TYPE: self._to_date,
            TIME_TYPE: self._to_time, TIMESTAMP_TYPE: _moment,
        }[self.target]
        self._schemas = SchemaCache()

    def apply(self, record: SinkRecord) -> SinkRecord | None:
        schema = self.side.schema(record)
        value = self.side.value(record)
        if schema is None:
            if value is None or not self.field:
                return self.side.replace(record, None, self.convert(value, None))
            source = require_map(value, PURPOSE)
            updated = dict(source)
            updated[self.field] = self.convert(source.get(self.field), None)
            return self.side.replace(record, None, updated)
        if not self.field:
            return self.side.replace(record, self._type_schema(schema.optional),
                                     self.convert(value, schema_type(schema)))
        struct = None if value is None else require_struct(value, PURPOSE, schema)
        new_schema = self._schema(schema)
        return self.side.replace(record, new_schema, self._struct(struct, new_schema))

    def _type_schema(self, optional: bool) -> Schema:
        return _SCHEMAS[self.target][1 if optional else 0]

    def _schema(self, schema: Schema) -> Schema:
        return self._schemas.derived(schema, self._build_schema)

    def _build_schema(self, schema: Schema) -> Schema:
        if schema.type is not Type.STRUCT:
            raise DataException("Cannot list fields on non-struct type")
        fields = tuple(
            Field(f.name, f.index, self._type_schema(f.schema.optional))
            if f.name == self.field else f for f in schema.fields)
        shell = Schema(Type.STRUCT, optional=schema.optional, fields=fields,
                       **copy_basics(schema, Type.STRUCT))
        built = shell
        if isinstance(schema.default, Struct):
            built = Schema(Type.STRUCT, optional=schema.optional, fields=fields,
                           default=self._struct(schema.default, shell),
                           **copy_basics(schema, Type.STRUCT))
        return built

    def _struct(self, struct: Struct | None, new_schema: Schema) -> Struct | None:
        if struct is None:
            return None
        values: dict[str, Any] = {}
        for field in struct.schema.fields:
            value = field_value(struct, field, self.with_default)
            if field.name == self.field:
                value = self.convert(value, schema_type(field.schema))
            values[field.name] = value
        return Struct(new_schema, values)

    def convert(self, value: Any, source: str | None) -> Any:
        """Connect's `convertTimestamp`: `source` is the value's format, or None to infer."""
        if value is None:
            return None
        kind = source or inferred_timestamp_type(value)
        return self._to_type(self._to_raw(value, kind))

    def _to_raw(self, value: Any, kind: str) -> int:
        if kind == STRING:
            if not isinstance(value, str):
                raise DataException("Expected string timestamp to be a String, but found "
                                    f"{java_class_text(value)}")
            if self.format is None:
                raise ConnectException("Cannot parse a string timestamp: no format is set")
            try:
                return self.format.parse(value)
            except (ValueError, OverflowError):
                raise DataException(f"Could not parse timestamp: value ({value}) does not "
                                    f"match pattern ({self.format.pattern})") from None
        if kind == UNIX:
            if not isinstance(value, int) or isinstance(value, bool):
                raise DataException("Expected Unix timestamp to be a Long, but found "
                                    f"{java_class_text(value)}")
            multiply, divide = _SCALE[self.precision]
            return _saturating(_truncating_div(value * multiply, divide))
        return _from_java_date(value, kind)

    def _to_string(self, millis: int) -> str:
        assert self.format is not None  # required for string targets at configure
        try:
            return self.format.format(millis)
        except (OverflowError, ValueError):
            raise DataException(f"Timestamp {millis} is outside the supported range") from None

    def _to_unix(self, millis: int) -> int:
        multiply, divide = _SCALE[self.precision]
        return _saturating(_truncating_div(millis * divide, multiply))

    def _to_date(self, millis: int) -> datetime.date:
        return _moment(millis - millis % _DAY_MS).date()

    def _to_time(self, millis: int) -> datetime.time:
        return _moment(millis % _DAY_MS).time()


TimestampConverterKey, TimestampConverterValue = key_and_value(TimestampConverter,
                                                               "TimestampConverter")
