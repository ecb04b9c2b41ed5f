"""`KsqlServer`: what `tote serve ksqldb` runs, without HTTP.

    server = KsqlServer(log, registry)
    server.start()                          # replay the command topic, start processing
    results = server.execute("CREATE STREAM ...; SHOW STREAMS;", properties={})
    query = server.queries.start("SELECT * FROM s EMIT CHANGES;")

It owns the engine, the transient queries and the command follower, keeps the status
of every command (`/status`), and adds what only a server knows to the engine's
answers: running push queries in SHOW QUERIES, TERMINATE of a push query. Statements of
one request run in a session of their own (SET / DEFINE last for the request only), in
order, under the server's statement lock, except that an ASSERT TOPIC|SCHEMA waits for
its condition with the lock released: as in ksqlDB, where the assertion retries on the
request's own thread, a long TIMEOUT holds up no other request. A request of several
statements (or with a CREATE or DROP CONNECTOR) is validated whole first, as ksqlDB
validates every request, so a statement it refuses leaves nothing of the statements before
it: no source, topic, schema or command, nothing sent to Connect (`validation`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tote.core.errors import SqlError, ToteError
from tote.log.base import Log
from tote.registry import Registry
from tote.sql.ast.commands import AssertSchema, AssertTopic, PrintTopic, TerminateQuery
from tote.sql.ast.statements import QueryStatement
from tote.sql.commands import CORRUPTED, CommandLog, CommandTopicLost
from tote.sql.engine import Engine
from tote.sql.errors import AssertionFailed
from tote.sql.execution import assertions, connectors
from tote.sql.execution.connect_client import ConnectRefused, ConnectServerError
from tote.sql.execution.connector_text import mask_configs
from tote.sql.execution.dispatch import Session
from tote.sql.functions import FunctionRegistry
from tote.sql.reserved_topics import check_read_only_pattern
from tote.sql.results import CommandResult, QueryList, QuerySummary, StatementResult
from tote.sql.script import Variables, run_script, split_statements
from tote.sql.server.follower import CommandFollower
from tote.sql.server.validation import Refused, validate_request
from tote.sql.transient import TransientQueries

VERSION = "7.6.0"


class ServerNotReady(ToteError):
    error_code = 50302

    def __init__(self) -> None:
        super().__init__("Server initializing")


class QueryEndpointError(ToteError):
    """SELECT and PRINT belong on /query (ksqlDB's 40002)."""

    error_code = 40002

    def __init__(self, statement_text: str) -> None:
        super().__init__("The following statement types should be issued to the websocket "
                         "endpoint '/query':\n\t* PRINT\n\t* SELECT")
        self.statement_text = statement_text


class StatementFailed(ToteError):
    """A statement of a request failed: the error, plus what ran before it."""

    def __init__(self, error: ToteError, statement_text: str,
                 results: list[StatementResult]) -> None:
        super().__init__(error.message, error.error_code)
        self.error = error
        self.statement_text = statement_text
        self.results = results


@dataclass(frozen=True)
class TransientTerminated(StatementResult):
    """TERMINATE of a push query (ksqlDB's `terminate_query` entity)."""

    query_id: str = ""
    terminated: bool = True


@dataclass(frozen=True)
class CommandStatus:
    status: str
    message: str
    query_id: str | None = None


def _failure(exc: ToteError, text: str, sql: str,
             results: list[StatementResult]) -> ToteError:
    """What a request answers when its statement `text` fails with `exc`."""
    if isinstance(exc, SqlError):
        return StatementFailed(exc, exc.statement_text or text, results)
    if isinstance(exc, (QueryEndpointError, AssertionFailed)):  # ksqlDB: a bare error
        return exc
    if isinstance(exc, ConnectRefused):  # ksqlDB: Connect's status, a bare error
        return exc
    if isinstance(exc, ConnectServerError):  # ksqlDB: the whole request, no entities
        return StatementFailed(exc, mask_configs(sql), [])
    if isinstance(exc, CommandTopicLost):  # ksqlDB: the whole request, no entities
        return StatementFailed(exc, sql, [])
    return StatementFailed(exc, text, results)


class KsqlServer:
    def __init__(self, log: Log, registry: Registry | None, *,
                 properties: Mapping[str, object] | None = None,
                 engine: Engine | None = None, instance_id: str | None = None,
                 functions: FunctionRegistry | None = None) -> None:
        """`instance_id` (this server's host:port) shares persistent queries' work with
        the other servers of the service id (see `runtime.membership`); `functions`
        replaces the built-in function registry (user functions added)."""
        self.log = log
        self.registry = registry
        self.engine = engine or Engine(log, registry, properties=properties,
                                       instance_id=instance_id, functions=functions)
        check_read_only_pattern(self.engine.config)
        self.queries = TransientQueries(self.engine)
        commands = self.engine.commands or CommandLog(log, self.engine.service_id)
        self.follower = CommandFollower(commands, self.engine.apply_command, self._observe)
        self.statuses: dict[str, CommandStatus] = {}
        self._ready = threading.Event()
        self.failure: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def start(self, background: bool = True, process: bool = True) -> None:
        """Replay the command topic, then (`background`) follow it and, unless `process`
        is False, run the persistent queries in a thread."""
        try:
            self.follower.commands.ensure()
            self.follower.catch_up()
            if background:
                if process:
                    self.engine.start_background()
                self.follower.start()
        except ToteError as exc:
            self.failure = exc.message
            raise
        self._ready.set()

    def close(self) -> None:
        self.follower.stop()
        self.close_push_queries()
        self.engine.close()

    def close_push_queries(self) -> None:
        """End every running push query (their responses then finish): first step of a
        shutdown, so it need not wait for clients that never hang up."""
        for query in self.queries.running():
            self.queries.close(query.query_id)

    def check_ready(self) -> None:
        if not self.ready:
            raise ServerNotReady()

    # -- statements --------------------------------------------------------------------------

    def session(self, properties: Mapping[str, object] | None = None,
                variables: Mapping[str, str] | None = None) -> Session:
        config = self.engine.session.config.with_overrides(properties or {})
        return Session(config, Variables(variables or {}))

    def execute(self, sql: str, properties: Mapping[str, object] | None = None,
                variables: Mapping[str, str] | None = None,
                sequence: int | None = None, timeout: float = 5.0) -> list[StatementResult]:
        """Run a request's statements in order. A failure raises StatementFailed carrying
        the results of the statements before it."""
        self.check_ready()
        for piece in split_statements(sql):
            head = piece.text.lstrip("( \t\r\n").split(None, 1)
            if head and head[0].upper() in ("SELECT", "PRINT"):
                raise QueryEndpointError(piece.text)
        if sequence is not None and sequence >= 0:
            self.follower.wait_for(sequence, timeout)
        session = self.session(properties, variables)
        results: list[StatementResult] = []
        with self.follower.lock:
            self.follower.catch_up()
            try:  # ksqlDB validates the whole request first (see validation)
                validated = validate_request(sql, session, self.engine)
            except Refused as refused:
                raise _failure(refused.error, refused.text, sql, []) from None
            items = run_script(sql, session.variables)
            position = -1
            while True:
                text = ""
                try:
                    item = next(items, None)
                    if item is None:
                        return self._warn(results)
                    position += 1
                    text = item.original_text
                    if isinstance(item.statement, (QueryStatement, PrintTopic)):
                        raise QueryEndpointError(text)
                    if isinstance(item.statement, (AssertTopic, AssertSchema)):
                        result = self._assert(item.statement, text, session)
                    else:
                        result = self._one(item.statement, text, session,
                                           position in validated)
                except ToteError as exc:
                    raise _failure(exc, text, sql, results) from None
                results.append(result)

    @property
    def degraded(self) -> bool:
        """ksqlDB's DEGRADED command runner: the command topic was deleted or reset."""
        return self.follower.commands.lost

    def _warn(self, results: list[StatementResult]) -> list[StatementResult]:
        """While degraded, ksqlDB adds its corruption warning to every entity answered."""
        if not self.degraded:
            return results
        return [replace(r, warnings=(*r.warnings, CORRUPTED)) for r in results]

    def _one(self, statement: Any, text: str, session: Session,
             validated: bool = False) -> StatementResult:
        if isinstance(statement, TerminateQuery) and statement.query_id is not None \
                and statement.query_id.lower().startswith("transient_"):
            return self._terminate_transient(statement.query_id, text)
        if isinstance(statement, connectors.CONNECTOR_STATEMENTS):  # Connect's, not the engine's
            return connectors.execute(statement, text, session.config, self.engine.metastore,
                                      self.engine.log, validated=validated)
        result = self.engine.execute_statement(statement, text, session)
        if isinstance(result, CommandResult):
            if result.sequence_number >= 0:
                self.follower.mark_own(result.sequence_number)
            self._observe(result.command_id, result)
        if isinstance(result, QueryList):
            result = replace(result, queries=result.queries + self._push_queries())
        return result

    def _assert(self, statement: AssertTopic | AssertSchema, text: str,
                session: Session) -> StatementResult:
        """Run an assertion with the statement lock (held by `execute`) released for its
        wait, then take it back and catch up with the commands run meanwhile, so the
        request's next statement runs after it and sees them. (A lock held more than once
        by this thread stays held: then the wait blocks others, as before.)"""
        engine = self.engine
        result: StatementResult
        self.follower.lock.release()
        try:
            if isinstance(statement, AssertTopic):
                result = assertions.assert_topic(text, statement, engine.log, session.config)
            else:
                result = assertions.assert_schema(text, statement, engine.registry,
                                                  session.config)
        finally:
            self.follower.lock.acquire()
        self.follower.catch_up(check=False)
        return result

    def _terminate_transient(self, query_id: str, text: str) -> StatementResult:
        for query in self.queries.running():
            if query.query_id.upper() == query_id.upper():
                self.queries.close(query.query_id)
                return TransientTerminated(text, query_id=query.query_id)
        raise SqlError(f"Unknown queryId: {query_id}", statement_text=text)

    def _push_queries(self) -> tuple[QuerySummary, ...]:
        return tuple(QuerySummary(q.query_id, q.sql, (), (), "RUNNING", "PUSH")
                     for q in self.queries.running())

    def _observe(self, command_id: str, result: StatementResult | None) -> None:
        if isinstance(result, CommandResult):
            self.statuses[command_id] = CommandStatus(result.status, result.message,
                                                      result.query_id)
        elif command_id:
            self.statuses[command_id] = CommandStatus("SUCCESS", "")

    def status(self, command_id: str) -> CommandStatus | None:
        return self.statuses.get(command_id)
