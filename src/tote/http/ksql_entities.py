"""ksqlDB's REST entities, rendered from the engine's result dataclasses.

One function per kind of result; each entity carries `@type`, `statementText` and
`warnings` as ksqlDB's Jackson-typed `KsqlEntity` subclasses do. Results ksqlDB answers
with no entity (INSERT VALUES, SET, UNSET, DEFINE) render as None and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from tote.http.ksql_connector_entities import connector_entity
from tote.sql.connector_results import CONNECTOR_RESULTS
from tote.sql.results import (
    AssertSchemaResult,
    AssertTopicResult,
    CommandResult,
    FieldInfo,
    FunctionDescriptionResult,
    FunctionList,
    InsertResult,
    Notice,
    PropertyChange,
    PropertyList,
    QueryDescription,
    QueryDescriptionResult,
    QueryList,
    QuerySummary,
    SourceDescription,
    SourceDescriptionList,
    SourceDescriptionResult,
    SourceList,
    StatementResult,
    TopicList,
    TopicUsageList,
    TypeList,
    VariableList,
)
from tote.sql.server import TransientTerminated

Entity = dict[str, Any]
QueryLookup = Callable[[str], QuerySummary | None]


def _base(kind: str, result: StatementResult) -> Entity:
    return {"@type": kind, "statementText": result.statement_text,
            "warnings": [{"message": w} for w in result.warnings]}


def entity(result: StatementResult, queries: QueryLookup) -> Entity | None:
    """The entity for one statement's result (None: ksqlDB answers nothing for it)."""
    if isinstance(result, (InsertResult, PropertyChange)):
        return None
    if isinstance(result, CommandResult):
        return {**_base("currentStatus", result), "commandId": result.command_id,
                "commandStatus": {"status": result.status, "message": result.message,
                                  "queryId": result.query_id},
                "commandSequenceNumber": result.sequence_number}
    if isinstance(result, SourceList):
        kind = "streams" if result.kind == "streams" else "tables"
        return {**_base(kind, result), kind: [
            {"type": s.type, "name": s.name, "topic": s.topic, "keyFormat": s.key_format,
             "valueFormat": s.value_format, "isWindowed": s.windowed}
            for s in result.sources]}
    if isinstance(result, QueryList):
        return {**_base("queries", result), "queries": [query(q) for q in result.queries]}
    if isinstance(result, SourceDescriptionResult):
        return {**_base("sourceDescription", result),
                "sourceDescription": description(result.description, queries)}
    if isinstance(result, SourceDescriptionList):
        return {**_base("source_descriptions", result), "sourceDescriptions": [
            description(d, queries) for d in result.descriptions]}
    if isinstance(result, QueryDescriptionResult):
        return {**_base("queryDescription", result),
                "queryDescription": query_description(result.description)}
    if isinstance(result, TopicList):
        return {**_base("kafka_topics", result), "topics": [
            {"name": t.name, "replicaInfo": [t.replicas] * t.partitions}
            for t in result.topics]}
    if isinstance(result, TopicUsageList):
        return {**_base("kafka_topics_extended", result), "topics": [
            {"name": t.name, "replicaInfo": [t.replicas] * t.partitions,
             "consumerCount": t.consumers, "consumerGroupCount": t.groups}
            for t in result.topics]}
    if isinstance(result, AssertTopicResult):
        return {**_base("assert_topic", result), "topicName": result.topic,
                "exists": result.exists}
    if isinstance(result, AssertSchemaResult):
        return {**_base("assert_schema", result), "subject": result.subject,
                "id": result.schema_id, "exists": result.exists}
    if isinstance(result, PropertyList):
        return {**_base("properties", result), "properties": [
            {"name": p.name, "scope": p.scope, "value": p.value, "editable": p.editable,
             "level": p.level}
            for p in result.properties],
            "overwrittenProperties": list(result.overwritten),
            "defaultProperties": list(result.defaults)}
    if isinstance(result, VariableList):
        return {**_base("variables", result), "variables": [
            {"name": name, "value": value} for name, value in result.variables]}
    if isinstance(result, TypeList):
        return {**_base("type_list", result), "types": {
            name: schema(text) for name, text in result.types}}
    if isinstance(result, FunctionList):
        return {**_base("function_names", result), "functions": [
            {"name": name, "type": kind, "category": category}
            for name, kind, category in result.functions]}
    if isinstance(result, FunctionDescriptionResult):
        return {**_base("describe_function", result), "name": result.name,
                "description": result.description, "author": result.author,
                "version": result.version, "path": result.path, "type": result.type,
                "functions": [{
                    "arguments": [{"name": a.name, "type": a.type,
                                   "description": a.description, "isVariadic": a.variadic}
                                  for a in v.arguments],
                    "returnType": v.return_type, "description": v.description,
                    "argumentTypes": [a.type for a in v.arguments]}
                    for v in result.variants]}
    if isinstance(result, TransientTerminated):
        return {**_base("terminate_query", result), "queryId": result.query_id,
                "wasTerminated": result.terminated}
    if isinstance(result, CONNECTOR_RESULTS):
        return connector_entity(result, _base, lambda d: description(d, queries))
    if isinstance(result, Notice):
        if not result.message:
            return None
        return {**_base("warning_entity", result), "message": result.message}
    return {**_base("currentStatus", result), "commandId": "",
            "commandStatus": {"status": "SUCCESS", "message": "", "queryId": None},
            "commandSequenceNumber": -1}




def query(q: QuerySummary) -> Entity:
    return {"queryString": q.sql, "sinks": list(q.sinks), "sinkKafkaTopics": list(q.sink_topics),
            "id": q.id, "statusCount": {q.state: 1}, "queryType": q.query_type,
            "state": q.state}


def field(info: FieldInfo) -> Entity:
    out: Entity = {"name": info.name, "schema": schema(info.type)}
    if info.key is not None:
        out["type"] = "KEY"
    return out


def description(d: SourceDescription, queries: QueryLookup) -> Entity:
    def running(ids: tuple[str, ...]) -> list[Entity]:
        out = []
        for qid in ids:
            found = queries(qid)
            out.append(query(found) if found is not None else
                       {"queryString": "", "sinks": [], "sinkKafkaTopics": [], "id": qid,
                        "statusCount": {"RUNNING": 1}, "queryType": "PERSISTENT",
                        "state": "RUNNING"})
        return out

    return {"name": d.name, "windowType": d.window_type,
            "readQueries": running(d.read_queries), "writeQueries": running(d.write_queries),
            "fields": [field(f) for f in d.fields], "type": d.type, "timestamp": d.timestamp,
            "statistics": "", "errorStats": "", "extended": d.extended,
            "keyFormat": d.key_format, "valueFormat": d.value_format, "topic": d.topic,
            "partitions": d.partitions, "replication": d.replication,
            "statement": d.statement, "queryOffsetSummaries": [],
            "sourceConstraints": list(d.source_constraints), "clusterStatistics": [],
            "clusterErrorStats": []}


def query_description(d: QueryDescription) -> Entity:
    return {"id": d.id, "statementText": d.sql, "windowType": None,
            "fields": [field(f) for f in d.fields], "sources": list(d.sources),
            "sinks": list(d.sinks), "topology": d.physical_plan,
            "executionPlan": d.logical_plan, "overriddenProperties": {},
            "ksqlHostQueryStatus": {}, "queryType": "PERSISTENT",
            "queryErrors": [{"timestamp": e.timestamp, "errorMessage": e.message,
                             "type": e.type} for e in d.errors],
            "tasksMetadata": [], "consumerGroupId": d.consumer_group, "state": d.state}


# -- type text → ksqlDB's SchemaInfo ---------------------------------------------------------

_TOKEN = re.compile(r"\s*(`(?:[^`]|``)*`|[A-Za-z_][A-Za-z0-9_]*|\d+|[<>(),])")


def schema(text: str) -> Entity:
    """`{"type", "fields", "memberSchema"}` for a type as printed (`STRUCT<`A` INT>`)."""
    tokens = iter([m.group(1) for m in _TOKEN.finditer(text)])
    return _parse(tokens, next(tokens, "STRING"))


def _parse(tokens: Iterator[str], head: str) -> Entity:
    name = head.upper()
    out: Entity = {"type": name, "fields": None, "memberSchema": None}
    if name == "DECIMAL":
        if next(tokens, None) == "(":
            precision = int(next(tokens, "0"))
            next(tokens, None)
            scale = int(next(tokens, "0"))
            next(tokens, None)
            out["parameters"] = {"precision": precision, "scale": scale}
    elif name == "ARRAY":
        next(tokens, None)
        out["memberSchema"] = _parse(tokens, next(tokens, "STRING"))
        next(tokens, None)
    elif name == "MAP":
        next(tokens, None)
        _parse(tokens, next(tokens, "STRING"))
        next(tokens, None)
        out["memberSchema"] = _parse(tokens, next(tokens, "STRING"))
        next(tokens, None)
    elif name == "STRUCT":
        next(tokens, None)
        fields = []
        while True:
            token = next(tokens, ">")
            if token == ">":
                break
            if token == ",":
                continue
            field_name = token[1:-1].replace("``", "`") if token.startswith("`") else token
            fields.append({"name": field_name, "schema": _parse(tokens, next(tokens, "STRING"))})
        out["fields"] = fields
    return out
