"""What flows between a task's operators.

`Rec` is a record of a stream or a change of a table: the key tuple, the value row (None
deletes a table row), the timestamp, for tables the previous row, the window bounds of a
windowed key.
A repartition record that skips the log reaches its reader as the Rec itself
(`runtime._Outbox.hand_over`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from tote.core.records import LogRecord, Record

Row = tuple[Any, ...]


class Rec(NamedTuple):
    key: Row
    row: Row | None
    ts: int
    old: Row | None = None
    window: tuple[int, int] | None = None


class AbsentKey(tuple[Any, ...]):
    """The key of a record read with no key at all (a null Kafka key): a row of nulls to
    every operator, but a sink that is handed it unchanged writes a null key again, as
    ksqlDB passes a null key through, where a rebuilt key of nulls is written as one."""

    __slots__ = ()


#: `new_tuple(Rec, (key, row, ts, old, window))` builds a Rec without NamedTuple's
#: Python-level constructor: the operators' per-record paths build dozens per record.
new_tuple = tuple.__new__

#: The `timestamp_type` of a record a sink hands to a reader in the same step with its
#: key and value already decoded: its `key` and `value` are the key tuple and value row
#: (only for entries that take them: `Task.decoded`; see `runtime.Runtime._predicted`).
DECODED: Any = object()

Push = Callable[[Rec], None]
Entry = Callable[[LogRecord], None]
# An entry taking a record handed over decoded: the key tuple, the value row (None: a
# tombstone), the Record written (its headers, timestamp, partition) and its offset (see
# `DECODED`).
RowsEntry = Callable[[Row, Row | None, Record, int], None]
# A source's decoding of a record it reads as `rows_entry` would take it: the key tuple and
# value row; None where its entry does otherwise (a record it cannot decode, which it
# reports, or a table record without a key, which it drops).
Decode = Callable[[LogRecord], tuple[Row, Row | None] | None]
Route = Callable[[str, int, Rec], bool]
# What takes one producer's records of one partition in a step, and those records with
# their key tuples and value rows (see `DECODED`).
Send = Callable[[Record], None]
SendRows = Callable[[Record, Row, Row | None], None]
