"""Refusing a WAL that does not belong to the log file, before SQLite replays it.

SQLite ties WAL frames to one generation of the WAL (its header's salts), not to a
database file, so it cannot tell whose `log.db-wal` it finds. Measured with SQLite 3.40:
after `rm log.db`, a new process silently deletes the WAL left by a killed writer, or,
while a writer still runs, truncates that writer's WAL under it ("disk I/O error"); and a
WAL left next to a log.db that was replaced by another file is replayed onto that file
(the old topics show instead of its own, and the first close checkpoints them into it
for good). So a log looks at the files itself before its first connection:

- a WAL or shared-memory file with no log.db (or an empty one) is refused;
- every log file carries a random id in its header's application id, written into the
  file itself before it switches to WAL, and `copy_log` gives each copy a new one; a WAL
  whose committed page-1 frames carry another id was written for another file: refused.

A WAL with no page-1 frame, or one beside a log made before these ids (id 0), cannot be
told apart and opens as before.
"""

from __future__ import annotations

import os
import random
import sqlite3
import struct
from contextlib import closing
from pathlib import Path

from tote.core.errors import ToteError

_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_HEADER = struct.Struct(">IIIIII")  # magic, version, page size, checkpoint, salt 1, 2
_WAL_HEADER_SIZE = 32
_FRAME = struct.Struct(">IIII")  # page number, database size, salt 1, salt 2
_FRAME_HEADER_SIZE = 24
_APPLICATION_ID = struct.Struct(">i")  # at byte 68 of page 1
_APPLICATION_ID_AT = 68


def new_log_id() -> int:
    """A log file's random id (SQLite's application id: a signed 32-bit int, never 0)."""
    return random.randrange(1, 1 << 31)


def check_side_files(path: Path) -> None:
    """Raise ToteError if `path`'s WAL (or shared memory) has no log file to belong to, or
    was written for another file than the one at `path` now."""
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    left = [side for side in (wal, shm) if side.exists()]
    if not left:
        return
    frames, ids = _scan_wal(wal)
    size = _size(path)
    if size is None or (size == 0 and frames):
        names = " and ".join(str(side) for side in left)
        raise ToteError(
            f"{names} {'are' if len(left) > 1 else 'is'} left without the log file {path} "
            f"({path.name} was deleted, moved away or emptied), so tote refuses to open the "
            "log: SQLite would drop or mix up what the WAL holds. Stop every tote process "
            f"using it, then put back the log file they belong to, or remove {names} to "
            "start a new, empty log."
        )
    file_id = _file_id(path)
    if file_id is not None and ids - {file_id}:
        raise ToteError(
            f"{wal} was written for another file than the log file {path} ({path.name} was "
            "replaced while the WAL of the old file stayed), so tote refuses to open the "
            "log: SQLite would replay that WAL onto it and mix two files. Stop every tote "
            f"process using it, then remove {wal} and {shm} to open {path} as it is, or put "
            "back the log file the WAL belongs to."
        )


def _size(path: Path) -> int | None:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return None


def _file_id(path: Path) -> int | None:
    """The id in the file's own header, WAL ignored (None if SQLite cannot read it).

    Read through an immutable SQLite connection, not a file descriptor of our own:
    closing any descriptor of the file would drop the POSIX locks this process's other
    connections hold on it; SQLite's VFS defers such closes."""
    uri = f"{path.absolute().as_uri()}?immutable=1"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            return int(conn.execute("PRAGMA application_id").fetchone()[0])
    except sqlite3.Error:
        return None  # not a database: opening it reports that


def _scan_wal(wal: Path) -> tuple[int, set[int]]:
    """How many frames the WAL's current generation has (SQLite ignores frames whose
    salts differ from the header's), and the ids in its page-1 frames that a later commit
    frame follows.

    SQLite writes a frame's header and its page in two writes, so a writer killed between
    them (or one writing right now) leaves a header with the current salts over the page
    an older frame left there: its "id" is any 4 bytes of another page. SQLite itself
    ignores such a frame (its checksum fails, and no commit follows it); here, a page-1
    frame counts once a later frame of the generation commits, which the writer wrote
    after finishing it."""
    frames, ids = 0, set[int]()
    try:
        fd = os.open(wal, os.O_RDONLY)  # SQLite takes no locks on the WAL file itself
    except FileNotFoundError:
        return frames, ids
    try:
        header = os.pread(fd, _WAL_HEADER_SIZE, 0)
        if len(header) < _WAL_HEADER_SIZE:
            return frames, ids
        magic, _, page_size, _, salt1, salt2 = _WAL_HEADER.unpack_from(header)
        if magic not in _WAL_MAGIC or not 512 <= page_size <= 65536:
            return frames, ids
        at = _WAL_HEADER_SIZE
        pending: list[int] = []  # ids of page-1 frames no commit frame follows yet
        while True:
            frame = os.pread(fd, _FRAME_HEADER_SIZE, at)
            if len(frame) < _FRAME_HEADER_SIZE:
                return frames, ids
            page, committed_size, frame_salt1, frame_salt2 = _FRAME.unpack_from(frame)
            if (frame_salt1, frame_salt2) != (salt1, salt2):
                return frames, ids
            frames += 1
            if committed_size:  # a commit frame: the page-1 frames before it are whole
                ids.update(pending)
                pending.clear()
            if page == 1:
                raw = os.pread(fd, 4, at + _FRAME_HEADER_SIZE + _APPLICATION_ID_AT)
                if len(raw) == 4:
                    pending.append(_APPLICATION_ID.unpack(raw)[0])
            at += _FRAME_HEADER_SIZE + page_size
    finally:
        os.close(fd)
