"""Transient queries: push queries (`EMIT CHANGES`) and pull queries, run for one client.

Nothing they do is recorded in the command topic or written to the log: they read the
topics of their sources and hand rows to the caller (`TransientQueries`).
"""

from tote.sql.transient.builder import OutputColumn, schema_text
from tote.sql.transient.push import COMPLETED, LIMIT_REACHED, Batch, StreamingQuery
from tote.sql.transient.queries import PullResult, TransientQueries, TransientQuery
from tote.sql.transient.rows import Row

__all__ = [
    "COMPLETED",
    "LIMIT_REACHED",
    "Batch",
    "OutputColumn",
    "PullResult",
    "Row",
    "StreamingQuery",
    "TransientQueries",
    "TransientQuery",
    "schema_text",
]
