"""A poll of decoded rows handed over whole on PostgreSQL (`begin_put`): one query that
the database finishes while the worker reads on. Rows and offsets still commit together,
a zombie still keeps nothing, and a failure still ends as a failed put ends: retries,
then the dead letter queue or the task's failure."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from tests.connect.databases import PostgresDatabase, connector_config
from tests.connect.helpers import wait_until

from tote.connect.api import OffsetsMoved, TaskContext
from tote.connect.batch import SinkRecordBatch, StructRows
from tote.connect.data import OPTIONAL_STRING, SinkRecord, Type, primitive, struct_schema
from tote.connect.errors import ConnectException
from tote.connect.jdbc.pg_sent import SentQuery
from tote.connect.jdbc.sink import JdbcSinkTask
from tote.core.records import LogRecord, TimestampType, TopicPartition

VALUE = struct_schema("Bet", [("ID", primitive(Type.INT64)), ("NOTE", OPTIONAL_STRING)])
TP = TopicPartition("bets", 0)


def batch(first: int, last: int) -> SinkRecordBatch:
    """Records first..last-1 as the runtime hands a decoded poll to the sink."""
    records = [LogRecord("bets", 0, offset, None, b"", (), 0, TimestampType.CREATE_TIME)
               for offset in range(first, last)]
    rows = [(offset, None if offset % 3 else f"bet\t{offset}\n\\") for offset in
            range(first, last)]
    return SinkRecordBatch(records, [(None, None)] * len(records),
                           StructRows(VALUE, ("ID", "NOTE"), rows))


class Reported:
    """An errant record reporter that keeps what it is given."""

    def __init__(self) -> None:
        self.records: list[SinkRecord] = []

    def report(self, record: SinkRecord, error: BaseException) -> None:
        self.records.append(record)


def task(db: PostgresDatabase, table: str, *, reporter: Reported | None = None,
         extra: dict[str, str] | None = None) -> JdbcSinkTask:
    started = JdbcSinkTask()
    started.start({"name": table, **connector_config(db), "auto.create": "true",
                   "table.name.format": table, **(extra or {})},
                  TaskContext(table, 0, {}, reporter))
    return started


def ids(db: PostgresDatabase, table: str) -> list[int]:
    return [int(i) for (i,) in db.rows(f'SELECT "ID" FROM "{table}" ORDER BY 1')]


def stored(db: PostgresDatabase, connector: str) -> list[tuple[Any, ...]]:
    return db.rows("SELECT next_offset FROM __tote_connect_offsets "
                   f"WHERE connector = '{connector}'")


def test_rows_and_offsets_are_handed_over_whole_and_kept_together(
        pg: PostgresDatabase) -> None:
    sink = task(pg, "whole")
    try:
        assert sink.open([TP]) == {}
        # A partition's first offsets need an INSERT checked on its own: a plain put.
        assert sink.begin_put(batch(0, 5), {TP: 5}) is None
        sink.put(batch(0, 5), {TP: 5})
        handed = sink.begin_put(batch(5, 10), {TP: 10})
        assert handed is not None
        wait_until(handed.ready, "the database to answer")
        handed.finish()
        sent = sink.begin_put(batch(10, 12), {TP: 12})
        assert sent is not None
        sent.finish()
        assert ids(pg, "whole") == list(range(12))
        assert pg.rows('SELECT "NOTE" FROM whole WHERE "ID" IN (1, 6) ORDER BY "ID"') == [
            (None,), ("bet\t6\n\\",)]
        assert stored(pg, "whole") == [(12,)]
    finally:
        sink.stop()


def test_a_zombie_hand_over_keeps_nothing_and_the_task_goes_on(pg: PostgresDatabase) -> None:
    live, zombie = task(pg, "zombie"), task(pg, "zombie")
    try:
        live.open([TP])
        live.put(batch(0, 5), {TP: 5})
        assert zombie.open([TP]) == {TP: 5}
        live.put(batch(5, 7), {TP: 7})
        handed = zombie.begin_put(batch(5, 8), {TP: 8})
        assert handed is not None
        with pytest.raises(OffsetsMoved) as moved:
            handed.finish()
        assert moved.value.partitions == [TP]
        assert ids(pg, "zombie") == list(range(7))
        assert zombie.open([TP]) == {TP: 7}
        again = zombie.begin_put(batch(7, 9), {TP: 9})
        assert again is not None
        again.finish()
        assert ids(pg, "zombie") == list(range(9))
        assert stored(pg, "zombie") == [(9,)]
    finally:
        live.stop()
        zombie.stop()


def test_a_hand_over_cut_off_by_a_lost_connection_is_written_again_once(
        pg: PostgresDatabase) -> None:
    sink = task(pg, "lost", extra={"retry.backoff.ms": "10"})
    sink_backend = ("FROM pg_stat_activity WHERE application_name = 'tote-connect' "
                    f"AND datname = '{pg.name}'")
    try:
        sink.open([TP])
        sink.put(batch(0, 5), {TP: 5})
        with psycopg.connect(pg.dsn) as blocker:  # holds the offsets row: the CAS waits
            blocker.execute("SELECT * FROM __tote_connect_offsets FOR UPDATE")
            handed = sink.begin_put(batch(5, 10), {TP: 10})
            assert handed is not None
            wait_until(lambda: pg.rows(f"SELECT wait_event_type {sink_backend}") == [("Lock",)],
                       "the sink's offsets update to wait")
            pg.execute(f"SELECT pg_terminate_backend(pid) {sink_backend}")
        handed.finish()  # lost before its COMMIT: written again on a new connection
        assert ids(pg, "lost") == list(range(10))
        assert stored(pg, "lost") == [(10,)]
    finally:
        sink.stop()


def _refusing(pg: PostgresDatabase, table: str) -> None:
    pg.execute(f'CREATE TABLE "{table}" ("ID" BIGINT NOT NULL CHECK ("ID" <> 7), "NOTE" TEXT)')


def test_a_refused_row_of_a_hand_over_goes_to_the_dead_letter_queue(
        pg: PostgresDatabase) -> None:
    _refusing(pg, "dlq")
    reported = Reported()
    sink = task(pg, "dlq", reporter=reported,
                extra={"max.retries": "1", "retry.backoff.ms": "10"})
    try:
        sink.open([TP])
        sink.put(batch(0, 5), {TP: 5})
        handed = sink.begin_put(batch(5, 10), {TP: 10})
        assert handed is not None
        handed.finish()
        assert [r.offset for r in reported.records] == [7]
        assert ids(pg, "dlq") == [0, 1, 2, 3, 4, 5, 6, 8, 9]
        assert stored(pg, "dlq") == [(10,)]
    finally:
        sink.stop()


def test_without_a_dead_letter_queue_a_refused_hand_over_fails_the_put(
        pg: PostgresDatabase) -> None:
    _refusing(pg, "fails")
    sink = task(pg, "fails", extra={"max.retries": "0"})
    try:
        sink.open([TP])
        sink.put(batch(0, 5), {TP: 5})
        handed = sink.begin_put(batch(5, 10), {TP: 10})
        assert handed is not None
        with pytest.raises(ConnectException, match="CheckViolation"):
            handed.finish()
        assert ids(pg, "fails") == list(range(5))
        assert stored(pg, "fails") == [(5,)]
        sink.put(batch(10, 12), {TP: 12})  # the task's connection still works
        assert ids(pg, "fails") == [0, 1, 2, 3, 4, 10, 11]
    finally:
        sink.stop()


def test_a_sent_query_reports_its_outcome_and_leaves_the_connection_idle(
        pg: PostgresDatabase) -> None:
    with psycopg.connect(pg.dsn, autocommit=False) as conn:
        conn.execute("CREATE TABLE sent (n INT)")
        conn.commit()
        def copy(divisor: int) -> list[str]:
            return ["BEGIN", "COPY sent FROM STDIN", f"SELECT 1 / {divisor}", "COMMIT"]

        division = (2, "22012")
        ok = SentQuery.send(conn, copy(1), lambda: b"1\n2\n", missed=division)
        wait_until(ok.ready, "the answer")
        assert ok.finish() is True
        missed = SentQuery.send(conn, copy(0), lambda: b"3\n", missed=division)
        assert missed.finish() is False
        failed = SentQuery.send(conn, copy(0), lambda: b"4\n")
        with pytest.raises(psycopg.errors.DivisionByZero):
            failed.finish()
        refused = SentQuery.send(conn, copy(1), lambda: b"not a number\n", missed=division)
        with pytest.raises(psycopg.errors.InvalidTextRepresentation):
            refused.finish()

        def broken() -> bytes:
            raise UnicodeEncodeError("ascii", "é", 0, 1, "not here")

        with pytest.raises(UnicodeEncodeError):
            SentQuery.send(conn, copy(1), broken)
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert conn.execute("SELECT n FROM sent ORDER BY n").fetchall() == [(1,), (2,)]
