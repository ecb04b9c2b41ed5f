"""Copies of a SQLite log file, made with SQLite's online backup API.

Copying the main file alone misses whatever the WAL still holds; the backup reads through
a connection, so the copy is one consistent snapshot of the log (WAL content included),
even while other processes have it open. The copy is a plain log file that any process
opens as usual: same topics, records, offsets, timestamps, groups and state.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tote.log.sqlite_wal import new_log_id


def copy_log(source: Path, target: Path) -> None:
    """Copy the log file `source` to `target`, which must not exist yet."""
    if not source.is_file():
        raise FileNotFoundError(f"No log file at {source}.")
    if target.exists():
        raise FileExistsError(f"{target} exists; a log copy never overwrites a file.")
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        # A copy is another file: its own id, so a WAL of the source is never taken for it.
        dst.execute(f"PRAGMA application_id={new_log_id()}")
        dst.commit()
