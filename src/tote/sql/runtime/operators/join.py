"""Joins on equal keys: stream-table and table-table (INNER / LEFT / RIGHT / FULL OUTER).

Both inputs arrive keyed by the join key on the same partition. Table sides are kept in
state stores (row and timestamp per key). A stream record is joined with the table's
current row; a table change is joined with the other side's current row and emitted as
the new joined row with the old one, following Kafka Streams' rules for which changes
produce output. Stream-stream joins (WITHIN windows) are in `stream_join.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tote.serde.codegen import Source
from tote.sql.ast.queries import JoinType
from tote.sql.planner.logical import JoinNode
from tote.sql.runtime import values
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.operators.transform import Fuse
from tote.sql.runtime.records import Push, Rec, Row
from tote.sql.runtime.state import KeyState

Side = tuple[Push, Push]
#: `store(key, row, ts)`: a table change put straight into a stream-table join's table
#: (row None deletes), for a table source that feeds nothing else (`build_source`).
Store = Callable[[Row, Row | None, int], None]


def _combined(node: JoinNode, src: Source) -> tuple[str, str]:
    """When the join emits nothing, and the joined row otherwise: Python expressions over
    `left`, `right` (rows or None) and `key`. Decided here, not per record (an INNER
    join, the usual one, tests no type; Python 3.11 reads `JoinType.LEFT` in a function
    body through EnumType's slow `__getattr__` hook)."""
    kind = node.type
    nothing = {JoinType.INNER: "left is None or right is None",
               JoinType.LEFT: "left is None",
               JoinType.RIGHT: "right is None"}.get(kind, "left is None and right is None")
    left = "left" if kind in (JoinType.INNER, JoinType.LEFT) else (
        f"(left if left is not None else {src.const((None,) * len(node.left.schema.value))})")
    right = "right" if kind in (JoinType.INNER, JoinType.RIGHT) else (
        f"(right if right is not None else "
        f"{src.const((None,) * len(node.right.schema.value))})")
    row = f"(*{left}, *{right}, key[0])" if node.synthetic_key else f"{left} + {right}"
    return nothing, row


def _generate(src: Source, name: str, *lines: str) -> Callable[..., Any]:
    src.emit(0, *lines)
    namespace = dict(src.env)
    exec(compile("\n".join(src.lines), "<tote:join>", "exec"), namespace)
    made: Callable[..., Any] = namespace[name]
    return made


def combiner(node: JoinNode) -> Callable[[Row | None, Row | None, tuple[object, ...]],
                                          Row | None]:
    """`combine(left, right, key)`: the joined row, or None where the join type emits
    nothing."""
    src = Source({})
    nothing, row = _combined(node, src)
    return _generate(src, "combine", "def combine(left, right, key):",
                     f"    return None if {nothing} else {row}")


def _right_row(node: JoinNode, src: Source) -> list[str]:
    """Statements turning the stream side's table entry `right` (or None) into the
    table's row, or returning where the join emits nothing: a stream record (never
    None) joins a missing row as nulls where the join keeps the stream's rows."""
    if node.type in (JoinType.INNER, JoinType.RIGHT):
        return ["if right is None:", "    return", "right = right[0]"]
    nulls = src.const((None,) * len(node.right.schema.value))
    return [f"right = right[0] if right is not None else {nulls}"]


def build_join(node: JoinNode, ctx: BuildContext, push: Push) -> Side:
    if node.kind == "stream-table":
        left, right, _ = build_stream_table(node, ctx, push)
        return left, right
    assert node.kind == "table-table", "stream-stream joins are built by stream_join"
    return _table_table(node, ctx, push)


def build_stream_table(node: JoinNode, ctx: BuildContext, push: Push,
                       fuse: Fuse | None = None) -> tuple[Push, Push, Store]:
    """The stream side, the table side, and the table side's `Store`: a table change
    emits nothing here, so a source feeding only this side hands it over as arguments,
    with no `Rec` built for it. With `fuse` (the next operator's step as generated code,
    `push` being that operator), a joined stream record goes through both in one
    generated function."""
    # The table's rows stay tuples in memory (the stream's rows are joined to them as
    # they are), and an entry (row, timestamp) is stored as it is; stores written
    # before hold [row as a list, timestamp].
    def decode(data: bytes) -> tuple[Row, int]:
        row, ts = values.unpack_state(data)
        return tuple(row), ts

    table = ctx.state(node.id, "right-store", values.pack_state, decode)
    live, changed = table.overlay()  # (read and written inline: `KeyState.overlay`)
    src = Source({"get": table.get, "current": live.get})
    # A stream record joined with the table's current row, the combining inline.
    head = ["key, left, ts, _, window = rec",
            "if left is None:",
            "    return",
            "try:",
            "    right = current(key)",
            "except TypeError:  # (an unhashable key part: the store's own way)",
            "    right = get(key)",
            *_right_row(node, src)]
    width = (len(node.left.schema.value), len(node.right.schema.value))
    columns = [*(f"left[{i}]" for i in range(width[0])),
               *(f"right[{i}]" for i in range(width[1])),
               *(["key[0]"] if node.synthetic_key else [])]
    row = "(*left, *right, key[0])" if node.synthetic_key else "left + right"
    left: Push
    if fuse is not None:
        # (the generated projection's globals hold no builtins: its names come from env)
        left = fuse("left", [*head, "old = None"], {**src.env, "TypeError": TypeError},
                    row, columns)
    else:
        src.env["push"] = push
        left = _generate(src, "left", "def left(rec):",
                         *("    " + line for line in head),
                         f"    push((key, {row}, ts, None, window))")

    put, mark = table.put, changed.setdefault

    def store(key: Row, row: Row | None, ts: int) -> None:
        try:
            mark(key, key)
        except TypeError:  # (an unhashable key part: the store's own way)
            put(key, (row, ts) if row is not None else None)
            return
        live[key] = (row, ts) if row is not None else None

    def right(rec: Rec) -> None:
        key, row, ts, _, _ = rec
        put(key, (row, ts) if row is not None else None)

    return left, right, store


def _table_table(node: JoinNode, ctx: BuildContext, push: Push) -> Side:
    left_state = ctx.state(node.id, "left-store")
    right_state = ctx.state(node.id, "right-store")
    combine = combiner(node)
    kind = node.type
    # Without the other side, only a join that keeps this side's rows emits anything
    # (decided here, not per record: see `combiner`).
    keeps_left = kind is JoinType.OUTER or kind is JoinType.LEFT
    keeps_right = kind is JoinType.OUTER or kind is JoinType.RIGHT

    def current(state: KeyState, key: Row) -> tuple[Row | None, int]:
        stored = state.get(key)
        if stored is None:
            return None, 0
        return tuple(stored[0]), int(stored[1])

    def update(rec: Rec, mine: KeyState, other: KeyState, mine_is_left: bool) -> None:
        key, row, ts, _, window = rec
        old_mine, _ = current(mine, key)
        mine.put(key, [list(row), ts] if row is not None else None)
        other_row, other_ts = current(other, key)
        keeps_mine = keeps_left if mine_is_left else keeps_right
        if other_row is None and not keeps_mine:
            return
        if mine_is_left:
            new = combine(row, other_row, key)
            old = combine(old_mine, other_row, key)
        else:
            new = combine(other_row, row, key)
            old = combine(other_row, old_mine, key)
        if new is None and old is None:
            return
        push((key, new, max(ts, other_ts), old, window))

    def left(rec: Rec) -> None:
        update(rec, left_state, right_state, True)

    def right(rec: Rec) -> None:
        update(rec, right_state, left_state, False)

    return left, right
