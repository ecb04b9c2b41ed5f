"""`io.confluent.connect.jdbc.JdbcSinkConnector`: records into tables, exactly once.

Each `put` is one database transaction holding the rows of every record of the poll and,
with `tote.exactly.once` (the default), the consumed offsets (`offsets.py`; on PostgreSQL
moved in the same round trip as the COMMIT). DDL for new
tables and columns runs first, in its own transaction (MySQL commits DDL implicitly).
A failed write is retried `max.retries` times, `retry.backoff.ms` apart, reconnecting as
needed; then, if the connector has a dead letter queue (`errors.tolerance=all`), records
are written one by one under savepoints and the ones the database refuses go to the
DLQ; otherwise the task fails with the database's reason. Records the sink cannot take
at all (a tombstone without `delete.enabled`, a schemaless value) go to the DLQ or fail
the task the same way: nothing is dropped silently.

A poll of decoded rows that is one plain insert is handed over whole where the dialect
can send it as one transaction without waiting for it (`begin_put`, PostgreSQL): the
same statements in the same transaction, and a failure continues as a failed attempt of
`put` would (retries, then the DLQ or the task's failure).
"""

from __future__ import annotations

import logging
import threading
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tote.connect.api import (
    ErrantRecordReporter,
    OffsetsMoved,
    PendingPut,
    SinkConnector,
    SinkTask,
    TaskContext,
)
from tote.connect.configdef import ConfigDef, ConfigValue
from tote.connect.data import SinkRecord
from tote.connect.errors import ConfigException, ConnectException
from tote.connect.jdbc import config as jdbc_config
from tote.connect.jdbc.config import JdbcSinkConfig
from tote.connect.jdbc.dialect import SentPut
from tote.connect.jdbc.dialects import dialect_for
from tote.connect.jdbc.offsets import OffsetStore
from tote.connect.jdbc.session import ConnectionFailed, DbSession, describe_error
from tote.connect.jdbc.structure import DbStructure
from tote.connect.jdbc.urls import parse_jdbc_url
from tote.connect.jdbc.writer import RecordWriter, Run
from tote.core.records import TopicPartition

_logger = logging.getLogger(__name__)
CLASS_NAME = "io.confluent.connect.jdbc.JdbcSinkConnector"
TASK_CLASS = "io.confluent.connect.jdbc.sink.JdbcSinkTask"
VERSION = "10.7.4"
_SAVEPOINT = "tote_record"


def _session(props: Mapping[str, str], aliases: Mapping[str, str]
             ) -> tuple[JdbcSinkConfig, DbSession]:
    config = JdbcSinkConfig.parse(props)
    target = parse_jdbc_url(config.url, aliases)
    dialect = dialect_for(target, config.dialect_name, config.quote_identifiers,
                          config.db_timezone)
    return config, DbSession(dialect, target, config, threading.Event())


class JdbcSinkTask(SinkTask):
    """Writes one task's records; driven by one worker thread."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._stored: dict[TopicPartition, int] = {}
        self._ensured: set[tuple[str, int]] = set()
        self.reporter: ErrantRecordReporter | None = None

    def start(self, props: Mapping[str, str], context: TaskContext) -> None:
        config, session = _session(props, context.host_aliases)
        session.stopping = self.stopping
        self.config, self.session = config, session
        self.dialect = session.dialect
        self.reporter = context.reporter
        self.structure = DbStructure(self.dialect, config)
        self.writer = RecordWriter(self.dialect, config)
        self.offsets = (OffsetStore(self.dialect, config.offsets_table, context.connector)
                        if config.exactly_once else None)
        conn = session.connect()
        if self.offsets is not None:
            try:
                self.offsets.ensure_table(conn)
            except session.errors as exc:
                raise ConnectException(f"Could not create the offsets table "
                                       f"{config.offsets_table}: {describe_error(exc)}") from None

    # -- partitions -----------------------------------------------------------------------

    def open(self, partitions: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        wanted = set(partitions)
        if self.offsets is None or not wanted:
            return {}
        offsets = self.offsets
        loaded = self._retrying("read the stored offsets",
                                lambda: offsets.load(self.session.connect(attempts=1)))
        found = {tp: o for tp, o in loaded.items() if tp in wanted}
        for tp in wanted:
            self._stored.pop(tp, None)
        self._stored.update(found)
        return found

    def close(self, partitions: Iterable[TopicPartition]) -> None:
        for tp in partitions:
            self._stored.pop(tp, None)

    def offsets_stored(self, offsets: Mapping[TopicPartition, int]) -> None:
        """A put committed these offsets."""
        self._stored.update(offsets)

    # -- writing --------------------------------------------------------------------------

    def _ensure_tables(self, runs: Sequence[Run]) -> None:
        for run in runs:
            marker = (str(run.table), id(run.fields))
            if marker in self._ensured:
                continue
            self.structure.ensure(self.session.connect(attempts=1), run.table, run.fields)
            self._ensured.add(marker)

    def _write(self, runs: Sequence[Run], offsets: Mapping[TopicPartition, int],
               isolate: bool) -> None:
        store = self.offsets if offsets else None
        deferred = store.deferred(self._stored, offsets) if store is not None else None
        with self.session.transaction() as cursor:
            if store is not None and deferred is None:
                store.store(cursor, self.session.integrity_error, self._stored, offsets)
            for run in runs:
                if isolate:
                    self._write_one_by_one(cursor, run)
                else:
                    self.writer.execute(cursor, run)
            if store is not None and deferred is not None:
                store.store_and_commit(cursor, deferred, list(offsets))

    def _write_one_by_one(self, cursor: Any, run: Run) -> None:
        assert self.reporter is not None
        for record in run.records:
            cursor.execute(f"SAVEPOINT {_SAVEPOINT}")
            try:
                self.writer.execute(cursor, Run(run.table, run.fields, run.op, [record]))
            except self.session.errors as exc:
                cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                self.reporter.report(record, ConnectException(describe_error(exc)))
            cursor.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")

    def put(self, records: Sequence[SinkRecord], offsets: Mapping[TopicPartition, int]) -> None:
        reject = self.reporter.report if self.reporter is not None else None
        runs = self.writer.plan(records, reject)
        self.write_retrying(runs, len(records), offsets)

    def write_retrying(self, runs: Sequence[Run], count: int,
                       offsets: Mapping[TopicPartition, int],
                       failure: BaseException | None = None) -> None:
        """Write the runs in one transaction, retrying `max.retries` times; `failure`: the
        first attempt was made elsewhere and failed so."""
        retries = self.config.max_retries
        attempt = 0
        while True:
            if failure is None:
                try:
                    self._ensure_tables(runs)
                    self._write(runs, offsets, isolate=False)
                    break
                except self.session.retriable as exc:
                    failure = exc
            self.session.discard()
            self.structure.forget()
            self._ensured.clear()
            reason = describe_error(failure)
            failure = None
            if attempt < retries:
                attempt += 1
                _logger.warning("Write of %s records failed (%s); retry %s/%s in %s ms",
                                count, reason, attempt, retries,
                                self.config.retry_backoff_ms)
                if self.stopping.wait(self.config.retry_backoff_ms / 1000):
                    raise ConnectException("Task stopped while retrying a write") from None
                continue
            if self.reporter is not None and self._reachable():
                self._write_isolated(runs, offsets, reason)
                break
            raise ConnectException(
                f"Write to {self.session.target.describe()} failed after {retries} "
                f"retries: {reason}") from None
        self._stored.update(offsets)

    def begin_put(self, records: Sequence[SinkRecord], offsets: Mapping[TopicPartition, int]
                  ) -> PendingPut | None:
        """A poll of decoded rows that is one plain insert, sent as one transaction
        (offsets, rows, COMMIT) when the dialect can; None otherwise."""
        if not self.dialect.sends_puts:
            return None
        run = self.writer.whole_run(records)
        copy = self.writer.copy_rows(run) if run is not None else None
        store = self.offsets if offsets else None
        moves = store.deferred(self._stored, offsets) if store is not None else None
        if run is None or copy is None or (store is not None and moves is None):
            return None
        try:
            self._ensure_tables([run])
            connection = self.session.driver_connection()
            sent = None if connection is None else self.dialect.send_put(
                connection, run.table, *copy, store.update(moves) if store and moves else None)
        except self.session.retriable as exc:
            return _SentPut(self, [run], len(records), offsets, None, exc)
        if sent is None:
            return None
        return _SentPut(self, [run], len(records), offsets, sent, None)

    def _write_isolated(self, runs: Sequence[Run], offsets: Mapping[TopicPartition, int],
                        reason: str) -> None:
        _logger.warning("Writing records one by one after: %s", reason)
        try:
            self._ensure_tables(runs)
            self._write(runs, offsets, isolate=True)
        except self.session.retriable as exc:
            self.session.discard()
            raise ConnectException(f"Write to {self.session.target.describe()} failed: "
                                   f"{describe_error(exc)}") from None

    def _reachable(self) -> bool:
        try:
            self.session.connect(attempts=1)
        except ConnectionFailed:
            return False
        return True

    def _retrying(self, what: str, action: Any) -> Any:
        attempt = 0
        while True:
            try:
                return action()
            except self.session.retriable as exc:
                self.session.discard()
                if attempt >= self.config.max_retries:
                    raise ConnectException(f"Could not {what} from "
                                           f"{self.session.target.describe()}: "
                                           f"{describe_error(exc)}") from None
                attempt += 1
                if self.stopping.wait(self.config.retry_backoff_ms / 1000):
                    raise ConnectException("Task stopped") from None

    def stop(self) -> None:
        self.stopping.set()
        session = getattr(self, "session", None)
        if session is not None:
            session.close()


@dataclass
class _SentPut(PendingPut):
    """A put the dialect sent whole; finishing it continues as `put` does after a
    failed attempt when it failed."""

    task: JdbcSinkTask
    runs: list[Run]
    count: int
    offsets: Mapping[TopicPartition, int]
    sent: SentPut | None
    failure: BaseException | None

    def ready(self) -> bool:
        if self.sent is None:
            return True
        try:
            return self.sent.ready()
        except self.task.session.retriable:
            return True  # `finish` meets the failure again and handles it

    def finish(self) -> None:
        task, failure = self.task, self.failure
        if self.sent is not None:
            try:
                if not self.sent.finish():
                    raise OffsetsMoved(list(self.offsets))
            except task.session.retriable as exc:
                failure = exc
            else:
                task.offsets_stored(self.offsets)
                return
        task.write_retrying(self.runs, self.count, self.offsets, failure)


class JdbcSinkConnector(SinkConnector):
    """The connector class: config checks, task configs, and the offsets it stores."""

    class_name = CLASS_NAME
    task_class = TASK_CLASS
    version = VERSION

    def config_def(self) -> ConfigDef:
        return jdbc_config.CONFIG_DEF

    def validate(self, props: Mapping[str, str]) -> dict[str, ConfigValue]:
        values = jdbc_config.validate(props)
        url, name = values["connection.url"], values["dialect.name"]
        if url.errors or not url.value:
            return values
        try:
            target = parse_jdbc_url(str(url.value))
        except ConfigException as exc:
            url.errors.append(exc.message)
            return values
        if not name.errors:
            try:
                dialect_for(target, str(name.value or ""), True, zoneinfo.ZoneInfo("UTC"))
            except ConfigException as exc:
                name.errors.append(exc.message)
        return values

    def task(self) -> SinkTask:
        return JdbcSinkTask()

    def stored_offsets(self, props: Mapping[str, str], aliases: Mapping[str, str]
                       ) -> dict[TopicPartition, int] | None:
        config, session = _session(props, aliases)
        if not config.exactly_once:
            return None
        store = OffsetStore(session.dialect, config.offsets_table, props.get("name", ""))
        try:
            conn = session.connect(attempts=1)
            store.ensure_table(conn)
            return store.load(conn)
        except session.errors as exc:
            raise ConnectException(f"Could not read offsets from {session.target.describe()}: "
                                   f"{describe_error(exc)}") from None
        finally:
            session.close()

    def alter_offsets(self, props: Mapping[str, str], aliases: Mapping[str, str],
                      offsets: Mapping[TopicPartition, int | None] | None) -> None:
        config, session = _session(props, aliases)
        if not config.exactly_once:
            return
        store = OffsetStore(session.dialect, config.offsets_table, props.get("name", ""))
        try:
            conn = session.connect(attempts=1)
            store.ensure_table(conn)
            if offsets is None:
                store.reset(conn)
            else:
                store.alter(conn, offsets)
        except session.errors as exc:
            raise ConnectException(f"Could not alter offsets in {session.target.describe()}: "
                                   f"{describe_error(exc)}") from None
        finally:
            session.close()
