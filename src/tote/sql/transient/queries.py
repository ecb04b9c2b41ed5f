"""Starting transient queries: the entry point the REST API and the shell use.

    queries = TransientQueries(engine)
    query = queries.start("SELECT * FROM s EMIT CHANGES;", {"auto.offset.reset": "earliest"})
    batch = query.poll(1.0)             # rows so far; batch.final once it has ended
    queries.close(query.query_id)

Push queries (`EMIT CHANGES`) follow the source's topics until their LIMIT or until
closed; pull queries answer from current state: a table's materialised rows, or a
stream's records up to the end offsets captured when the query started. Running push
queries are listed (for `/close-query` and `TERMINATE <transient id>`) until closed.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from tote.core.records import LogRecord
from tote.sql.analyzer.context import AnalysisContext
from tote.sql.ast.queries import AliasedRelation, Query
from tote.sql.ast.statements import QueryStatement
from tote.sql.config import AUTO_OFFSET_RESET, Config
from tote.sql.errors import StatementError
from tote.sql.expressions.compiler import TOO_DEEP
from tote.sql.parser import parse
from tote.sql.planner.physical import PhysicalPlan
from tote.sql.sources import DataSource
from tote.sql.transient.builder import OutputColumn, TransientPlan, build_transient
from tote.sql.transient.keys import KeyAnalysis
from tote.sql.transient.pull import (
    LIMIT_ENABLED,
    TablePull,
    bounds_as_millis,
    check_pull,
    check_queryable,
    check_where,
    star_schema,
)
from tote.sql.transient.push import COMPLETED, Batch, StreamingQuery
from tote.sql.transient.rows import Row, collector
from tote.sql.transient.run import MemoryContext, TransientRun, physical_plan
from tote.sql.transient.scalable import admits, is_scalable, scalable_id
from tote.sql.transient.views import TableView, Views

if TYPE_CHECKING:
    from tote.sql.engine import Engine

SCAN_ENABLED = "ksql.query.pull.table.scan.enabled"
RANGE_SCAN_ENABLED = "ksql.query.pull.range.scan.enabled"
STREAMS_RESET = "ksql.streams.auto.offset.reset"
MAX_PUSH_QUERIES = "ksql.max.push.queries"  # a server property, as in ksqlDB's rest config
DEFAULT_MAX_PUSH_QUERIES = 100


class TransientQuery(Protocol):
    query_id: str
    columns: tuple[OutputColumn, ...]
    is_pull: bool

    def poll(self, timeout: float) -> Batch: ...

    def close(self) -> None: ...


@dataclass(eq=False)
class PullResult:
    """A pull query on a table: every row is known at once."""

    query_id: str
    columns: tuple[OutputColumn, ...]
    rows: list[Row]
    is_pull: bool = True
    # The header's schema text when it is not the columns' plain one (see star_schema).
    schema: str | None = None
    _done: bool = field(default=False)

    def poll(self, timeout: float) -> Batch:
        del timeout
        if self._done:
            return Batch([], COMPLETED)
        self._done = True
        return Batch(self.rows, COMPLETED)

    def close(self) -> None:
        self._done = True


def offset_reset(config: Config) -> str:
    """`auto.offset.reset`, also under its `ksql.streams.` name (latest by default)."""
    for name in (STREAMS_RESET, AUTO_OFFSET_RESET):
        if name in config.overrides:
            return config.overrides[name].lower()
    for name in (STREAMS_RESET, AUTO_OFFSET_RESET):
        if name in config.server:
            return config.server[name].lower()
    return (config.get(AUTO_OFFSET_RESET) or "latest").lower()


@dataclass(frozen=True)
class _PreparedPull:
    """A compiled pull query on a table, valid while its source is the same object in
    the catalogue (a DROP and re-CREATE makes a new one)."""

    query: Query
    source: DataSource
    physical: PhysicalPlan
    columns: tuple[OutputColumn, ...]
    pull: TablePull
    schema: str | None = None


class TransientQueries:
    CACHED = 256  # parsed statements and compiled pull queries kept, each

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.views = Views()
        self._running: dict[str, StreamingQuery] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._parsed: OrderedDict[str, QueryStatement] = OrderedDict()
        self._pulls: OrderedDict[tuple[int, str], _PreparedPull] = OrderedDict()

    # -- parsing -----------------------------------------------------------------------------

    def parse(self, sql: str) -> QueryStatement:
        """The query statement of `sql` (parsed statements are remembered by text)."""
        with self._lock:
            cached = self._parsed.get(sql)
        if cached is not None:
            return cached
        statement = self._parse(sql)
        with self._lock:
            self._parsed[sql] = statement
            if len(self._parsed) > self.CACHED:
                self._parsed.popitem(last=False)
        return statement

    def parsed(self, sql: str) -> QueryStatement | None:
        """The statement of `sql` if it has been parsed before (never parses)."""
        with self._lock:
            return self._parsed.get(sql)

    def _parse(self, sql: str) -> QueryStatement:
        statements = parse(sql)
        if len(statements) != 1:
            raise StatementError(f"Expected exactly one statement, got {len(statements)}")
        statement = statements[0]
        if not isinstance(statement, QueryStatement):
            raise StatementError(
                "The following statement types should be issued to the ksql endpoint "
                "'/ksql':\n\t* CREATE\n\t* DROP\n\t* INSERT\n\t* SHOW\n\t* DESCRIBE",
                statement_text=statement.text)
        return statement

    # -- starting ----------------------------------------------------------------------------

    def start(self, sql: str | QueryStatement,
              properties: Mapping[str, object] | None = None) -> TransientQuery:
        statement = self.parse(sql) if isinstance(sql, str) else sql
        config = self.engine.session.config.with_overrides(properties or {})
        query = statement.query
        try:
            if query.is_pull:
                return self._pull(query, config)
            return self._push(query, config)
        except StatementError as err:
            if not err.statement_text:
                err.statement_text = statement.text
            raise
        except RecursionError:  # a pathologically nested expression is a user error
            raise StatementError(TOO_DEEP, statement_text=statement.text) from None

    def pull_now(self, statement: QueryStatement,
                 properties: Mapping[str, object] | None = None) -> PullResult | None:
        """A pull query answered at once without blocking, or None when that cannot be
        done (not a compiled key lookup, or its view must read the log first): the HTTP
        layer calls this on its event loop and falls back to `start` in a worker."""
        query = statement.query
        if not query.is_pull:
            return None
        config = self.engine.session.config.with_overrides(properties or {})
        prepared = self._prepared(query, config)
        if prepared is None:
            return None
        view = self.views.peek(prepared.source)
        if view is None:
            return None
        rows = prepared.pull.run_now(view)
        if rows is None:
            return None
        return self._result(prepared, rows, query.limit)

    @staticmethod
    def _pull_key(query: Query, config: Config) -> tuple[int, str]:
        return (id(query), repr(sorted(config.server.items())) + repr(sorted(
            config.overrides.items())))

    def _prepared(self, query: Query, config: Config) -> _PreparedPull | None:
        """The compiled pull query, while its source is unchanged."""
        with self._lock:
            prepared = self._pulls.get(self._pull_key(query, config))
        if prepared is not None and prepared.query is query and \
                self.engine.metastore.source(prepared.source.name) is prepared.source:
            return prepared
        return None

    def _context(self, config: Config) -> AnalysisContext:
        engine = self.engine
        with engine.lock:
            metastore = engine.metastore
        return AnalysisContext(metastore, config, engine.log, engine.registry,
                               engine.functions)

    def _query_id(self, plan: TransientPlan) -> str:
        name = plan.relations.sources[0].source.name
        return f"transient_{name}_{next(self._numbers)}"

    def _physical(self, plan: TransientPlan, query_id: str) -> PhysicalPlan:
        return physical_plan(plan, query_id, self.engine.service_id)

    def _push(self, query: Query, config: Config) -> StreamingQuery:
        ctx = self._context(config)
        plan = build_transient(query, ctx)
        reset = offset_reset(config)
        if is_scalable(query, config, ctx.metastore, reset):
            return self._streaming(plan, scalable_id(), reset, query.limit, pull=False,
                                   admit=admits(plan.relations.sources[0].source))
        query_id = self._query_id(plan)
        return self._streaming(plan, query_id, reset, query.limit, pull=False)

    @property
    def max_push_queries(self) -> int:
        """How many push queries may run at once (`ksql.max.push.queries`)."""
        value = self.engine.session.config.server.get(MAX_PUSH_QUERIES)
        return DEFAULT_MAX_PUSH_QUERIES if value is None else int(value)

    def _register(self, query: StreamingQuery) -> None:
        """List a push query as running, unless that many run already (ksqlDB's answer)."""
        limit = self.max_push_queries
        with self._lock:
            running = sum(1 for q in self._running.values() if not q.closed)
            if running < limit:
                self._running[query.query_id] = query
                return
        raise StatementError(
            "Not executing statement(s) as it would cause the number of active, push "
            "queries to exceed the configured limit. Terminate existing PUSH queries, or "
            f"increase the '{MAX_PUSH_QUERIES}' setting via the 'ksql-server.properties' "
            f"file. Current push query count: {running}. Configured limit: {limit}.")

    def _streaming(self, plan: TransientPlan, query_id: str, reset: str,
                   limit: int | None, *, pull: bool,
                   admit: Callable[[LogRecord], bool] | None = None) -> StreamingQuery:
        engine = self.engine
        holder: list[StreamingQuery] = []

        def accept(row: Row) -> None:
            holder[0].accept(row)

        sink = collector(plan.columns, plan.is_table, accept)
        run = TransientRun(engine.log, engine.registry, engine.functions,
                           engine.processing_log, self._physical(plan, query_id), sink=sink,
                           reset=reset, admit=admit)
        names = tuple(s.source.name for s in plan.relations.sources)
        query = StreamingQuery(query_id, "", plan.columns, run, limit,
                               end=run.end_offsets() if pull else None, is_pull=pull,
                               source_names=names)
        holder.append(query)
        if not pull:
            try:
                self._register(query)
            except StatementError:
                query.close()  # refused: nothing of it may linger
                raise
        return query

    def _pull(self, query: Query, config: Config) -> TransientQuery:
        key = self._pull_key(query, config)
        prepared = self._prepared(query, config)
        if prepared is not None:
            return self._run_pull(prepared, query.limit)
        original = query
        ctx = self._context(config)
        relation = query.from_
        check_pull(query, config.enabled(LIMIT_ENABLED))
        query = replace(query, where=bounds_as_millis(query.where))
        assert isinstance(relation, AliasedRelation)
        source = ctx.metastore.source(relation.name)
        scan = config.enabled(SCAN_ENABLED)
        if source is not None and query.where is not None:
            check_where(query.where, source, relation.alias, ctx, scan)
        plan = build_transient(query, ctx)
        query_id = self._query_id(plan)
        source = plan.relations.sources[0].source
        if not source.is_table:
            return self._streaming(plan, query_id, "earliest", query.limit, pull=True)
        check_queryable(source)
        physical = self._physical(plan, query_id)
        engine = self.engine
        build_ctx = MemoryContext(engine.log, engine.registry, engine.functions, physical,
                                   0, _no_emit, engine.processing_log,
                                   single_partition=True)
        analysis = KeyAnalysis(source, engine.functions, scan, config.enabled(RANGE_SCAN_ENABLED))
        prepared = _PreparedPull(original, source, physical, plan.columns,
                                 TablePull(plan, build_ctx, analysis),
                                 star_schema(query, source, plan.columns))
        with self._lock:
            self._pulls[key] = prepared
            if len(self._pulls) > self.CACHED:
                self._pulls.popitem(last=False)
        return self._run_pull(prepared, query.limit, query_id)

    def _run_pull(self, prepared: _PreparedPull, limit: int | None,
                  query_id: str | None = None) -> TransientQuery:
        engine = self.engine
        source, physical = prepared.source, prepared.physical
        view = self.views.get(source, lambda: TableView(
            engine.log, engine.registry, physical, source=source,
            processing_log=engine.processing_log, functions=engine.functions))
        return self._result(prepared, prepared.pull.run(view), limit, query_id)

    def _result(self, prepared: _PreparedPull, rows: list[Row], limit: int | None,
                query_id: str | None = None) -> PullResult:
        if limit is not None:
            rows = rows[: max(limit, 0)]
        query_id = query_id or f"transient_{prepared.source.name}_{next(self._numbers)}"
        return PullResult(query_id, prepared.columns, rows, schema=prepared.schema)

    # -- running queries ---------------------------------------------------------------------

    def running(self) -> list[StreamingQuery]:
        with self._lock:
            return [q for q in self._running.values() if not q.closed]

    def close(self, query_id: str) -> bool:
        """Stop a running push query; False if there is none with that id."""
        with self._lock:
            query = self._running.pop(query_id, None)
        if query is None:
            return False
        query.close()
        return True

    def forget(self, query: TransientQuery) -> None:
        """A query whose client went away."""
        query.close()
        with self._lock:
            self._running.pop(query.query_id, None)


def _no_emit(topic: str, record: object) -> None:
    del topic, record
