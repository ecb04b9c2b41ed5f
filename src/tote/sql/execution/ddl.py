"""Executing CREATE (without AS), DROP, CREATE TYPE and DROP TYPE against a catalogue copy."""

from __future__ import annotations

import contextlib

from tote.core.errors import ToteError
from tote.log.base import Log
from tote.registry import Registry, RegistryError
from tote.sql.analyzer.context import AnalysisContext
from tote.sql.analyzer.ddl import analyze_create_source
from tote.sql.ast.statements import (
    CreateSource,
    CreateTable,
    DropSource,
    DropTable,
    DropType,
    RegisterType,
)
from tote.sql.codecs.schemas import SR_FORMATS, subject
from tote.sql.errors import StatementError
from tote.sql.execution.effects import Applied, apply_effects
from tote.sql.execution.inserts import alternatives
from tote.sql.metastore import MetaStore
from tote.sql.sources import DataSource, SourceType


def create_source(statement: CreateSource, ctx: AnalysisContext, log: Log,
                  registry: Registry | None, replaying: bool) -> tuple[str, Applied | None]:
    """ksqlDB's message ("Stream created" / "Table created") and the topic and schemas
    created, which the caller removes if recording the statement then fails."""
    plan = analyze_create_source(statement, ctx)
    kind = "Table" if isinstance(statement, CreateTable) else "Stream"
    if plan.skip:
        return f"Cannot add {kind.lower()} {statement.name}: A " \
               f"{plan.source.type.lower} with the same name already exists.", None
    applied = apply_effects(plan.effects, log, registry)
    ctx.metastore.put_source(plan.source)
    del replaying
    return f"{kind} created", applied


def check_drop(statement: DropSource, metastore: MetaStore, create_query: str | None
               ) -> DataSource | None:
    """ksqlDB's refusals of a DROP, and the source it drops (None: IF EXISTS of nothing).
    The engine checks them before it terminates the source's CREATE ... AS query, so a
    DROP that fails leaves that query running."""
    name = statement.name
    source = metastore.source(name)
    wanted = SourceType.TABLE if isinstance(statement, DropTable) else SourceType.STREAM
    if source is None:
        if statement.if_exists:
            return None
        raise StatementError(f"{wanted.lower.capitalize()} {name} does not exist."
                             + alternatives(name, metastore, wanted))
    if source.type is not wanted:
        raise StatementError(f"Incompatible data source type is {source.type.value}, but "
                             f"statement was DROP {wanted.value}")
    readers = [q for q in metastore.readers_of(name) if q != create_query]
    writers = [q for q in metastore.writers_of(name) if q != create_query]
    if readers or writers:
        raise StatementError(
            f"Cannot drop {name}.\nThe following queries read from this source: "
            f"[{', '.join(readers)}].\nThe following queries write into this source: "
            f"[{', '.join(writers)}].\nYou need to terminate them before dropping {name}.")
    if statement.delete_topic:
        if source.is_source:
            raise StatementError(f"Cannot delete topic for read-only source: {name}")
        using = sorted(s.name for s in metastore.sources_on_topic(source.topic)
                       if s.name != name)
        if using:  # deleting it would break them (and the queries reading them)
            raise StatementError(f"Refusing to delete topic. Found other data sources "
                                 f"({', '.join(using)}) using topic {source.topic}")
    return source


def drop_source(statement: DropSource, source: DataSource | None, metastore: MetaStore
                ) -> str:
    """Remove `source`, as `check_drop` found it, from the catalogue; ksqlDB's message."""
    name = statement.name
    if source is None:
        return f"Source `{name}` does not exist."
    metastore.drop_source(name)
    return f"Source `{name}` (topic: {source.topic}) was dropped."


def delete_source_topic(source: DataSource, log: Log, registry: Registry | None
                        ) -> tuple[str, ...]:
    """DELETE TOPIC, once the DROP is recorded: the topic and its schemas. A failure cannot
    undo the recorded DROP, so it is returned as a warning (the replay at the next start
    deletes the topic then)."""
    try:
        if log.topic_exists(source.topic):
            log.delete_topic(source.topic)
        if registry is not None:
            for is_key, info in ((True, source.key_format), (False, source.value_format)):
                if info.name in SR_FORMATS:
                    with contextlib.suppress(RegistryError):
                        registry.delete_subject(subject(source.topic, is_key))
    except ToteError as exc:
        return (f"Source {source.name} was dropped, but deleting its topic "
                f"{source.topic} failed: {exc.message}",)
    return ()


def register_type(statement: RegisterType, metastore: MetaStore) -> str:
    existing = metastore.types.get(statement.name)
    sql_type = statement.type.resolve(metastore.types.get)
    if existing is not None:
        if statement.if_not_exists:
            return f"{statement.name} is already registered with type {existing}"
        raise StatementError(f"Cannot register custom type '{statement.name}' since it is "
                             f"already registered with type: {existing}")
    metastore.types[statement.name] = sql_type
    return f"Registered custom type with name '{statement.name}' and SQL type {sql_type}"


def drop_type(statement: DropType, metastore: MetaStore) -> str:
    if statement.name not in metastore.types:
        if statement.if_exists:
            return f"Type '{statement.name}' does not exist"
        raise StatementError(f"Type {statement.name} does not exist.")
    del metastore.types[statement.name]
    return f"Dropped type '{statement.name}'"
