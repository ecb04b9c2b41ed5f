"""What executing a statement returns: plain frozen dataclasses, one per kind of answer.

The REST layer turns these into ksqlDB's entities (`currentStatus`, `streams`, `tables`,
`queries`, `kafka_topics`, `properties`, `sourceDescription`, `queryDescription`...);
nothing here knows HTTP or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StatementResult:
    statement_text: str
    warnings: tuple[str, ...] = field(default=(), kw_only=True)


@dataclass(frozen=True)
class CommandResult(StatementResult):
    """DDL, persistent queries, TERMINATE: ksqlDB's `currentStatus` entity."""

    command_id: str
    message: str
    status: str = "SUCCESS"
    sequence_number: int = -1
    query_id: str | None = None


@dataclass(frozen=True)
class InsertResult(StatementResult):
    """INSERT VALUES: where the row landed (ksqlDB answers with no entity)."""

    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class SourceSummary:
    name: str
    type: str
    topic: str
    key_format: str
    value_format: str
    windowed: bool


@dataclass(frozen=True)
class SourceList(StatementResult):
    kind: str
    sources: tuple[SourceSummary, ...]


@dataclass(frozen=True)
class QuerySummary:
    id: str
    sql: str
    sinks: tuple[str, ...]
    sink_topics: tuple[str, ...]
    state: str = "RUNNING"
    query_type: str = "PERSISTENT"


@dataclass(frozen=True)
class QueryList(StatementResult):
    queries: tuple[QuerySummary, ...]


@dataclass(frozen=True)
class TopicSummary:
    name: str
    partitions: int
    replicas: int


@dataclass(frozen=True)
class TopicList(StatementResult):
    topics: tuple[TopicSummary, ...]


@dataclass(frozen=True)
class PropertyInfo:
    """One listed config: `level` QUERY or SERVER, `editable` by SET / ALTER SYSTEM,
    `value` None where the config is unset and has no default."""

    name: str
    value: str | None
    editable: bool
    level: str
    scope: str = "KSQL"


@dataclass(frozen=True)
class PropertyList(StatementResult):
    """SHOW PROPERTIES: `overwritten` names the configs whose value the session changed,
    `defaults` those at ksqlDB's declared default."""

    properties: tuple[PropertyInfo, ...]
    overwritten: tuple[str, ...] = ()
    defaults: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str
    key: str | None = None  # "KEY" / "PRIMARY" for key columns


@dataclass(frozen=True)
class SourceDescription:
    name: str
    type: str
    fields: tuple[FieldInfo, ...]
    topic: str
    key_format: str
    value_format: str
    read_queries: tuple[str, ...]
    write_queries: tuple[str, ...]
    timestamp: str = ""
    window_type: str | None = None
    statement: str = ""
    partitions: int = 0
    replication: int = 0
    extended: bool = False
    source_constraints: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceDescriptionResult(StatementResult):
    description: SourceDescription


@dataclass(frozen=True)
class SourceDescriptionList(StatementResult):
    descriptions: tuple[SourceDescription, ...]


@dataclass(frozen=True)
class QueryError:
    """One of a query's recent errors (ksqlDB's QueryError; `tote.sql.query_errors`)."""

    timestamp: int  # epoch ms
    message: str
    type: str  # USER | SYSTEM | UNKNOWN


@dataclass(frozen=True)
class QueryDescription:
    id: str
    sql: str
    sources: tuple[str, ...]
    sinks: tuple[str, ...]
    fields: tuple[FieldInfo, ...]
    logical_plan: str
    physical_plan: str
    internal_topics: tuple[str, ...] = ()
    state: str = "RUNNING"
    consumer_group: str = ""
    errors: tuple[QueryError, ...] = ()  # the query's recent errors (query_errors.py)


@dataclass(frozen=True)
class QueryDescriptionResult(StatementResult):
    description: QueryDescription


@dataclass(frozen=True)
class PropertyChange(StatementResult):
    """SET / UNSET (no entity in ksqlDB's answer)."""

    name: str
    value: str | None


@dataclass(frozen=True)
class VariableList(StatementResult):
    variables: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TypeList(StatementResult):
    types: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FunctionList(StatementResult):
    functions: tuple[tuple[str, str, str], ...]  # (name, type, category)


@dataclass(frozen=True)
class FunctionParameter:
    name: str
    type: str
    description: str = ""
    variadic: bool = False


@dataclass(frozen=True)
class FunctionVariant:
    """One signature of a function as DESCRIBE FUNCTION lists it."""

    arguments: tuple[FunctionParameter, ...]
    return_type: str
    description: str = ""


@dataclass(frozen=True)
class FunctionDescriptionResult(StatementResult):
    """DESCRIBE FUNCTION (ksqlDB's `describe_function` entity)."""

    name: str
    type: str  # SCALAR, AGGREGATE or TABLE
    description: str
    author: str
    version: str
    path: str
    variants: tuple[FunctionVariant, ...]


@dataclass(frozen=True)
class Notice(StatementResult):
    """A statement with nothing to return but a message (DEFINE, no-op IF NOT EXISTS)."""

    message: str = ""


@dataclass(frozen=True)
class TopicUsage:
    """A topic as SHOW TOPICS EXTENDED lists it: `consumers` counts partition assignments
    of live group members (ksqlDB's consumerCount), `groups` the groups among them."""

    name: str
    partitions: int
    replicas: int
    consumers: int = 0
    groups: int = 0


@dataclass(frozen=True)
class TopicUsageList(StatementResult):
    """SHOW TOPICS EXTENDED: ksqlDB's `kafka_topics_extended` entity."""

    topics: tuple[TopicUsage, ...]


@dataclass(frozen=True)
class AssertTopicResult(StatementResult):
    """ASSERT [NOT EXISTS] TOPIC that held: ksqlDB's `assert_topic` entity."""

    topic: str
    exists: bool


@dataclass(frozen=True)
class AssertSchemaResult(StatementResult):
    """ASSERT [NOT EXISTS] SCHEMA that held: ksqlDB's `assert_schema` entity."""

    subject: str | None
    schema_id: int | None
    exists: bool
