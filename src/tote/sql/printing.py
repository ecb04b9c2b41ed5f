"""PRINT topic: the lines ksqlDB streams for it, guessing each side's format from bytes.

    for line in print_lines(log, registry, statement, stop):   # until LIMIT or stop()
        ...   # "Key format: KAFKA_STRING", "Value format: JSON or KAFKA_STRING",
              # "rowtime: 2024/01/02 03:04:05.678 Z, key: 1, value: {...}, partition: 0",
              # or "" while the topic is idle (a keep-alive)

As ksqlDB does it, every candidate format starts possible and is dropped the first time
it fails to read a key (value) that is printed; a record is shown in the first format
still possible, and the "Key/Value format" line is printed again whenever the list of
possible formats changes. Keys are also tried as windowed keys (SESSION, HOPPING,
TUMBLING around each format). Schema-registry formats look the schema id up.
"""

from __future__ import annotations

import datetime
import json
import struct
from collections.abc import Callable, Iterator
from typing import Any

from tote.core.errors import BadRequest, ToteError
from tote.core.records import LogRecord, TopicPartition
from tote.log.base import Log
from tote.log.wake import Wake
from tote.registry import Registry
from tote.serde import sql_values as sv
from tote.serde.avro import AvroCodec
from tote.serde.errors import SerializationError
from tote.serde.schemas import SchemaType
from tote.sql.ast.commands import PrintTopic

NO_DATA = "¯\\_(ツ)_/¯ - no data processed"
IDLE_SECONDS = 1.0

Reader = Callable[[bytes], str]


class _Unreadable(Exception):
    """These bytes are not in this format."""


def _utf8(data: bytes) -> str:
    if not data:
        raise _Unreadable
    text = data.decode("utf-8", errors="replace")
    if "\ufffd" in text:
        raise _Unreadable
    return text


def _json(data: bytes) -> str:
    text = _utf8(data)
    try:
        json.loads(text)
    except ValueError:
        raise _Unreadable from None
    return text


def _fixed(size: int, fmt: str, show: Callable[[Any], str]) -> Reader:
    def read(data: bytes) -> str:
        if len(data) != size:
            raise _Unreadable
        return show(struct.unpack(fmt, data)[0])

    return read


def _avro_text(value: Any) -> str:
    """An Avro datum as Avro's GenericRecord.toString writes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return sv.java_double(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))}: {_avro_text(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_avro_text(v) for v in value) + "]"
    if isinstance(value, (bytes, bytearray)):
        return json.dumps({"bytes": bytes(value).decode("latin-1")})
    return json.dumps(str(value))


class _Registered:
    """Readers for the registry formats: magic byte 0, a schema id of the right type."""

    def __init__(self, registry: Registry | None) -> None:
        self.registry = registry
        self._avro: dict[int, AvroCodec] = {}

    def _schema(self, data: bytes, kind: SchemaType) -> tuple[int, str, bytes]:
        if self.registry is None or len(data) < 5 or data[0] != 0:
            raise _Unreadable
        schema_id = int.from_bytes(data[1:5], "big")
        try:
            found = self.registry.get_schema(schema_id)
        except ToteError:
            raise _Unreadable from None
        if found.schema_type is not kind:
            raise _Unreadable
        return schema_id, found.schema, data[5:]

    def avro(self, data: bytes) -> str:
        schema_id, text, payload = self._schema(data, SchemaType.AVRO)
        codec = self._avro.get(schema_id)
        if codec is None:
            codec = self._avro[schema_id] = AvroCodec(text)
        try:
            return _avro_text(codec.decode(payload))
        except (SerializationError, ValueError, TypeError):
            raise _Unreadable from None

    def json_sr(self, data: bytes) -> str:
        _, _, payload = self._schema(data, SchemaType.JSON)
        try:
            return json.dumps(
                json.loads(payload.decode("utf-8")), separators=(",", ":"), ensure_ascii=False
            )
        except (ValueError, UnicodeDecodeError):
            raise _Unreadable from None


def _formats(registry: Registry | None) -> list[tuple[str, Reader]]:
    """ksqlDB's candidate formats, in its order of preference."""
    registered = _Registered(registry)
    return [
        ("AVRO", registered.avro),
        ("JSON", _json),
        ("JSON_SR", registered.json_sr),
        ("KAFKA_INT", _fixed(4, ">i", str)),
        ("KAFKA_BIGINT", _fixed(8, ">q", str)),
        ("KAFKA_DOUBLE", _fixed(8, ">d", sv.java_double)),
        ("KAFKA_STRING", _utf8),
    ]


def _session(inner: Reader) -> Reader:
    def read(data: bytes) -> str:
        if len(data) < 16:
            raise _Unreadable
        end, start = struct.unpack(">qq", data[-16:])
        return f"[{inner(data[:-16])}@{start}/{end}]"

    return read


def _time(inner: Reader) -> Reader:
    def read(data: bytes) -> str:
        if len(data) < 8:
            raise _Unreadable
        (start,) = struct.unpack(">q", data[-8:])
        return f"[{inner(data[:-8])}@{start}/-]"

    return read


def _windowed(formats: list[tuple[str, Reader]]) -> list[tuple[str, Reader]]:
    out: list[tuple[str, Reader]] = []
    for name, reader in formats:
        out += [
            (f"SESSION({name})", _session(reader)),
            (f"HOPPING({name})", _time(reader)),
            (f"TUMBLING({name})", _time(reader)),
            (name, reader),
        ]
    return out


def _unrecognised(data: bytes) -> str:
    """Kafka's Bytes.toString: printable ASCII as is, anything else as \\xNN."""
    return "".join(chr(b) if 32 <= b < 127 and b != 92 else f"\\x{b:02X}" for b in data)


class FormatGuesser:
    """One side (key or value) of a topic: the formats still possible, and the text."""

    def __init__(self, formats: list[tuple[str, Reader]]) -> None:
        self.candidates = list(formats)
        self.seen = False

    def possible(self) -> list[str]:
        return [name for name, _ in self.candidates] if self.seen else [NO_DATA]

    def format(self, data: bytes | None) -> str:
        if data is None:
            return "<null>"
        self.seen = True
        first: str | None = None
        kept = []
        for name, reader in self.candidates:
            try:
                text = reader(data)
            except (_Unreadable, ValueError, struct.error):
                continue
            kept.append((name, reader))
            if first is None:
                first = text
        self.candidates = kept
        return first if first is not None else _unrecognised(data)


class RecordFormatter:
    """ksqlDB's record lines for one topic."""

    def __init__(self, registry: Registry | None) -> None:
        self.keys = FormatGuesser(_windowed(_formats(registry)))
        self.values = FormatGuesser(_formats(registry))

    def line(self, record: LogRecord) -> str:
        return (
            f"rowtime: {rowtime(record.timestamp)}, key: {self.keys.format(record.key)}, "
            f"value: {self.values.format(record.value)}, partition: {record.partition}"
        )


def rowtime(millis: int | None) -> str:
    if millis is None or millis < 0:
        return "N/A"
    moment = datetime.datetime.fromtimestamp(millis / 1000, tz=datetime.UTC)
    return moment.strftime("%Y/%m/%d %H:%M:%S.") + f"{millis % 1000:03d} Z"


def _format_lines(prefix: str, names: list[str]) -> str:
    if not names:
        return (
            f"{prefix} does not match any supported format. It may be a STRING with "
            "encoding other than UTF8, or some other format."
        )
    return prefix + " or ".join(names)


def check_printable(log: Log, statement: PrintTopic) -> None:
    """ksqlDB's 400s for a PRINT it will not start."""
    if not log.topic_exists(statement.topic):
        raise BadRequest(
            f"Could not find topic '{statement.topic}', or the KSQL user does not "
            "have permissions to list the topic. Topic names are case-sensitive."
        )
    if statement.interval is not None and statement.interval < 1:
        raise BadRequest(f"INTERVAL must be greater than one, but was: {statement.interval}")


def print_lines(
    log: Log,
    registry: Registry | None,
    statement: PrintTopic,
    stopped: Callable[[], bool] = lambda: False,
    idle_seconds: float = IDLE_SECONDS,
    *,
    wake: Wake | None = None,
    formats: bool = True,
) -> Iterator[str]:
    """The lines of a PRINT, live: records as they arrive, `""` after each idle period,
    until LIMIT records were printed or `stopped()` is true. Setting `wake` ends an idle
    wait at once (the client went away: its thread is not held for the rest of it).
    Without `formats`, no "Key/Value format" lines (ksqlDB's /query-stream PRINT)."""
    check_printable(log, statement)
    interval = statement.interval or 1
    partitions = log.describe_topic(statement.topic)
    positions = {
        TopicPartition(statement.topic, p.partition): (
            0 if statement.from_beginning else p.end_offset
        )
        for p in partitions.partitions
    }
    formatter = RecordFormatter(registry)
    shown_keys: list[str] | None = None
    shown_values: list[str] | None = None
    polled = written = 0
    limit = statement.limit
    while not stopped() and (limit is None or written < limit):
        batch = _read(log, positions)
        if not batch:
            waited = (log.wait(positions, idle_seconds) if wake is None
                      else log.wait_or_wake(positions, idle_seconds, wake))
            if not waited:
                yield ""
            continue
        lines = []
        for record in batch:
            if polled % interval == 0:
                written += 1
                lines.append(formatter.line(record))
            polled += 1
            if limit is not None and written >= limit:
                break
        if not lines:
            continue
        if formats and formatter.keys.possible() != shown_keys:
            shown_keys = formatter.keys.possible()
            yield _format_lines("Key format: ", shown_keys)
        if formats and formatter.values.possible() != shown_values:
            shown_values = formatter.values.possible()
            yield _format_lines("Value format: ", shown_values)
        yield from lines


def _read(log: Log, positions: dict[TopicPartition, int]) -> list[LogRecord]:
    """What is new on every partition, partition by partition, each in offset order."""
    out: list[LogRecord] = []
    for tp, offset in positions.items():
        records = log.read(tp, offset, 500)
        if records:
            positions[tp] = records[-1].offset + 1
            out.extend(records)
    return out
