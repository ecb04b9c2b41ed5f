"""Records of one ID column and a JDBC sink task writing them: what the exactly-once tests
put through the sink by hand."""

from __future__ import annotations

from tests.connect.databases import Database, connector_config

from tote.connect.api import TaskContext
from tote.connect.data import SinkRecord, Struct, Type, primitive, struct_schema
from tote.connect.jdbc.sink import JdbcSinkTask
from tote.core.records import LogRecord, TimestampType

VALUE = struct_schema("Bet", [("ID", primitive(Type.INT64))])


def records(first: int, last: int, partition: int = 0) -> list[SinkRecord]:
    """Offsets `first`..`last` - 1 of bets-`partition`; ID = partition * 1000 + offset."""
    out = []
    for offset in range(first, last):
        ident = partition * 1000 + offset
        raw = LogRecord("bets", partition, offset, None, None, (), 0, TimestampType.CREATE_TIME)
        out.append(SinkRecord("bets", partition, offset, None, None, VALUE,
                              Struct(VALUE, {"ID": ident}), 0, (), raw))
    return out


def task(db: Database) -> JdbcSinkTask:
    started = JdbcSinkTask()
    started.start({"name": "eos", **connector_config(db), "auto.create": "true"},
                  TaskContext("eos", 0, {}))
    return started
