"""PAUSE and RESUME of persistent queries (ksqlDB 0.29+).

A paused query keeps its tasks, state and committed offsets but reads nothing; RESUME
lets it read on from where it stopped, so nothing is lost or processed twice. Both are
recorded in the command topic (ksqlDB's `pause/<id>/execute`, `resume/<id>/execute`) and
replayed at start, so a query paused before a restart stays paused after it: ksqlDB's
command runner likewise re-runs the PAUSE before it starts the restored queries.

As in ksqlDB (ValidatedCommandFactory): an unknown id is refused ("Unknown queryId: X"),
an id naming a transient query is accepted and changes nothing (transient queries cannot
be paused), and ALL takes every persistent query.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tote.sql.ast.commands import PauseQuery, ResumeQuery
from tote.sql.errors import StatementError
from tote.sql.metastore import MetaStore
from tote.sql.results import CommandResult

if TYPE_CHECKING:
    from tote.sql.engine import Engine
    from tote.sql.execution.dispatch import Session

PAUSED = "PAUSED"
RUNNING = "RUNNING"
_TRANSIENT_PREFIX = "transient_"  # ksqlDB's ksql.transient.prefix default


def pause_or_resume(engine: Engine, statement: PauseQuery | ResumeQuery, text: str,
                    metastore: MetaStore, *, session: Session, replay: int | None
                    ) -> CommandResult:
    """Validate, record, then pause or resume (the order `Dispatcher._terminate` keeps)."""
    engine.check_commands(replay)
    pause = isinstance(statement, PauseQuery)
    chosen = targets(statement.query_id, metastore)
    verb = "pause" if pause else "resume"
    command_id = f"{verb}/{statement.query_id or 'ALL'}/execute"
    offset = engine.record_command(command_id, text, session, replay)
    for qid in chosen:
        record = metastore.queries[qid]
        metastore.queries[qid] = replace(record, state=PAUSED if pause else RUNNING)
        engine.runtime.set_paused(qid, pause)
    message = "Query paused." if pause else "Query resumed."
    return CommandResult(text, command_id, message, sequence_number=offset)


def targets(query_id: str | None, metastore: MetaStore) -> list[str]:
    """The persistent queries a statement names: all of them for ALL; a query id is
    matched regardless of case, as ksqlDB's QueryId compares."""
    if query_id is None:
        return sorted(metastore.queries)
    if _TRANSIENT_PREFIX in query_id.lower():
        return []
    for qid in metastore.queries:
        if qid.upper() == query_id.upper():
            return [qid]
    raise StatementError(f"Unknown queryId: {query_id}")
