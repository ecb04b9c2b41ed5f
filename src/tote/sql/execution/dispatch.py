"""Which code executes which statement, and the session a statement runs in.

Handlers receive a copy of the catalogue (inside `AnalysisContext`) and may change it;
the engine adopts the copy only if the handler returns. Statements that change the
catalogue are recorded in the command topic (`Engine.record_command`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tote.sql import properties
from tote.sql.analyzer.context import AnalysisContext
from tote.sql.analyzer.queries import QueryPlan, analyze_create_as, analyze_insert_into
from tote.sql.analyzer.replaced_query import replaced_query
from tote.sql.ast import commands as c
from tote.sql.ast import statements as s
from tote.sql.config import Config
from tote.sql.errors import StatementError
from tote.sql.execution import (
    alter,
    assertions,
    command_ids,
    ddl,
    function_listings,
    listings,
    pause,
)
from tote.sql.execution.client_only import client_only_error
from tote.sql.execution.effects import apply_effects
from tote.sql.execution.inserts import insert_values
from tote.sql.execution.persistent import (
    query_id,
    start_query,
    stop_query,
    terminate_queries,
    undo_start,
)
from tote.sql.execution.property_listing import list_properties
from tote.sql.metastore import MetaStore
from tote.sql.planner import physical
from tote.sql.planner.explain import explain_plan
from tote.sql.results import (
    CommandResult,
    Notice,
    PropertyChange,
    QueryDescription,
    QueryDescriptionResult,
    StatementResult,
    TypeList,
    VariableList,
)
from tote.sql.script import Variables
from tote.sql.sources import SourceType

if TYPE_CHECKING:
    from tote.sql.engine import Engine

# What the command topic records (ksqlDB's distributed statements): refused, before they
# change anything, once the command topic is lost.
_RECORDED = (s.CreateSource, s.CreateAsSelect, s.InsertInto, s.DropSource, c.TerminateQuery,
             s.RegisterType, s.DropType)


@dataclass
class Session:
    """Per-client state: property overrides (SET) and variables (DEFINE)."""

    config: Config
    variables: Variables


class Dispatcher:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def dispatch(self, statement: s.Statement, text: str, ctx: AnalysisContext,
                 session: Session, replay: int | None) -> StatementResult:
        engine = self.engine
        ms = ctx.metastore
        if isinstance(statement, _RECORDED):
            engine.check_commands(replay)
        if isinstance(statement, s.CreateSource):
            message, applied = ddl.create_source(statement, ctx, engine.log, engine.registry,
                                                 replay is not None)
            kind = "table" if isinstance(statement, s.CreateTable) else "stream"
            try:
                return self._command(command_ids.create_source(kind, statement.name), text, session,
                                     replay, message)
            except Exception:
                if applied is not None:
                    applied.rollback()
                raise
        if isinstance(statement, s.CreateAsSelect):
            return self._create_as(statement, text, ctx, session, replay)
        if isinstance(statement, s.InsertInto):
            plan = analyze_insert_into(statement, ctx)
            number = engine.next_query_number(ms, replay)
            qid = query_id(plan, number)
            return self._start(plan, qid, text, ctx=ctx, session=session, replay=replay,
                               command_id=command_ids.insert_into(plan.sink.name))
        if isinstance(statement, s.InsertValues):
            return insert_values(statement, ms, engine.log, registry=engine.registry,
                                 functions=engine.functions, clock=engine.clock,
                                 single_partition=engine.harness,
                                 server=engine.config.server, session=session.config)
        if isinstance(statement, s.DropSource):
            return self._drop(statement, text, ctx, session, replay)
        if isinstance(statement, c.TerminateQuery):
            return self._terminate(statement, text, ctx, session, replay)
        if isinstance(statement, s.RegisterType):
            message = ddl.register_type(statement, ms)
            return self._command(command_ids.create_type(statement.name), text, session, replay,
                                 message)
        if isinstance(statement, s.DropType):
            message = ddl.drop_type(statement, ms)
            return self._command(command_ids.drop_type(statement.name), text, session, replay,
                                 message)
        if isinstance(statement, (c.PauseQuery, c.ResumeQuery)):
            return pause.pause_or_resume(engine, statement, text, ms, session=session,
                                         replay=replay)
        if isinstance(statement, s.AlterSource):
            engine.check_commands(replay)
            message = alter.alter_source(statement, text, ms)
            return self._command(alter.command_id(statement), text, session, replay, message)
        return self._read_only(statement, text, ctx, session)

    # -- catalogue changes -------------------------------------------------------------------

    def _command(self, command_id: str, text: str, session: Session, replay: int | None,
                 message: str) -> CommandResult:
        offset = self.engine.record_command(command_id, text, session, replay)
        return CommandResult(text, command_id, message, sequence_number=offset)

    def _create_as(self, statement: s.CreateAsSelect, text: str, ctx: AnalysisContext,
                   session: Session, replay: int | None) -> StatementResult:
        engine = self.engine
        ms = ctx.metastore
        result = analyze_create_as(statement, ctx)
        if not isinstance(result, QueryPlan):
            return Notice(text, message=f"Cannot add {result.type.lower} {statement.name}: "
                          f"A {result.type.lower} with the same name already exists.")
        plan = result
        kind = "table" if isinstance(statement, s.CreateTableAsSelect) else "stream"
        existing_query = replaced_query(ms, plan.sink.name)
        replaced = None
        if existing_query is not None and plan.replace:
            replaced = engine.runtime.queries.get(existing_query)
            stop_query(engine.runtime, engine.log, ms, existing_query, cleanup=False)
            qid = existing_query
        else:
            qid = query_id(plan, engine.next_query_number(ms, replay))
        try:
            applied = apply_effects(plan.effects, engine.log, engine.registry)
        except Exception:
            if replaced is not None:  # a schema or topic refused: the old query stays on
                engine.runtime.restore(replaced)
            raise
        try:
            ms.put_source(plan.sink)
            return self._start(plan, qid, text, ctx=ctx, session=session, replay=replay,
                               command_id=command_ids.create_source(kind, plan.sink.name))
        except Exception:
            applied.rollback()
            if replaced is not None:  # a failed CREATE OR REPLACE leaves the old query on,
                engine.runtime.restore(replaced)  # the very tasks it ran with
            raise

    def _start(self, plan: QueryPlan, qid: str, text: str, *, ctx: AnalysisContext,
               session: Session, replay: int | None, command_id: str) -> CommandResult:
        engine = self.engine
        started = start_query(engine.runtime, engine.log, ctx.metastore, plan, qid=qid,
                              service_id=engine.service_id,
                              reset=engine.offset_reset(session), sql=text)
        try:
            offset = engine.record_command(command_id, text, session, replay)
        except Exception:
            # The catalogue copy is discarded; the log and the runtime are undone here.
            undo_start(engine.runtime, engine.log, started)
            raise
        engine.plans[qid] = started.plan
        return CommandResult(text, command_id, f"Created query with ID {qid}",
                             sequence_number=offset, query_id=qid)

    def _drop(self, statement: s.DropSource, text: str, ctx: AnalysisContext,
              session: Session, replay: int | None) -> StatementResult:
        """Validate, record, then drop (ksqlDB's order: its command topic holds only
        validated statements, executed once written). Recording comes before anything
        irreversible: a failed write leaves the query running and the topic there, and
        the replay at the next start has nothing to undo. Once written the drop is
        committed: the catalogue changes at once, and what fails of the clean-up after it
        (stopping the query's tasks, deleting topics) is a warning, not an error, since
        the recorded DROP stands and its replay repeats the clean-up."""
        engine = self.engine
        ms = ctx.metastore
        create_query = ms.create_query_of(statement.name)
        source = ddl.check_drop(statement, ms, create_query)  # every refusal first
        kind = "table" if isinstance(statement, s.DropTable) else "stream"
        command_id = command_ids.drop_source(kind, statement.name)
        offset = engine.record_command(command_id, text, session, replay)
        message = ddl.drop_source(statement, source, ms)
        warnings: tuple[str, ...] = ()
        if source is not None:
            if create_query is not None:
                warnings = self._stop_queries([create_query], ms)
            if statement.delete_topic:
                warnings += ddl.delete_source_topic(source, engine.log, engine.registry)
        return CommandResult(text, command_id, message, sequence_number=offset,
                             warnings=warnings)

    def _terminate(self, statement: c.TerminateQuery, text: str, ctx: AnalysisContext,
                   session: Session, replay: int | None) -> StatementResult:
        """Validate, record, then terminate, for the reasons `_drop` gives."""
        ms = ctx.metastore
        targets = sorted(ms.queries) if statement.query_id is None else [statement.query_id]
        for qid in targets:
            if qid not in ms.queries:
                raise StatementError(f"Unknown queryId: {qid}")
        command_id = f"terminate/{statement.query_id or 'ALL'}/execute"
        offset = self.engine.record_command(command_id, text, session, replay)
        warnings = self._stop_queries(targets, ms)
        return CommandResult(text, command_id, "Query terminated.", sequence_number=offset,
                             warnings=warnings)

    def _stop_queries(self, qids: list[str], ms: MetaStore) -> tuple[str, ...]:
        engine = self.engine
        for qid in qids:
            engine.plans.pop(qid, None)
        return terminate_queries(engine.runtime, engine.log, ms, qids)

    # -- everything else ---------------------------------------------------------------------

    def _read_only(self, statement: s.Statement, text: str, ctx: AnalysisContext,
                   session: Session) -> StatementResult:
        engine = self.engine
        ms = ctx.metastore
        if isinstance(statement, c.ListStreams):
            return listings.list_sources(text, ms, SourceType.STREAM, statement.extended,
                                         engine.log)
        if isinstance(statement, c.ListTables):
            return listings.list_sources(text, ms, SourceType.TABLE, statement.extended,
                                         engine.log)
        if isinstance(statement, c.ListQueries):
            return listings.list_queries(text, ms)
        if isinstance(statement, c.ListTopics) and statement.extended:
            return listings.list_topics_extended(text, engine.log, statement.all)
        if isinstance(statement, c.ListTopics):
            return listings.list_topics(text, engine.log, statement.all)
        if isinstance(statement, (c.DescribeStreams, c.DescribeTables)):
            kind = SourceType.STREAM if isinstance(statement, c.DescribeStreams) \
                else SourceType.TABLE
            return listings.describe_sources(text, ms, kind, statement.extended, engine.log)
        if isinstance(statement, c.AssertTopic):
            return assertions.assert_topic(text, statement, engine.log, session.config)
        if isinstance(statement, c.AssertSchema):
            return assertions.assert_schema(text, statement, engine.registry, session.config)
        if isinstance(statement, c.ListProperties):
            return list_properties(text, session.config)
        if isinstance(statement, c.ShowColumns):
            return listings.describe_source(text, statement.name, statement.extended, ms,
                                            engine.log)
        if isinstance(statement, c.ListFunctions):
            return function_listings.list_functions(text, engine.functions)
        if isinstance(statement, c.DescribeFunction):
            return function_listings.describe_function(text, statement.name, engine.functions)
        if isinstance(statement, c.ListVariables):
            return VariableList(text, tuple((k, session.variables[k])
                                            for k in session.variables))
        if isinstance(statement, c.ListTypes):
            return TypeList(text, tuple((k, str(v)) for k, v in sorted(ms.types.items())))
        if isinstance(statement, c.SetProperty):
            properties.check_set(statement.name, statement.value, session.config.server)
            session.config.set(statement.name, statement.value)
            return PropertyChange(text, statement.name, statement.value)
        if isinstance(statement, c.UnsetProperty):
            properties.check_unset(statement.name)
            session.config.unset(statement.name)
            return PropertyChange(text, statement.name, None)
        if isinstance(statement, (c.DefineVariable, c.UndefineVariable)):
            return Notice(text)
        if isinstance(statement, c.Explain):
            return self.explain(statement, text, ctx)
        client_only = client_only_error(statement)
        if client_only is not None:
            raise client_only
        raise StatementError(f"Statement not supported by this engine yet: "
                             f"{type(statement).__name__}")

    def explain(self, statement: c.Explain, text: str, ctx: AnalysisContext
                ) -> StatementResult:
        """EXPLAIN; read-only, so the request's validation runs it too (`validation`)."""
        engine = self.engine
        if statement.query_id is not None:
            return listings.explain_query(
                text, statement.query_id, ctx.metastore, engine.plans,
                engine.query_errors.of(statement.query_id, engine.clock.now_ms()))
        inner = statement.statement
        if isinstance(inner, s.CreateAsSelect):
            plan = analyze_create_as(inner, ctx)
        elif isinstance(inner, s.InsertInto):
            plan = analyze_insert_into(inner, ctx)
        else:
            raise StatementError("EXPLAIN supports persistent queries and query ids only.")
        if not isinstance(plan, QueryPlan):
            raise StatementError(f"Source {plan.name} already exists.")
        phys = physical.plan("EXPLAIN", engine.service_id, plan.root)
        logical, physical_text = explain_plan(phys)
        return QueryDescriptionResult(text, QueryDescription(
            "", inner.text, plan.sources, (plan.sink.name,), listings.fields_of(plan.sink),
            logical, physical_text, phys.internal_topics))
