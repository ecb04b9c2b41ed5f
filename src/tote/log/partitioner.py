"""Which partition a record goes to, exactly as Kafka's Java client would choose.

Keyed records use Kafka's murmur2 (the Java client's `Utils.murmur2`, seed 0x9747b28c) so a
key lands on the same partition on every tote backend and on a real Kafka cluster. Unkeyed
records follow the sticky idea of KIP-480: one partition per batch, moving on round robin
between batches, so a batch stays together and load still spreads.
"""

from __future__ import annotations

from collections.abc import Sequence

from tote.core.errors import PartitionNotFound
from tote.core.records import Record

_SEED = 0x9747B28C
_M = 0x5BD1E995
_MASK = 0xFFFFFFFF


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 of `data` as a signed 32-bit int (what `Utils.murmur2` returns)."""
    length = len(data)
    h = (_SEED ^ length) & _MASK
    whole = length - length % 4
    for i in range(0, whole, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * _M) & _MASK
        k ^= k >> 24
        k = (k * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    tail = length % 4
    if tail == 3:
        h ^= data[whole + 2] << 16
    if tail >= 2:
        h ^= data[whole + 1] << 8
    if tail >= 1:
        h ^= data[whole]
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    h ^= h >> 15
    return h - 0x1_0000_0000 if h & 0x8000_0000 else h


def to_positive(number: int) -> int:
    """Kafka's `Utils.toPositive`: clear the sign bit (not abs, which overflows on MIN_VALUE)."""
    return number & 0x7FFF_FFFF


_HASHES: dict[bytes, int] = {}
_HASHES_LIMIT = 65_536


def partition_for_key(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner picks for a non-null key. Hashes of
    recent keys are remembered (bounded): a producer or a query meets the same keys again
    and again, and murmur2 in Python costs more than the rest of placing a record."""
    if partitions == 1:
        return 0
    if type(key) is not bytes:  # a bytearray or memoryview: hashable bytes to remember
        key = bytes(key)
    hashed = _HASHES.get(key)
    if hashed is None:
        if len(_HASHES) >= _HASHES_LIMIT:
            _HASHES.clear()
        hashed = _HASHES[key] = to_positive(murmur2(key))
    return hashed % partitions


class StickyPartitioner:
    """Chooses a partition for each batch of unkeyed records: one per batch, round robin.

    Holds a counter per topic, so each log owns its own chooser (no module state).
    """

    def __init__(self, start: int = 0) -> None:
        self._start = start
        self._next: dict[str, int] = {}

    def batch_partition(self, topic: str, partitions: int) -> int:
        """The partition for the unkeyed records of the next batch to `topic`."""
        counter = self._next.get(topic, self._start)
        self._next[topic] = counter + 1
        return counter % partitions

    def forget(self, topic: str) -> None:
        """Drop the counter of a deleted topic."""
        self._next.pop(topic, None)


def assign_partitions(
    topic: str, records: Sequence[Record], partitions: int, sticky: StickyPartitioner
) -> list[int]:
    """The partition of each record of a batch, in order; raises PartitionNotFound.

    An explicit `Record.partition` wins, then the key's murmur2 partition; unkeyed records
    of the batch share the one partition the sticky chooser gives (asked only if needed).
    """
    result: list[int] = []
    unkeyed: int | None = None
    for record in records:
        if record.partition is not None:
            if isinstance(record.partition, bool) or not 0 <= record.partition < partitions:
                raise PartitionNotFound(topic, record.partition)
            result.append(record.partition)
        elif record.key is not None:
            result.append(partition_for_key(record.key, partitions))
        else:
            if unkeyed is None:
                unkeyed = sticky.batch_partition(topic, partitions)
            result.append(unkeyed)
    return result
