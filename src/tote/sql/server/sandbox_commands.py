"""The walk (`validation`) of the statements that read the catalogue or control queries:
DESCRIBE, DESCRIBE FUNCTION, EXPLAIN, INSERT VALUES, TERMINATE, PAUSE and RESUME.

ksqlDB validates these too (CustomValidators: ListSourceExecutor.columns,
DescribeFunctionExecutor, ExplainExecutor, InsertValuesExecutor; ValidatedCommandFactory
for TERMINATE, PAUSE, RESUME against the sandboxed engine), so a request ending in
`DESCRIBE NOPE;` runs none of its statements. Here each is checked as tote runs it, over
the walk's catalogue copy, and the query controls change that copy as running would.

What the walk cannot stand for exactly raises `CannotSimulate`: a query id the request
itself started (its number when run may differ), or an unknown id while it started any;
TERMINATE of a push query (the server's); INSERT VALUES into a source of a registry
format (encoding reads or registers schemas) or whose topic the walk cannot see.
"""

from __future__ import annotations

from dataclasses import replace

from tote.core.errors import SqlError, ToteError
from tote.sql.ast import commands as c
from tote.sql.ast import statements as s
from tote.sql.codecs.schemas import SR_FORMATS
from tote.sql.engine import Engine
from tote.sql.errors import StatementError
from tote.sql.execution import function_listings, listings, pause
from tote.sql.execution.inserts import check_insertable, encode_row, target_of
from tote.sql.server.sandbox import CannotSimulate, SandboxContext

# Read-only statements checked here; none is recorded in the command topic.
READS = (c.ShowColumns, c.DescribeFunction, c.Explain, s.InsertValues)
# Query controls, recorded in the command topic when they run.
CONTROLS = (c.TerminateQuery, c.PauseQuery, c.ResumeQuery)


def check_read(statement: s.Statement, text: str, ctx: SandboxContext, engine: Engine
               ) -> None:
    """Refuse a read-only statement as running it would; it changes nothing."""
    if isinstance(statement, c.ShowColumns):
        listings.describe_source(text, statement.name, statement.extended, ctx.metastore,
                                 engine.log)
    elif isinstance(statement, c.DescribeFunction):
        function_listings.describe_function(text, statement.name, engine.functions)
    elif isinstance(statement, c.Explain):
        if statement.query_id is not None:
            _known(statement.query_id, ctx)
        try:
            engine.dispatcher.explain(statement, text, ctx)
        except SqlError:
            raise
        except ToteError:
            raise CannotSimulate("EXPLAIN") from None
    elif isinstance(statement, s.InsertValues):
        _insert_values(statement, ctx, engine)


def simulate_control(statement: c.TerminateQuery | c.PauseQuery | c.ResumeQuery,
                     ctx: SandboxContext, engine: Engine) -> None:
    """TERMINATE, PAUSE or RESUME on the catalogue copy: its refusals, its changes."""
    qid = statement.query_id
    ms = ctx.metastore
    if isinstance(statement, c.TerminateQuery):
        if qid is not None and qid.lower().startswith("transient_"):
            raise CannotSimulate(qid)  # a push query: the server's, not the engine's
        engine.check_commands(None)
        if qid is not None:
            _known(qid, ctx)
            if qid not in ms.queries:
                raise StatementError(f"Unknown queryId: {qid}")
        for target in sorted(ms.queries) if qid is None else [qid]:
            running = engine.runtime.queries.get(target)
            if running is not None:  # its internal topics go with it
                ctx.overlay.deleted.update(running.plan.internal_topics)
            ms.remove_query(target)
        return
    engine.check_commands(None)
    try:
        targets = pause.targets(qid, ms)
    except SqlError:
        if ctx.overlay.queries:
            raise CannotSimulate(str(qid)) from None
        raise
    if qid is not None and set(targets) & ctx.overlay.queries:
        raise CannotSimulate(qid)
    state = pause.PAUSED if isinstance(statement, c.PauseQuery) else pause.RUNNING
    for target in targets:
        ms.queries[target] = replace(ms.queries[target], state=state)


def _known(qid: str, ctx: SandboxContext) -> None:
    """Stop at an id the walk cannot answer for: one it started, or one it does not know
    while it started queries (when run, theirs may be that id)."""
    started = ctx.overlay.queries
    if qid in started or (started and qid not in ctx.metastore.queries):
        raise CannotSimulate(qid)


def _insert_values(statement: s.InsertValues, ctx: SandboxContext, engine: Engine) -> None:
    """Build and encode the record as `inserts.insert_values` would, writing nothing."""
    source = target_of(statement, ctx.metastore, engine.config)
    check_insertable(statement, source, engine.config.server)  # also for the sources below
    if {source.key_format.name, source.value_format.name} & SR_FORMATS:
        raise CannotSimulate(source.name)
    if ctx.topic(source.topic) is None:
        raise CannotSimulate(source.topic)
    # Formats outside SR_FORMATS never touch the registry (it is passed for the same
    # refusal of a format tote does not support).
    encode_row(statement, source, registry=ctx.registry, functions=engine.functions,
               now_ms=engine.clock.now_ms(), server=engine.config.server)
