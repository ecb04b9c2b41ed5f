"""ASSERT [NOT EXISTS] TOPIC and ASSERT [NOT EXISTS] SCHEMA, as ksqlDB's AssertExecutor runs
them: the check is retried every 100 ms until it holds or the timeout (the statement's,
else the server's `ksql.assert.*.default.timeout.ms`) runs out, and a check still failing
then is an `AssertionFailed` (417 / 41700) with the last check's message."""

from __future__ import annotations

import time
from collections.abc import Callable

from tote.core.errors import ToteError
from tote.log.base import Log
from tote.registry import Registry
from tote.sql.ast import commands as c
from tote.sql.ast.expressions import BooleanLiteral, IntegerLiteral, Literal
from tote.sql.ast.queries import Duration
from tote.sql.config import Config
from tote.sql.errors import AssertionFailed
from tote.sql.results import AssertSchemaResult, AssertTopicResult

TOPIC_TIMEOUT = "ksql.assert.topic.default.timeout.ms"
SCHEMA_TIMEOUT = "ksql.assert.schema.default.timeout.ms"
DEFAULT_TIMEOUT_MS = 1000
RETRY_MS = 100
# Schema Registry's "subject not found" and "schema not found": the schema is absent.
_NOT_FOUND = (40401, 40403)
NO_REGISTRY = ("KSQL is not configured to use a schema registry. To enable it, please set "
               "ksql.schema.registry.url")


class _Failed(Exception):
    """One failed check; retried until the timeout."""


def assert_topic(text: str, statement: c.AssertTopic, log: Log,
                 config: Config) -> AssertTopicResult:
    def check() -> None:
        _check_topic(log, statement)

    _retry(check, _timeout_ms(statement.timeout, config, TOPIC_TIMEOUT))
    return AssertTopicResult(text, statement.topic, statement.exists)


def assert_schema(text: str, statement: c.AssertSchema, registry: Registry | None,
                  config: Config) -> AssertSchemaResult:
    def check() -> None:
        _check_schema(registry, statement)

    _retry(check, _timeout_ms(statement.timeout, config, SCHEMA_TIMEOUT))
    return AssertSchemaResult(text, statement.subject, statement.id, statement.exists)


def _timeout_ms(timeout: Duration | None, config: Config, name: str) -> int:
    if timeout is not None:
        return timeout.millis
    # ksqlDB reads the server's config here, not the session's overrides.
    value = Config(dict(config.server)).get(name)
    return int(value) if value is not None else DEFAULT_TIMEOUT_MS


def _retry(check: Callable[[], None], timeout_ms: int) -> None:
    """ksqlDB's RetryUtil: one try, then `timeout / 100` retries 100 ms apart."""
    retries = max(timeout_ms // RETRY_MS, 0)
    attempt = 0
    while True:
        try:
            check()
            return
        except _Failed as failed:
            if attempt >= retries:
                raise AssertionFailed(str(failed)) from None
        attempt += 1
        time.sleep(RETRY_MS / 1000)


def _check_topic(log: Log, statement: c.AssertTopic) -> None:
    topic = statement.topic
    try:
        exists = log.topic_exists(topic)
    except ToteError as exc:
        raise _Failed(f"Cannot check topic existence: {exc.message}") from None
    if not statement.exists:
        if exists:
            raise _Failed(f"Topic {topic} exists")
        return
    if not exists:
        raise _Failed(f"Topic {topic} does not exist")
    try:
        spec = log.describe_topic(topic).spec
    except ToteError as exc:
        raise _Failed(f"Cannot check topic existence: {exc.message}") from None
    errors = []
    for prop in statement.properties:
        key = prop.name.lower()
        if key in ("partitions", "replicas"):
            actual = spec.partitions if key == "partitions" else spec.replication_factor
            value = prop.value
            if not (isinstance(value, IntegerLiteral) and value.value == actual):
                errors.append(f"Mismatched configuration for topic {topic}: For config "
                              f"{key}, expected {_text(value)} got {actual}")
        else:
            errors.append(f"Cannot assert unknown topic property: {prop.name}")
    if errors:
        raise _Failed("\n".join(errors))


def _text(value: Literal) -> str:
    """A literal as Java's toString prints its value."""
    if isinstance(value, BooleanLiteral):
        return "true" if value.value else "false"
    return str(getattr(value, "value", value))


def _check_schema(registry: Registry | None, statement: c.AssertSchema) -> None:
    subject, schema_id = statement.subject, statement.id
    exists = _schema_exists(registry, subject, schema_id)
    subject_text = f" subject name {subject}" if subject is not None else ""
    id_text = f" id {schema_id}" if schema_id is not None else ""
    if statement.exists and not exists:
        raise _Failed(f"Schema with{subject_text}{id_text} does not exist")
    if not statement.exists and exists:
        raise _Failed(f"Schema with{subject_text}{id_text} exists")


def _schema_exists(registry: Registry | None, subject: str | None,
                   schema_id: int | None) -> bool:
    if registry is None:
        raise _Failed(f"Cannot check schema existence: {NO_REGISTRY}")
    try:
        if subject is not None and schema_id is not None:
            return subject in registry.subjects_for_id(schema_id)
        if schema_id is not None:
            registry.get_schema(schema_id)
        elif subject is not None:
            registry.get_version(subject, "latest")
        return True
    except ToteError as exc:
        if exc.error_code in _NOT_FOUND:
            return False
        raise _Failed(f"Cannot check schema existence: {exc.message}") from None
