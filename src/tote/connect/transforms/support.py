"""What Connect's SMTs share: `Requirements`' type checks, the Java class a Python value
stands for (Connect's messages name it), the `$Key` / `$Value` side a transform works on,
a schema cache, and the validators of their configs, with Connect's messages.

Java renders a list in a `ConfigException` as `[a, b]` (and a missing value as `null`),
not the REST form `a,b`; these validators say it the Java way.

tote values carry no Java class, so the class is inferred as Connect would see it: from
the schema when there is one, else as the JSON converter decodes schemaless data (whole
numbers are `Long`, fractions `Double`, arrays `ArrayList`, objects `HashMap`).
"""

from __future__ import annotations

import datetime
import decimal
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from tote.connect.configdef import ConfigKey, ConfigType, Importance
from tote.connect.data import Field, Schema, SinkRecord, Struct, Type
from tote.connect.errors import ConfigException, DataException
from tote.connect.transforms.base import register
from tote.core.java.regex import PatternSyntaxError, compile_java

PACKAGE = "org.apache.kafka.connect.transforms"
REPLACE_NULL_WITH_DEFAULT = "replace.null.with.default"
REPLACE_NULL_DOC = ("Whether to replace fields that have a default value and that are null to "
                    "the default value. When set to true, the default value is used, otherwise "
                    "null is used.")


def replace_null_key() -> ConfigKey:
    """The `replace.null.with.default` key every field-reading SMT declares."""
    return ConfigKey(REPLACE_NULL_WITH_DEFAULT, ConfigType.BOOLEAN, True, Importance.MEDIUM,
                     REPLACE_NULL_DOC)


# -- config validators ----------------------------------------------------------------------


def java_text(value: Any) -> str:
    """`String.valueOf(value)` for the values configs hold."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_text(v) for v in value) + "]"
    return str(value)


def config_error(name: str, value: Any, why: str) -> ConfigException:
    """Kafka's `ConfigException(name, value, message)`, value rendered as Java does."""
    return ConfigException(f"Invalid value {java_text(value)} for configuration {name}: {why}")


def non_empty_list(name: str, value: Any) -> None:
    """`NonEmptyListValidator`: it runs on a missing value too (then `null`)."""
    if not value:
        raise config_error(name, value, "Empty list")


def valid_regex(name: str, value: Any) -> None:
    """`RegexValidator` (a missing value is reported as missing only): Java's
    `PatternSyntaxException` message, as `Pattern.compile` would give it."""
    if value is None:
        return
    try:
        compile_java(str(value))
    except PatternSyntaxError as exc:
        raise config_error(name, value, f"Invalid regex: {exc}") from None


# -- Java classes and Connect's `Requirements` ----------------------------------------------

_BY_TYPE = {
    Type.INT8: "java.lang.Byte", Type.INT16: "java.lang.Short", Type.INT32: "java.lang.Integer",
    Type.INT64: "java.lang.Long", Type.FLOAT32: "java.lang.Float",
    Type.FLOAT64: "java.lang.Double", Type.BOOLEAN: "java.lang.Boolean",
    Type.STRING: "java.lang.String", Type.BYTES: "[B", Type.ARRAY: "java.util.ArrayList",
    Type.MAP: "java.util.HashMap", Type.STRUCT: "org.apache.kafka.connect.data.Struct",
}
_WIDTHS = {(Type.INT64, t) for t in (Type.INT8, Type.INT16, Type.INT32)} | {
    (Type.FLOAT64, Type.FLOAT32)}


def java_class(value: Any, schema: Schema | None = None) -> str:
    """The Java class name (`Class.getName`) of `value` as Connect would hold it; the
    schema tells a Python int or float's width (Integer or Long, Float or Double)."""
    if isinstance(value, decimal.Decimal):
        return "java.math.BigDecimal"
    if isinstance(value, (datetime.date, datetime.time)):
        return "java.util.Date"
    kind = inferred_type(value)
    if kind is None:
        return f"{type(value).__module__}.{type(value).__qualname__}"
    if schema is not None and (kind, schema.type) in _WIDTHS:
        return _BY_TYPE[schema.type]
    return _BY_TYPE[kind]


def inferred_type(value: Any) -> Type | None:
    """Connect's `ConnectSchema.schemaType(value.getClass())` for a schemaless value."""
    if isinstance(value, bool):
        return Type.BOOLEAN
    if isinstance(value, int):
        return Type.INT64
    if isinstance(value, float):
        return Type.FLOAT64
    if isinstance(value, str):
        return Type.STRING
    if isinstance(value, (bytes, bytearray)):
        return Type.BYTES
    if isinstance(value, list):
        return Type.ARRAY
    if isinstance(value, Struct):
        return Type.STRUCT
    if isinstance(value, Mapping):
        return Type.MAP
    return None


def java_class_text(value: Any, schema: Schema | None = None) -> str:
    """`value.getClass()` as Java prints it, e.g. `class java.lang.Long`."""
    return f"class {java_class(value, schema)}"


def require_schema(schema: Schema | None, purpose: str) -> Schema:
    if schema is None:
        raise DataException(f"Schema required for [{purpose}]")
    return schema


def require_map(value: Any, purpose: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or isinstance(value, Struct):
        found = "null" if value is None else java_class(value)
        raise DataException(f"Only Map objects supported in absence of schema for [{purpose}], "
                            f"found: {found}")
    return value


def require_struct(value: Any, purpose: str, schema: Schema | None = None) -> Struct:
    """`value` as a Struct; `schema` (the record's) names the Java class when it is not."""
    if not isinstance(value, Struct):
        found = "null" if value is None else java_class(value, schema)
        raise DataException(f"Only Struct objects supported for [{purpose}], found: {found}")
    return value


# -- Struct and Schema helpers --------------------------------------------------------------


def field_value(struct: Struct, field: Field, with_default: bool) -> Any:
    """`Struct.get(field)` (a null takes the field's default) or `getWithoutDefault`."""
    value = struct.values.get(field.name)
    if value is None and with_default:
        return field.schema.default
    return value


def check_put(name: str, schema: Schema, value: Any) -> None:
    """The null check of Connect's `Struct.put` (`ConnectSchema.validateValue`)."""
    if value is None and not schema.optional:
        raise DataException(f'Invalid value: null used for required field: "{name}", '
                            f"schema type: {schema.type.name}")


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def epoch_millis(value: Any) -> int:
    """A Date, Time or Timestamp value's `java.util.Date.getTime()`."""
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
        return (moment - _EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(value, datetime.date):
        return (value - _EPOCH.date()).days * 86_400_000
    if isinstance(value, datetime.time):
        return ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 \
            + value.microsecond // 1000
    raise DataException(f"Expected a java.util.Date, but found {java_class_text(value)}")


def copy_basics(source: Schema, kind: Type, **extra: Any) -> dict[str, Any]:
    """`SchemaUtil.copySchemaBasics`: name, version, doc and parameters (not optional or
    default), as keyword arguments for a new `Schema` of type `kind`."""
    basics: dict[str, Any] = {"name": source.name, "version": source.version, "doc": source.doc,
                              "parameters": source.parameters}
    if kind is Type.ARRAY and source.type is Type.ARRAY:
        basics["value_schema"] = source.value_schema
    basics.update(extra)
    return basics


def rebuilt_struct(source: Schema, fields: list[tuple[str, Schema]]) -> Schema:
    """`copySchemaBasics(source, SchemaBuilder.struct())` plus `fields`: the new schema is
    required, as Connect's is."""
    return Schema(Type.STRUCT, fields=tuple(Field(n, i, s) for i, (n, s) in enumerate(fields)),
                  **copy_basics(source, Type.STRUCT))


class SchemaCache:
    """Connect's `LRUCache<Schema, Schema>(16)` of derived schemas, keyed by the input
    schema's identity (tote builds each schema once, and hashing one is not cheap; the sink
    sees one new schema per source schema)."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._entries: OrderedDict[int, tuple[Schema, Schema]] = OrderedDict()

    def get(self, schema: Schema) -> Schema | None:
        entry = self._entries.get(id(schema))
        if entry is None or entry[0] is not schema:
            return None
        self._entries.move_to_end(id(schema))
        return entry[1]

    def put(self, schema: Schema, derived: Schema) -> None:
        self._entries[id(schema)] = (schema, derived)
        self._entries.move_to_end(id(schema))
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def derived(self, schema: Schema, build: Callable[[Schema], Schema]) -> Schema:
        """The cached schema derived from `schema`, built (and kept) on a miss."""
        found = self.get(schema)
        if found is None:
            found = build(schema)
            self.put(schema, found)
        return found


# -- `$Key` / `$Value` ----------------------------------------------------------------------


class Side:
    """The half of a record a `$Key` or `$Value` transform reads and replaces."""

    def __init__(self, key: bool) -> None:
        self.key = key

    def schema(self, record: SinkRecord) -> Schema | None:
        return record.key_schema if self.key else record.value_schema

    def value(self, record: SinkRecord) -> Any:
        return record.key if self.key else record.value

    def replace(self, record: SinkRecord, schema: Schema | None, value: Any) -> SinkRecord:
        if self.key:
            return record._replace(key_schema=schema, key=value)
        return record._replace(value_schema=schema, value=value)


KEY = Side(key=True)
VALUE = Side(key=False)


class Sided:
    """A transform shared by `$Key` and `$Value`: `side` is set by `key_and_value`."""

    side: ClassVar[Side]


S = TypeVar("S", bound=Sided)


def key_and_value(base: type[S], name: str) -> tuple[type[S], type[S]]:
    """Declare `base`'s `<name>$Key` and `<name>$Value` classes and register them under
    Connect's class names (`org.apache.kafka.connect.transforms.<name>$Key`)."""
    halves = []
    for half, side in (("Key", KEY), ("Value", VALUE)):
        cls = type(f"{base.__name__}{half}", (base,),
                   {"side": side, "__module__": base.__module__,
                    "__qualname__": f"{base.__name__}{half}",
                    "__doc__": f"`{name}${half}`."})
        halves.append(register(f"{PACKAGE}.{name}${half}")(cls))
    return halves[0], halves[1]
