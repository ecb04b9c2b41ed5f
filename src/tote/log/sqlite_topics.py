"""Topic rows of the SQLite log and the per-process cache of their metadata.

Every process caches what it knows about a topic (id, partition slots, configs) so the
hot paths do not re-read it. Topic ids and slots are never reused, so a stale entry can
never point at another topic's records: it just finds nothing, and the caller reloads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping

from tote.core.errors import PartitionNotFound, TopicExists, TopicNotFound, ToteError
from tote.core.records import PartitionInfo, TopicPartition, TopicSpec
from tote.log.base import altered_spec
from tote.log.sqlite_schema import MAX_OFFSET, MAX_SLOT, TopicMeta, configs_json, load_meta


def insert_topic(conn: sqlite3.Connection, spec: TopicSpec) -> None:
    """Inside a write txn: add the topic and its partitions (each gets a fresh slot)."""
    if conn.execute("SELECT 1 FROM topics WHERE name = ?", (spec.name,)).fetchone():
        raise TopicExists(spec.name)
    topic_id = conn.execute(
        "INSERT INTO topics (name, partitions, replication_factor, configs) VALUES (?, ?, ?, ?)",
        (spec.name, spec.partitions, spec.replication_factor, configs_json(spec)),
    ).lastrowid
    conn.executemany(
        "INSERT INTO partitions (topic_id, partition, start_offset, end_offset) "
        "VALUES (?, ?, 0, 0)",
        [(topic_id, p) for p in range(spec.partitions)],
    )
    (last_slot,) = conn.execute("SELECT max(slot) FROM partitions").fetchone()
    if last_slot >= MAX_SLOT:
        raise ToteError(
            f"This log file cannot hold more partitions: {MAX_SLOT} were created over its "
            "life. Start a new log directory."
        )


def delete_topic_rows(conn: sqlite3.Connection, name: str) -> None:
    """Inside a write txn: remove the topic, its partitions and its records."""
    meta = load_meta(conn, name)
    if meta is None:
        raise TopicNotFound(name)
    for base in meta.bases:
        conn.execute("DELETE FROM records WHERE id >= ? AND id < ?", (base, base + MAX_OFFSET))
    conn.execute("DELETE FROM partitions WHERE topic_id = ?", (meta.id,))
    conn.execute("DELETE FROM topics WHERE id = ?", (meta.id,))


def update_configs(
    conn: sqlite3.Connection, name: str, changes: Mapping[str, str | None]
) -> TopicSpec:
    """Inside a write txn: apply `changes` to the topic's stored configs; the new spec."""
    meta = load_meta(conn, name)
    if meta is None:
        raise TopicNotFound(name)
    spec = altered_spec(meta.spec, changes)
    conn.execute("UPDATE topics SET configs = ? WHERE id = ?", (configs_json(spec), meta.id))
    return spec


def describe(conn: sqlite3.Connection, name: str) -> tuple[TopicMeta, tuple[PartitionInfo, ...]]:
    """The topic's metadata and partition offsets, read in one snapshot."""
    conn.execute("BEGIN")
    try:
        meta = load_meta(conn, name)
        if meta is None:
            raise TopicNotFound(name)
        rows = conn.execute(
            "SELECT partition, start_offset, end_offset FROM partitions "
            "WHERE topic_id = ? ORDER BY partition",
            (meta.id,),
        ).fetchall()
    finally:
        conn.execute("COMMIT")
    return meta, tuple(PartitionInfo(*row) for row in rows)


class TopicCache:
    """Topic name -> metadata for one process, read through `conn()` on a miss."""

    def __init__(self, conn: Callable[[], sqlite3.Connection]) -> None:
        self._conn = conn
        self._metas: dict[str, TopicMeta] = {}

    def get(self, name: str) -> TopicMeta:
        """The topic's metadata; raises TopicNotFound."""
        meta = self._metas.get(name)
        if meta is None:
            meta = load_meta(self._conn(), name)
            if meta is None:
                raise TopicNotFound(name)
            self._metas[name] = meta
        return meta

    def peek(self, name: str) -> TopicMeta | None:
        """The cached metadata, without reading the file."""
        return self._metas.get(name)

    def put(self, meta: TopicMeta) -> None:
        self._metas[meta.name] = meta

    def forget(self, name: str) -> None:
        self._metas.pop(name, None)

    def reload(self, name: str) -> TopicMeta:
        """Read the metadata again: another process deleted or re-created the topic."""
        self.forget(name)
        return self.get(name)

    def check_partition(self, tp: TopicPartition) -> TopicMeta:
        """The topic's metadata; raises TopicNotFound or PartitionNotFound."""
        meta = self.get(tp.topic)
        if not 0 <= tp.partition < meta.spec.partitions:
            meta = self.reload(tp.topic)  # re-created with more partitions elsewhere?
            if not 0 <= tp.partition < meta.spec.partitions:
                raise PartitionNotFound(tp.topic, tp.partition)
        return meta
