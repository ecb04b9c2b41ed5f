"""Writing a query's result to its sink topic in the sink's key and value formats.

AVRO / JSON_SR sinks write with the schema registered for the sink (ksqlDB's naming);
a table deletion is a tombstone. The record goes to the partition Kafka's murmur2 gives
its key bytes (of the inner key for a windowed key; partition 0 in harness mode), so a
downstream task meets it where the same key's other records are.
"""

from __future__ import annotations

from tote.core.records import Record
from tote.log.partitioner import murmur2, partition_for_key, to_positive
from tote.serde.errors import SerializationError
from tote.sql.codecs import WindowedKeyCodec, build_codec, unencodable
from tote.sql.planner.logical import SinkNode
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.processing_log import ProcessingError
from tote.sql.runtime.records import Push, Rec, new_tuple


def partition_of(key: bytes | None, value: bytes | None, partitions: int) -> int:
    """Keyed records go where Kafka puts them; key-less ones are spread by their value."""
    if key is not None:
        return partition_for_key(key, partitions)
    if value is None or partitions == 1:
        return 0
    return to_positive(murmur2(value)) % partitions


def build_sink(node: SinkNode, ctx: BuildContext) -> Push:
    sink = node.target
    registry = ctx.registry
    key_codec = build_codec(sink.key_columns, sink.key_format, topic=sink.topic, is_key=True,
                            registry=registry, prefer_registered=not sink.from_query)
    windowed = WindowedKeyCodec(key_codec, sink.window) if sink.window else None
    value_codec = build_codec(sink.value_columns, sink.value_format, topic=sink.topic,
                              is_key=False, registry=registry,
                              prefer_registered=not sink.from_query)
    topic = sink.topic
    emit = ctx.emit
    single = ctx.single_partition
    ts_slot = node.timestamp_slot
    report = ctx.processing_log.report
    query_id = ctx.plan.query_id

    encode_key, encode_value = key_codec.encode, value_codec.encode
    partitions = 0  # the sink topic's, looked up at the first record

    def write(rec: Rec) -> None:
        nonlocal partitions
        rec_key, row, ts, _, window = rec
        key: bytes | None
        try:
            inner = key = encode_key(rec_key)
            if windowed is not None and window is not None:
                key = windowed.frame(inner, window[0], window[1])
            value = encode_value(row) if row is not None else None
        except SerializationError as exc:
            report(ProcessingError(query_id, node.id, f"Failed to serialize: {exc.message}",
                                   topic))
            return
        except UnicodeEncodeError as exc:  # e.g. a lone surrogate from "\ud800" in JSON
            report(ProcessingError(query_id, node.id,
                                   f"Failed to serialize: {unencodable(exc)}", topic))
            return
        if ts_slot is not None and row is not None and isinstance(row[ts_slot], int):
            ts = row[ts_slot]
        # Kafka Streams partitions a windowed key by its inner key: every window of a key
        # lands on the same partition.
        if single:
            partition = 0
        else:
            if not partitions:
                partitions = ctx.partitions(topic)
            partition = 0 if partitions == 1 else partition_of(inner, value, partitions)
        emit(topic, new_tuple(Record, (value, key, (), ts, partition)))

    return write
