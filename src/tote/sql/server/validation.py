"""Validate a /ksql request before any of it runs, as ksqlDB does.

ksqlDB's KsqlResource validates every statement of a request (RequestValidator, in a
sandbox of the engine: a copy of the catalogue, a topic client and a schema registry
client that only pretend to create, a Connect client that only lists and validates)
before it executes any, so a refused statement anywhere means nothing ran. tote executes
statements as it reaches them, so a request of more than one statement (or with a
connector statement) is first walked here, in order, over a copy of the catalogue, of
the session's properties and variables, and an overlay of topics and schemas
(`sandbox`):

- CREATE CONNECTOR is validated as ksqlDB does, and is not validated again when it runs;
  the other connector statements have no validation (ksqlDB's NO_VALIDATION);
- CREATE STREAM|TABLE [AS SELECT], INSERT INTO ... SELECT, DROP, ALTER, CREATE TYPE and
  DROP TYPE are analysed and applied to the copy, their topics and schemas to the
  overlay (a new version of a subject taken as registered, as ksqlDB's sandbox takes
  it), the started queries recorded in the copy; CREATE OR REPLACE of a running query replaces
  it in the copy under its id, once analysis accepted the upgrade;
- SET / UNSET change the copy of the session; DEFINE / UNDEFINE its variables; listings
  that cannot fail (SHOW STREAMS, SHOW QUERIES, DESCRIBE STREAMS, ...) are passed, and so
  are ASSERT TOPIC and ASSERT SCHEMA, which ksqlDB does not validate (they wait, then
  hold or fail, when they run; the statements after one are validated without it);
- DESCRIBE, DESCRIBE FUNCTION, EXPLAIN and INSERT VALUES are checked as they run, writing
  nothing; TERMINATE, PAUSE and RESUME change the copy (`sandbox_commands`);
- anything else (ALTER SYSTEM, ...), and what the walk cannot stand for exactly
  (`sandbox.CannotSimulate`), stops the walk. What the walk did not reach is checked as
  it runs.

A single statement is not walked: its own failure already leaves nothing behind. The
walk's errors are the ones running the statement would raise; up to where it stops it
is exact, so it refuses nothing that would run (save what an ASSERT before it would have
waited for, as ksqlDB's validation refuses it too). It writes nothing.
"""

from __future__ import annotations

from tote.core.errors import SqlError, ToteError
from tote.sql import properties
from tote.sql.analyzer.ddl import analyze_create_source
from tote.sql.analyzer.queries import QueryPlan, analyze_create_as, analyze_insert_into
from tote.sql.analyzer.replaced_query import replaced_query
from tote.sql.analyzer.with_clause import Kind, parse_with
from tote.sql.ast import commands as c
from tote.sql.ast import statements as s
from tote.sql.config import Config
from tote.sql.engine import Engine
from tote.sql.errors import StatementError, as_statement_error
from tote.sql.execution import alter, connectors, ddl
from tote.sql.execution.dispatch import Session
from tote.sql.execution.persistent import query_id
from tote.sql.expressions.compiler import TOO_DEEP
from tote.sql.metastore import QueryRecord
from tote.sql.planner.logical import JoinNode, walk
from tote.sql.planner.windows import join_window_spec
from tote.sql.script import ScriptStatement, Variables, run_script
from tote.sql.server import sandbox_commands
from tote.sql.server.sandbox import (
    CannotSimulate,
    Overlay,
    SandboxContext,
    check_reads,
    simulate_delete_topic,
    simulate_effects,
)

# Statements whose effects reach Connect, which nothing undoes: walked even alone.
_CONNECT_CHANGES = (s.CreateConnector, s.DropConnector)
# Statements that cannot fail and change nothing: the walk passes them.
_PASSED = (c.ListStreams, c.ListTables, c.ListQueries, c.ListTopics, c.ListProperties,
           c.ListFunctions, c.ListTypes, c.ListVariables, c.DefineVariable,
           c.UndefineVariable, c.DescribeStreams, c.DescribeTables)
# Statements ksqlDB does not validate (NO_VALIDATION) and that change nothing: passed too,
# their checks (waiting up to a timeout) made when they run.
_NOT_VALIDATED = (c.AssertTopic, c.AssertSchema)


class Refused(Exception):
    """The walk refused the statement whose text this carries: `error`, as it would run."""

    def __init__(self, error: ToteError, text: str) -> None:
        super().__init__(text)
        self.error = error
        self.text = text


class _Walk:
    """The state of one request's walk: catalogue copy, session copy, overlay."""

    def __init__(self, session: Session, engine: Engine) -> None:
        self.engine = engine
        with engine.lock:
            metastore = engine.metastore.copy()
        self.config = Config(session.config.server, dict(session.config.overrides))
        self.ctx = SandboxContext(metastore, self.config, engine.log, engine.registry,
                                  engine.functions, Overlay())
        self.recorded = 0  # statements the walk passed that append to the command topic
        self.validated: set[int] = set()

    def step(self, item: ScriptStatement, index: int) -> bool:
        """Validate one statement; whether the walk can go on past it."""
        statement = item.statement
        if isinstance(statement, s.CreateConnector):
            connectors.validate_create(statement, connectors.client_for(self.config))
            self.validated.add(index)
            return True
        if isinstance(statement, connectors.CONNECTOR_STATEMENTS + _PASSED + _NOT_VALIDATED):
            return True
        if isinstance(statement, c.SetProperty):
            properties.check_set(statement.name, statement.value, self.config.server)
            self.config.set(statement.name, statement.value)
            return True
        if isinstance(statement, c.UnsetProperty):
            properties.check_unset(statement.name)
            self.config.unset(statement.name)
            return True
        if isinstance(statement, sandbox_commands.READS):
            sandbox_commands.check_read(statement, item.original_text, self.ctx, self.engine)
            return True
        if isinstance(statement, sandbox_commands.CONTROLS):
            sandbox_commands.simulate_control(statement, self.ctx, self.engine)
            self.recorded += 1  # each is recorded in the command topic
            return True
        if not isinstance(statement, (s.CreateSource, s.CreateAsSelect, s.InsertInto,
                                      s.DropSource, s.AlterSource, s.RegisterType,
                                      s.DropType)):
            return False
        self.engine.check_commands(None)
        if isinstance(statement, s.CreateSource):
            self._create_source(statement)
        elif isinstance(statement, s.CreateAsSelect):
            if not self._create_as(statement, item.original_text):
                return True  # IF NOT EXISTS of an existing source: nothing recorded
        elif isinstance(statement, s.InsertInto):
            plan = analyze_insert_into(statement, self.ctx)
            self._start(plan, item.original_text)
        elif isinstance(statement, s.DropSource):
            self._drop(statement)
        elif isinstance(statement, s.AlterSource):
            alter.alter_source(statement, item.original_text, self.ctx.metastore)
        elif isinstance(statement, s.RegisterType):
            ddl.register_type(statement, self.ctx.metastore)
        else:
            ddl.drop_type(statement, self.ctx.metastore)
        self.recorded += 1
        return True

    def _create_source(self, statement: s.CreateSource) -> None:
        try:
            props = parse_with(statement.properties, Kind.CREATE)
        except SqlError:
            pass  # analysis refuses it, with its own error first
        else:
            roles = {e.constraint for e in statement.elements}
            keys = bool(roles & {s.ColumnConstraint.KEY, s.ColumnConstraint.PRIMARY_KEY})
            values = s.ColumnConstraint.NONE in roles
            check_reads(props.topic, props.integer("KEY_SCHEMA_ID") is not None
                        or props.integer("VALUE_SCHEMA_ID") is not None,
                        (not keys, not values), self.ctx)
        plan = analyze_create_source(statement, self.ctx)
        if plan.skip:
            return
        simulate_effects(plan.effects, self.ctx)
        self.ctx.metastore.put_source(plan.source)

    def _create_as(self, statement: s.CreateAsSelect, text: str) -> bool:
        """As `Dispatcher._create_as`; False for the no-op of IF NOT EXISTS."""
        writers = set(self.ctx.metastore.writers_of(statement.name))
        if statement.or_replace and len(writers) > 1 and writers & self.ctx.overlay.queries:
            raise CannotSimulate(statement.name)  # its refusal lists the queries by id
        result = analyze_create_as(statement, self.ctx)
        if not isinstance(result, QueryPlan):
            return False
        # CREATE OR REPLACE of a running query: analysis checked the upgrade (the new sink
        # and plan against the old); the replacement then runs under the old query's id.
        replaced = (replaced_query(self.ctx.metastore, result.sink.name) if result.replace
                    else None)
        simulate_effects(result.effects, self.ctx)
        self.ctx.metastore.put_source(result.sink)
        self._start(result, text, replaced)
        return True

    def _start(self, plan: QueryPlan, text: str, replaced: str | None = None) -> None:
        """Start the query in the copy (its effects already simulated, as when it runs),
        under the id of the query it replaces, else the id it would most likely get: an
        error naming that one stops the walk."""
        _check_joins(plan)
        ms = self.ctx.metastore
        if replaced is not None:
            ms.remove_query(replaced)
            qid = replaced
        else:
            commands = self.engine.commands
            number = (ms.allocate_query_number() if commands is None
                      else commands.next_offset() + 1 + self.recorded)
            qid = query_id(plan, number)
            if qid in ms.queries:
                raise CannotSimulate(qid)
            self.ctx.overlay.queries.add(qid)
        ms.add_query(QueryRecord(qid, text, plan.sink.name, plan.sources, plan.sink.topic,
                                 creates_sink=plan.create_sink, plan=plan.root))

    def _drop(self, statement: s.DropSource) -> None:
        ms = self.ctx.metastore
        create_query = ms.create_query_of(statement.name)
        try:
            source = ddl.check_drop(statement, ms, create_query)
        except SqlError:
            involved = set(ms.readers_of(statement.name)) | set(ms.writers_of(statement.name))
            if involved & self.ctx.overlay.queries:  # its message names query ids
                raise CannotSimulate(statement.name) from None
            raise
        ddl.drop_source(statement, source, ms)
        if source is None:
            return
        if create_query is not None:
            ms.remove_query(create_query)
        if statement.delete_topic:
            simulate_delete_topic(source, self.ctx)


def validate_request(sql: str, session: Session, engine: Engine) -> set[int]:
    """Walk the request (see the module doc); the positions of the CREATE CONNECTOR
    statements it validated. Raises `Refused` for the first refused statement."""
    items: list[ScriptStatement] = []
    unparsed: SqlError | None = None  # a statement that does not parse once substituted
    try:
        items.extend(run_script(sql, Variables(dict(session.variables))))
    except SqlError as err:
        unparsed = err
    connector = any(isinstance(item.statement, _CONNECT_CHANGES) for item in items)
    if len(items) + (unparsed is not None) < 2 and not connector:
        return set()
    state = _Walk(session, engine)
    for index, item in enumerate(items):
        try:
            go_on = state.step(item, index)
        except CannotSimulate:
            go_on = False
        except SqlError as err:
            raise Refused(as_statement_error(err), item.original_text) from None
        except RecursionError:
            raise Refused(StatementError(TOO_DEEP), item.original_text) from None
        except ToteError as exc:  # Connect's refusals and failures, as when it runs
            raise Refused(exc, item.original_text) from None
        if not go_on:
            break
    if unparsed is not None:
        raise Refused(unparsed, "")
    return state.validated


def _check_joins(plan: QueryPlan) -> None:
    """The refusals starting the query adds to analysis: its join windows."""
    for node in walk(plan.root):
        if isinstance(node, JoinNode) and node.within is not None:
            join_window_spec(node.within)
