"""CREATE STREAM|TABLE ... AS SELECT and INSERT INTO ... SELECT: persistent queries.

The SELECT is analysed into a logical plan (`analyzer.query.build`); this module decides
the sink: a new source with formats inherited from the (leftmost) input unless the WITH
clause says otherwise, its topic, partitions and registry schemas, or, for INSERT INTO,
an existing stream whose schema the result must match exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace as dc_replace

from tote.core.errors import SqlError
from tote.sql.analyzer.context import AnalysisContext, SchemaRegistration, SideEffects, TopicRequest
from tote.sql.analyzer.formats import key_properties, value_properties
from tote.sql.analyzer.plan_steps import steps_of
from tote.sql.analyzer.plan_upgrade import check_plan_upgrade
from tote.sql.analyzer.query.build import BuiltQuery, QueryBuilder
from tote.sql.analyzer.query.formatting import format_create_as
from tote.sql.analyzer.replaced_query import check_single_writer, replaced_query
from tote.sql.analyzer.schema_id_columns import check_schema_id_columns
from tote.sql.analyzer.timestamps import timestamp_column
from tote.sql.analyzer.upgrade import check_upgrade
from tote.sql.analyzer.with_clause import Kind, WithProps, parse_with
from tote.sql.ast.expressions import Cast
from tote.sql.ast.queries import HoppingWindow, SessionWindow, TumblingWindow, Window
from tote.sql.ast.statements import CreateAsSelect, CreateTableAsSelect, InsertInto
from tote.sql.ast.types import BuiltinType
from tote.sql.codecs import schemas
from tote.sql.config import DEFAULT_KEY_FORMAT, OUTPUT_TOPIC_PREFIX, SINK_PARTITIONS, SINK_REPLICAS
from tote.sql.config import WRAP_SINGLE_VALUES as WRAP_CONFIG
from tote.sql.errors import StatementError, as_statement_error
from tote.sql.formats import (
    AVRO_FULL_NAME,
    DELIMITER,
    check_key_columns,
    check_properties,
    check_value_columns,
    format_of,
    key_features,
    value_features,
)
from tote.sql.functions.widening import can_widen
from tote.sql.planner.logical import ProjectNode, SinkNode
from tote.sql.planner.schema import Col, Schema, output_columns
from tote.sql.sources import (
    DataSource,
    FormatInfo,
    SourceType,
    WindowInfo,
    WindowType,
    render_columns,
)

_INHERITABLE = {"DELIMITED": {DELIMITER}, "PROTOBUF": {AVRO_FULL_NAME}}


@dataclass(frozen=True)
class QueryPlan:
    """A persistent query ready to start: its plan, its sink and what must exist first."""

    kind: str
    sink: DataSource
    root: SinkNode
    built: BuiltQuery
    effects: SideEffects
    create_sink: bool
    replace: bool = False

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s.source.name for s in self.built.relations.sources)


def analyze_create_as(statement: CreateAsSelect, ctx: AnalysisContext
                      ) -> QueryPlan | DataSource:
    """The query plan, or the existing source when IF NOT EXISTS makes this a no-op."""
    is_table = isinstance(statement, CreateTableAsSelect)
    kind = SourceType.TABLE if is_table else SourceType.STREAM
    name = statement.name
    existing = ctx.metastore.source(name)
    if existing is not None and not statement.or_replace:
        if statement.if_not_exists:
            return existing
        raise StatementError(
            f"Cannot add {kind.lower} '{name}': A {existing.type.lower} with the same name "
            "already exists")
    props = parse_with(statement.properties, Kind.CREATE_AS)
    built = _build(statement, name, ctx)
    projection = built.projection
    if projection.is_table != is_table:
        produced = "TABLE" if projection.is_table else "STREAM"
        wanted = "TABLE" if projection.is_table else "STREAM"
        raise StatementError(f"Invalid result type. Your SELECT query produces a {produced}. "
                             f"Please use CREATE {wanted} AS SELECT statement instead.")
    first = built.relations.sources[0].source
    topic = props.topic or (ctx.config.get(OUTPUT_TOPIC_PREFIX) or "") + name
    columns = output_columns(projection.schema)
    keys = [c for c in columns if c.is_key]
    values = [c for c in columns if not c.is_key]
    key_info = _sink_key_format(props, first, name, has_keys=bool(keys),
                                partition_by_null=built.partition_by_null, ctx=ctx)
    value_info = _sink_value_format(props, first)
    check_properties(key_info)
    check_properties(value_info)
    key_info = key_info.with_features(key_features(key_info, len(keys) == 1))
    value_info = value_info.with_features(value_features(
        value_info, len(values) == 1, props.boolean("WRAP_SINGLE_VALUE"),
        ctx.config.optional_flag(WRAP_CONFIG)))
    try:
        check_key_columns(key_info, keys)
    except StatementError as err:
        # ksqlDB quotes its rewritten form of the statement with this error.
        err.statement_text = format_create_as(statement, built.relations) or statement.text
        raise
    check_value_columns(value_info, values)
    check_schema_id_columns(ctx.registry, topic, key_info, keys, True)
    check_schema_id_columns(ctx.registry, topic, value_info, values, False)
    window = _window(statement.query.window) or first.window
    sink = DataSource(
        name=name, type=kind, columns=columns, topic=topic, key_format=key_info,
        value_format=value_info, window=window, timestamp=timestamp_column(props, columns),
        sql=statement.text, key_schema_id=props.integer("KEY_SCHEMA_ID"),
        value_schema_id=props.integer("VALUE_SCHEMA_ID"), from_query=True)
    if existing is not None:
        check_single_writer(ctx.metastore, name)
        check_upgrade(existing, sink)
    effects = SideEffects()
    effects.topics.append(_sink_topic(props, topic, first, is_table, ctx))
    _register(effects, sink)
    root = SinkNode(name, projection.schema, is_table, projection, sink)
    if existing is not None:
        _check_replaced_plan(ctx, name, root)
    prefix = "CTAS" if is_table else "CSAS"
    return QueryPlan(prefix, sink, root, built, effects, True, replace=existing is not None)


def _check_replaced_plan(ctx: AnalysisContext, name: str, root: SinkNode) -> None:
    """The running query writing into `name` must be able to hand its state to `root`."""
    qid = replaced_query(ctx.metastore, name)
    old = None if qid is None else ctx.metastore.queries[qid].plan
    if old is not None:
        check_plan_upgrade(steps_of(old), steps_of(root))


def analyze_insert_into(statement: InsertInto, ctx: AnalysisContext) -> QueryPlan:
    span = statement.span
    target = ctx.metastore.source(statement.target)
    if target is None:
        column = (span.column or 1) + len("INSERT INTO") + 1
        where = f"Line: {span.line}, Col: {column}: " if span.line else ""
        raise StatementError(f"{where}Source `{statement.target}` does not exist.")
    if target.is_table:
        raise StatementError(
            f"INSERT INTO can only be used to insert into a stream. {target.name} is a table.")
    if target.header_columns:
        raise StatementError(
            f"Cannot insert into {target.name} because it has header columns")
    if target.is_source:
        raise StatementError(f"Cannot insert into read-only stream: {target.name}")
    parse_with(statement.properties, Kind.INSERT)
    built = _build(statement, target.name, ctx)
    projection = built.projection
    if projection.is_table:
        raise StatementError(f"Incompatible data sink and query result. Data sink "
                             f"({target.name}) type is STREAM but select query result is TABLE.")
    result = output_columns(projection.schema)
    if [(c.name, c.role) for c in result] != [(c.name, c.role) for c in target.columns] or \
            not all(can_widen(r.type, t.type) for r, t in zip(result, target.columns,
                                                              strict=True)):
        raise StatementError(
            "Incompatible schema between results and sink.\n"
            f"Result schema is {render_columns(result)}\n"
            f"Sink schema is {render_columns(target.columns)}")
    check_value_columns(target.value_format, target.value_columns)  # see _build
    projection = _cast_to(projection, target)
    root = SinkNode(target.name, projection.schema, False, projection, target)
    return QueryPlan("INSERTQUERY", target, root, built, SideEffects(), False)


def _cast_to(projection: ProjectNode, target: DataSource) -> ProjectNode:
    """INSERT INTO converts implicitly (INT into DECIMAL...): cast each value that needs it."""
    values = target.value_columns
    exprs = tuple(expr if col.type == sql.type else Cast(expr, BuiltinType(col.type))
                  for expr, col, sql in zip(projection.expressions, values,
                                            projection.schema.value, strict=True))
    keys = tuple(Col(c.name, c.type) for c in target.key_columns)
    schema = Schema(keys, tuple(Col(c.name, c.type) for c in values))
    return dc_replace(projection, schema=schema, expressions=exprs)


def _build(statement: CreateAsSelect | InsertInto, sink: str, ctx: AnalysisContext
           ) -> BuiltQuery:
    try:
        built = QueryBuilder(statement.query, sink, ctx).build()
    except SqlError as err:
        raise as_statement_error(err) from None
    if any(s.source.is_table and s.source.window is not None for s in built.relations.sources):
        raise StatementError("KSQL does not support persistent queries on windowed tables.")
    for read in built.relations.sources:  # only ALTER ... ADD can make one its format can't
        check_value_columns(read.source.value_format, read.source.value_columns)
    return built


def _sink_key_format(props: WithProps, first: DataSource, name: str, *, has_keys: bool,
                     partition_by_null: bool, ctx: AnalysisContext) -> FormatInfo:
    explicit = props.key_format_name
    if partition_by_null:
        if explicit is not None and explicit != "NONE":
            raise StatementError("Key format specified for stream without key columns.")
        fmt = "NONE"
    else:
        fmt = explicit or first.key_format.name
    fmt = format_of(fmt).name
    if explicit is None and fmt == "NONE" and has_keys:
        fmt = format_of(ctx.config.get(DEFAULT_KEY_FORMAT) or "KAFKA").name
    properties: dict[str, str] = {}
    if fmt == first.key_format.name:
        inherit = _INHERITABLE.get(fmt, set())
        properties.update({k: v for k, v in first.key_format.properties if k in inherit})
    properties.update(key_properties(props, fmt, name))
    return FormatInfo(fmt).with_props(properties)


def _sink_value_format(props: WithProps, first: DataSource) -> FormatInfo:
    fmt = format_of(props.value_format_name or first.value_format.name).name
    properties: dict[str, str] = {}
    if fmt == first.value_format.name:
        inherit = _INHERITABLE.get(fmt, set())
        properties.update({k: v for k, v in first.value_format.properties if k in inherit})
    properties.update(value_properties(props, fmt))
    return FormatInfo(fmt).with_props(properties)


def _window(window: Window | None) -> WindowInfo | None:
    if isinstance(window, TumblingWindow):
        return WindowInfo(WindowType.TUMBLING, window.size.millis)
    if isinstance(window, HoppingWindow):
        return WindowInfo(WindowType.HOPPING, window.size.millis)
    if isinstance(window, SessionWindow):
        return WindowInfo(WindowType.SESSION)
    return None


def _sink_topic(props: WithProps, topic: str, first: DataSource, is_table: bool,
                ctx: AnalysisContext) -> TopicRequest:
    source_spec = ctx.topic(first.topic)
    partitions = props.integer("PARTITIONS") or ctx.config.integer(SINK_PARTITIONS) or (
        source_spec.partitions if source_spec is not None else 1)
    replicas = props.integer("REPLICAS") or ctx.config.integer(SINK_REPLICAS) or (
        source_spec.replication_factor if source_spec is not None else 1)
    existing = ctx.topic(topic)
    if existing is not None and props.integer("PARTITIONS") is not None \
            and existing.partitions != partitions:
        raise StatementError(
            f"A Kafka topic with the name '{topic}' already exists, with different "
            "partition/replica configuration than required. KSQL expects "
            f"{partitions} partitions (topic has {existing.partitions}), {replicas} "
            f"replication factor (topic has {existing.replication_factor}).")
    configs = [("cleanup.policy", "compact" if is_table else "delete")]
    retention = props.integer("RETENTION_MS")
    if retention is not None:
        configs.append(("retention.ms", str(retention)))
    return TopicRequest(topic, partitions, max(replicas, 1), tuple(configs))


def _register(effects: SideEffects, sink: DataSource) -> None:
    for is_key, cols, info in ((True, sink.key_columns, sink.key_format),
                               (False, sink.value_columns, sink.value_format)):
        if not cols or info.prop("schemaId") is not None:
            continue
        unwrap = len(cols) == 1 and (info.unwrap or (is_key and not info.wrap))
        generated = schemas.generate(cols, info, unwrap, is_key)
        if generated is not None:
            effects.schemas.append(SchemaRegistration(sink.topic, is_key, generated))


__all__ = ["QueryPlan", "analyze_create_as", "analyze_insert_into"]
