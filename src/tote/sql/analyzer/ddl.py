"""CREATE [OR REPLACE] [SOURCE] STREAM|TABLE (without AS SELECT): a new catalogue source.

Columns come from the statement, from the schema registry (schema inference when a side
declares no columns and its format has registry schemas), or both (a partial schema).
The result names the topic to create (when PARTITIONS is given and it does not exist)
and the schemas to register (declared columns in AVRO / JSON_SR).
"""

from __future__ import annotations

from dataclasses import dataclass

from tote.core.types import SqlType
from tote.registry import Registry
from tote.sql.analyzer.context import AnalysisContext, SchemaRegistration, SideEffects, TopicRequest
from tote.sql.analyzer.formats import (
    check_schema_id,
    check_schema_id_format,
    create_key_format,
    create_value_format,
)
from tote.sql.analyzer.timestamps import timestamp_column
from tote.sql.analyzer.upgrade import check_upgrade
from tote.sql.analyzer.with_clause import Kind, WithProps, parse_with
from tote.sql.ast.statements import ColumnConstraint, CreateSource, CreateTable, TableElement
from tote.sql.codecs import schemas
from tote.sql.config import WRAP_SINGLE_VALUES
from tote.sql.errors import ParseFailure, StatementError
from tote.sql.formats import (
    check_key_columns,
    check_properties,
    check_value_columns,
    format_of,
    key_features,
    value_features,
)
from tote.sql.sources import (
    RESERVED_NAMES,
    ColumnRole,
    DataSource,
    FormatInfo,
    SourceColumn,
    SourceType,
    WindowInfo,
    WindowType,
)

_STREAM_KEYS = ("Streams have KEYs, which have no uniqueness or NON NULL constraints.")
_TABLE_KEYS = "Tables have PRIMARY KEYs, which are unique and NON NULL."


@dataclass(frozen=True)
class CreateSourcePlan:
    source: DataSource
    effects: SideEffects
    replace: bool = False
    skip: bool = False


def analyze_create_source(statement: CreateSource, ctx: AnalysisContext) -> CreateSourcePlan:
    is_table = isinstance(statement, CreateTable)
    kind = SourceType.TABLE if is_table else SourceType.STREAM
    name = statement.name
    existing = ctx.metastore.source(name)
    if existing is not None and statement.if_not_exists:
        return CreateSourcePlan(existing, SideEffects(), skip=True)
    if existing is not None and not statement.or_replace:
        raise StatementError(
            f"Cannot add {kind.lower} '{name}': A {existing.type.lower} with the same name "
            "already exists")
    if statement.or_replace and (statement.is_source or (existing and existing.is_source)):
        raise StatementError(
            f"Cannot add {kind.lower} '{name}': CREATE OR REPLACE is not supported on source "
            f"{kind.lower}s.")
    _check_constraints(statement, is_table)
    props = parse_with(statement.properties, Kind.CREATE)
    topic = props.topic
    if topic is None:
        raise StatementError(
            'Missing required property "KAFKA_TOPIC" which has no default value.')
    key_info = create_key_format(props, ctx.config, name)
    value_info = create_value_format(props, ctx.config)
    check_schema_id_format(props, key_info, True)
    check_schema_id_format(props, value_info, False)
    check_properties(key_info)
    check_properties(value_info)

    declared = [_column(e, ctx) for e in statement.elements]
    _check_names(declared)
    keys = [c for c in declared if c.role is ColumnRole.KEY]
    values = [c for c in declared if c.role is ColumnRole.VALUE]
    headers = [c for c in declared if c.role is ColumnRole.HEADER]
    check_schema_id(props, key_info, True, bool(keys))
    check_schema_id(props, value_info, False, bool(values))

    inferred_keys = inferred_values = False
    if _should_infer(props, key_info, bool(keys), "KEY_SCHEMA_ID"):
        # Key inference always yields one unwrapped key column (ksqlDB's ROWKEY).
        keys = schemas.infer_columns(_registry(ctx), topic, True, key_info, "ROWKEY")
        inferred_keys = True
    if _should_infer(props, value_info, bool(values), "VALUE_SCHEMA_ID"):
        single = None
        if props.boolean("WRAP_SINGLE_VALUE") is False:
            single = "ROWVAL"
        values = schemas.infer_columns(_registry(ctx), topic, False, value_info, single)
        inferred_values = True
    columns = keys + values + headers
    if not columns:
        raise StatementError("No columns supplied.")
    if is_table and not keys:
        extra = ""
        if props.integer("VALUE_SCHEMA_ID") is not None:
            extra = ("\nUse a partial schema to define the primary key and still load the "
                     "value columns from the Schema Registry, for example:\n"
                     f"\tCREATE TABLE {name} (ID INT PRIMARY KEY) WITH (...);")
        raise StatementError("Tables require a PRIMARY KEY. Please define the PRIMARY KEY."
                             + extra)
    _check_names(columns)

    key_info = key_info.with_features(key_features(key_info, len(keys) == 1))
    value_info = value_info.with_features(value_features(
        value_info, len(values) == 1, props.boolean("WRAP_SINGLE_VALUE"),
        ctx.config.optional_flag(WRAP_SINGLE_VALUES)))
    check_key_columns(key_info, keys)
    check_value_columns(value_info, values)
    window = _window(props)
    if window is not None and not keys:
        raise StatementError("Windowed sources require a key column.")
    source = DataSource(
        name=name, type=kind, columns=tuple(columns), topic=topic, key_format=key_info,
        value_format=value_info, window=window,
        timestamp=timestamp_column(props, columns), is_source=statement.is_source,
        sql=statement.text, declared=not (inferred_keys or inferred_values),
        key_schema_id=props.integer("KEY_SCHEMA_ID"),
        value_schema_id=props.integer("VALUE_SCHEMA_ID"))
    if existing is not None:
        check_upgrade(existing, source)
    effects = SideEffects()
    effects.topics.extend(_topic_request(props, topic, is_table, ctx))
    if not inferred_keys:
        _add_schema(effects, topic, True, keys, key_info)
    if not inferred_values:
        _add_schema(effects, topic, False, values, value_info)
    return CreateSourcePlan(source, effects, replace=existing is not None)


def _registry(ctx: AnalysisContext) -> Registry:
    if ctx.registry is None:
        raise StatementError("Schema inference needs a schema registry, and none is configured.")
    return ctx.registry


def _should_infer(props: WithProps, info: FormatInfo, has_columns: bool, id_name: str) -> bool:
    if props.integer(id_name) is not None:
        return True
    return not has_columns and format_of(info.name).schema_registry


def _add_schema(effects: SideEffects, topic: str, is_key: bool,
                columns: list[SourceColumn], info: FormatInfo) -> None:
    if not columns:
        return
    unwrap = len(columns) == 1 and (info.unwrap or (is_key and not info.wrap))
    generated = schemas.generate(columns, info, unwrap, is_key)
    if generated is not None:
        effects.schemas.append(SchemaRegistration(topic, is_key, generated, if_absent=True))


def _column(element: TableElement, ctx: AnalysisContext) -> SourceColumn:
    sql_type: SqlType = element.type.resolve(ctx.metastore.types.get)
    constraint = element.constraint
    if constraint in (ColumnConstraint.KEY, ColumnConstraint.PRIMARY_KEY):
        return SourceColumn(element.name, sql_type, ColumnRole.KEY)
    if constraint in (ColumnConstraint.HEADERS, ColumnConstraint.HEADER):
        return SourceColumn(element.name, sql_type, ColumnRole.HEADER, element.header_key)
    return SourceColumn(element.name, sql_type)


def _check_constraints(statement: CreateSource, is_table: bool) -> None:
    """PRIMARY KEY only on tables, KEY only on streams (a parse error in ksqlDB)."""
    for element in statement.elements:
        span = element.span
        where = f"Line: {span.line}, Col: {span.column}: " if span.line else ""
        if not is_table and element.constraint is ColumnConstraint.PRIMARY_KEY:
            raise ParseFailure(
                f"{where}Column `{element.name}` is a 'PRIMARY KEY' column: please use 'KEY' "
                f"for streams.\n{_TABLE_KEYS}\n{_STREAM_KEYS}",
                line=span.line or None, column=span.column or None)
        if is_table and element.constraint is ColumnConstraint.KEY:
            raise ParseFailure(
                f"{where}Column `{element.name}` is a 'KEY' column: please use 'PRIMARY KEY' "
                f"for tables.\n{_TABLE_KEYS}\n{_STREAM_KEYS}",
                line=span.line or None, column=span.column or None)


def _check_names(columns: list[SourceColumn]) -> None:
    seen: set[str] = set()
    duplicates: list[str] = []
    for col in columns:
        if col.name in RESERVED_NAMES:
            raise StatementError(f"'{col.name}' is a reserved column name. You cannot use it "
                                 "as a name for a column.")
        if col.name in seen and col.name not in duplicates:
            duplicates.append(col.name)
        seen.add(col.name)
    if duplicates:
        raise StatementError(f"Duplicate column names: {', '.join(duplicates)}")
    if sum(1 for c in columns if c.role is ColumnRole.HEADER and c.header_key is None) > 1:
        raise StatementError("Schema already contains a HEADERS column.")


def _window(props: WithProps) -> WindowInfo | None:
    """The window of a windowed source. As in ksqlDB, WINDOW_SIZE is parsed whenever it is
    given and refused without a window type that needs it (not silently ignored)."""
    kind = props.string("WINDOW_TYPE")
    window_type: WindowType | None = None
    if kind is not None:
        try:
            window_type = WindowType(kind.strip().upper())
        except ValueError:
            raise StatementError(
                f"Error in WITH clause property 'WINDOW_TYPE': Unknown window type: '{kind}'"
            ) from None
    size_text = props.string("WINDOW_SIZE")
    size = parse_duration(size_text) if size_text is not None else None
    if window_type is None or window_type is WindowType.SESSION:
        if size is not None:
            raise ParseFailure("'WINDOW_SIZE' should not be set for SESSION windows.")
        return None if window_type is None else WindowInfo(window_type)
    if size is None:
        raise StatementError(
            f"{window_type.value} windows require 'WINDOW_SIZE' to be provided in the WITH "
            "clause. For example: 'WINDOW_SIZE'='10 SECONDS'")
    return WindowInfo(window_type, size)


# Java's TimeUnit names, in nanoseconds.
_UNITS = {"NANOSECONDS": 1, "MICROSECONDS": 1_000, "MILLISECONDS": 1_000_000,
          "SECONDS": 1_000_000_000, "MINUTES": 60_000_000_000, "HOURS": 3_600_000_000_000,
          "DAYS": 86_400_000_000_000}


def parse_duration(text: str) -> int:
    """'10 SECONDS' → 10000 ms (ksqlDB's DurationParser; a WITH clause error, reported
    as ksqlDB's parser does)."""
    parts = text.split()
    if len(parts) != 2:
        detail = f"Expected 2 tokens, got: {len(parts)}"
    elif not parts[0].lstrip("-").isdigit():
        detail = f"Not numeric: '{parts[0]}'"
    else:
        unit = parts[1].upper()
        unit = unit if unit.endswith("S") else unit + "S"
        if unit in _UNITS:
            return int(parts[0]) * _UNITS[unit] // 1_000_000
        detail = (f"Unknown time unit: '{parts[1].upper()}'\nSupported time units are: "
                  + ", ".join(_UNITS))
    raise ParseFailure(
        f"Configuration WINDOW_SIZE is invalid: Invalid duration: '{text}'. {detail}")


def _topic_request(props: WithProps, topic: str, is_table: bool,
                   ctx: AnalysisContext) -> list[TopicRequest]:
    partitions = props.integer("PARTITIONS")
    replicas = props.integer("REPLICAS")
    if ctx.topic(topic) is not None:
        # An existing topic is used as it is (its partitions win over PARTITIONS).
        return []
    if partitions is None:
        raise StatementError(
            f"Topic '{topic}' does not exist. If you want to create a new topic for the "
            "stream/table please re-run the statement providing the required 'PARTITIONS' "
            "configuration in the WITH clause (and optionally 'REPLICAS'). For example: "
            f"CREATE {'TABLE' if is_table else 'STREAM'} ... WITH (KAFKA_TOPIC='{topic}', "
            "PARTITIONS=2, ...);")
    configs = [("cleanup.policy", "compact" if is_table else "delete")]
    retention = props.integer("RETENTION_MS")
    if retention is not None:
        configs.append(("retention.ms", str(retention)))
    return [TopicRequest(topic, partitions, replicas if replicas and replicas > 0 else 1,
                         tuple(configs))]
