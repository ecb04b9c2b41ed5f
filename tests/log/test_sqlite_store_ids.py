"""The SQLite log keys state rows by a store id (`sqlite_stores`): a file written with
schema version 1 (rows keyed by the store's name) opens migrated, every entry where it
was, and an id made by a transaction that rolls back is never used from the cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tote.log.sqlite import SqliteLog

STORE = "_confluent-ksql-default_query_CTAS_POOLS_5-Aggregate-Aggregate-Materialize.0"


def _as_version_1(path: Path) -> None:
    """Rewrite the file's `state` table as schema version 1 had it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    rows = conn.execute("SELECT stores.name, state.key, state.value FROM state "
                        "JOIN stores ON stores.id = state.store").fetchall()
    conn.execute("DROP TABLE state")
    conn.execute("DROP TABLE stores")
    conn.execute("CREATE TABLE state (store TEXT NOT NULL, key BLOB NOT NULL, "
                 "value BLOB NOT NULL, PRIMARY KEY (store, key)) WITHOUT ROWID")
    conn.executemany("INSERT INTO state VALUES (?, ?, ?)", rows)
    conn.execute("PRAGMA user_version=1")
    conn.execute("COMMIT")
    conn.close()


def _put(log: SqliteLog, store: str, entries: dict[bytes, bytes | None]) -> None:
    txn = log.transactional_producer("writer").begin()
    for key, value in entries.items():
        txn.put(store, key, value)
    txn.commit()


def test_a_version_1_file_opens_with_its_state_where_it_was(tmp_path: Path) -> None:
    path = tmp_path / "tote.db"
    with SqliteLog(path) as log:
        _put(log, STORE, {b"a": b"1", b"b": b"2"})
        _put(log, "other", {b"a": b"x"})
    _as_version_1(path)
    with SqliteLog(path) as log:
        assert list(log.store(STORE).items()) == [(b"a", b"1"), (b"b", b"2")]
        assert log.store("other").get(b"a") == b"x"
        assert log.store("other").get_many([b"a", b"z"]) == [b"x", None]
        _put(log, STORE, {b"a": None, b"c": b"3"})  # and writes on
        assert list(log.store(STORE).items()) == [(b"b", b"2"), (b"c", b"3")]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()


def test_a_store_nothing_was_written_to_reads_empty(tmp_path: Path) -> None:
    with SqliteLog(tmp_path / "tote.db") as log:
        store = log.store("never")
        assert store.get(b"a") is None
        assert store.get_many([b"a"]) == [None]
        assert list(store.items()) == []


def test_an_id_made_in_a_rolled_back_transaction_is_not_reused(tmp_path: Path) -> None:
    with SqliteLog(tmp_path / "tote.db") as log:
        conn = log.conn()
        conn.execute("BEGIN IMMEDIATE")
        log.store_ids.ensure(conn, "rolled-back")
        conn.execute("ROLLBACK")
        assert log.store_ids.find("rolled-back") is None
        _put(log, "rolled-back", {b"k": b"v"})
        assert log.store("rolled-back").get(b"k") == b"v"
    with SqliteLog(tmp_path / "tote.db") as log:  # (another process's view)
        assert log.store("rolled-back").get(b"k") == b"v"
