"""Checking the records on each expected output topic (README §6.2-§6.3).

Actual records are read back with the formats of the stream or table on the topic and
compared in order, key, value, window and (when given) timestamp. DELIMITED data is
compared as text, as the upstream harness does.
"""

from __future__ import annotations

from typing import Any

from tote.core.records import LogRecord, TopicPartition
from tote.core.types import Base as B
from tote.core.types import Field, SqlType
from tote.serde.errors import SerializationError
from tote.serde.ksql_avro import KsqlAvroCodec
from tote.serde.ksql_schemas import columns_from_avro
from tote.sql.codecs import WindowedKeyCodec, build_codec, schemas
from tote.sql.qtt.compare import matches
from tote.sql.qtt.environment import Environment
from tote.sql.qtt.loader import QttCase
from tote.sql.sources import DataSource, SourceColumn


class OutputMismatch(Exception):
    pass


def _records(env: Environment, topic: str) -> list[LogRecord]:
    out: list[LogRecord] = []
    partitions = env.log.describe_topic(topic).spec.partitions
    for partition in range(partitions):
        offset = 0
        while True:
            batch = env.log.read(TopicPartition(topic, partition), offset, 1000)
            if not batch:
                break
            out.extend(batch)
            offset = batch[-1].offset + 1
    return out


def _struct(columns: tuple[SourceColumn, ...]) -> SqlType:
    return SqlType(B.STRUCT, fields=tuple(Field(c.name, c.type) for c in columns))


class _Reader:
    """Decodes a topic's records with the formats of its source."""

    def __init__(self, env: Environment, source: DataSource) -> None:
        self.source = source
        registry = env.registry
        self.keys = source.key_columns
        self.values = source.value_columns
        self.key_codec = build_codec(self.keys, source.key_format, topic=source.topic,
                                     is_key=True, registry=registry,
                                     prefer_registered=not source.from_query)
        self.windowed = WindowedKeyCodec(self.key_codec, source.window) if source.window \
            else None
        self.value_codec = build_codec(self.values, source.value_format, topic=source.topic,
                                       is_key=False, registry=registry,
                                       prefer_registered=not source.from_query)
        # A sink writing with a user's schema (VALUE_SCHEMA_ID) is read back whole, every
        # field of that schema, as the upstream harness reads it.
        self.full: KsqlAvroCodec | None = None
        self.full_type: SqlType | None = None
        schema_id = source.value_format.prop("schemaId")
        if source.value_format.name == "AVRO" and schema_id is not None:
            text = registry.get_schema(int(schema_id)).schema
            columns = columns_from_avro(text)
            self.full = KsqlAvroCodec(columns, text)
            self.full_type = SqlType(B.STRUCT, fields=tuple(Field(c.name, c.type)
                                                            for c in columns))
        elif source.value_format.name in ("PROTOBUF", "JSON_SR") and schema_id is not None:
            whole = schemas.infer_columns(registry, source.topic, False, source.value_format,
                                          None)
            if len(whole) > len(self.values):
                self.values = tuple(whole)
                self.value_codec = build_codec(self.values, source.value_format,
                                               topic=source.topic, is_key=False,
                                               registry=registry)

    def key(self, record: LogRecord) -> tuple[Any, tuple[int, int] | None]:
        if not self.keys or self.source.key_format.name == "NONE":
            return None, None
        window = None
        if self.windowed is not None:
            values, start, end = self.windowed.decode(record.key)
            window = (start, end)
        elif self.source.key_format.name == "DELIMITED" and record.key is not None:
            return record.key.decode("utf-8"), None
        else:
            values = self.key_codec.decode(record.key)
        if values is None:
            return None, window
        if len(self.keys) == 1 and self.source.key_format.name != "PROTOBUF":
            return values[0], window
        return {c.name: v for c, v in zip(self.keys, values, strict=True)}, window

    def key_type(self) -> SqlType | None:
        if len(self.keys) == 1:
            return self.keys[0].type
        return _struct(self.keys)

    def value(self, record: LogRecord) -> Any:
        if record.value is None:
            return None
        info = self.source.value_format
        if self.full is not None:
            row = self.full.decode(record.value)
            return row
        if info.name == "DELIMITED":
            return record.value.decode("utf-8")
        if info.name == "NONE" or not self.values:
            return None
        values = self.value_codec.decode(record.value)
        if values is None:
            return None
        if len(self.values) == 1 and (info.unwrap or info.name == "KAFKA"):
            return values[0]
        return {c.name: v for c, v in zip(self.values, values, strict=True)}

    def value_type(self) -> SqlType | None:
        if self.full_type is not None:
            return self.full_type
        info = self.source.value_format
        if len(self.values) == 1 and (info.unwrap or info.name == "KAFKA"):
            return self.values[0].type
        return _struct(self.values)


def check_outputs(case: QttCase, env: Environment) -> None:
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for spec in case.outputs:
        by_topic.setdefault(spec["topic"], []).append(spec)
    lenient_time = not case.inputs
    for topic, expected in by_topic.items():
        if not env.log.topic_exists(topic):
            raise OutputMismatch(f"topic {topic} does not exist")
        actual = _records(env, topic)
        if len(actual) != len(expected):
            raise OutputMismatch(f"topic {topic}: expected {len(expected)} records, got "
                                 f"{len(actual)}")
        source = next((s for s in env.engine.metastore.sources.values() if s.topic == topic),
                      None)
        if source is None:
            raise OutputMismatch(f"no stream or table for topic {topic}")
        reader = _Reader(env, source)
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            _compare(index, topic, want, got, reader=reader, lenient_time=lenient_time)


def _compare(index: int, topic: str, want: dict[str, Any], got: LogRecord, *,
             reader: _Reader, lenient_time: bool) -> None:
    where = f"topic {topic} record {index}"
    try:
        key, window = reader.key(got)
        value = reader.value(got)
    except SerializationError as exc:
        raise OutputMismatch(f"{where}: cannot decode: {exc.message}") from None
    expected_window = want.get("window")
    bounds = None if expected_window is None else (
        int(expected_window["start"]), int(expected_window["end"]))
    if bounds is not None and bounds != window:
        raise OutputMismatch(f"{where}: window {window} != {expected_window}")
    if not matches(want.get("key"), key, reader.key_type()):
        raise OutputMismatch(f"{where}: key {key!r} != {want.get('key')!r}")
    if not matches(want.get("value"), value, reader.value_type()):
        raise OutputMismatch(f"{where}: value {value!r} != {want.get('value')!r}")
    if "timestamp" in want:
        stamp = int(want["timestamp"])
        if not (lenient_time and stamp == 0) and stamp != got.timestamp:
            raise OutputMismatch(f"{where}: timestamp {got.timestamp} != {stamp}")
    expected_headers = want.get("headers") or []
    if len(expected_headers) != len(got.headers):
        raise OutputMismatch(f"{where}: headers {got.headers} != {expected_headers}")
