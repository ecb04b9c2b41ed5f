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

from tote.core.records import LogRecord, Record
from tote.log.partitioner import partition_for_key
from tote.sql.planner.logical import RekeyNode
from tote.sql.runtime import values
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.operators.placement import partitioner
from tote.sql.runtime.operators.transform import KeyMaker
from tote.sql.runtime.records import Entry, Push, Rec


def build_writer(node: RekeyNode, ctx: BuildContext) -> Push:
    topic = ctx.plan.repartition_topic(node)
    maker = KeyMaker(node, ctx)
    make = maker.make
    emit = ctx.emit
    handover = ctx.handover(topic) if ctx.handover is not None else None
    single = ctx.single_partition
    keys = values.KeyCodec()
    place = partitioner(node.partner, ctx) if node.partner is not None else None
    current = ctx.current

    def send(key: tuple[object, ...], new: tuple[object, ...] | None,
             old: tuple[object, ...] | None, ts: int,
             window: tuple[int, int] | None) -> None:
        # The key's bytes only where they place the record or it is written: a change
        # handed over in memory never needs them.
        if single:
            partition = 0
        elif place is not None:
            partition = place(key)
        else:
            partition = partition_for_key(keys.encode(key, window), ctx.partitions(topic))
        # A record with headers travels through the log, which carries them to the reader.
        headers = current.headers
        if handover is not None and not headers and (
                handover.hands.get(partition) or handover.hand(partition))(
                    (key, new, ts, old, window)):
            return
        emit(topic, Record(values.pack((new, old)), keys.encode(key, window), headers, ts,
                           partition))

    if not node.is_table:
        write_stream: Push = maker.generate(
            {"send": send}, ["def write_stream(rec):", "_, row, ts, _, window = rec",
                             "if row is None:", "    return"],
            lambda key, row: [f"send({key}, {row}, None, ts, window)"], "write_stream")
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
