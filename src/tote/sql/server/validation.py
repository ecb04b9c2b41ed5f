"""Validate a /ksql request before any of it runs, so far as that can be done exactly,
when it holds a connector statement.

ksqlDB's KsqlResource validates every statement of a request (RequestValidator, in a
sandbox of the engine whose Connect client only lists and validates) before it executes
any, so a refused statement anywhere means nothing ran: not even a CREATE CONNECTOR before
it reached Connect. For CREATE CONNECTOR that validation is ConnectExecutor.validate: the
name must be free (unless IF NOT EXISTS) and Connect's config validation must pass; the
other connector statements have none. tote executes engine statements as it reaches them,
but what Connect does cannot be undone, so a request with a CREATE or DROP CONNECTOR is
first walked here, in order, until a statement whose effects a copy of the catalogue
cannot stand for:

- CREATE CONNECTOR is validated as ksqlDB does, and is not validated again when it runs;
- CREATE STREAM|TABLE (on an existing topic, registering nothing), ALTER, CREATE TYPE and
  DROP TYPE are analysed and applied to the catalogue copy;
- CREATE ... AS SELECT, INSERT INTO ... SELECT and CREATE STREAM|TABLE that would create a
  topic or register a schema are analysed, then the walk stops: what follows depends on
  changes only running them makes (topics, schemas, queries);
- any other statement stops the walk. What the walk did not reach is checked as it runs.

The walk's errors are the ones running the statement would raise; up to where it stops,
the sandbox is exact, so it refuses nothing that would run.
"""

from __future__ import annotations

from tote.core.errors import SqlError, ToteError
from tote.sql.analyzer.context import AnalysisContext
from tote.sql.analyzer.ddl import analyze_create_source
from tote.sql.analyzer.queries import analyze_create_as, analyze_insert_into
from tote.sql.ast import statements as s
from tote.sql.engine import Engine
from tote.sql.errors import StatementError, as_statement_error
from tote.sql.execution import alter, connectors, ddl
from tote.sql.execution.dispatch import Session
from tote.sql.expressions.compiler import TOO_DEEP
from tote.sql.script import ScriptStatement, Variables, run_script

# Statements whose effects reach Connect, which nothing undoes.
_CONNECT_CHANGES = (s.CreateConnector, s.DropConnector)


class Refused(Exception):
    """The walk refused the statement whose text this carries: `error`, as it would run."""

    def __init__(self, error: ToteError, text: str) -> None:
        super().__init__(text)
        self.error = error
        self.text = text


def validate_request(sql: str, session: Session, engine: Engine) -> set[int]:
    """Walk the request (see the module doc); the positions of the CREATE CONNECTOR
    statements it validated. Raises `Refused` for the first refused statement."""
    items: list[ScriptStatement] = []
    unparsed: SqlError | None = None  # a statement that does not parse once substituted
    try:
        items.extend(run_script(sql, Variables(dict(session.variables))))
    except SqlError as err:
        unparsed = err
    if not any(isinstance(item.statement, _CONNECT_CHANGES) for item in items):
        return set()
    with engine.lock:
        metastore = engine.metastore.copy()
    ctx = AnalysisContext(metastore, session.config, engine.log, engine.registry,
                          engine.functions)
    validated: set[int] = set()
    for index, item in enumerate(items):
        try:
            go_on = _validate(item, ctx, session, validated, index)
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
    return validated


def _validate(item: ScriptStatement, ctx: AnalysisContext, session: Session,
              validated: set[int], index: int) -> bool:
    """Validate one statement; whether the walk can go on past it."""
    statement = item.statement
    if isinstance(statement, s.CreateConnector):
        connectors.validate_create(statement, connectors.client_for(session.config))
        validated.add(index)
        return True
    if isinstance(statement, connectors.CONNECTOR_STATEMENTS):
        return True  # ksqlDB's NO_VALIDATION
    if isinstance(statement, s.CreateSource):
        plan = analyze_create_source(statement, ctx)
        if plan.skip:
            return True
        if plan.effects.topics or plan.effects.schemas:
            return False
        ctx.metastore.put_source(plan.source)
        return True
    if isinstance(statement, s.CreateAsSelect):
        analyze_create_as(statement, ctx)
        return False
    if isinstance(statement, s.InsertInto):
        analyze_insert_into(statement, ctx)
        return False
    if isinstance(statement, s.AlterSource):
        alter.alter_source(statement, item.original_text, ctx.metastore)
        return True
    if isinstance(statement, s.RegisterType):
        ddl.register_type(statement, ctx.metastore)
        return True
    if isinstance(statement, s.DropType):
        ddl.drop_type(statement, ctx.metastore)
        return True
    return False
