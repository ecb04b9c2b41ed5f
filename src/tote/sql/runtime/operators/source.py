"""Reading a source topic: deserialise, pick the event time, build the processing row.

The row is laid out as `planner.schema.source_schema` says: value columns, header
columns, ROWTIME / ROWPARTITION / ROWOFFSET, window bounds, copies of the key columns.
A stream drops records without a value; a table remembers each key's row so that every
change carries the row it replaces (aggregates and filters downstream need it).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from tote.core.errors import ToteError
from tote.core.records import LogRecord, RecordRow
from tote.core.types import Base
from tote.serde import sql_values as sv
from tote.serde.errors import SerializationError
from tote.sql.codecs import Values, WindowedKeyCodec, build_codec
from tote.sql.codecs.rows import EmptyCodec, decoding_alone, reading_shape
from tote.sql.functions.scalar.javatime import JavaPattern, PatternError
from tote.sql.planner.logical import SourceNode
from tote.sql.runtime.context import BuildContext, Current
from tote.sql.runtime.failure import OperatorError
from tote.sql.runtime.operators.join import Store
from tote.sql.runtime.processing_log import ProcessingError
from tote.sql.runtime.records import (
    DECODED,
    AbsentKey,
    Decode,
    DirectRows,
    Entry,
    Push,
    Row,
    RowTaker,
    SendRows,
)
from tote.sql.sources import ColumnRole, DataSource

TimestampOf = Callable[[Row, int], int | None]


class TimestampUnreadable(Exception):
    """A record's TIMESTAMP column could not be read and the query was created with
    `ksql.timestamp.throw.on.invalid`: the query stops on it (Kafka Streams' words)."""

    def __init__(self, record: LogRecord, cause: Exception) -> None:
        super().__init__(
            "Fatal user code error in TimestampExtractor callback for record "
            f"{record.topic}-{record.partition}@{record.offset}: {cause}")


def timestamp_extractor(source: DataSource, slot_of: Callable[[str], int]) -> TimestampOf:
    """Event time: the TIMESTAMP column (epoch ms, TIMESTAMP, or formatted STRING), else
    the record's own timestamp."""
    if source.timestamp is None:
        return lambda row, record_ts: record_ts
    column = source.column(source.timestamp.column)
    assert column is not None
    slot = slot_of(column.name)
    base = column.type.base
    if base is Base.BIGINT:
        return lambda row, record_ts: row[slot]
    if base is Base.TIMESTAMP:
        def from_timestamp(row: Row, record_ts: int) -> int | None:
            value = row[slot]
            return None if value is None else sv.timestamp_to_millis(value)
        return from_timestamp
    pattern = JavaPattern(source.timestamp.format or "")

    def from_text(row: Row, record_ts: int) -> int | None:
        value = row[slot]
        if value is None:
            return None
        parsed = pattern.parse(value, datetime.UTC)
        return sv.timestamp_to_millis(parsed)

    return from_text


def _headers(source: DataSource) -> Callable[[LogRecord], tuple[Any, ...]]:
    columns = source.header_columns
    if not columns:
        return lambda record: ()

    def extract(record: LogRecord) -> tuple[Any, ...]:
        out: list[Any] = []
        for col in columns:
            if col.header_key is None:
                out.append([{"KEY": k, "VALUE": v} for k, v in record.headers])
            else:
                found = None
                for k, v in record.headers:
                    if k == col.header_key:
                        found = v
                out.append(found)
        return tuple(out)

    return extract


def _visible(decode: Callable[[bytes | None], Values | None], hidden: tuple[int, ...],
             width: int) -> Callable[[bytes | None], Values | None]:
    """The value decoder, less the value columns queries cannot see
    (`DataSource.hidden_value_slots`): they are decoded, as the format's layout needs,
    then left out of the row."""
    if not hidden:
        return decode
    shown = [i for i in range(width) if i not in hidden]

    def visible(raw: bytes | None) -> Values | None:
        value = decode(raw)
        return None if value is None else tuple(value[i] for i in shown)

    return visible


# The types whose values are mutable (lists, dicts): rows holding them are not shared.
_MUTABLE = frozenset({Base.ARRAY, Base.MAP, Base.STRUCT})


def _row_taker(current: Current, push: Push, store: Store | None, state: object,
               changed: Callable[[Row, Row | None, int, tuple[int, int] | None], None],
               ) -> RowTaker:
    """How a plain source takes a record read from the log as its `Decode` gives it
    (the row already built, shared by every reader decoding it alike): as `_direct_rows`
    does, the choice of store, push or `changed` made here rather than per record."""
    if store is not None:
        def to_store(key: Row, row: Row | None, record: LogRecord) -> None:
            current.headers = record[5]
            store(key, row, record[6])
        return to_store
    if state is None:
        def to_push(key: Row, row: Row | None, record: LogRecord) -> None:
            current.headers = record[5]
            push((key, row, record[6], None, None))
        return to_push

    def to_changed(key: Row, row: Row | None, record: LogRecord) -> None:
        current.headers = record[5]
        changed(key, row, record[6], None)
    return to_changed


def _direct_rows(current: Current, push: Push,
                 keep: Callable[[Row, Row | None, int], None] | None) -> DirectRows:
    """How a plain source called at once takes the records a sink hands it decoded
    (`records.DirectRows`): the runtime's part (the record's offset, appending it) and
    the source's (the row: value, pseudo and key columns) in one call per record. The
    row is pushed on or, given `keep` (a store, a materialised table's `changed`), kept
    there: chosen here, not per record. A failure taking it is the reader's (`take`,
    as in `runtime._call`), not the sink's that handed it."""

    def make(pending: list[RecordRow], start: int, taken: list[int],
             take: object) -> SendRows:
        append = pending.append
        if keep is None:
            def send_on(record: RecordRow, key: Row, row: Row | None) -> None:
                taken[0] = offset = start + len(pending)
                append(record)
                _, _, current.headers, ts, partition = record
                try:
                    push((key, None if row is None else (*row, ts, partition, offset, *key),
                          ts, None, None))  # type: ignore[arg-type]  # (records are stamped)
                except (ToteError, OperatorError):
                    raise
                except Exception as exc:
                    raise OperatorError(take, exc) from exc
            return send_on
        kept = keep

        def send_kept(record: RecordRow, key: Row, row: Row | None) -> None:
            taken[0] = offset = start + len(pending)
            append(record)
            _, _, current.headers, ts, partition = record
            try:
                kept(key, None if row is None else (*row, ts, partition, offset, *key),
                     ts)  # type: ignore[arg-type]  # (as above)
            except (ToteError, OperatorError):
                raise
            except Exception as exc:
                raise OperatorError(take, exc) from exc
        return send_kept

    return make


def build_source(node: SourceNode, ctx: BuildContext, push: Push,
                 materialize: bool, store: Store | None = None) -> Entry:
    """The entry reading `node`'s topic into `push`. `store`: where a table's only
    consumer is a stream-table join's table side, its changes go there instead (`Store`),
    and `push` is not called."""
    source = node.source
    registry = ctx.registry
    keys = source.key_columns
    key_codec = build_codec(keys, source.key_format, topic=source.topic, is_key=True,
                            registry=registry, prefer_registered=not source.from_query)
    windowed = WindowedKeyCodec(key_codec, source.window) if source.window else None
    value_codec = build_codec(source.value_columns, source.value_format, topic=source.topic,
                              is_key=False, registry=registry,
                              prefer_registered=not source.from_query)
    decode_value = _visible(value_codec.decode, source.hidden_value_slots,
                            len(source.value_columns))
    headers = _headers(source)
    width = len(source.query_value_columns)
    schema_names = [c.name for c in node.schema.value]

    def slot_of(name: str) -> int:
        return schema_names.index(name)

    event_time = timestamp_extractor(source, slot_of)
    strict_time = node.strict_time
    is_table = source.is_table
    state = ctx.state(node.id, "Reduce") if (is_table and materialize) else None
    no_key = AbsentKey((None,) * len(keys))
    report = ctx.processing_log.report
    query_id = ctx.plan.query_id
    # No header columns, no TIMESTAMP column, no window: `plain_entry` below.
    plain = windowed is None and not source.header_columns and source.timestamp is None

    def fail(record: LogRecord, message: str) -> None:
        report(ProcessingError(query_id, node.id, message, record.topic, record.partition,
                               record.offset))

    current = ctx.current  # (what the sink writes as the output's headers)

    def entry(record: LogRecord) -> None:
        current.headers = record.headers
        try:
            window: tuple[int, int] | None = None
            if windowed is not None:
                key_values, start, end = windowed.decode(record.key)
                window = (start, end)
            else:
                key_values = key_codec.decode(record.key)
            key = key_values if key_values is not None else no_key
            value = decode_value(record.value)
        except SerializationError as exc:
            fail(record, f"Failed to deserialize: {exc.message}")
            return
        if value is None and record.value is not None:
            value = (None,) * width
        if is_table and keys and all(k is None for k in key):
            return
        if value is None:
            # A null value: a deletion on a table; on a stream ksqlDB passes it through
            # projections (filters, joins and aggregations drop it).
            row = None
            ts = record.timestamp
        else:
            pseudo = (record.timestamp, record.partition, record.offset)
            bounds = window if window is not None else ()
            row = value + headers(record) + pseudo + bounds + key
            try:
                found = event_time(row, record.timestamp)
                if found is None and strict_time:
                    raise ValueError("the TIMESTAMP column is null")
            except (PatternError, ValueError) as exc:
                if strict_time:
                    raise TimestampUnreadable(record, exc) from exc
                fail(record, f"Failed to extract the timestamp: {exc}")
                return
            if found is None or found < 0:
                fail(record, "The record's timestamp column is null or negative.")
                return
            ts = found
            if ts != record.timestamp:
                row = value + headers(record) + (ts, record.partition, record.offset) \
                    + bounds + key
        changed(key, row, ts, window)

    def changed(key: Row, row: Row | None, ts: int,
                window: tuple[int, int] | None = None) -> None:
        """Push the record on (given `store`, put it there instead); a materialised
        table's change carries the row it replaces (nothing when a deletion finds no
        row)."""
        if store is not None:
            store(key, row, ts)
            return
        if state is None:
            push((key, row, ts, None, window))
            return
        old = state.get(key)
        if row is None and old is None:
            return
        state.put(key, row)
        push((key, row, ts, tuple(old) if old is not None else None, window))

    if not plain:
        return entry
    shape = None if source.hidden_value_slots else reading_shape(key_codec, value_codec)
    if shape is not None:
        ctx.decoded[source.topic] = shape
    decode_key = key_codec.decode
    null_value = (None,) * width
    key_width = len(keys) if is_table else 0  # a table drops records whose key is all null

    def decoding(decode_value: Callable[[bytes | None], Values | None]) -> Decode:
        """What `plain_entry` decodes a record to, its key and row (`records.Decode`),
        decoding the value with `decode_value`."""

        def decode(record: LogRecord) -> tuple[Row, Row | None] | None:
            _, partition, offset, raw_key, raw_value, _, ts, _ = record
            try:
                found = decode_key(raw_key)
                value = decode_value(raw_value)
            except SerializationError:
                return None  # (`plain_entry` reports it)
            key = no_key if found is None else found
            if key_width and key.count(None) == len(key):
                return None
            if value is not None:
                return key, (*value, ts, partition, offset, *key)
            if raw_value is not None:
                return key, (*null_value, ts, partition, offset, *key)
            return key, None

        def keyless(record: LogRecord) -> tuple[Row, Row | None] | None:
            """`decode` where every key reads as `()` and none is dropped (no key
            columns: the key codec is an `EmptyCodec`), as it is for the usual stream: a
            call and a test fewer per record."""
            _, partition, offset, _, raw_value, _, ts, _ = record
            try:
                value = decode_value(raw_value)
            except SerializationError:
                return None  # (`plain_entry` reports it)
            if value is not None:
                return (), (*value, ts, partition, offset)
            if raw_value is not None:
                return (), (*null_value, ts, partition, offset)
            return (), None

        keyed = type(key_codec) is not EmptyCodec or key_width
        return decode if keyed else keyless

    keep = store if store is not None else (changed if state is not None else None)
    ctx.direct_rows[source.topic] = _direct_rows(current, push, keep)
    if not any(c.type.base in _MUTABLE for c in source.columns):
        alone = _visible(decoding_alone(value_codec), source.hidden_value_slots,
                         len(source.value_columns))
        ctx.decoders[source.topic] = (source, decoding(decode_value),
                                      _row_taker(current, push, store, state, changed),
                                      decoding(alone))

    def plain_entry(record: LogRecord) -> None:
        """`entry` for the usual source: the row is value, pseudo columns and key, and
        the event time is the record's. A record handed over `DECODED` (for
        `ctx.decoded`, above) brings the key and value rows decoding would give."""
        _, partition, offset, raw_key, raw_value, current.headers, ts, kind = record
        key: Row
        row: Row | None
        if kind is DECODED:  # (its key and value are rows; the key one INT or BIGINT)
            key = raw_key  # type: ignore[assignment]
            row = None if raw_value is None else (*raw_value, ts, partition, offset, *key)
        else:
            try:
                found = decode_key(raw_key)
                value = decode_value(raw_value)
            except SerializationError as exc:
                fail(record, f"Failed to deserialize: {exc.message}")
                return
            key = no_key if found is None else found
            if key_width and key.count(None) == len(key):
                return
            if value is not None:
                row = (*value, ts, partition, offset, *key)
            elif raw_value is not None:
                row = (*null_value, ts, partition, offset, *key)
            else:
                # A null value: a deletion on a table; on a stream ksqlDB passes it through
                # projections (filters, joins and aggregations drop it).
                row = None
        if store is not None:
            store(key, row, ts)
        elif state is None:
            push((key, row, ts, None, None))
        else:
            changed(key, row, ts, None)

    return plain_entry


__all__ = ["ColumnRole", "build_source", "timestamp_extractor"]
