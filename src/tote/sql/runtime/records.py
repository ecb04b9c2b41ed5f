"""What flows between a task's operators.

`Rec` is a record of a stream or a change of a table: the key tuple, the value row (None
deletes a table row), the timestamp, for tables the previous row, the window bounds of a
windowed key.
`Routed` is what a task reads when a repartition record skipped the log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from tote.core.records import LogRecord

Row = tuple[Any, ...]


class Rec(NamedTuple):
    key: Row
    row: Row | None
    ts: int
    old: Row | None = None
    window: tuple[int, int] | None = None


class Routed(NamedTuple):
    """A repartition record handed from its writer to its reader in memory, never
    written (see `Runtime._hand_over`): offset -1, and the change itself, not bytes."""

    topic: str
    partition: int
    rec: Rec
    offset: int = -1


Push = Callable[[Rec], None]
Entry = Callable[[LogRecord], None]
Route = Callable[[str, int, Rec], bool]
