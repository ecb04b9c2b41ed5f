"""Key and value formats of a new source or sink, from WITH properties and config.

This is ksqlDB's DefaultFormatInjector plus CreateSourceProperties: FORMAT sets both
sides; a missing key format falls back to `ksql.persistence.default.format.key`, a missing
value format to `...format.value` (or it is an error); schema names, delimiters and
schema ids become format properties.
"""

from __future__ import annotations

from tote.serde.delimited import parse_delimiter
from tote.serde.errors import InvalidSchema
from tote.serde.ksql_schemas import key_schema_full_name
from tote.sql.analyzer.with_clause import WithProps
from tote.sql.config import DEFAULT_KEY_FORMAT, DEFAULT_VALUE_FORMAT, Config
from tote.sql.errors import StatementError
from tote.sql.formats import (
    AVRO_FULL_NAME,
    DELIMITER,
    NULLABLE_REPRESENTATION,
    PROTOBUF_FORMATS,
    SCHEMA_ID,
    UNWRAP_PRIMITIVES,
    format_of,
)
from tote.sql.sources import FormatInfo


def key_properties(props: WithProps, fmt: str, source_name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    schema_name = props.string("KEY_SCHEMA_FULL_NAME")
    if schema_name is not None:
        out[AVRO_FULL_NAME] = schema_name
    elif fmt == "AVRO":
        out[AVRO_FULL_NAME] = key_schema_full_name(source_name)
    delimiter = _delimiter(props, "KEY_DELIMITER")
    if delimiter is not None:
        out[DELIMITER] = delimiter
    out.update(_protobuf_properties(props, fmt, "KEY_PROTOBUF_NULLABLE_REPRESENTATION"))
    schema_id = props.integer("KEY_SCHEMA_ID")
    if schema_id is not None:
        out[SCHEMA_ID] = str(schema_id)
    return out


def _delimiter(props: WithProps, name: str) -> str | None:
    """A KEY_/VALUE_DELIMITER, refused when the source is created (as ksqlDB does), not
    when the first row is written."""
    text = props.string(name)
    if text is not None:
        try:
            parse_delimiter(text)
        except InvalidSchema as exc:
            raise StatementError(
                f"Failed to prepare statement: Configuration {name} is invalid: {exc.detail}"
            ) from None
    return text


def _protobuf_properties(props: WithProps, fmt: str, nullable_name: str) -> dict[str, str]:
    """ksqlDB marks new PROTOBUF formats `unwrapPrimitives=true`, and records the
    `*_PROTOBUF_NULLABLE_REPRESENTATION` of either protobuf format."""
    out: dict[str, str] = {}
    if fmt == "PROTOBUF":
        out[UNWRAP_PRIMITIVES] = "true"
    nullable = props.string(nullable_name)
    if nullable is not None and fmt in PROTOBUF_FORMATS:
        if nullable.upper() not in ("OPTIONAL", "WRAPPER"):
            raise StatementError(
                f"Invalid value {nullable} for property {nullable_name}: "
                "String must be one of: WRAPPER, OPTIONAL")
        out[NULLABLE_REPRESENTATION] = nullable.lower()
    return out


def value_properties(props: WithProps, fmt: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    schema_name = props.string("VALUE_AVRO_SCHEMA_FULL_NAME") or props.string(
        "VALUE_SCHEMA_FULL_NAME")
    if schema_name is not None:
        out[AVRO_FULL_NAME] = schema_name
    delimiter = _delimiter(props, "VALUE_DELIMITER")
    if delimiter is not None:
        out[DELIMITER] = delimiter
    out.update(_protobuf_properties(props, fmt, "VALUE_PROTOBUF_NULLABLE_REPRESENTATION"))
    schema_id = props.integer("VALUE_SCHEMA_ID")
    if schema_id is not None:
        out[SCHEMA_ID] = str(schema_id)
    return out


def create_key_format(props: WithProps, config: Config, source_name: str) -> FormatInfo:
    name = props.key_format_name or (config.get(DEFAULT_KEY_FORMAT) or "KAFKA").upper()
    name = format_of(name).name
    return FormatInfo(name).with_props(key_properties(props, name, source_name))


def create_value_format(props: WithProps, config: Config) -> FormatInfo:
    name = props.value_format_name or (config.get(DEFAULT_VALUE_FORMAT) or "").upper()
    if not name:
        raise StatementError(
            "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either "
            "provide one or set a default via the 'ksql.persistence.default.format.value' "
            "config.")
    name = format_of(name).name
    return FormatInfo(name).with_props(value_properties(props, name))


def check_schema_id_format(props: WithProps, info: FormatInfo, is_key: bool) -> None:
    """KEY/VALUE_SCHEMA_ID needs a format with schema inference; ksqlDB says so before it
    checks the format's other properties (schemaId among them)."""
    name = "KEY_SCHEMA_ID" if is_key else "VALUE_SCHEMA_ID"
    if props.integer(name) is None:
        return
    fmt_prop = "KEY_FORMAT" if is_key else "VALUE_FORMAT"
    if not format_of(info.name).schema_registry:
        raise StatementError(
            f"{fmt_prop} should support schema inference when {name} is provided. "
            f"Current format is {info.name}.")


def check_schema_id(props: WithProps, info: FormatInfo, is_key: bool,
                    has_elements: bool) -> None:
    """KEY/VALUE_SCHEMA_ID needs a format with schema inference and no declared columns."""
    name = "KEY_SCHEMA_ID" if is_key else "VALUE_SCHEMA_ID"
    if props.integer(name) is None:
        return
    check_schema_id_format(props, info, is_key)
    if has_elements:
        raise StatementError(
            f"Table elements and {name} cannot both exist for create statement.")
