"""Polls decoded as rows: the same records, the same rows in the database, and the general
path whenever a poll does not fit (several schemas, a null or bad value, keys needed)."""

from __future__ import annotations

import decimal
import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from tests.connect.databases import Database, connector_config
from tests.connect.helpers import register

from tote.connect.api import TaskContext
from tote.connect.batch import SinkRecordBatch
from tote.connect.converters import AVRO, STRING, Converter, ConverterContext, build_converter
from tote.connect.data import SinkRecord
from tote.connect.jdbc.sink import JdbcSinkTask
from tote.connect.registries import Registries
from tote.core.records import LogRecord, TimestampType, TopicPartition
from tote.log.memory import MemoryLog
from tote.serde.avro import AvroCodec

REGISTRY = "http://schema-registry:8081"
SCHEMA = json.dumps({"type": "record", "name": "Bet", "fields": [
    {"name": "ID", "type": "long"},
    {"name": "NOTE", "type": ["null", "string"], "default": None},
    {"name": "AMOUNT", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9,
                                "scale": 2}},
    {"name": "AT", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]}]})
TP = TopicPartition("bets", 0)


@pytest.fixture
def context(log: MemoryLog) -> Iterator[ConverterContext]:
    registries = Registries(log, {})
    yield ConverterContext(registries.for_url)
    registries.close()


def converters(context: ConverterContext) -> tuple[Converter, Converter]:
    props = {"value.converter": AVRO, "value.converter.schema.registry.url": REGISTRY,
             "key.converter": STRING}
    return (build_converter("key.converter", props, {}, context),
            build_converter("value.converter", props, {}, context))


def bets(log: MemoryLog, count: int, first: int = 0) -> list[LogRecord]:
    schema_id = register(log, "bets-value", SCHEMA)
    codec = AvroCodec(SCHEMA)
    values = [{"ID": i, "NOTE": None if i % 3 == 0 else f"bet\t{i}\n\\",
               "AMOUNT": f"{i}.{i % 100:02d}", "AT": None if i % 2 else 1_700_000_000_123 + i}
              for i in range(first, first + count)]
    return [LogRecord("bets", 0, first + n, str(n).encode(), codec.encode_framed(schema_id, {
        **v, "AMOUNT": decimal.Decimal(v["AMOUNT"])}), (), 1000 + n, TimestampType.CREATE_TIME)
        for n, v in enumerate(values)]


def general(key: Converter, value: Converter, records: Sequence[LogRecord]
            ) -> list[SinkRecord]:
    keys, _ = key.to_connect_many("bets", [r.key for r in records])
    values, failures = value.to_connect_many("bets", [r.value for r in records])
    assert failures == {}
    return [SinkRecord(r.topic, r.partition, r.offset, k[0], k[1], v[0], v[1], r.timestamp,
                       r.headers, r) for r, k, v in zip(records, keys, values, strict=True)]


def batch(key: Converter, value: Converter, records: Sequence[LogRecord]
          ) -> SinkRecordBatch | None:
    rows = value.to_connect_rows("bets", [r.value for r in records])
    if rows is None:
        return None
    keys, _ = key.to_connect_many("bets", [r.key for r in records])
    return SinkRecordBatch(records, keys, rows)


def test_a_batch_holds_the_records_the_general_path_builds(
        log: MemoryLog, context: ConverterContext) -> None:
    key, value = converters(context)
    records = bets(log, 12)
    expected = general(key, value, records)  # also caches the writer schema
    found = batch(key, value, records)
    assert found is not None
    assert found[3] == expected[3] and found[-1] == expected[-1]
    assert list(found) == expected
    assert found[2:5] == expected[2:5]
    assert all(r.value_schema is expected[0].value_schema for r in found)


def test_polls_that_do_not_fit_take_the_general_path(log: MemoryLog,
                                                    context: ConverterContext) -> None:
    key, value = converters(context)
    records = bets(log, 4)
    general(key, value, records)
    datas: list[bytes | None] = [r.value for r in records]
    assert value.to_connect_rows("bets", datas) is not None
    assert value.to_connect_rows("bets", [*datas, None]) is None  # a tombstone
    assert value.to_connect_rows("bets", [*datas, datas[0][:-1]]) is None  # type: ignore[index]
    other = register(log, "other-value", '{"type":"record","name":"O","fields":[]}')
    assert value.to_connect_rows("bets", [*datas, bytes([0]) + other.to_bytes(4, "big")]) \
        is None
    assert value.to_connect_rows("bets", []) is None


def _task(db: Database, name: str, **extra: str) -> JdbcSinkTask:
    task = JdbcSinkTask()
    task.start({"name": name, **connector_config(db), "auto.create": "true",
                "table.name.format": name, **extra}, TaskContext(name, 0, {}))
    return task


def _table(db: Database, name: str) -> list[tuple[Any, ...]]:
    q = "`" if db.kind == "mariadb" else '"'
    return db.rows(f"SELECT * FROM {q}{name}{q} ORDER BY {q}ID{q}")


@pytest.mark.parametrize("extra", [{}, {"fields.whitelist": "AMOUNT,ID"},
                                   {"pk.mode": "kafka"},
                                   {"pk.mode": "record_value", "pk.fields": "ID",
                                    "insert.mode": "upsert"}])
def test_the_sink_writes_a_batch_as_it_writes_its_records(
        database: Database, log: MemoryLog, context: ConverterContext,
        extra: dict[str, str]) -> None:
    key, value = converters(context)
    records = bets(log, 40)
    expected = general(key, value, records)
    found = batch(key, value, records)
    assert found is not None
    for name, poll in (("by_batch", found), ("by_record", expected)):
        task = _task(database, name, **extra)
        try:
            task.open([TP])
            task.put(poll, {TP: 40})
        finally:
            task.stop()
    # Plain inserts take the rows as decoded; the rest builds the records.
    assert found.materialized == bool(extra.get("pk.mode"))
    stored = _table(database, "by_batch")
    assert len(stored) == 40
    assert stored == _table(database, "by_record")
    assert sorted(database.rows("SELECT connector, next_offset FROM __tote_connect_offsets")
                  ) == [("by_batch", 40), ("by_record", 40)]
