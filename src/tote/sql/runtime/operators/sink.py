"""Writing a query's result to its sink topic in the sink's key and value formats.

AVRO / JSON_SR sinks write with the schema registered for the sink (ksqlDB's naming);
a table deletion is a tombstone. The record goes to the partition Kafka's murmur2 gives
its key bytes (of the inner key for a windowed key; partition 0 in harness mode), so a
downstream task meets it where the same key's other records are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from tote.core.records import RecordRow
from tote.log.partitioner import murmur2, partition_for_key, to_positive
from tote.serde.avro_flat import FlatEncodeError
from tote.serde.codegen import Source
from tote.serde.errors import SerializationError
from tote.sql.codecs import WindowedKeyCodec, build_codec, java_text, unencodable
from tote.sql.codecs.rows import Handing, RememberingSingle, handing
from tote.sql.functions.scalar.javatime import PatternError
from tote.sql.planner.logical import SinkNode
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.operators.source import timestamp_extractor
from tote.sql.runtime.processing_log import ProcessingError
from tote.sql.runtime.records import AbsentKey, Push, Rec, Row
from tote.sql.sources import DataSource

EventTime = Callable[[Row, Row], int | None]


class UnserializableRecord(Exception):
    """A row the sink's serializer refused; not a ToteError, so the query stops on it
    (`runtime.failure`) rather than the step being retried."""


def event_time(sink: DataSource) -> EventTime | None:
    """The output timestamp from the sink's TIMESTAMP column (a key or value column, read
    as the source side reads it: epoch ms, TIMESTAMP or text in TIMESTAMP_FORMAT), given
    the key and value rows; None when the sink has none (records keep their time)."""
    if sink.timestamp is None:
        return None
    keys = [c.name for c in sink.key_columns]
    if sink.timestamp.column in keys:
        from_key = timestamp_extractor(sink, keys.index)
        return lambda key, row: from_key(key, 0)
    from_value = timestamp_extractor(sink, [c.name for c in sink.value_columns].index)
    return lambda key, row: from_value(row, 0)


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
    outlet = ctx.outlet(topic)
    sends, writes = outlet.sends, outlet.writes
    single = ctx.single_partition
    stamp = event_time(sink)
    report = ctx.processing_log.report
    query_id = ctx.plan.query_id
    current = ctx.current

    encode_key, encode_value = key_codec.encode, value_codec.encode
    # The sink topic's partitions, looked up at the first record (harness mode writes
    # to partition 0).
    partitions = 1 if single else 0
    # Live mode: a record a reader takes in the same step reaches it with the key and
    # row decoding would give it (`rows.Handing`), when they are exactly those.
    hand = handing(key_codec, value_codec) \
        if outlet.find_rows is not None and windowed is None else None
    handing_sink = hand is not None
    encode_row: Callable[[Row], bytes | None] = encode_value
    key_type: type = object  # (the class of no key value)
    if hand is not None:
        ctx.writes[topic] = hand.shape
        # (A handing sink's encoder refuses a row that decodes otherwise.)
        key_type, encode_row = hand.key_type, hand.encode

    def place(inner: bytes | None, value: bytes | None) -> int:
        """The partition of a record (the topic's count is looked up at the first)."""
        nonlocal partitions
        if not partitions:
            partitions = ctx.partitions(topic)
        return 0 if partitions == 1 else partition_of(inner, value, partitions)

    def refuse(exc: SerializationError) -> NoReturn:
        """ksqlDB's serializer logs the row and rethrows: Kafka Streams cannot write the
        record, so the query stops ("Unable to serialize record")."""
        report(ProcessingError(query_id, node.id, f"Failed to serialize: {exc.message}",
                               topic))
        raise UnserializableRecord(
            f"Unable to serialize record for topic {topic}: {exc.message}") from exc

    def in_java_text(rec: Rec, exc: UnicodeEncodeError) -> None:
        """A row whose text UTF-8 cannot hold (a lone surrogate, from "\\ud800" in JSON
        input) is written with '?' for it, as Java's UTF-8 encoders write it (ksqlDB's
        AVRO, PROTOBUF, DELIMITED and KAFKA serializers; JSON escapes it itself)."""
        key, row, ts, old, window = rec
        fixed: Rec = (java_text(key), java_text(row), ts, old, window)
        if fixed == rec:  # (not its text: nothing to write it with)
            report(ProcessingError(query_id, node.id,
                                   f"Failed to serialize: {unencodable(exc)}", topic))
            return
        write(fixed)

    def write(rec: Rec) -> None:
        """Any record (`plain_write` below takes the usual one)."""
        rec_key, row, ts, _, window = rec
        if stamp is not None and row is not None:
            # Like ksqlDB, a row whose time cannot be had (unparsable, null or negative)
            # is logged and not written.
            try:
                found = stamp(rec_key, row)
                problem = ("the TIMESTAMP column is null" if found is None else
                           "the timestamp is negative" if found < 0 else None)
            except (PatternError, ValueError) as exc:
                problem = str(exc)
            if problem is not None:
                report(ProcessingError(query_id, node.id, "Error writing row with extracted "
                                       f"timestamp: {problem}", topic))
                return
            assert found is not None
            ts = found
        key: bytes | None
        exact = handing_sink  # (while the row is what the value decodes to)
        try:
            absent = rec_key.__class__ is AbsentKey and windowed is None
            inner = key = None if absent else encode_key(rec_key)
            if windowed is not None and window is not None:
                key = windowed.frame(inner, window[0], window[1])
            if row is None:
                value = None
            else:
                try:
                    value = encode_row(row)
                except FlatEncodeError:  # (a handing sink's row decoding otherwise)
                    value, exact = encode_value(row), False
        except SerializationError as exc:
            refuse(exc)
        except UnicodeEncodeError as exc:
            in_java_text(rec, exc)
            return
        # Kafka Streams partitions a windowed key by its inner key: every window of a key
        # lands on the same partition.
        partition = 0 if partitions == 1 else place(inner, value)
        # The output keeps the headers of the input record that caused it (Kafka Streams).
        record: RecordRow = (value, key, current.headers, ts, partition)
        if exact and rec_key[0].__class__ is key_type:  # (a null or absent key's is None)
            (writes.get(partition) or outlet.rows_sender(partition))(record, rec_key, row)
        else:
            (sends.get(partition) or outlet.sender(partition))(record)

    if stamp is not None or windowed is not None:
        return write

    # A single KAFKA INT, BIGINT or STRING key: its bytes are looked up inline in the
    # codec's memo (`rows.KeyMemo`), and only a key not there goes to the codec. (An
    # AbsentKey holds nulls, never a value of `key_class`: it still writes no key.)
    memo = key_codec.memo if isinstance(key_codec, RememberingSingle) else None
    remembers = memo is not None
    key_class, known = memo if memo is not None else (object, {})
    known_bytes = known.get

    def plain_write(rec: Rec) -> None:
        """`write` for a sink without a TIMESTAMP column or windowed key: the record
        keeps its time and its key is the encoded key."""
        rec_key, row, ts, _, _ = rec
        try:
            key = known_bytes(rec_key[0]) \
                if remembers and rec_key[0].__class__ is key_class else None
            if key is None:
                key = None if rec_key.__class__ is AbsentKey else encode_key(rec_key)
            value = None if row is None else encode_row(row)
        except FlatEncodeError:  # (rare: `write` writes it with the codec's encoder)
            write(rec)
            return
        except SerializationError as exc:
            refuse(exc)
        except UnicodeEncodeError as exc:
            in_java_text(rec, exc)
            return
        partition = 0 if partitions == 1 else place(key, value)
        record: RecordRow = (value, key, current.headers, ts, partition)
        if handing_sink and rec_key[0].__class__ is key_type:
            (writes.get(partition) or outlet.rows_sender(partition))(record, rec_key, row)
        else:
            (sends.get(partition) or outlet.sender(partition))(record)

    if not (handing_sink and remembers and key_class is key_type):
        return plain_write
    assert hand is not None
    # `plain_write` for the usual record of a handing sink: a row under a key of
    # `key_type` (whose bytes the memo holds but the first time), written with the
    # value encoder's statements inline (one call per record, not two) and handed over
    # decoded; any other record, or one an encoder refuses, goes to `plain_write`
    # (which encodes it again, and refuses or writes it as it does any).
    handing_write = _generated_write(hand, topic, partitions, {
        "plain_write": plain_write, "key_type": key_type, "known_bytes": known_bytes,
        "encode_key": encode_key, "writes": writes, "rows_sender": outlet.rows_sender,
        "current": current, "count": lambda: ctx.partitions(topic),
        "partition_of": partition_of, "SerializationError": SerializationError})
    return handing_write or plain_write


def _generated_write(hand: Handing, topic: str, partitions: int,
                     env: dict[str, object]) -> Push | None:
    """`build_sink`'s `handing_write` (`_HANDING_HEAD`, the value encoder's statements,
    `_HANDING_TAIL`) given the names its text uses; None where the encoder has no
    statements form."""
    src = Source(env)
    if not hand.statements(src, "row", "value"):
        return None
    lines = [_HANDING_HEAD, *("        " + line for line in src.lines), _HANDING_TAIL]
    namespace = dict(src.env)
    exec(compile("\n".join(lines), f"<sink {topic}>", "exec"), namespace)
    handing_write: Push = namespace["make"](partitions)
    return handing_write


# The generated `handing_write` of `build_sink` (the value encoder's statements go
# between the two, leaving the datum in `value`); `partitions` and `place` as there (a
# copy of their own: the partition count is looked up at the first record either takes).
_HANDING_HEAD = """\
def make(partitions):
    def place(key, value):
        nonlocal partitions
        if not partitions:
            partitions = count()
        return 0 if partitions == 1 else partition_of(key, value, partitions)

    def handing_write(rec):
        rec_key, row, ts, _, _ = rec
        first = rec_key[0]
        if first.__class__ is not key_type or row is None:
            plain_write(rec)
            return
        try:
            key = known_bytes(first) or encode_key(rec_key)"""
_HANDING_TAIL = """\
        except (FlatEncodeError, SerializationError, UnicodeEncodeError):
            plain_write(rec)
            return
        partition = 0 if partitions == 1 else place(key, value)
        (writes.get(partition) or rows_sender(partition))(
            (value, key, current.headers, ts, partition), rec_key, row)

    return handing_write"""
