"""Appending a batch to the SQLite log: check and place it, then write it in one transaction.

Planning (partitions, timestamps, size limits) happens before the write lock is taken;
writing happens inside the caller's `BEGIN IMMEDIATE` so plain appends and transactions
share it. A batch is handled as columns (keys, values, timestamps...), taken from the
records and laid out as parameters column by column, so the per-record cost stays in C,
and written by multi-row INSERTs (`insert_rows`); that is what keeps appends close to a
bare-table insert.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from operator import attrgetter
from typing import cast

from tote.core.errors import PartitionNotFound, RecordTooLarge, ToteError
from tote.core.records import Headers, Position, Record, RecordRow, TimestampType, as_record
from tote.log.base import record_size
from tote.log.partitioner import StickyPartitioner, assign_partitions
from tote.log.sqlite_schema import MAX_OFFSET, TopicMeta, encode_headers

_KEY = attrgetter("key")
_VALUE = attrgetter("value")
_HEADERS = attrgetter("headers")
_TIMESTAMP = attrgetter("timestamp")
_PARTITION = attrgetter("partition")
_NEW = tuple.__new__
_PLAIN = frozenset({Record, tuple})  # (record types `_columns` reads by position)

# OR FAIL: a plain INSERT that writes several rows opens a statement journal, to undo
# the rows it wrote should a later one fail (a savepoint, and a copy of every page it
# touches: ~5% of an append). These run inside the caller's write transaction, which
# any failure rolls back whole (`write_txn`), so there is nothing for it to undo.
INSERT = "INSERT OR FAIL INTO records VALUES (?, ?, ?, ?, ?)"
# Without headers (the common batch) the column is left to its default, NULL: one
# parameter less to bind per record.
INSERT_BARE = "INSERT OR FAIL INTO records (id, ts, key, value) VALUES (?, ?, ?, ?)"
# Rows per statement of a multi-row INSERT (`insert_rows`): 5 * 64 parameters stay below
# the 999 bound parameters SQLite builds before 3.32 allow.
_ROWS_PER_INSERT = 64
_ENDS = "SELECT partition, end_offset FROM partitions WHERE topic_id = ?"
_SET_END = "UPDATE partitions SET end_offset = ? WHERE topic_id = ? AND partition = ?"


class StaleTopic(ToteError):
    """The topic this process cached was deleted (and maybe re-created) by another process."""


@dataclass(slots=True)
class Batch:
    """A checked batch, ready to write: one partition for all records, or one per record."""

    meta: TopicMeta
    count: int
    partition: int | None
    partitions: list[int] | None
    now: int
    timestamps: list[int] | None
    keys: list[bytes | None]
    values: list[bytes | None]
    headers: list[bytes | None] | None


def _check_sizes(
    meta: TopicMeta,
    records: Sequence[RecordRow],
    keys: list[bytes | None],
    values: list[bytes | None],
    has_headers: bool,
) -> None:
    """Raise RecordTooLarge for the first record over `max.message.bytes`."""
    limit = meta.max_bytes
    if not has_headers:
        # The total first: summing is cheaper than finding the longest (`max` compares).
        if _total(keys) + _total(values) <= limit:
            return
        longest_key = max(map(len, filter(None, keys)), default=0)
        if longest_key + max(map(len, filter(None, values)), default=0) <= limit:
            return
    for record in records:
        size = record_size(as_record(record))
        if size > limit:
            raise RecordTooLarge(size, limit, meta.name)


def _total(column: list[bytes | None]) -> int:
    """The length of a column's keys or values; Nones, when there are any, count 0.
    Skipping them (`filter`) costs a quarter of the sum, so only a column with a
    None in it pays for that."""
    try:
        return sum(map(len, cast("list[bytes]", column)))  # (a None raises TypeError)
    except TypeError:  # (anything else without a length raises again below)
        return sum(map(len, filter(None, column)))


def plan_batch(
    meta: TopicMeta, records: Sequence[RecordRow], sticky: StickyPartitioner, now: int
) -> Batch:
    """Check `records` (Records, or plain tuples in their field order) against the topic
    (explicit partitions, sizes) and choose partitions and timestamps; raises what
    appending them would raise."""
    count = len(records)
    if count == 1:
        placed = _plan_placed(meta, as_record(records[0]))
        if placed is not None:
            return placed
    values, keys, raw_headers, given, chosen = _columns(records)
    has_headers = any(raw_headers)
    partitions: list[int] | None = None
    partition: int | None = None
    if count and chosen[0] is None and chosen.count(None) == count and \
            keys.count(None) == count:
        partition = sticky.batch_partition(meta.name, meta.spec.partitions)
    elif count and _one_partition(chosen, meta.spec.partitions):
        partition = chosen[0]  # a stream processor's batch: every record placed there
    elif count:
        partitions = assign_partitions(meta.name, [as_record(r) for r in records],
                                       meta.spec.partitions, sticky)
        if partitions.count(partitions[0]) == count:
            partition, partitions = partitions[0], None
    _check_sizes(meta, records, keys, values, has_headers)
    timestamps: list[int] | None = None
    if meta.timestamp_type is TimestampType.CREATE_TIME:
        missing = given.count(None)
        if missing == 0:
            timestamps = cast("list[int]", given)  # no None in it
        elif missing < count:
            timestamps = [now if stamp is None else stamp for stamp in given]
    headers = [encode_headers(h) for h in raw_headers] if has_headers else None
    return Batch(meta, count, partition, partitions, now, timestamps, keys, values, headers)


def _columns(records: Sequence[RecordRow]) -> tuple[list[bytes | None], list[bytes | None],
                                                     list[Headers], list[int | None],
                                                     list[int | None]]:
    """The records' values, keys, headers, timestamps and partitions as columns: one
    transposing `zip` when every record is a `Record` or a plain tuple in its field order,
    a quarter of what reading each field by name costs."""
    if records and _plain(records):
        columns = list(map(list, zip(*records, strict=True)))
        return columns[0], columns[1], columns[2], columns[3], columns[4]
    return (list(map(_VALUE, records)), list(map(_KEY, records)), list(map(_HEADERS, records)),
            list(map(_TIMESTAMP, records)), list(map(_PARTITION, records)))


def _plain(records: Sequence[RecordRow]) -> bool:
    """Whether every record (one or more) is a `Record` or a plain tuple."""
    kind = _same_type(records)
    return kind in _PLAIN if kind is not None else set(map(type, records)) <= _PLAIN


def _same_type(items: Sequence[object]) -> type | None:
    """The type of all (one or more) `items`, or None if they have several: counted in
    a list of their types, at two thirds of what building a set of them costs."""
    found = list(map(type, items))
    return found[0] if found.count(found[0]) == len(found) else None


def _one_partition(chosen: list[int | None], partitions: int) -> bool:
    """Whether every record names the same existing partition (checked in C, not per
    record in Python; anything else goes to `assign_partitions`, which explains it)."""
    first = chosen[0]
    return (type(first) is int and 0 <= first < partitions
            and chosen.count(first) == len(chosen) and _same_type(chosen) is int)


def _plan_placed(meta: TopicMeta, record: Record) -> Batch | None:
    """The common single record of a stream processor (partition and timestamp chosen,
    no headers) planned without the batch machinery; None for any other record."""
    partition, stamp = record.partition, record.timestamp
    if partition is None or stamp is None or record.headers or \
            meta.timestamp_type is not TimestampType.CREATE_TIME:
        return None
    if isinstance(partition, bool) or not 0 <= partition < meta.spec.partitions:
        raise PartitionNotFound(meta.name, partition)
    size = len(record.key or b"") + len(record.value or b"")
    if size > meta.max_bytes:
        raise RecordTooLarge(size, meta.max_bytes, meta.name)
    return Batch(meta, 1, partition, None, stamp, [stamp], [record.key], [record.value], None)


def _column(values: list[bytes | None] | list[int] | None, constant: object) -> Iterable[object]:
    return repeat(constant) if values is None else values


def _check_room(meta: TopicMeta, partition: int, end: int) -> None:
    if end > MAX_OFFSET:
        raise ToteError(
            f"Partition {meta.name}-{partition} is full: it cannot hold offsets past {MAX_OFFSET}."
        )


def _insert(conn: sqlite3.Connection, ids: Sequence[int], batch: Batch) -> None:
    stamps = batch.timestamps if batch.timestamps is not None else [batch.now] * batch.count
    if batch.headers is None:
        insert_rows(conn, INSERT_BARE, (ids, stamps, batch.keys, batch.values))
    else:
        insert_rows(conn, INSERT, (ids, stamps, batch.keys, batch.values, batch.headers))


def insert_rows(conn: sqlite3.Connection, insert: str,
                columns: Sequence[Sequence[object]]) -> None:
    """`executemany(insert, zip(*columns))` for an INSERT of one `VALUES (?, ...)` row of
    one parameter per column (all of the same length), most rows `_ROWS_PER_INSERT` at a
    time in one multi-row INSERT: the same rows in the same order, but one statement step
    (and one release of the GIL) per chunk instead of per row. The chunks' parameters
    are laid out by slice assignment, a column at a time, without a tuple per row."""
    width, count = len(columns), len(columns[0])
    if count < _ROWS_PER_INSERT:
        conn.executemany(insert, zip(*columns, strict=True))
        return
    flat: list[object] = [None] * (width * count)
    for at, column in enumerate(columns):
        flat[at::width] = column
    step = width * _ROWS_PER_INSERT
    whole = count // _ROWS_PER_INSERT * step
    conn.executemany(_multi_row(insert), [flat[i:i + step] for i in range(0, whole, step)])
    rest = flat[whole:]
    if rest:
        conn.executemany(insert, [rest[i:i + width] for i in range(0, len(rest), width)])


@cache
def _multi_row(insert: str) -> str:
    """`insert` (one `VALUES (?, ...)` row, maybe an upsert clause after it) for
    `_ROWS_PER_INSERT` rows."""
    head, _, rest = insert.partition(" VALUES ")
    row, _, tail = rest.partition(")")
    return f"{head} VALUES {', '.join([row + ')'] * _ROWS_PER_INSERT)}{tail}"


def apply_batch(conn: sqlite3.Connection, batch: Batch) -> list[Position]:
    """Write a planned batch inside the caller's write transaction; return its positions.

    Offsets continue from each partition's `end_offset`, which is moved in the same
    transaction. Raises StaleTopic if the topic id no longer exists in the file.
    """
    return list(map(_NEW, repeat(Position), write_batch(conn, batch)))


def write_batch(conn: sqlite3.Connection, batch: Batch) -> Iterable[tuple[int, int, object]]:
    """`apply_batch` without building the positions: (partition, offset, timestamp) of
    each record, computed only if iterated (a transaction's commit needs none of them)."""
    meta = batch.meta
    ends = dict(conn.execute(_ENDS, (meta.id,)).fetchall())
    if len(ends) != meta.spec.partitions:
        raise StaleTopic(f"Topic '{meta.name}' changed in another process.")
    count = batch.count
    bases = meta.bases
    if batch.partition is not None:
        partition = batch.partition
        first = ends[partition]
        _check_room(meta, partition, first + count)
        base = bases[partition] + first
        _insert(conn, range(base, base + count), batch)
        conn.execute(_SET_END, (first + count, meta.id, partition))
        located: Iterable[tuple[int, int, object]] = zip(
            repeat(partition), range(first, first + count), _column(batch.timestamps, batch.now)
        )
    else:
        partitions = batch.partitions or []
        offsets: list[int] = []
        ids: list[int] = []
        for partition in partitions:
            offset = ends[partition]
            offsets.append(offset)
            ids.append(bases[partition] + offset)
            ends[partition] = offset + 1
        for partition in set(partitions):
            _check_room(meta, partition, ends[partition])
        _insert(conn, ids, batch)
        conn.executemany(_SET_END, [(ends[p], meta.id, p) for p in sorted(set(partitions))])
        located = zip(partitions, offsets, _column(batch.timestamps, batch.now), strict=False)
    return located


def merge_batches(batches: Sequence[Batch]) -> list[Batch]:
    """One batch per topic out of many (a transaction's single-record appends), keeping
    each partition's records in append order, so a commit writes each topic once."""
    by_topic: dict[int, list[Batch]] = {}
    for batch in batches:
        by_topic.setdefault(batch.meta.id, []).append(batch)
    return [group[0] if len(group) == 1 else _concat(group) for group in by_topic.values()]


def _concat(group: list[Batch]) -> Batch:
    partitions: list[int] = []
    timestamps: list[int] = []
    keys: list[bytes | None] = []
    values: list[bytes | None] = []
    headers: list[bytes | None] = []
    with_headers = any(b.headers is not None for b in group)
    for batch in group:
        count = batch.count
        if batch.partition is not None:
            partitions.extend(repeat(batch.partition, count))
        else:
            partitions.extend(batch.partitions or ())
        timestamps.extend(batch.timestamps if batch.timestamps is not None
                          else repeat(batch.now, count))
        keys.extend(batch.keys)
        values.extend(batch.values)
        if with_headers:
            headers.extend(batch.headers if batch.headers is not None else repeat(None, count))
    single = partitions.count(partitions[0]) == len(partitions) if partitions else True
    return Batch(group[0].meta, len(keys), partitions[0] if single and partitions else None,
                 None if single and partitions else partitions, group[-1].now, timestamps,
                 keys, values, headers if with_headers else None)
