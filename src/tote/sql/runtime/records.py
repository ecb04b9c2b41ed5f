"""What flows between a task's operators.

`Rec` is a record of a stream or a change of a table, a plain tuple of five positions:

    0 key     the key tuple
    1 row     the value row (None deletes a table row)
    2 ts      the timestamp
    3 old     for tables the previous row, else None
    4 window  the window bounds (start, end) of a windowed key, else None

It is a plain tuple, not a NamedTuple, because operators build several per record: a tuple
display `(key, row, ts, old, window)` costs about a tenth of a NamedTuple's construction.
Build it with all five positions; read it by unpacking (`key, row, ts, old, window = rec`)
or by index.

A repartition record that skips the log reaches its reader as the Rec itself
(`runtime._Outbox.hand_over`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tote.core.records import LogRecord, RecordRow

Row = tuple[Any, ...]


#: (key, row, ts, old, window): see the module's docstring.
Rec = tuple[Row, Row | None, int, Row | None, tuple[int, int] | None]


class AbsentKey(tuple[Any, ...]):
    """The key of a record read with no key at all (a null Kafka key): a row of nulls to
    every operator, but a sink that is handed it unchanged writes a null key again, as
    ksqlDB passes a null key through, where a rebuilt key of nulls is written as one."""

    __slots__ = ()


#: `new_tuple(LogRecord, (...))` builds a NamedTuple (LogRecord, Record) without its
#: Python-level constructor, for paths that build one per record.
new_tuple = tuple.__new__

#: The `timestamp_type` of a record a sink hands to a reader in the same step with its
#: key and value already decoded: its `key` and `value` are the key tuple and value row
#: (only for entries that take them: `Task.decoded`; see `runtime.Runtime._predicted`).
DECODED: Any = object()

Push = Callable[[Rec], None]
Entry = Callable[[LogRecord], None]
# A source's decoding of a record it reads: the key tuple and the row its entry builds (value,
# pseudo and key columns; None for a tombstone); None where its entry does otherwise (a
# record it cannot decode, which it reports, or a table record without a key, which it
# drops).
Decode = Callable[[LogRecord], tuple[Row, Row | None] | None]
# A source taking a record read from the log as `Decode` gives it: key, row and the record.
RowTaker = Callable[[Row, Row | None, LogRecord], None]
# A repartition change handed over in memory to every reader of its partition in the step;
# False when it must be written instead (`context.Handover`).
Hand = Callable[[Rec], bool]
# What takes one producer's records of one partition in a step, and those records with
# their key tuples and value rows (see `DECODED`).
Send = Callable[[RecordRow], None]
SendRows = Callable[[RecordRow, Row, Row | None], None]
# A plain source's way, called at once, to take the records one sink hands it decoded in
# a step (see `DECODED`; made per step by `runtime.Runtime._direct_rows`): given where the
# step's records of the partition go (`pending`, the first at offset `start`), a cell for
# the offset of the last record taken, and the reader's entry (whose failure it is), what
# appends each record written there and takes it with its key tuple and value row.
DirectRows = Callable[[list[RecordRow], int, list[int], object], SendRows]
