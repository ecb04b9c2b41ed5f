"""Producing through the proxy: v2 batches and v3 single records, all-or-nothing.

Every record of a request is converted and checked before anything is written, and the
batch is then one atomic `Log.append`, so a request with one bad record appends none
(kafka-rest would have sent the good records before failing on the bad one).

`prepare` is that check-and-convert step on its own, for callers that append elsewhere
(the HTTP route hands the batch to `GroupCommitter`). With `cached_only` it raises
`NeedsIO` instead of asking the log or the registry, so a small request whose topic and
schemas were seen before can be prepared right on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tote.core.errors import PartitionNotFound, TopicNotFound, ToteError
from tote.core.records import Position, Record
from tote.log.base import Log
from tote.proxy import bodies
from tote.proxy.codecs import Codecs, encode_schemaless, schema_encoder
from tote.proxy.errors import (
    KeySchemaMissing,
    NotSupported,
    ValueSchemaMissing,
    no_registry,
)
from tote.proxy.formats import EmbeddedFormat
from tote.proxy.resolver import MAX_CACHED, NeedsIO, ResolvedSchema, SchemaResolver

_new_tuple = tuple.__new__


@dataclass(frozen=True, slots=True)
class ProduceResult:
    """What the v2 response reports: the schema ids used and where each record landed."""

    key_schema_id: int | None
    value_schema_id: int | None
    positions: tuple[Position, ...]


@dataclass(frozen=True, slots=True)
class PreparedProduce:
    """A checked and encoded v2 produce request: what to append, and what to answer."""

    topic: str
    records: list[Record]
    key_schema_id: int | None
    value_schema_id: int | None

    def result(self, positions: Sequence[Position]) -> ProduceResult:
        return ProduceResult(self.key_schema_id, self.value_schema_id, tuple(positions))


@dataclass(frozen=True, slots=True)
class EncodedSide:
    """One side of a v3 record after encoding: its format, schema and serialised size."""

    format: EmbeddedFormat
    schema: ResolvedSchema | None
    size: int


@dataclass(frozen=True, slots=True)
class SingleResult:
    position: Position
    key: EncodedSide | None
    value: EncodedSide | None


class Producer:
    """Turns REST produce requests into appends on the log."""

    def __init__(
        self, log: Log, resolver: SchemaResolver | None, codecs: Codecs | None = None
    ) -> None:
        self._log = log
        self.resolver = resolver
        self._codecs = codecs or Codecs()
        # Partition counts by topic: counts only grow, so a cached count can only be too
        # small, and an out-of-range partition re-reads it. A deleted topic is still
        # refused by the append itself (and `forget` drops it).
        self._counts: dict[str, int] = {}

    def forget(self, topic: str) -> None:
        """Drop what is cached about `topic` (deleted or re-created)."""
        self._counts.pop(topic, None)

    def _partition_count(self, topic: str, cached_only: bool = False) -> int:
        count = self._counts.get(topic)
        if count is None:
            if cached_only:
                raise NeedsIO()
            count = self._log.describe_topic(topic).spec.partitions  # TopicNotFound -> 40401
            if len(self._counts) >= MAX_CACHED:
                self._counts.clear()
            self._counts[topic] = count
        return count

    def _check_partition(
        self, topic: str, partition: int | None, count: int, cached_only: bool = False
    ) -> int:
        """The topic's partition count, once `partition` (if any) is known to be in range."""
        if partition is not None and not 0 <= partition < count:
            self.forget(topic)  # created with more partitions since it was cached?
            count = self._partition_count(topic, cached_only)
            if not 0 <= partition < count:
                raise PartitionNotFound(topic, partition)
        return count

    def _schema(
        self, fmt: EmbeddedFormat, topic: str, is_key: bool, schema_id: int | None,
        text: str | None, *, cached_only: bool = False,
    ) -> ResolvedSchema | None:
        if not fmt.requires_schema:
            return None
        if schema_id is None and text is None:
            return None
        if self.resolver is None:
            raise no_registry()
        return self.resolver.resolve(fmt, topic, is_key, schema_id, text, cached_only=cached_only)

    def _encoder(
        self, fmt: EmbeddedFormat, schema: ResolvedSchema | None, is_key: bool
    ) -> Callable[[Any], bytes | None]:
        """How one side of every record in a request is encoded, decided once per request.
        Callers pass only non-null data (a JSON null is a Kafka null on every format)."""
        if not fmt.requires_schema:
            return lambda data: encode_schemaless(fmt, data)
        if schema is None:
            def missing(data: Any) -> bytes | None:
                raise KeySchemaMissing() if is_key else ValueSchemaMissing()
            return missing
        return schema_encoder(self._codecs, schema)

    def _encode(
        self, fmt: EmbeddedFormat, schema: ResolvedSchema | None, data: Any, is_key: bool
    ) -> bytes | None:
        return None if data is None else self._encoder(fmt, schema, is_key)(data)

    def produce(
        self,
        topic: str,
        fmt: EmbeddedFormat,
        request: bodies.ProduceRequest,
        partition: int | None = None,
    ) -> ProduceResult:
        """`POST /topics/{topic}` (partition None) or `/topics/{topic}/partitions/{partition}`."""
        prepared = self.prepare(topic, fmt, request, partition)
        try:
            positions = self._log.append(topic, prepared.records)
        except (TopicNotFound, PartitionNotFound):
            self.forget(topic)
            raise
        return prepared.result(positions)

    def prepare(
        self,
        topic: str,
        fmt: EmbeddedFormat,
        request: bodies.ProduceRequest,
        partition: int | None = None,
        *,
        cached_only: bool = False,
    ) -> PreparedProduce:
        """Check and encode every record of a v2 produce request, appending nothing.

        `cached_only`: raise `NeedsIO` rather than read the log or ask the registry.
        """
        count = self._partition_count(topic, cached_only)
        count = self._check_partition(topic, partition, count, cached_only)
        key_schema = self._schema(
            fmt, topic, True, request.key_schema_id, request.key_schema, cached_only=cached_only
        )
        value_schema = self._schema(
            fmt, topic, False, request.value_schema_id, request.value_schema,
            cached_only=cached_only,
        )
        encode_key = self._encoder(fmt, key_schema, True)
        encode_value = self._encoder(fmt, value_schema, False)
        records: list[Record] = []
        add = records.append
        for key_data, value_data, entry_partition in request.records:
            target = partition
            if entry_partition is not None:
                target = entry_partition
                count = self._check_partition(topic, target, count, cached_only)
            # key first, as kafka-rest
            key = None if key_data is None else encode_key(key_data)
            value = None if value_data is None else encode_value(value_data)
            # tuple.__new__ directly: the NamedTuple's own __new__ is a Python-level call
            add(_new_tuple(Record, (value, key, (), None, target)))
        return PreparedProduce(
            topic,
            records,
            key_schema.schema_id if key_schema else None,
            value_schema.schema_id if value_schema else None,
        )

    # -- v3 -------------------------------------------------------------------------------

    def _side_v3(
        self, topic: str, data: bodies.V3Data | None, is_key: bool
    ) -> tuple[bytes | None, EncodedSide | None]:
        if data is None:
            return None, None
        fmt = data.format
        schema: ResolvedSchema | None = None
        if fmt is None or fmt.requires_schema:
            schema = self._schema_v3(fmt, topic, data, is_key)
            fmt = _format_of(schema)
        encoded = self._encode(fmt, schema, data.data, is_key)
        return encoded, EncodedSide(fmt, schema, len(encoded) if encoded is not None else 0)

    def _schema_v3(
        self, fmt: EmbeddedFormat | None, topic: str, data: bodies.V3Data, is_key: bool
    ) -> ResolvedSchema:
        """A v3 side's schema: named by id or text, else the subject's latest version."""
        if self.resolver is None:
            raise no_registry()
        if data.schema_id is None and data.schema is None:
            return self.resolver.latest(fmt, topic, is_key)
        resolved = self.resolver.resolve(fmt, topic, is_key, data.schema_id, data.schema)
        assert resolved is not None
        return resolved

    def produce_each(
        self, topic: str, requests: list[Any]
    ) -> list[SingleResult | ToteError]:
        """A v3 stream: each record succeeds or fails on its own, in order."""
        results: list[SingleResult | ToteError] = []
        for raw in requests:
            try:
                results.append(self.produce_one(topic, bodies.v3_produce_request(raw)))
            except ToteError as exc:
                results.append(exc)
        return results

    def produce_one(self, topic: str, request: bodies.V3ProduceRequest) -> SingleResult:
        """`POST /v3/clusters/{id}/topics/{topic}/records` for one record."""
        count = self._partition_count(topic)
        self._check_partition(topic, request.partition_id, count)
        key, key_side = self._side_v3(topic, request.key, True)
        value, value_side = self._side_v3(topic, request.value, False)
        record = Record(
            value=value,
            key=key,
            headers=request.headers,
            timestamp=request.timestamp,
            partition=request.partition_id,
        )
        try:
            (position,) = self._log.append(topic, [record])
        except (TopicNotFound, PartitionNotFound):
            self.forget(topic)
            raise
        return SingleResult(position, key_side, value_side)


def _format_of(schema: ResolvedSchema) -> EmbeddedFormat:
    kind = schema.parsed.schema_type.value
    for fmt in EmbeddedFormat:
        if fmt.requires_schema and fmt.schema_type == kind:
            return fmt
    raise NotSupported(f"Schema type {kind} is not supported.")
