"""State stores of the kafka backend: local dicts backed by compacted changelog topics.

A store's entries live in memory and are rebuilt from its changelog topic
(`<store>-changelog`) at first use, reading committed records only, so changes of
aborted transactions never come back. A transaction writes the changelog inside its Kafka
transaction and applies its writes locally only after the commit succeeded.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from tote.core.errors import TopicExists
from tote.core.records import TopicPartition
from tote.log.base import MAX_TOPIC_NAME, StateStore
from tote.log.kafka_admin import KafkaAdmin
from tote.log.kafka_read import ReaderPool

CHANGELOG_SUFFIX = "-changelog"
CHANGELOG_CONFIGS = {"cleanup.policy": "compact"}
_ILLEGAL = re.compile(r"[^a-zA-Z0-9._-]")
_RESTORE_BATCH = 10_000


def changelog_topic(store: str) -> str:
    """`<store>-changelog`, with characters Kafka forbids in topic names replaced by `_`."""
    base = _ILLEGAL.sub("_", store)[: MAX_TOPIC_NAME - len(CHANGELOG_SUFFIX)]
    return base + CHANGELOG_SUFFIX


@dataclass
class _Entries:
    values: dict[bytes, bytes] = field(default_factory=dict)
    next_offset: int = 0


class StoreCache:
    """The committed entries of every store a KafkaLog has used, kept up to date."""

    def __init__(self, admin: KafkaAdmin, reader: ReaderPool) -> None:
        self._admin = admin
        self._reader = reader
        self._lock = threading.Lock()
        self._stores: dict[str, _Entries] = {}
        self._changelogs: set[str] = set()

    def changelog(self, store: str) -> TopicPartition:
        """The changelog partition of `store`, creating the topic on first use."""
        topic = changelog_topic(store)
        with self._lock:
            known = topic in self._changelogs
        if not known:
            with contextlib.suppress(TopicExists):
                self._admin.create_topic(topic, 1, 1, CHANGELOG_CONFIGS)
            with self._lock:
                self._changelogs.add(topic)
        return TopicPartition(topic, 0)

    def refresh(self, store: str) -> None:
        """Apply changelog records committed since the last refresh (all of them at first)."""
        with self._lock:
            entries = self._stores.get(store)
        tp = self.changelog(store)
        if entries is None:
            entries = _Entries()
        self._catch_up(tp, entries)
        with self._lock:
            self._stores.setdefault(store, entries)

    def _catch_up(self, tp: TopicPartition, entries: _Entries) -> None:
        _, end = self._admin.watermarks(tp)
        while entries.next_offset < end:
            batch = self._reader.read(tp, entries.next_offset, _RESTORE_BATCH)
            if not batch:
                break
            with self._lock:
                for record in batch:
                    if record.key is None:
                        continue
                    if record.value is None:
                        entries.values.pop(record.key, None)
                    else:
                        entries.values[record.key] = record.value
                entries.next_offset = batch[-1].offset + 1

    def get(self, store: str, key: bytes) -> bytes | None:
        with self._lock:
            entries = self._stores.get(store)
            return entries.values.get(key) if entries else None

    def get_many(self, store: str, keys: Sequence[bytes]) -> list[bytes | None]:
        with self._lock:
            entries = self._stores.get(store)
            if entries is None:
                return [None] * len(keys)
            return [entries.values.get(key) for key in keys]

    def items(self, store: str, prefix: bytes) -> list[tuple[bytes, bytes]]:
        with self._lock:
            entries = self._stores.get(store)
            if entries is None:
                return []
            return sorted((k, v) for k, v in entries.values.items() if k.startswith(prefix))

    def apply(self, writes: Mapping[str, Mapping[bytes, bytes | None]]) -> None:
        """Apply a committed transaction's writes (its changelog records are re-read later,
        in log order, by the next refresh, which leaves the same result)."""
        with self._lock:
            for store, changes in writes.items():
                values = self._stores.setdefault(store, _Entries()).values
                for key, value in changes.items():
                    if value is None:
                        values.pop(key, None)
                    else:
                        values[key] = value


class KafkaStore(StateStore):
    """A read view of one store of a KafkaLog."""

    def __init__(self, cache: StoreCache, name: str) -> None:
        self._cache = cache
        self.name = name

    def get(self, key: bytes) -> bytes | None:
        return self._cache.get(self.name, key)

    def get_many(self, keys: Sequence[bytes]) -> list[bytes | None]:
        return self._cache.get_many(self.name, keys)

    def items(self, prefix: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        return iter(self._cache.items(self.name, prefix))
