"""SHOW / LIST, DESCRIBE and EXPLAIN: read-only views of the catalogue, topics and plans."""

from __future__ import annotations

from tote.core.errors import TopicNotFound
from tote.log.base import Log
from tote.sql.errors import StatementError
from tote.sql.metastore import MetaStore
from tote.sql.planner.explain import explain_plan
from tote.sql.planner.physical import PhysicalPlan
from tote.sql.results import (
    FieldInfo,
    QueryDescription,
    QueryDescriptionResult,
    QueryError,
    QueryList,
    QuerySummary,
    SourceDescription,
    SourceDescriptionList,
    SourceDescriptionResult,
    SourceList,
    SourceSummary,
    TopicList,
    TopicSummary,
    TopicUsage,
    TopicUsageList,
)
from tote.sql.sources import ColumnRole, DataSource, SourceType


def list_sources(text: str, metastore: MetaStore, kind: SourceType, extended: bool,
                 log: Log) -> SourceList | SourceDescriptionList:
    sources = [s for s in metastore.all_sources() if s.type is kind]
    if extended:
        return SourceDescriptionList(text, tuple(describe(s, metastore, log, True)
                                                 for s in sources))
    return SourceList(text, "streams" if kind is SourceType.STREAM else "tables", tuple(
        SourceSummary(s.name, s.type.value, s.topic, s.key_format.name, s.value_format.name,
                      s.window is not None) for s in sources))


def describe_sources(text: str, metastore: MetaStore, kind: SourceType, extended: bool,
                     log: Log) -> SourceDescriptionList:
    """DESCRIBE STREAMS|TABLES [EXTENDED]: every source of the kind, described."""
    return SourceDescriptionList(text, tuple(
        describe(s, metastore, log, extended)
        for s in metastore.all_sources() if s.type is kind))


def list_queries(text: str, metastore: MetaStore) -> QueryList:
    return QueryList(text, tuple(
        QuerySummary(q.id, q.sql, (q.sink,) if q.sink else (),
                     (q.sink_topic,) if q.sink_topic else (), q.state)
        for q in sorted(metastore.queries.values(), key=lambda q: q.id)))


def list_topics(text: str, log: Log, show_all: bool) -> TopicList:
    topics = []
    for name in log.list_topics():
        if not show_all and name.startswith("_"):
            continue
        try:
            spec = log.describe_topic(name).spec
        except TopicNotFound:
            continue
        topics.append(TopicSummary(name, spec.partitions, spec.replication_factor))
    return TopicList(text, tuple(topics))


def list_topics_extended(text: str, log: Log, show_all: bool) -> TopicUsageList:
    """SHOW TOPICS EXTENDED: ksqlDB counts, per topic, every partition assigned to a
    member of any group (consumerCount) and the groups doing so (consumerGroupCount)."""
    consumers: dict[str, int] = {}
    groups: dict[str, set[str]] = {}
    for group in log.list_groups():
        for assigned in log.group_assignments(group):
            for tp in assigned:
                consumers[tp.topic] = consumers.get(tp.topic, 0) + 1
                groups.setdefault(tp.topic, set()).add(group)
    return TopicUsageList(text, tuple(
        TopicUsage(t.name, t.partitions, t.replicas, consumers.get(t.name, 0),
                   len(groups.get(t.name, ())))
        for t in list_topics(text, log, show_all).topics))


def fields_of(source: DataSource) -> tuple[FieldInfo, ...]:
    out = []
    for col in source.columns:
        key = None
        if col.role is ColumnRole.KEY:
            key = "PRIMARY" if source.is_table else "KEY"
        out.append(FieldInfo(col.name, str(col.type), key))
    return tuple(out)


def describe(source: DataSource, metastore: MetaStore, log: Log,
             extended: bool) -> SourceDescription:
    partitions = replication = 0
    try:
        spec = log.describe_topic(source.topic).spec
        partitions, replication = spec.partitions, spec.replication_factor
    except TopicNotFound:
        pass
    return SourceDescription(
        name=source.name, type=source.type.value, fields=fields_of(source),
        topic=source.topic, key_format=source.key_format.name,
        value_format=source.value_format.name,
        read_queries=tuple(metastore.readers_of(source.name)),
        write_queries=tuple(metastore.writers_of(source.name)),
        timestamp=source.timestamp.column if source.timestamp else "",
        window_type=source.window.type.value if source.window else None,
        statement=source.sql, partitions=partitions, replication=replication,
        extended=extended)


def describe_source(text: str, name: str, extended: bool, metastore: MetaStore,
                    log: Log) -> SourceDescriptionResult:
    source = metastore.source(name)
    if source is None:
        raise StatementError(f"Could not find STREAM/TABLE '{name}' in the Metastore")
    return SourceDescriptionResult(text, describe(source, metastore, log, extended))


def explain_query(text: str, query_id: str, metastore: MetaStore,
                  plans: dict[str, PhysicalPlan],
                  errors: tuple[QueryError, ...] = ()) -> QueryDescriptionResult:
    record = metastore.queries.get(query_id)
    plan = plans.get(query_id)
    if record is None or plan is None:
        raise StatementError(f"Query with id:{query_id} does not exist, use SHOW QUERIES to "
                             "view the full set of running queries.")
    sink = metastore.source(record.sink) if record.sink else None
    fields = fields_of(sink) if sink is not None else ()
    logical, physical = explain_plan(plan)
    return QueryDescriptionResult(text, QueryDescription(
        query_id, record.sql, record.sources, (record.sink,) if record.sink else (), fields,
        logical, physical, plan.internal_topics, record.state, plan.app_id, errors))
