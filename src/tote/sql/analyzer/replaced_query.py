"""CREATE OR REPLACE: the replacement takes over the one query writing into its sink.

ksqlDB (QueryIdUtil.buildId) refuses when more than one query writes there (the CREATE
... AS SELECT and INSERT INTO queries), listing its set of their ids: the CREATE query
first, then the INSERT queries as Java's HashSet of QueryId iterates them. The one
writer it replaces may be an INSERT INTO query (into a declared stream): the replacement
then runs under that query's INSERTQUERY_ id, as the sink's CREATE ... AS query.
"""

from __future__ import annotations

from tote.core.java_hashing import grown_capacity, iteration_order, string_hash
from tote.sql.errors import StatementError
from tote.sql.metastore import MetaStore

_INSERT_PREFIX = "INSERTQUERY_"


def check_single_writer(metastore: MetaStore, sink: str) -> None:
    writers = [q.id for q in metastore.queries.values() if q.sink == sink]
    if len(writers) < 2:
        return
    creates = [w for w in writers if not w.startswith(_INSERT_PREFIX)]
    inserts = [w for w in writers if w.startswith(_INSERT_PREFIX)]
    listed = ", ".join(creates + _hash_set_order(inserts))
    raise StatementError(f"REPLACE for sink `{sink}` is not supported because there are "
                         f"multiple queries writing into it: [{listed}]")


def replaced_query(metastore: MetaStore, sink: str) -> str | None:
    """The id of the one query writing into `sink`, which CREATE OR REPLACE takes over."""
    writers = metastore.writers_of(sink)
    return writers[0] if len(writers) == 1 else None


def _hash_set_order(ids: list[str]) -> list[str]:
    """`ids`, added in this order to a `new HashSet<QueryId>()`, as it iterates them
    (`QueryId.hashCode` is `Objects.hash(id)`: 31 + the string's hash)."""
    order = iteration_order(ids, grown_capacity(len(ids)),
                            lambda query_id: (31 + string_hash(query_id)) & 0xFFFFFFFF)
    return [ids[i] for i in order]
