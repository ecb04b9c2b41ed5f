"""Joins on equal keys: stream-table and table-table (INNER / LEFT / RIGHT / FULL OUTER).

Both inputs arrive keyed by the join key on the same partition. Table sides are kept in
state stores (row and timestamp per key). A stream record is joined with the table's
current row; a table change is joined with the other side's current row and emitted as
the new joined row with the old one, following Kafka Streams' rules for which changes
produce output. Stream-stream joins (WITHIN windows) are in `stream_join.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from tote.sql.ast.queries import JoinType
from tote.sql.planner.logical import JoinNode
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.records import Push, Rec, Row, new_tuple
from tote.sql.runtime.state import KeyState

Side = tuple[Push, Push]


def combiner(node: JoinNode) -> Callable[[Row | None, Row | None, tuple[object, ...]],
                                          Row | None]:
    """`combine(left, right, key)`: the joined row, or None where the join type emits
    nothing (an INNER join, the usual one, without testing the type per record)."""
    left_nulls = (None,) * len(node.left.schema.value)
    right_nulls = (None,) * len(node.right.schema.value)
    kind = node.type
    synthetic = node.synthetic_key
    if kind is JoinType.INNER:
        def inner(left: Row | None, right: Row | None, key: tuple[object, ...]) -> Row | None:
            if left is None or right is None:
                return None
            return (*left, *right, key[0]) if synthetic else left + right
        return inner

    # Decided here, not per record (Python 3.11 reads `JoinType.LEFT` in a function body
    # through EnumType's slow `__getattr__` hook).
    needs_left, needs_right = kind is JoinType.LEFT, kind is JoinType.RIGHT

    def combine(left: Row | None, right: Row | None, key: tuple[object, ...]) -> Row | None:
        if needs_left and left is None:
            return None
        if needs_right and right is None:
            return None
        if left is None and right is None:
            return None
        row = (left if left is not None else left_nulls) + (
            right if right is not None else right_nulls)
        return (*row, key[0]) if synthetic else row

    return combine


def build_join(node: JoinNode, ctx: BuildContext, push: Push) -> Side:
    if node.kind == "stream-table":
        return _stream_table(node, ctx, push)
    assert node.kind == "table-table", "stream-stream joins are built by stream_join"
    return _table_table(node, ctx, push)


def _stream_table(node: JoinNode, ctx: BuildContext, push: Push) -> Side:
    table = ctx.state(node.id, "right-store")
    combine = combiner(node)

    def left(rec: Rec) -> None:
        key, row, ts, _, window = rec
        if row is None:
            return
        stored = table.get(key)
        joined = combine(row, tuple(stored[0]) if stored is not None else None, key)
        if joined is not None:
            push(new_tuple(Rec, (key, joined, ts, None, window)))

    def right(rec: Rec) -> None:
        table.put(rec.key, [list(rec.row), rec.ts] if rec.row is not None else None)

    return left, right


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
        old_mine, _ = current(mine, rec.key)
        mine.put(rec.key, [list(rec.row), rec.ts] if rec.row is not None else None)
        other_row, other_ts = current(other, rec.key)
        keeps_mine = keeps_left if mine_is_left else keeps_right
        if other_row is None and not keeps_mine:
            return
        if mine_is_left:
            new = combine(rec.row, other_row, rec.key)
            old = combine(old_mine, other_row, rec.key)
        else:
            new = combine(other_row, rec.row, rec.key)
            old = combine(other_row, old_mine, rec.key)
        if new is None and old is None:
            return
        push(new_tuple(Rec, (rec.key, new, max(rec.ts, other_ts), old, rec.window)))

    def left(rec: Rec) -> None:
        update(rec, left_state, right_state, True)

    def right(rec: Rec) -> None:
        update(rec, right_state, left_state, False)

    return left, right
