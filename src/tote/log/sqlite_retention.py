"""Retention and compaction of the SQLite log (Kafka's log cleaner, for one file).

Same rules as the memory log: `retention.ms` (only when set; -1 means forever) drops the
oldest records of a partition while their timestamp is older than the cutoff, and
`cleanup.policy=compact` keeps the latest record per key, dropping tombstones older than
`delete.retention.ms`. The start offset then moves to the first record left; offsets are
never reused because `end_offset` never moves back.

Deletes run in chunks of short write transactions so appenders in other processes wait
at most one chunk. Splitting is safe because a record once obsolete stays obsolete.
The log also runs this on its own every `RETENTION_CHECK_MS`; those runs compact a
partition only when at least half of it was written since its last compaction (Kafka's
`min.cleanable.dirty.ratio`), so they stay cheap on big compacted topics.
"""

from __future__ import annotations

import sqlite3

from tote.log.sqlite_lock import write_txn
from tote.log.sqlite_schema import MAX_OFFSET, TopicMeta

# Kafka's log.retention.check.interval.ms: how often appends also apply retention.
RETENTION_CHECK_MS = 300_000
DEFAULT_DELETE_RETENTION_MS = 86_400_000
MIN_DIRTY_RATIO = 0.5
_CHUNK = 20_000

_FIRST_KEPT = "SELECT id FROM records WHERE id >= ? AND id < ? AND ts >= ? ORDER BY id LIMIT 1"
_FIRST = "SELECT min(id) FROM records WHERE id >= ? AND id < ?"
_OBSOLETE = """
SELECT id FROM (
    SELECT id, value IS NULL AS tombstone, ts,
           row_number() OVER (PARTITION BY key ORDER BY id DESC) AS newer
    FROM records WHERE id >= ? AND id < ? AND key IS NOT NULL
) WHERE newer > 1 OR (tombstone AND ts < ?) ORDER BY id
"""


def enforce_topic(conn: sqlite3.Connection, meta: TopicMeta, now: int, full: bool = True) -> None:
    """Apply a topic's retention and compaction to each of its partitions."""
    spec = meta.spec
    policy = (spec.config("cleanup.policy") or "delete").split(",")
    retention = int(spec.config("retention.ms") or -1)
    tombstone_cutoff = now - int(
        spec.config("delete.retention.ms") or DEFAULT_DELETE_RETENTION_MS
    )
    for partition, base in enumerate(meta.bases):
        bounds = conn.execute(
            "SELECT start_offset, end_offset, cleaned_offset FROM partitions "
            "WHERE topic_id = ? AND partition = ?",
            (meta.id, partition),
        ).fetchone()
        if bounds is None:
            return  # deleted meanwhile
        start, end, cleaned = bounds
        if "delete" in policy and retention >= 0:
            _delete_old(conn, base, now - retention, end)
        dirty = end > cleaned and (end - cleaned) >= MIN_DIRTY_RATIO * (end - start)
        if "compact" in policy and (full or dirty):
            _compact(conn, meta, partition, tombstone_cutoff, end)
        with write_txn(conn):
            conn.execute(
                "UPDATE partitions SET start_offset = coalesce("
                "(SELECT min(id) FROM records WHERE id >= ?1 AND id < ?2) - ?1, end_offset) "
                "WHERE topic_id = ?3 AND partition = ?4",
                (base, base + MAX_OFFSET, meta.id, partition),
            )


def _delete_old(conn: sqlite3.Connection, base: int, cutoff: int, end: int) -> None:
    """Drop the leading records older than `cutoff`, a chunk per write transaction."""
    row = conn.execute(_FIRST_KEPT, (base, base + MAX_OFFSET, cutoff)).fetchone()
    keep = row[0] if row else base + end
    while True:
        with write_txn(conn):
            (first,) = conn.execute(_FIRST, (base, base + MAX_OFFSET)).fetchone()
            if first is None or first >= keep:
                return
            conn.execute(
                "DELETE FROM records WHERE id >= ? AND id < ?",
                (first, min(keep, first + _CHUNK)),
            )


def _compact(
    conn: sqlite3.Connection, meta: TopicMeta, partition: int, tombstone_cutoff: int, end: int
) -> None:
    """Keep the latest record per key; drop tombstones older than the cutoff."""
    base = meta.bases[partition]
    rows = conn.execute(_OBSOLETE, (base, base + MAX_OFFSET, tombstone_cutoff)).fetchall()
    obsolete = [row for row in rows if row[0] < base + end]
    for first in range(0, max(len(obsolete), 1), _CHUNK):
        with write_txn(conn):
            conn.executemany("DELETE FROM records WHERE id = ?", obsolete[first : first + _CHUNK])
            done = first + _CHUNK >= len(obsolete)
            conn.execute(
                "UPDATE partitions SET cleaned_offset = max(cleaned_offset, ?) "
                "WHERE topic_id = ? AND partition = ?",
                (end if done else 0, meta.id, partition),
            )
