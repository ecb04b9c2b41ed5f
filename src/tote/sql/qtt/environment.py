"""A fresh log, registry and engine per QTT case, with topics and schemas set up first
(README §3.3): the case's `topics`, the topics of CREATE statements with columns
(4 partitions by default, schemas derived from the columns) and record topics, their
schemas registered in the order ksqlDB's harness uses (so auto-assigned ids agree).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tote.core.clock import ManualClock
from tote.core.errors import SqlError
from tote.core.java_hashing import hash_map_order
from tote.core.records import TopicPartition
from tote.core.types import SqlType
from tote.log.memory import MemoryLog
from tote.registry import Mode, Registry, SchemaRequest
from tote.serde.ksql_schemas import key_schema_full_name
from tote.serde.schemas import Reference, SchemaType
from tote.sql.analyzer.with_clause import Kind, WithProps, parse_with
from tote.sql.ast.statements import ColumnConstraint, CreateSource
from tote.sql.codecs import schemas
from tote.sql.engine import Engine
from tote.sql.formats import AVRO_FULL_NAME, NULLABLE_REPRESENTATION
from tote.sql.functions import FunctionRegistry
from tote.sql.parser import parse
from tote.sql.sources import ColumnRole, FormatInfo, SerdeFeature, SourceColumn

SERVICE_ID = "some.ksql.service.id"
_TYPES = {"AVRO": SchemaType.AVRO, "JSON_SR": SchemaType.JSON, "JSON": SchemaType.JSON,
          "PROTOBUF": SchemaType.PROTOBUF}


class CaseLog(MemoryLog):
    """A MemoryLog whose waits are short, so the registry's follower thread notices the
    end of a case at once instead of sleeping out its poll interval (reads catch up on
    their own, so nothing waits on the follower)."""

    closing = False

    def wait(self, positions: Mapping[TopicPartition, int], timeout: float) -> bool:
        if self.closing:
            return False
        return super().wait(positions, min(timeout, 0.002))

    def close(self) -> None:
        self.closing = True
        super().close()


@dataclass
class Environment:
    log: MemoryLog
    registry: Registry
    engine: Engine
    clock: ManualClock

    def close(self) -> None:
        self.engine.close()
        self.log.close()
        self.registry.close()


def create(properties: dict[str, Any], functions: FunctionRegistry) -> Environment:
    clock = ManualClock(1_700_000_000_000)
    log = CaseLog(clock=clock)
    # ksqlDB's harness uses a mock registry that checks no compatibility.
    registry = Registry(log, clock=clock, default_compatibility="NONE")
    registry.start()
    props: dict[str, object] = {"auto.offset.reset": "earliest"}
    props.update({k: v for k, v in properties.items()})
    engine = Engine(log, registry, properties=props, clock=clock, service_id=SERVICE_ID,
                    functions=functions, harness=True)
    engine.session.config.set("auto.offset.reset", "earliest")
    return Environment(log, registry, engine, clock)


def _schema_text(raw: Any) -> str:
    return raw if isinstance(raw, str) else json.dumps(raw)


def _register(registry: Registry, subject: str, schema: Any, *, fmt: str | None,
              schema_id: int | None, references: list[dict[str, Any]]) -> None:
    kind = _TYPES.get((fmt or "AVRO").upper(), SchemaType.AVRO)
    refs: list[Reference] = []
    for ref in references or []:
        ref_type = _TYPES.get(str(ref.get("format", "AVRO")).upper(), SchemaType.AVRO)
        version = registry.register(ref["name"], SchemaRequest(_schema_text(ref["schema"]),
                                                                schema_type=ref_type))
        refs.append(Reference(ref["name"], ref["name"], version.version))
    request = SchemaRequest(_schema_text(schema), schema_type=kind, references=tuple(refs))
    if schema_id is None:
        registry.register(subject, request)
        return
    registry.set_mode(subject, Mode.IMPORT)
    try:
        registry.register(subject, SchemaRequest(request.schema, schema_type=kind, id=schema_id,
                                                 version=1, references=request.references))
    finally:
        registry.set_mode(subject, Mode.READWRITE)


def setup_topics(env: Environment, topics: list[dict[str, Any]], statements: list[str],
                 record_topics: list[str]) -> None:
    """Create every topic and register its schemas in the order ksqlDB's harness does
    (`hash_order`), a listed schema taking precedence over one derived from a CREATE."""
    log, registry = env.log, env.registry
    listed = {topic["name"]: topic for topic in topics}
    shapes: dict[str, tuple[int, int]] = {
        name: (int(topic.get("partitions", 1)), int(topic.get("replicas", 1)))
        for name, topic in listed.items()}
    derived: dict[str, dict[bool, schemas.GeneratedSchema]] = {}
    for text in statements:
        for name, shape, generated in _statement_topics(env, text):
            shapes.setdefault(name, shape)
            for is_key, made in generated.items():
                derived.setdefault(name, {}).setdefault(is_key, made)
    for name in record_topics:
        shapes.setdefault(name, (4, 1))
    for name in hash_map_order(shapes):
        log.ensure_topic(name, *shapes[name])
        topic = listed.get(name, {})
        for is_key, side in ((True, "key"), (False, "value")):
            schema = topic.get(f"{side}Schema")
            if schema is not None:
                _register(registry, f"{name}-{side}", schema, fmt=topic.get(f"{side}Format"),
                          schema_id=topic.get(f"{side}SchemaId"),
                          references=topic.get(f"{side}SchemaReferences") or [])
            elif is_key in derived.get(name, {}):
                schemas.register(registry, name, is_key, derived[name][is_key])


_Derived = tuple[str, tuple[int, int], dict[bool, schemas.GeneratedSchema]]


def _statement_topics(env: Environment, text: str) -> list[_Derived]:
    try:
        parsed = parse(text)
    except SqlError:
        return []
    out: list[_Derived] = []
    for statement in parsed:
        if not isinstance(statement, CreateSource) or not statement.elements:
            continue
        try:
            found = _derive(env, statement)
        except (SqlError, ValueError, KeyError):
            continue
        if found is not None:
            out.append(found)
    return out


def _derive(env: Environment, statement: CreateSource) -> _Derived | None:
    """The topic a CREATE with columns declares and the schemas ksqlDB derives for it."""
    props = parse_with(statement.properties, Kind.CREATE)
    topic = props.topic
    if topic is None:
        return None
    shape = (props.integer("PARTITIONS") or 4, props.integer("REPLICAS") or 1)
    config = env.engine.config
    key_fmt = (props.key_format_name or config.get("ksql.persistence.default.format.key")
               or "KAFKA").upper()
    value_fmt = (props.value_format_name
                 or config.get("ksql.persistence.default.format.value") or "").upper()
    keys: list[SourceColumn] = []
    values: list[SourceColumn] = []
    for element in statement.elements:
        sql_type: SqlType = element.type.resolve(lambda name: None)
        if element.constraint in (ColumnConstraint.KEY, ColumnConstraint.PRIMARY_KEY):
            keys.append(SourceColumn(element.name, sql_type, ColumnRole.KEY))
        elif element.constraint is ColumnConstraint.NONE:
            values.append(SourceColumn(element.name, sql_type))
    key_name = props.string("KEY_SCHEMA_FULL_NAME") or key_schema_full_name(statement.name)
    value_name = props.string("VALUE_AVRO_SCHEMA_FULL_NAME") or props.string(
        "VALUE_SCHEMA_FULL_NAME")
    wrap = props.boolean("WRAP_SINGLE_VALUE")
    if wrap is None:
        wrap = config.optional_flag("ksql.persistence.wrap.single.values")
    sides = ((True, keys, key_fmt, {AVRO_FULL_NAME: key_name}, True),
             (False, values, value_fmt, {AVRO_FULL_NAME: value_name} if value_name else {},
              wrap is not False))
    generated_sides: dict[bool, schemas.GeneratedSchema] = {}
    for is_key, cols, fmt, fmt_props, wrapped in sides:
        if not cols or fmt not in schemas.SR_FORMATS:
            continue
        info = FormatInfo(fmt).with_props(
            fmt_props if fmt == "AVRO" else _protobuf_props(props, is_key, fmt))
        unwrap = len(cols) == 1 and (is_key or not wrapped)
        if unwrap:
            info = info.with_features({SerdeFeature.UNWRAP_SINGLES})
        generated = schemas.generate(cols, info, unwrap, is_key)
        if generated is not None:
            generated_sides[is_key] = generated
    return topic, shape, generated_sides


def _protobuf_props(props: WithProps, is_key: bool, fmt: str) -> dict[str, str]:
    """A PROTOBUF schema is named only by an explicit `*_SCHEMA_FULL_NAME`; its nullable
    fields are written as `*_PROTOBUF_NULLABLE_REPRESENTATION` asks (as ksqlDB's harness
    builds the topic's schema from the statement's format properties)."""
    if fmt != "PROTOBUF":
        return {}
    name = props.string("KEY_SCHEMA_FULL_NAME") if is_key else (
        props.string("VALUE_AVRO_SCHEMA_FULL_NAME") or props.string("VALUE_SCHEMA_FULL_NAME"))
    out = {AVRO_FULL_NAME: name} if name else {}
    nullable = props.string(
        "KEY_PROTOBUF_NULLABLE_REPRESENTATION" if is_key
        else "VALUE_PROTOBUF_NULLABLE_REPRESENTATION")
    if nullable is not None:
        out[NULLABLE_REPRESENTATION] = nullable.lower()
    return out
