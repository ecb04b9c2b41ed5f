"""Scalable push queries (ksqlDB's "push v2"): which push queries are served that way.

With `ksql.query.push.v2.enabled`, ksqlDB answers a simple push query from the output
of the one persistent query writing its source instead of running a query of its own.
A push query qualifies when it reads a single source (no join) written by exactly one
persistent query, from `latest`, with EMIT CHANGES and none of GROUP BY, WINDOW,
HAVING, PARTITION BY, ROWPARTITION or ROWOFFSET. Such a query is named
`SCALABLE_PUSH_QUERY_<uuid>`, and, as ksqlDB's consumer of that output does, it skips
records with no value, and records with no key when the source has key columns.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from tote.core.records import LogRecord
from tote.sql.analyzer.query.rewrite import column_refs
from tote.sql.ast.queries import AliasedRelation, OutputRefinement, Query, SingleColumn
from tote.sql.config import Config
from tote.sql.metastore import MetaStore
from tote.sql.sources import ROWOFFSET, ROWPARTITION, DataSource

PUSH_V2_ENABLED = "ksql.query.push.v2.enabled"
ID_PREFIX = "SCALABLE_PUSH_QUERY_"
_NOT_IN_SCALABLE = (ROWPARTITION, ROWOFFSET)


def is_scalable(query: Query, config: Config, metastore: MetaStore, reset: str) -> bool:
    """Whether ksqlDB would serve this push query as a scalable one (`reset`: the
    query's effective `auto.offset.reset`)."""
    if not config.flag(PUSH_V2_ENABLED) or query.is_pull:
        return False
    if not isinstance(query.from_, AliasedRelation):
        return False
    if query.group_by is not None or query.window is not None or \
            query.having is not None or query.partition_by is not None:
        return False
    if query.refinement is not OutputRefinement.CHANGES or reset != "latest":
        return False
    if len(metastore.writers_of(query.from_.name)) != 1:
        return False
    expressions = [e.expression for e in query.select if isinstance(e, SingleColumn)]
    if query.where is not None:
        expressions.append(query.where)
    return not any(ref.name in _NOT_IN_SCALABLE
                   for expr in expressions for ref in column_refs(expr))


def scalable_id() -> str:
    return ID_PREFIX + str(uuid.uuid4())


def admits(source: DataSource) -> Callable[[LogRecord], bool]:
    """The records a scalable push query reads: a value, and a key if there are keys."""
    keyed = bool(source.key_columns)

    def admit(record: LogRecord) -> bool:
        return record.value is not None and not (keyed and record.key is None)

    return admit
