"""Shared helpers of the Connect tests: waiting, the seed's schemas, producing records."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from tote.connect.herder import Herder
from tote.core import types as t
from tote.core.records import Record
from tote.core.types import Column
from tote.log.base import Log
from tote.registry import Registry
from tote.serde.avro import AvroCodec
from tote.serde.ksql_schemas import avro_schema_text

T = TypeVar("T")
DEADLINE_S = 90.0
BET_COLUMNS = (Column("RUNNER_ID", t.INTEGER), Column("RACE_ID", t.INTEGER),
               Column("AMOUNT", t.DOUBLE))
ODDS_COLUMNS = (Column("RUNNER_ID", t.INTEGER), Column("RUNNER_POOL_AMOUNT", t.DOUBLE),
                Column("RACE_POOL_AMOUNT", t.DOUBLE), Column("ODDS", t.DOUBLE))
JDBC_SINK = "io.confluent.connect.jdbc.JdbcSinkConnector"


def wait_until(check: Callable[[], T | None], what: str, timeout: float = DEADLINE_S) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what} (last: {last!r})")


def register(log: Log, subject: str, schema: str) -> int:
    with Registry(log) as registry:
        return registry.register(subject, schema).id


def bet_schema() -> str:
    """The ksqlDB schema of the seed's `tote_win_bets` stream (subject id 1 on a fresh log)."""
    return avro_schema_text(BET_COLUMNS)


def produce(log: Log, topic: str, schema_id: int, schema: str,
            values: Iterable[Mapping[str, Any] | None], *, keys: Iterable[bytes | None] = (),
            partition: int | None = None) -> None:
    """Append Avro-framed values (None: a tombstone) with optional raw keys."""
    codec = AvroCodec(schema)
    key_list = list(keys)
    records = []
    for i, value in enumerate(values):
        payload = None if value is None else codec.encode_framed(schema_id, dict(value))
        records.append(Record(payload, key_list[i] if i < len(key_list) else None,
                              partition=partition))
    log.append(topic, records)


def task_state(herder: Herder, name: str, task: int = 0) -> str:
    return str(herder.task_status(name, task)["state"])


def wait_task(herder: Herder, name: str, state: str, task: int = 0) -> dict[str, Any]:
    return wait_until(lambda: (s := herder.task_status(name, task))["state"] == state and s,
                      f"task {name}-{task} to be {state}")
