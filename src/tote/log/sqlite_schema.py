"""The SQLite log's file: tables, pragmas, topic metadata and record encoding.

One file in WAL mode holds everything. Each partition ever created gets a `slot` that is
never reused, and a record's rowid is `slot << OFFSET_BITS | offset`: records are
clustered by partition and offset in SQLite's fastest table kind (a rowid b-tree,
appended at the end of each partition's range), so an append costs about what a bare
table insert costs and a read is one contiguous range scan. Offsets come from the
`partitions` table, updated in the same SQLite transaction as the records: a batch is
atomic and an offset is never handed out twice, even across processes and `kill -9`
(WAL frames of an unfinished transaction are ignored on recovery).
`synchronous=NORMAL` keeps commits durable against process crashes (not power loss),
which is what an embedded log needs.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import time
from dataclasses import dataclass
from pathlib import Path

from tote.core.clock import SYSTEM_CLOCK
from tote.core.errors import ToteError
from tote.core.records import Headers, TimestampType, TopicSpec
from tote.log.base import DEFAULT_MAX_MESSAGE_BYTES
from tote.log.sqlite_lock import Connection, write_txn
from tote.log.sqlite_stores import STATE_TABLE, STORES_TABLE, migrate_names_to_ids
from tote.log.sqlite_wal import new_log_id

# Python's sqlite3 binds int, float, str and bytearray parameters directly, but takes
# every bytes and None one through its adapter protocol, which raises and formats an
# AttributeError internally each time: about a quarter of an append's instructions. A
# registered adapter makes that one dictionary hit and one C call returning the value
# unchanged: `bytes.__bytes__` gives the bytes object itself, an empty dict's `get`
# gives None for None.
_NOTHING: dict[None, None] = {}
sqlite3.register_adapter(bytes, bytes.__bytes__)
sqlite3.register_adapter(type(None), _NOTHING.get)

SCHEMA_VERSION = 2  # 2: state keyed by store id (`sqlite_stores`)
# A partition holds up to 2**43 offsets (~8.8e12: years at full speed); 2**20 partitions
# can be created over the life of a file. Both limits raise a clear error when reached.
OFFSET_BITS = 43
MAX_OFFSET = 1 << OFFSET_BITS
MAX_SLOT = 1 << (63 - OFFSET_BITS)
PAGE_SIZE = 8192
# Bytes of SQLite page cache per connection (negative cache_size means KiB).
CACHE_KIB = 32_768

_TABLES = """
CREATE TABLE IF NOT EXISTS topics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    partitions INTEGER NOT NULL,
    replication_factor INTEGER NOT NULL,
    configs TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS partitions (
    slot INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id INTEGER NOT NULL,
    partition INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    cleaned_offset INTEGER NOT NULL DEFAULT 0,
    UNIQUE (topic_id, partition)
);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    key BLOB,
    value BLOB,
    headers BLOB
);
CREATE TABLE IF NOT EXISTS groups (
    name TEXT PRIMARY KEY,
    generation INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS members (
    grp TEXT NOT NULL,
    member_id TEXT NOT NULL,
    instance TEXT NOT NULL,
    topics TEXT NOT NULL,
    session_timeout_ms INTEGER NOT NULL,
    heartbeat_ms INTEGER NOT NULL,
    PRIMARY KEY (grp, member_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS offsets (
    grp TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    PRIMARY KEY (grp, topic, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS producers (
    transactional_id TEXT PRIMARY KEY,
    epoch INTEGER NOT NULL
) WITHOUT ROWID;
""" + STORES_TABLE + ";" + STATE_TABLE + ";"


def connect(path: Path, busy_timeout: float) -> Connection:
    """Open one connection with tote's pragmas; creates the file and tables on first use.

    Several processes may open a fresh file at once, so switching to WAL is retried
    until `busy_timeout` passes, and tables are created inside a write transaction.
    """
    try:
        conn = sqlite3.connect(
            str(path),
            timeout=busy_timeout,
            isolation_level=None,
            check_same_thread=False,
            factory=Connection,
        )
    except sqlite3.Error as exc:
        raise ToteError(f"Cannot open the log file {path}: {exc}.") from None
    conn.busy_timeout = busy_timeout
    try:
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA journal_size_limit=67108864")
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            _create(conn, busy_timeout)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ToteError(f"Cannot open the log file {path}: {exc}.") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _create(conn: sqlite3.Connection, busy_timeout: float) -> None:
    deadline = SYSTEM_CLOCK.monotonic() + busy_timeout
    while True:
        try:
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
            _give_id(conn)
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or SYSTEM_CLOCK.monotonic() > deadline:
                raise
            time.sleep(0.01)  # another process is creating the file right now
            continue
        if mode.lower() != "wal":
            raise ToteError(f"Could not switch the log file to WAL mode (it is in {mode}).")
        break
    with write_txn(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version == 1:
            migrate_names_to_ids(conn)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            return
        if version != 0:
            raise ToteError(
                f"The log file has schema version {version}; this tote reads {SCHEMA_VERSION}."
            )
        for statement in _TABLES.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _give_id(conn: sqlite3.Connection) -> None:
    """Give a new file its random id (`sqlite_wal`), in one transaction so racing
    creators agree; before the switch to WAL, so it is in the file itself."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] == 0:
            conn.execute(f"PRAGMA application_id={new_log_id()}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# --- topics ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicMeta:
    """A topic's row plus the configs the hot paths need, decoded once.

    `bases[p]` is partition p's first record id (`slot << OFFSET_BITS`): offset o of
    partition p is record `bases[p] + o`.
    """

    id: int
    spec: TopicSpec
    bases: tuple[int, ...]
    timestamp_type: TimestampType
    max_bytes: int
    housekeeping: bool

    @property
    def name(self) -> str:
        return self.spec.name


def meta_from_row(row: tuple[int, str, int, int, str], slots: list[int]) -> TopicMeta:
    """`slots` are the topic's partition slots in partition order."""
    topic_id, name, partitions, replication_factor, configs_json = row
    configs = tuple((str(k), str(v)) for k, v in json.loads(configs_json))
    spec = TopicSpec(name, partitions, replication_factor, configs)
    append_time = spec.config("message.timestamp.type") == "LogAppendTime"
    policy = spec.config("cleanup.policy") or "delete"
    retention = int(spec.config("retention.ms") or -1)
    return TopicMeta(
        topic_id,
        spec,
        tuple(slot << OFFSET_BITS for slot in slots),
        TimestampType.LOG_APPEND_TIME if append_time else TimestampType.CREATE_TIME,
        int(spec.config("max.message.bytes") or DEFAULT_MAX_MESSAGE_BYTES),
        "compact" in policy or retention >= 0,
    )


TOPIC_COLUMNS = "id, name, partitions, replication_factor, configs"


def load_meta(conn: sqlite3.Connection, name: str) -> TopicMeta | None:
    """The topic's metadata, read in one snapshot (None if there is no such topic)."""
    started = not conn.in_transaction
    if started:
        conn.execute("BEGIN")
    try:
        row = conn.execute(
            f"SELECT {TOPIC_COLUMNS} FROM topics WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            return None
        slots = conn.execute(
            "SELECT slot FROM partitions WHERE topic_id = ? ORDER BY partition", (row[0],)
        ).fetchall()
    finally:
        if started:
            conn.execute("COMMIT")
    return meta_from_row(row, [slot for (slot,) in slots])


def configs_json(spec: TopicSpec) -> str:
    return json.dumps([list(item) for item in spec.configs])


# --- headers --------------------------------------------------------------------------------

# Per header: key length (2 bytes), value length (4 bytes, all ones for a null value).
_HEADER = struct.Struct(">HI")
_NULL_LENGTH = 0xFFFFFFFF


def encode_headers(headers: Headers) -> bytes | None:
    """Headers as one compact blob; None (no column bytes at all) when there are none."""
    if not headers:
        return None
    parts: list[bytes] = []
    for name, value in headers:
        raw = name.encode()
        parts.append(_HEADER.pack(len(raw), _NULL_LENGTH if value is None else len(value)))
        parts.append(raw)
        if value is not None:
            parts.append(bytes(value))
    return b"".join(parts)


def decode_headers(blob: bytes) -> Headers:
    out: list[tuple[str, bytes | None]] = []
    i, end = 0, len(blob)
    while i < end:
        name_length, value_length = _HEADER.unpack_from(blob, i)
        i += _HEADER.size
        name = blob[i : i + name_length].decode()
        i += name_length
        if value_length == _NULL_LENGTH:
            out.append((name, None))
        else:
            out.append((name, blob[i : i + value_length]))
            i += value_length
    return tuple(out)
