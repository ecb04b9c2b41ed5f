"""Foreign-key table-table joins (INNER / LEFT), as Kafka Streams' KTable FK join does them.

Three steps, in three sub-topologies (see `planner.foreign_key`):

1. The subscription writer turns each change of a left row into instructions for the
   partition of its foreign key: unsubscribe from the old foreign key when it changed,
   subscribe (with the new left row) to the new one, or delete (the left row is gone).
2. The join, on the foreign key's partition, keeps the right table and the subscriptions
   ((foreign key, left key) → left row, with an in-memory index foreign key → left keys
   rebuilt from the store at start). A subscription is answered with the joined row; a
   change of a right row answers every left row referencing it, in the order of their
   serialised left keys (Kafka Streams' prefix scan).
3. The result reader, on the left key's partition, remembers each left key's last result
   so that a change carries the row it replaces, like any table change (only where
   something downstream reads it).

The subscription writer remembers each left key's foreign key (not the whole left row:
that is all an unsubscription needs), and writes it only when it changes. In live mode a
subscription or response every reader takes in the same step is handed over in memory
(`BuildContext.handover`), neither encoded nor written, like a repartition record.

What is emitted follows Kafka Streams: a new left row without a match emits nothing
(INNER) or the left row with null right columns (LEFT); an updated left row that lost its
match emits a tombstone (INNER); a deleted left row emits a tombstone, even when nothing
was emitted for it before; a right deletion emits a tombstone (INNER) or null right
columns (LEFT) for every left row referencing it. A left row whose foreign key is null
references nothing. Timestamps are those of the change that caused the output.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any

from tote.core.records import LogRecord, Record
from tote.sql.ast.queries import JoinType
from tote.sql.expressions import compile_value
from tote.sql.expressions.errors import ExpressionError
from tote.sql.planner.foreign_key import RespondNode, SubscribeNode
from tote.sql.planner.logical import JoinNode, RekeyNode, SourceNode
from tote.sql.runtime import values
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.operators.placement import KeyBytes, key_bytes, partitioner
from tote.sql.runtime.processing_log import ProcessingError
from tote.sql.runtime.records import Entry, Push, Rec, Row
from tote.sql.runtime.state import KeyState, hashable

# Subscription instructions (the first field of a subscription record).
UNSUBSCRIBE = 0  # the left row moved to another foreign key: forget it here, emit nothing
DELETE = 1  # the left row is gone: forget it, emit a tombstone
SUBSCRIBE_NEW = 2  # a new left row: INNER emits only on a match
SUBSCRIBE_UPDATE = 3  # a changed left row: INNER emits a tombstone without a match

def _report(ctx: BuildContext, step: str) -> Callable[[ExpressionError], None]:
    """A foreign key that fails to evaluate goes to the processing log (and is null)."""

    def on_error(error: ExpressionError) -> None:
        ctx.processing_log.report(
            ProcessingError(
                ctx.plan.query_id,
                step,
                f"Error computing expression {error.expression}: {error.message}",
            )
        )

    return on_error


def build_fk_writer(node: RekeyNode, ctx: BuildContext) -> Push:
    """The writer ending a sub-topology at a foreign-key join's topic."""
    if isinstance(node, SubscribeNode):
        return _subscription_writer(node, ctx)
    assert isinstance(node, RespondNode)
    return _response_writer(node, ctx)


def _subscription_writer(node: SubscribeNode, ctx: BuildContext) -> Push:
    """Reads the left table unmaterialised: `foreign_keys` (left key → (foreign key,))
    tells a new left row from a changed one and where it was subscribed."""
    assert node.right is not None
    topic = ctx.plan.repartition_topic(node)
    foreign_key = compile_value(
        node.keys[0], node.input.schema.scope(), ctx.functions, on_error=_report(ctx, node.id)
    ).fn
    partition_of = partitioner(node.right, ctx)
    emit = ctx.emit
    handover = ctx.handover(topic) if ctx.handover is not None else None
    foreign_keys = ctx.state(node.id, "foreign-keys")

    def send(op: int, fk: Any, left_key: Row, row: Row | None, ts: int) -> None:
        partition = 0 if fk is None else partition_of((fk,))
        if handover is not None and (handover.hands.get(partition) or handover.hand(partition))(
                ((fk,), (op, fk, left_key, row), ts, None, None)):
            return
        emit(
            topic,
            Record(values.pack((op, fk, left_key, row)), values.pack((fk,)), (), ts, partition),
        )

    def write(rec: Rec) -> None:
        key, new, ts = rec[0], rec[1], rec[2]
        known = foreign_keys.get(key)
        old_fk = known[0] if known is not None else None
        if new is None:
            if known is not None:
                foreign_keys.put(key, None)
                send(DELETE, old_fk, key, None, ts)
            return
        new_fk = foreign_key(new)
        if known is None or old_fk != new_fk:
            foreign_keys.put(key, (new_fk,))
        if old_fk is not None and old_fk != new_fk:
            send(UNSUBSCRIBE, old_fk, key, None, ts)
        send(SUBSCRIBE_NEW if known is None else SUBSCRIBE_UPDATE, new_fk, key, new, ts)

    return write


class SubscriptionStore(KeyState):
    """(foreign key, left key) → left row, and the index foreign key → left keys.

    The rows live in a log store (`inner`, committed with the step's transaction like
    every store); the index is derived from them when the task starts and kept in step
    with every change, including a rolled-back step (an undo log).
    """

    def __init__(self, inner: KeyState, order: KeyBytes) -> None:
        # Deliberately no super().__init__: everything is delegated to `inner`, which the
        # context already loaded from the log.
        self.name = inner.name
        self._inner = inner
        self._order = order
        self._index: dict[Hashable, dict[Hashable, tuple[bytes, Row]]] = {}
        self._undo: list[tuple[Hashable, Hashable, tuple[bytes, Row] | None]] = []
        for _, value in inner.items():
            fk, left_key, _ = value
            self._link(fk, tuple(left_key))
        self._undo.clear()

    def _link(self, fk: Any, left_key: Row) -> None:
        fkh, lkh = hashable((fk,)), hashable(left_key)
        keys = self._index.setdefault(fkh, {})
        self._undo.append((fkh, lkh, keys.get(lkh)))
        keys[lkh] = (self._order(left_key) or b"", left_key)

    def _unlink(self, fk: Any, left_key: Row) -> None:
        fkh, lkh = hashable((fk,)), hashable(left_key)
        keys = self._index.get(fkh)
        if keys is None or lkh not in keys:
            return
        self._undo.append((fkh, lkh, keys.pop(lkh)))
        if not keys:
            del self._index[fkh]

    def subscribe(self, fk: Any, left_key: Row, row: Row) -> None:
        self._inner.put((fk, *left_key), (fk, left_key, row))
        self._link(fk, left_key)

    def unsubscribe(self, fk: Any, left_key: Row) -> None:
        self._inner.put((fk, *left_key), None)
        self._unlink(fk, left_key)

    def subscribers(self, fk: Any) -> list[tuple[Row, Row]]:
        """(left key, left row) of every left row referencing `fk`, in key-bytes order."""
        keys = self._index.get(hashable((fk,)))
        if not keys:
            return []
        out: list[tuple[Row, Row]] = []
        for _, left_key in sorted(keys.values(), key=lambda entry: entry[0]):
            stored = self._inner.get((fk, *left_key))
            if stored is not None:
                out.append((left_key, tuple(stored[2])))
        return out

    # -- the state protocol the runtime drives ------------------------------------------

    def get(self, key: tuple[Any, ...]) -> Any:
        return self._inner.get(key)

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        if value is None:
            self.unsubscribe(key[0], tuple(key[1:]))
        else:
            self.subscribe(key[0], tuple(key[1:]), tuple(value[2]))

    def items(self) -> Iterator[tuple[Hashable, Any]]:
        return self._inner.items()

    @property
    def dirty(self) -> bool:
        return self._inner.dirty

    def flush(self, txn: Any) -> None:
        self._inner.flush(txn)

    def commit(self) -> None:
        self._inner.commit()
        self._undo.clear()

    def rollback(self) -> None:
        self._inner.rollback()
        for fkh, lkh, previous in reversed(self._undo):
            if previous is None:
                keys = self._index.get(fkh)
                if keys is not None:
                    keys.pop(lkh, None)
                    if not keys:
                        del self._index[fkh]
            else:
                self._index.setdefault(fkh, {})[lkh] = previous
        self._undo.clear()


def _subscriptions(node: JoinNode, ctx: BuildContext) -> SubscriptionStore:
    subscribe = node.left
    assert isinstance(subscribe, SubscribeNode) and isinstance(subscribe.input, SourceNode)
    inner = ctx.state(node.id, "subscription-store")
    store = SubscriptionStore(inner, key_bytes(subscribe.input, ctx))
    ctx.states[ctx.states.index(inner)] = store
    return store


def build_fk_join(node: JoinNode, ctx: BuildContext, push: Push
                  ) -> tuple[Entry, Push, Push]:
    """The join on the foreign key's partition: the entry reading the subscription topic,
    where a subscription handed over in memory goes, and the operator taking the right
    table's changes (read unmaterialised: the right store is all it needs)."""
    right_state = ctx.state(node.id, "right-store")
    subscriptions = _subscriptions(node, ctx)
    keep_left = node.type is JoinType.LEFT
    right_nulls = (None,) * len(node.right.schema.value)

    def right_row(fk: Any) -> Row | None:
        stored = right_state.get((fk,))
        return tuple(stored[0]) if stored is not None else None

    def subscribe(op: int, fk: Any, left_key: Row, row: Row | None, ts: int) -> None:
        if op in (UNSUBSCRIBE, DELETE):
            if fk is not None:
                subscriptions.unsubscribe(fk, left_key)
            if op == DELETE:
                push((left_key, None, ts, None, None))
            return
        assert row is not None
        matched = None
        if fk is not None:
            subscriptions.subscribe(fk, left_key, row)
            matched = right_row(fk)
        if matched is not None or keep_left:
            push((left_key, row + (matched if matched is not None else right_nulls), ts, None,
                  None))
        elif op == SUBSCRIBE_UPDATE:
            push((left_key, None, ts, None, None))

    def subscription(record: LogRecord) -> None:
        assert record.value is not None
        op, fk, left_key, row = values.unpack(record.value)
        subscribe(op, fk, tuple(left_key), tuple(row) if row is not None else None,
                  record.timestamp)

    def handed(rec: Rec) -> None:
        assert rec[1] is not None
        op, fk, left_key, row = rec[1]
        subscribe(op, fk, left_key, row, rec[2])

    def right(rec: Rec) -> None:
        key, new, ts = rec[0], rec[1], rec[2]
        if new is None and right_state.get(key) is None:
            return  # a deletion of a row that never was
        right_state.put(key, (new, ts) if new is not None else None)
        for left_key, left_row in subscriptions.subscribers(key[0]):
            if new is None and not keep_left:
                push((left_key, None, ts, None, None))
            else:
                push((left_key, left_row + (new if new is not None else right_nulls), ts, None,
                      None))

    return subscription, handed, right


def _response_writer(node: RespondNode, ctx: BuildContext) -> Push:
    assert node.left is not None
    topic = ctx.plan.repartition_topic(node)
    partition_of = partitioner(node.left, ctx)
    emit = ctx.emit
    handover = ctx.handover(topic) if ctx.handover is not None else None

    def write(rec: Rec) -> None:
        key, row, ts = rec[0], rec[1], rec[2]
        partition = partition_of(key)
        if handover is not None and (handover.hands.get(partition) or handover.hand(partition))(
                (key, row, ts, None, None)):
            return
        emit(topic, Record(values.pack(row), values.pack(key), (), ts, partition))

    return write


def build_result_reader(node: RespondNode, ctx: BuildContext, push: Push,
                        keep_old: bool = True) -> tuple[Entry, Push]:
    """Back on the left key's partition: each result, with the one it replaces when
    `keep_old` (then remembered per left key); the entry reading the response topic and
    where a response handed over in memory goes."""
    results = ctx.state(node.id, "result-store") if keep_old else None

    def respond(key: Row, new: Row | None, ts: int) -> None:
        if results is None:
            push((key, new, ts, None, None))
            return
        previous = results.get(key)
        results.put(key, new)
        push((key, new, ts, tuple(previous) if previous is not None else None, None))

    def entry(record: LogRecord) -> None:
        assert record.key is not None and record.value is not None
        row = values.unpack(record.value)
        respond(tuple(values.unpack(record.key)), tuple(row) if row is not None else None,
                record.timestamp)

    def handed(rec: Rec) -> None:
        respond(rec[0], rec[1], rec[2])

    return entry, handed
