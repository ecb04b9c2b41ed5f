"""Where a re-keyed record must go so that it meets the records of another source.

Kafka puts a record on the partition murmur2 gives its key bytes, so a key only meets
a table's row for the same key if both were serialised in the same key format: a
re-keyed join input and a foreign-key subscription are placed by the other source's key
format (as Kafka Streams does with the repartition topic's key serde).
"""

from __future__ import annotations

from collections.abc import Callable

from tote.log.partitioner import partition_for_key
from tote.serde.errors import SerializationError
from tote.sql.codecs import build_codec
from tote.sql.planner.logical import SourceNode
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.records import Row

KeyBytes = Callable[[Row], bytes | None]


def key_bytes(source: SourceNode, ctx: BuildContext) -> KeyBytes:
    """A key serialised in the source's key format (what Kafka partitions and sorts by);
    None when the key cannot be written in that format."""
    src = source.source
    codec = build_codec(src.key_columns, src.key_format, topic=src.topic, is_key=True,
                        registry=ctx.registry, prefer_registered=not src.from_query)

    def encode(key: Row) -> bytes | None:
        try:
            return codec.encode(key)
        except (SerializationError, ValueError, TypeError):
            return None

    return encode


class Placement:
    """Where keys go on `source`'s topic (`partition`). `one` says that every key goes
    to partition 0 (harness mode, or a topic of one partition, known from the first key
    placed): a generated writer tests it inline and calls `partition` only otherwise."""

    __slots__ = ("count", "ctx", "encode", "one", "topic")

    def __init__(self, source: SourceNode, ctx: BuildContext) -> None:
        self.one = ctx.single_partition
        self.ctx, self.topic = ctx, source.source.topic
        self.encode = None if self.one else key_bytes(source, ctx)
        self.count = 0  # the topic's partitions, looked up at the first key

    def partition(self, key: Row) -> int:
        if self.one:
            return 0
        if not self.count:
            self.count = self.ctx.partitions(self.topic)
            self.one = self.count == 1
            if self.one:
                return 0
        assert self.encode is not None
        data = self.encode(key)
        return 0 if data is None else partition_for_key(data, self.count)


def partitioner(source: SourceNode, ctx: BuildContext) -> Callable[[Row], int]:
    """The partition of `source`'s topic that a key (in its key format) lives on."""
    if ctx.single_partition:
        return lambda key: 0
    return Placement(source, ctx).partition
