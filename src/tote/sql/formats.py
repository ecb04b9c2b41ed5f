"""ksqlDB's serialisation formats as the analyzer sees them: names, features, limits.

Each format says which serde features it supports (wrapping of single keys/values),
which types it can carry as a key, whether it can infer columns from the schema
registry, and which format properties it accepts. The checks raise ksqlDB's messages so
that a CREATE or a query that the format cannot serialise fails before anything exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tote.core.types import Base, SqlType
from tote.sql.errors import StatementError
from tote.sql.sources import FormatInfo, SerdeFeature, SourceColumn, render_columns

_WRAP = frozenset({SerdeFeature.WRAP_SINGLES, SerdeFeature.UNWRAP_SINGLES})
_UNWRAP = frozenset({SerdeFeature.UNWRAP_SINGLES})
_KAFKA_TYPES = frozenset({Base.INTEGER, Base.BIGINT, Base.DOUBLE, Base.STRING, Base.BYTES})

# Format properties: (WITH name, format property name).
AVRO_FULL_NAME = "fullSchemaName"
SCHEMA_ID = "schemaId"
DELIMITER = "delimiter"
UNWRAP_PRIMITIVES = "unwrapPrimitives"
NULLABLE_REPRESENTATION = "nullableRepresentation"
PROTOBUF_FORMATS = frozenset({"PROTOBUF", "PROTOBUF_NOSR"})


@dataclass(frozen=True, slots=True)
class Format:
    """What one format supports."""

    name: str
    features: frozenset[SerdeFeature]
    schema_registry: bool = False
    properties: frozenset[str] = frozenset()
    multi_column_key: bool = True
    complex_types: bool = True

    def supports(self, feature: SerdeFeature) -> bool:
        return feature in self.features

    @property
    def wraps_and_unwraps(self) -> bool:
        return self.features >= _WRAP


FORMATS: dict[str, Format] = {
    "JSON": Format("JSON", _WRAP),
    "JSON_SR": Format("JSON_SR", _WRAP, True, frozenset({AVRO_FULL_NAME, SCHEMA_ID})),
    "AVRO": Format("AVRO", _WRAP, True, frozenset({AVRO_FULL_NAME, SCHEMA_ID})),
    "PROTOBUF": Format("PROTOBUF", frozenset({SerdeFeature.WRAP_SINGLES}), True,
                       frozenset({SCHEMA_ID, AVRO_FULL_NAME, UNWRAP_PRIMITIVES,
                                  NULLABLE_REPRESENTATION})),
    "PROTOBUF_NOSR": Format("PROTOBUF_NOSR", _WRAP,
                            properties=frozenset({UNWRAP_PRIMITIVES, NULLABLE_REPRESENTATION})),
    "DELIMITED": Format("DELIMITED", _UNWRAP, properties=frozenset({DELIMITER}),
                        complex_types=False),
    "KAFKA": Format("KAFKA", _UNWRAP, multi_column_key=False, complex_types=False),
    "NONE": Format("NONE", frozenset(), multi_column_key=False),
}


def format_of(name: str) -> Format:
    """The format called `name` (any case); ksqlDB's error for an unknown one."""
    found = FORMATS.get(name.upper())
    if found is None:
        raise StatementError(f"Unknown format: {name.upper()}")
    return found


def format_named(info: FormatInfo) -> Format:
    return format_of(info.name)


def _type_error(fmt: Format, sql: SqlType) -> str | None:
    """Why `fmt` cannot carry a column of type `sql`, or None."""
    if fmt.name == "KAFKA" and sql.base not in _KAFKA_TYPES:
        return f"The 'KAFKA' format does not support type '{sql.base.value}'"
    if fmt.name == "DELIMITED" and sql.base in (Base.ARRAY, Base.MAP, Base.STRUCT):
        return f"The 'DELIMITED' format does not support type '{sql.base.value}'"
    return None


def _contains_map(sql: SqlType) -> bool:
    if sql.base is Base.MAP:
        return True
    if sql.base is Base.ARRAY and sql.element is not None:
        return _contains_map(sql.element)
    if sql.base is Base.STRUCT:
        return any(_contains_map(f.type) for f in sql.fields)
    return False


def _map_key_error(fmt: Format, sql: SqlType) -> str | None:
    """AVRO and JSON only allow STRING map keys."""
    if sql.base is Base.MAP:
        assert sql.key is not None and sql.value is not None
        if sql.key.base is not Base.STRING:
            if fmt.name == "AVRO":
                return "Avro only supports MAPs with STRING keys"
            if fmt.name in ("JSON", "JSON_SR"):
                return "JSON only supports MAP types with STRING keys"
            if fmt.name in PROTOBUF_FORMATS:
                return ("PROTOBUF format only supports MAP types with STRING keys. "
                        "See https://github.com/confluentinc/ksql/issues/6177.")
        return _map_key_error(fmt, sql.value)
    if sql.base is Base.ARRAY and sql.element is not None:
        return _map_key_error(fmt, sql.element)
    if sql.base is Base.STRUCT:
        for fld in sql.fields:
            found = _map_key_error(fmt, fld.type)
            if found:
                return found
    return None


def check_no_map_key(name: str, sql: SqlType) -> None:
    """No key (a source's, a sink's or a repartition's) may hold a map: its serialised
    form is not stable, so equal keys could land on different partitions."""
    if _contains_map(sql):
        raise StatementError(
            "Map keys, including types that contain maps, are not supported as they may "
            "lead to unexpected behavior due to inconsistent serialization. "
            f"Key column name: `{name}`. Column type: {sql}. "
            "See https://github.com/confluentinc/ksql/issues/6621 for more.")


def check_key_columns(info: FormatInfo, columns: Sequence[SourceColumn],
                      created: bool = True) -> None:
    """The key format can serialise the key columns (ksqlDB's 'Key format does not support
    schema' checks). `created` is False for query sinks whose message has no wrapper."""
    fmt = format_named(info)
    if fmt.name == "NONE":
        if columns:
            raise StatementError(
                "The 'NONE' format can only be used when no columns are defined. "
                f"Got: [{render_columns(columns)}]")
        return
    for col in columns:
        check_no_map_key(col.name, col.type)
    reason: str | None = None
    if not fmt.multi_column_key and len(columns) > 1:
        reason = (f"The '{fmt.name}' format only supports a single field. "
                  f"Got: [{render_columns(columns)}]")
    else:
        for col in columns:
            reason = _type_error(fmt, col.type)
            if reason is not None:
                if fmt.name == "DELIMITED":
                    reason += f", column: `{col.name}`"
                break
    if reason is not None:
        raise StatementError(_unsupported("Key", info, columns, reason))
    for col in columns:
        found = _map_key_error(fmt, col.type)
        if found:
            raise StatementError(found)


def check_value_columns(info: FormatInfo, columns: Sequence[SourceColumn]) -> None:
    """The value format can serialise the value columns."""
    fmt = format_named(info)
    if fmt.name == "NONE":
        if columns:
            raise StatementError(
                "The 'NONE' format can only be used when no columns are defined. "
                f"Got: [{render_columns(columns)}]")
        return
    if fmt.name == "KAFKA" and len(columns) > 1:
        raise StatementError(
            f"The 'KAFKA' format only supports a single field. Got: [{render_columns(columns)}]")
    for col in columns:
        reason = _type_error(fmt, col.type)
        if reason is not None:
            if fmt.name == "DELIMITED":
                reason += f", column: `{col.name}`"
            raise StatementError(reason)
        found = _map_key_error(fmt, col.type)
        if found:
            raise StatementError(found)


def check_value_serde(info: FormatInfo, columns: Sequence[SourceColumn]) -> None:
    """`check_value_columns` as ksqlDB's value serde factory reports it when a write
    builds the serde (INSERT VALUES, /inserts-stream): the format's reason wrapped in
    'Value format does not support schema'."""
    try:
        check_value_columns(info, columns)
    except StatementError as exc:
        raise StatementError(_unsupported("Value", info, columns, exc.message)) from None


def _unsupported(side: str, info: FormatInfo, columns: Sequence[SourceColumn],
                 reason: str) -> str:
    """GenericSerdeFactory's message for a format that cannot build a serde."""
    features = sorted(f.value for f in info.features)
    return (f"{side} format does not support schema.\n"
            f"format: {format_named(info).name}\n"
            f"schema: Persistence{{columns=[{render_columns(columns)}], "
            f"features=[{', '.join(features)}]}}\n"
            f"reason: {reason}")


def key_features(info: FormatInfo, single_key: bool) -> frozenset[SerdeFeature]:
    """ksqlDB sets UNWRAP_SINGLES on single keys of formats that can do both."""
    fmt = format_named(info)
    if single_key and fmt.wraps_and_unwraps:
        return frozenset({SerdeFeature.UNWRAP_SINGLES})
    return frozenset()


def value_features(info: FormatInfo, single_column: bool, explicit: bool | None,
                   config_wrap: bool | None) -> frozenset[SerdeFeature]:
    """WRAP_SINGLE_VALUE (explicit) or `ksql.persistence.wrap.single.values` (config)."""
    fmt = format_named(info)
    if explicit is not None:
        feature = SerdeFeature.WRAP_SINGLES if explicit else SerdeFeature.UNWRAP_SINGLES
        if not fmt.supports(feature):
            raise StatementError(
                f"Format '{fmt.name}' does not support 'WRAP_SINGLE_VALUE' set to "
                f"'{'true' if explicit else 'false'}'.")
        if not single_column:
            raise StatementError(
                "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas")
        return frozenset({feature})
    if not single_column or config_wrap is None:
        return frozenset()
    feature = SerdeFeature.WRAP_SINGLES if config_wrap else SerdeFeature.UNWRAP_SINGLES
    return frozenset({feature}) if fmt.supports(feature) else frozenset()


def check_properties(info: FormatInfo) -> None:
    """Format properties the format does not accept, or empty ones."""
    fmt = format_named(info)
    unsupported = sorted(k for k, _ in info.properties if k not in fmt.properties)
    if unsupported:
        raise StatementError(
            f"{fmt.name} does not support the following configs: [{', '.join(unsupported)}]")
    name = info.prop(AVRO_FULL_NAME)
    if name is not None and not name.strip():
        raise StatementError(
            f"fullSchemaName cannot be empty. Format configuration: "
            f"{{{', '.join(f'{k}={v.strip()}' for k, v in info.properties)}}}")


def key_format_for(keys: Sequence[SourceColumn], info: FormatInfo) -> FormatInfo:
    """ksqlDB's key-format sanitising for a derived key: KAFKA/NONE cannot hold several
    columns, nor the types KAFKA lacks; such keys switch to JSON. Wrapping follows."""
    fmt = format_named(info)
    if (len(keys) > 1 and not fmt.multi_column_key) or any(
            _type_error(fmt, c.type) for c in keys):
        info = FormatInfo("JSON")
    return info.with_features(key_features(info, len(keys) == 1))


def props_of(mapping: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(mapping.items()))
