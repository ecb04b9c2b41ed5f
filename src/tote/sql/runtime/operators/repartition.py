"""Repartition topics: a re-keyed record travels to the task owning its new key.

The writer ends a sub-topology: it computes the new key, encodes key and row with the
engine's internal encoding and appends to the query's repartition topic, on the
partition Kafka's murmur2 gives the key bytes. A table change whose key stays the same
travels as one record holding the new and the old row; when the key changes, the old row
is retracted under its old key and the new row added under the new one (Kafka Streams'
KTable group-by). The reader starts the next sub-topology. In live mode a record every
reader takes in the same step is handed over in memory instead (`BuildContext.handover`),
straight to the reader's downstream operator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tote.core.records import LogRecord, Record
from tote.log.partitioner import partition_for_key
from tote.serde.codegen import Source
from tote.sql.planner.logical import RekeyNode
from tote.sql.runtime import values
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.operators.placement import Placement
from tote.sql.runtime.operators.transform import KeyMaker
from tote.sql.runtime.records import Entry, Push, Rec, Row

#: `send(key, new, old, ts, window)`: a table writer's change sent on (`_send_code`).
Send = Callable[[Row, Row | None, Row | None, int, tuple[int, int] | None], None]


def build_writer(node: RekeyNode, ctx: BuildContext) -> Push:
    topic = ctx.plan.repartition_topic(node)
    maker = KeyMaker(node, ctx)
    make = maker.make
    emit = ctx.emit
    handover = ctx.handover(topic) if ctx.handover is not None else None
    keys = values.KeyCodec()
    placing = Placement(node.partner, ctx) if node.partner is not None else None
    current = ctx.current

    def spread(key: Row, window: tuple[int, int] | None) -> int:
        """The partition murmur2 gives the key's bytes (no partner topic to follow)."""
        return partition_for_key(keys.encode(key, window), ctx.partitions(topic))

    def write(change: Rec, partition: int) -> None:
        # A record with headers travels through the log, which carries them to the reader.
        key, new, ts, old, window = change
        emit(topic, Record(values.pack((new, old)), keys.encode(key, window), current.headers,
                           ts, partition))

    env: dict[str, Any] = {"spread": spread, "write": write, "placing": placing,
                           "current": current}
    if handover is not None:
        env.update(hands_get=handover.hands.get, hand=handover.hand)

    def code(key: str, new: str, old: str) -> list[str]:
        return _send_code(key, new, old, single=ctx.single_partition,
                          placed=placing is not None, handed=handover is not None)

    send: Send = _generate(env, ["def send(key, new, old, ts, window):",
                                 *code("key", "new", "old")], "send")

    if not node.is_table:
        # The stream's writer: re-keying and `send` in one generated function.
        write_stream: Push = maker.generate(
            env, ["def write_stream(rec):", "_, row, ts, _, window = rec",
                  "if row is None:", "    return"],
            lambda key, row: code(key, row, "None"),
            "write_stream")
        return write_stream

    def write_table(rec: Rec) -> None:
        _, row, ts, old_row, window = rec
        old = make(old_row) if old_row is not None else None
        new = make(row) if row is not None else None
        if old is not None and new is not None and old[0] == new[0]:
            send(new[0], new[1], old[1], ts, window)
            return
        if old is not None:
            send(old[0], None, old[1], ts, window)
        if new is not None:
            send(new[0], new[1], None, ts, window)

    return write_table


def _send_code(key: str, new: str, old: str, *, single: bool, placed: bool,
               handed: bool) -> list[str]:
    """Statements sending the change (`key`, `new`, `old`: Python expressions; `ts`,
    `window`) on, as decided when the writer is built: its partition (0 in harness
    mode; by the partner topic's key format, 0 where that topic has one partition; else
    by the key's bytes, which a change handed over in memory never needs otherwise), then
    to its readers in memory (`Handover`) unless it carries headers (the log carries them
    to the reader), else written (names from `build_writer`'s env)."""
    if single:
        part = "partition = 0"
    elif placed:
        part = "partition = 0 if placing.one else placing.partition(key)"
    else:
        part = "partition = spread(key, window)"
    lines = [f"key = {key}"] if key != "key" else []
    lines += [f"change = (key, {new}, ts, {old}, window)", part]
    if handed:
        lines += ["if not current.headers and (hands_get(partition) or hand(partition))(change):",
                  "    return"]
    return [*lines, "write(change, partition)"]


def _generate(env: dict[str, Any], lines: list[str], name: str) -> Any:
    src = Source(env)
    src.emit(0, lines[0], *("    " + line for line in lines[1:]))
    namespace = dict(src.env)
    exec(compile("\n".join(src.lines), "<tote:send>", "exec"), namespace)
    return namespace[name]


def build_reader(node: RekeyNode, ctx: BuildContext, push: Push) -> Entry:
    keys = values.KeyCodec()
    current = ctx.current

    def entry(record: LogRecord) -> None:
        current.headers = record.headers
        assert record.key is not None and record.value is not None
        key, window = keys.decode(record.key)
        new, old = values.unpack(record.value)
        push((key, tuple(new) if new is not None else None, record.timestamp,
              tuple(old) if old is not None else None, window))

    return entry
