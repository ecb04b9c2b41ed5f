"""`Engine`: tote's ksqlDB engine as a library.

    engine = Engine(log, registry, properties={...})
    engine.start()                       # replays the command topic, resumes queries
    engine.execute("CREATE STREAM ...; CREATE TABLE ... AS SELECT ...;")
    engine.run_until_idle()              # live mode: process what the log holds
    engine.start_background()            # ...or keep processing in a thread

Every statement runs against a copy of the catalogue that replaces the live one only
when the statement succeeded. Statements that change the catalogue are appended to the
command topic, which `start` replays. `harness=True` gives ksqlDB's test-harness
semantics (QTT): no command topic, queries driven by `tote.sql.runtime.harness`, every
record on partition 0.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.core.errors import Fenced, SqlError, ToteError, TransactionConflict
from tote.log.base import Log
from tote.log.wake import Wake
from tote.registry import Registry
from tote.sql.analyzer.context import AnalysisContext
from tote.sql.ast.statements import Statement
from tote.sql.commands import Command, CommandLog, CommandTopicLost
from tote.sql.config import AUTO_OFFSET_RESET, SERVICE_ID, Config
from tote.sql.errors import ParseFailure, StatementError, as_statement_error
from tote.sql.execution.dispatch import Dispatcher, Session
from tote.sql.expressions.compiler import TOO_DEEP
from tote.sql.functions import FunctionRegistry, default_functions
from tote.sql.metastore import MetaStore
from tote.sql.parser import parse_statement
from tote.sql.planner.physical import PhysicalPlan
from tote.sql.query_errors import QueryErrors
from tote.sql.query_retry import Retries
from tote.sql.results import StatementResult
from tote.sql.runtime.failure import QueryFailed
from tote.sql.runtime.membership import Membership
from tote.sql.runtime.processing_log import ProcessingError, ProcessingLog
from tote.sql.runtime.runtime import MAX_POLL_RECORDS, Runtime
from tote.sql.runtime.tasks import TaskFactory
from tote.sql.script import ScriptReader, Variables, run_script

_LOG = logging.getLogger("tote.sql.engine")
_CONFLICT_RETRIES = 5


class Engine:
    def __init__(self, log: Log, registry: Registry | None, *,
                 properties: Mapping[str, object] | None = None, clock: Clock = SYSTEM_CLOCK,
                 service_id: str | None = None, functions: FunctionRegistry | None = None,
                 harness: bool = False, command_topic: bool | None = None,
                 read_file: ScriptReader | None = None, instance_id: str | None = None
                 ) -> None:
        """`instance_id` (a server's host:port) makes this engine share the work of
        persistent queries with the other engines of its service id on the log."""
        self.log = log
        self.registry = registry
        self.clock = clock
        self.config = Config.of(properties)
        if service_id is not None:
            self.config.server[SERVICE_ID] = service_id
        self.service_id = self.config.service_id
        self.functions = functions or default_functions(clock=clock)
        self.harness = harness
        self.metastore = MetaStore()
        self.processing_log = ProcessingLog()
        self.plans: dict[str, PhysicalPlan] = {}
        factory = TaskFactory(log, registry, self.functions, self.processing_log, harness)
        membership = (Membership(log, instance_id)
                      if instance_id is not None and not harness else None)
        producer = (f"ksql-{self.service_id}-runtime" if membership is None
                    else f"ksql-{self.service_id}-{instance_id}-runtime")
        self.runtime = Runtime(log, factory, producer, harness=harness,
                               membership=membership)
        self.runtime.on_failure = self._query_failed
        self.retries = Retries(self.config)
        self.query_errors = QueryErrors(self.config)
        use_commands = (not harness) if command_topic is None else command_topic
        self.commands = CommandLog(log, self.service_id) if use_commands else None
        self.read_file = read_file
        self.session = Session(Config(self.config.server, {}), Variables())
        self.lock = threading.RLock()
        self._stop = Wake()
        self._thread: threading.Thread | None = None
        self.failure: ToteError | None = None
        self.dispatcher = Dispatcher(self)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Replay the command topic: rebuild the catalogue and resume every query."""
        if self.commands is None:
            return
        self.commands.ensure()
        with self.lock:
            for offset, _, command in self.commands.replay():
                session = Session(Config(self.config.server, dict(command.properties)),
                                  Variables())
                try:
                    statement = parse_statement(command.statement)
                    self._run(statement, command.statement, session, replay_offset=offset)
                except SqlError as exc:
                    _LOG.warning("Skipping command %d on replay: %s", offset, exc.message)

    def apply_command(self, offset: int, command: Command) -> StatementResult | None:
        """Run one command another server appended to the command topic, as replay does
        (hook for tote.sql.server, which follows the topic so servers share a catalogue);
        None if it failed here (logged, as on replay)."""
        session = Session(Config(self.config.server, dict(command.properties)), Variables())
        with self.lock:
            try:
                statement = parse_statement(command.statement)
                return self._run(statement, command.statement, session, replay_offset=offset)
            except SqlError as exc:
                _LOG.warning("Skipping command %d: %s", offset, exc.message)
                return None

    def close(self) -> None:
        self.stop_background()
        with self.lock:
            self.runtime.close()

    # -- statements --------------------------------------------------------------------------

    def execute(self, sql: str, *, session: Session | None = None,
                properties: Mapping[str, object] | None = None) -> list[StatementResult]:
        """Run a script of statements in order; the first failure raises (the statements
        before it stay executed, as in ksqlDB)."""
        session = session or self.session
        if properties:
            session = Session(session.config.with_overrides(properties), session.variables)
        results: list[StatementResult] = []
        for item in run_script(sql, session.variables, read_file=self.read_file):
            try:
                result = self.execute_statement(item.statement, item.original_text, session)
            except SqlError as exc:
                if not exc.statement_text:
                    exc.statement_text = item.statement.text
                raise
            results.append(result)
        return results

    def execute_statement(self, statement: Statement, text: str | None = None,
                          session: Session | None = None) -> StatementResult:
        with self.lock:
            return self._run(statement, text or statement.text, session or self.session)

    def _run(self, statement: Statement, text: str, session: Session,
             replay_offset: int | None = None) -> StatementResult:
        metastore = self.metastore.copy()
        ctx = AnalysisContext(metastore, session.config, self.log, self.registry,
                              self.functions)
        try:
            result = self.dispatcher.dispatch(statement, text, ctx, session, replay_offset)
        except ParseFailure:
            raise
        except SqlError as err:
            raise as_statement_error(err) from None
        except RecursionError:
            # Analysis walks expressions recursively; a pathologically nested one
            # (e.g. `a+a+...` thousands of terms) is a user error, not a crash.
            raise StatementError(TOO_DEEP) from None
        self.metastore = metastore
        return result

    def record_command(self, command_id: str, text: str, session: Session,
                       replay_offset: int | None) -> int:
        """Append a statement to the command topic (not while replaying); its offset."""
        if replay_offset is not None:
            return replay_offset
        if self.commands is None:
            return -1
        overrides = dict(session.config.overrides)
        try:
            return self.commands.append(command_id, Command(text, overrides))
        except (SqlError, CommandTopicLost):
            raise
        except ToteError as exc:  # the caller undoes what the statement did
            raise StatementError("Could not write the statement into the command topic: "
                                 f"{exc.message}") from None

    def check_commands(self, replay_offset: int | None) -> None:
        """Refuse a statement that would be recorded once the command topic is lost
        (`CommandTopicLost`), before it changes anything."""
        if replay_offset is None and self.commands is not None:
            self.commands.require()

    def next_query_number(self, metastore: MetaStore, replay_offset: int | None) -> int:
        if replay_offset is not None:
            return replay_offset + 1
        if self.commands is None:
            return metastore.allocate_query_number()
        return self.commands.next_offset() + 1

    def offset_reset(self, session: Session) -> str:
        value = session.config.get(AUTO_OFFSET_RESET) or "latest"
        return value.lower()

    # -- processing --------------------------------------------------------------------------

    def step(self, max_records: int = MAX_POLL_RECORDS) -> int:
        """One processing step (one transaction). A conflict with another writer of the
        same partitions is retried from the last commit, a few times."""
        for attempt in range(_CONFLICT_RETRIES):
            try:
                with self.lock:
                    self._retry_due()
                    return self.runtime.step(max_records)
            except TransactionConflict:
                if attempt == _CONFLICT_RETRIES - 1:
                    raise
        return 0

    def run_until_idle(self, max_records: int = MAX_POLL_RECORDS) -> int:
        """Process every record the log holds now (and everything they cause)."""
        total = 0
        while True:
            done = self.step(max_records)
            if not done:
                return total
            total += done

    def start_background(self, poll_timeout: float = 0.2) -> None:
        """Keep processing new records in a thread until `stop_background`."""
        if self._thread is not None:
            return
        self._stop = Wake()  # one-way: a fresh flag for each run
        self._thread = threading.Thread(target=self._loop, args=(poll_timeout,),
                                        name="tote-sql-runtime", daemon=True)
        self._thread.start()

    def stop_background(self) -> None:
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        thread.join(timeout=30)
        self._thread = None

    def _loop(self, poll_timeout: float) -> None:
        while not self._stop.is_set():
            try:
                done = self.step()
            except Fenced as exc:
                # Another engine with this service id took over: this one must stop.
                self.failure = exc
                _LOG.error("query processing stopped: %s", exc.message)
                return
            except ToteError as exc:
                self.failure = exc
                _LOG.exception("query processing step failed; retrying")
                self._stop.wait(poll_timeout)
                continue
            if not done:
                with self.lock:
                    positions = self.runtime.positions()
                    retry = self.retries.until_next(self.clock.monotonic())
                timeout = poll_timeout if retry is None else min(poll_timeout, retry)
                if positions:
                    # `stop_background` ends the wait at once, not after poll_timeout.
                    self.log.wait_or_wake(positions, timeout, self._stop)
                else:
                    self._stop.wait(timeout)

    def _query_failed(self, failed: QueryFailed) -> None:
        """A query stopped on a record (runtime/failure.py): the processing log has the
        reason and it is retried from that record after ksqlDB's back-off
        (query_retry.py). Its status stays RUNNING, as ksqlDB's does: a stream thread
        replaced after an uncaught exception never puts Kafka Streams in ERROR."""
        where = failed.record
        self.query_errors.add(failed.query_id, failed.cause, failed.message,
                              self.clock.now_ms())
        self.processing_log.report(ProcessingError(
            failed.query_id, "process", failed.message, where.topic, where.partition,
            where.offset))
        wait = self.retries.failed(failed.query_id, self.runtime.queries.get(failed.query_id),
                                   self.clock.monotonic())
        _LOG.error("query %s stopped: %s (retrying in %.3g s)", failed.query_id,
                   failed.message, wait)

    def _retry_due(self) -> None:
        """Restart each failed query whose back-off has passed, from the record it stopped
        on (as RESUME does); one paused, resumed, replaced or terminated meanwhile is
        left alone (a PAUSE stops the retries, RESUME retries at once)."""
        for query_id, query in self.retries.due(self.clock.monotonic()):
            running = self.runtime.queries.get(query_id)
            if running is None:
                self.retries.forget(query_id)
            elif running is query and not running.paused and running.failure is not None:
                attempt = self.retries.started(query_id)
                _LOG.info("Restarting query %s (attempt #%d)", query_id, attempt)
                self.runtime.set_paused(query_id, False)

    def describe(self) -> dict[str, Any]:
        return {"service_id": self.service_id, "queries": sorted(self.runtime.queries)}
