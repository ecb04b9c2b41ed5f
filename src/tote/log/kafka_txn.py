"""Transactions of the kafka backend: Kafka transactions carrying appends, offsets and state.

One step commits in Kafka's own transaction: output records, state-store changelog records
and consumed offsets (`send_offsets_to_transaction`). Local state-store entries change only
after the broker confirmed the commit. A producer fenced by a newer one with the same
transactional id raises `Fenced`: at `begin` when the newer one lives in this process, at
`commit` (from the broker) otherwise.

Positions: `append` sends the records at once and returns their real offsets, one round
trip each, until the transaction's first `end_offset`; from then on it predicts them and
keeps the records for the commit, which proves the predictions (`kafka_predict`). A
conflict found there aborts the transaction, and the producer's next one does not
predict, so a step retried after a conflict gets through even while another writer keeps
appending to the same partitions.

A transaction that commits offsets for a group member fails as `Fenced` when the member
missed a rebalance. Records sent before that stay visible on Tansu 0.6 (it shows aborted
records to read_committed readers), so a producer also checks the members it commits for
before a transaction's records leave.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from confluent_kafka import Consumer

from tote.core.errors import Fenced, ToteError, TransactionConflict, TransactionError
from tote.core.records import Position, Record, TopicPartition
from tote.log.base import GroupConsumer, Transaction, TransactionalProducer, TxnStatus
from tote.log.kafka_config import LOGGER
from tote.log.kafka_group import KafkaGroupConsumer
from tote.log.kafka_predict import Predictions
from tote.log.kafka_produce import TxnCore
from tote.log.kafka_store import StoreCache


class KafkaTransactionalProducer(TransactionalProducer):
    """A transactional id's producer; `is_current` says whether a newer one replaced it."""

    def __init__(
        self,
        transactional_id: str,
        core: TxnCore,
        stores: StoreCache,
        group_reader: Callable[[str], Consumer],
        is_current: Callable[[], bool],
        *,
        live_members: Callable[[str], list[KafkaGroupConsumer]],
    ) -> None:
        self.transactional_id = transactional_id
        self.core = core
        self.stores = stores
        self.live_members = live_members  # a group's open members in this log
        self._group_reader = group_reader
        self._is_current = is_current
        self._metadata: dict[str, Consumer] = {}
        self._members: set[KafkaGroupConsumer] = set()
        self._current: KafkaTransaction | None = None
        self._closed = False
        self._predict = True  # False for the one transaction after a conflict

    def check_not_fenced(self) -> None:
        """Raise Fenced (for good) if a newer producer with this id took over."""
        if isinstance(self.core.fatal, Fenced):
            raise self.core.fatal
        if not self._is_current():
            self.core.fatal = Fenced(
                f"Producer with transactional id '{self.transactional_id}' has been fenced: "
                "a newer producer with the same transactional id took over."
            )
            raise self.core.fatal

    def begin(self) -> Transaction:
        if self._closed:
            raise TransactionError(f"Producer '{self.transactional_id}' is closed.")
        self.check_not_fenced()
        if self._current is not None and self._current.status is TxnStatus.OPEN:
            raise TransactionError(
                f"Producer '{self.transactional_id}' already has an open transaction."
            )
        self.core.begin()
        predicts, self._predict = self._predict, True
        self._current = KafkaTransaction(self, predicts)
        return self._current

    def conflicted(self) -> None:
        """A transaction's predictions failed: the next one appends at once instead."""
        self._predict = False

    @property
    def closed(self) -> bool:
        return self._closed

    def committing_for(self, member: KafkaGroupConsumer) -> None:
        self._members.add(member)

    def check_members(self) -> None:
        """Raise Fenced if a member this producer commits offsets for has rebalanced
        since it last polled (its next `send_offsets` would fail after the records)."""
        for member in list(self._members):
            if member.closed:
                self._members.discard(member)
            else:
                member.check_current()

    def group_metadata(self, group: str) -> object:
        """Group metadata for a plain group name, from a consumer that never subscribes."""
        consumer = self._metadata.get(group)
        if consumer is None:
            consumer = self._metadata[group] = self._group_reader(group)
        return consumer.consumer_group_metadata()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._current is not None and self._current.status is TxnStatus.OPEN:
            try:
                self._current.abort()
            except ToteError as error:
                LOGGER.warning("closing '%s': abort failed: %s", self.transactional_id, error)
        for consumer in self._metadata.values():
            consumer.close()
        self._metadata.clear()
        self.core.close()


class KafkaTransaction(Transaction):
    """Records, offsets and store writes of one Kafka transaction."""

    def __init__(self, producer: KafkaTransactionalProducer, predicts: bool) -> None:
        super().__init__()
        self.predicts_positions = predicts
        self._producer = producer
        self._core = producer.core
        self._writes: dict[str, dict[bytes, bytes | None]] = {}
        self._offsets: list[tuple[GroupConsumer | str, dict[TopicPartition, int]]] = []
        self._predictions: Predictions | None = None  # from the first `end_offset` on
        self._sent: set[TopicPartition] = set()  # partitions written before that

    def _fail(self, error: ToteError) -> ToteError:
        """Mark the transaction failed and abort it in Kafka, unless the producer is dead
        (a fenced producer cannot end its transaction: the broker refuses its epoch, and
        the newer producer's init already aborted it)."""
        self.status = TxnStatus.FAILED
        if self._core.fatal is None:
            try:
                self._core.abort()
            except ToteError as abort_error:
                LOGGER.warning("aborting a failed transaction failed too: %s", abort_error)
        return error

    def end_offset(self, tp: TopicPartition) -> int:
        """Start predicting (see the module doc): where the next record on `tp` goes."""
        self._check_open()
        if not self.predicts_positions:
            raise TransactionError("This transaction does not predict positions.")
        if tp in self._sent:
            raise TransactionError(
                f"This transaction wrote to {tp.topic}-{tp.partition} before predicting.")
        try:
            if self._predictions is None:
                self._predictions = Predictions(self._core.planner.admin,
                                                self._core.planner.clock)
            return self._predictions.prime(tp)
        except ToteError as error:
            raise self._fail(error) from None

    def append(self, topic: str, records: Sequence[Record]) -> list[Position]:
        """Send the records now (flushing the producer) and return their real offsets; or,
        once the transaction predicts, keep them for the commit and predict them.

        Sent records reach the broker before the commit; Kafka hides them from
        read_committed readers until then, and for good if the transaction aborts.
        """
        return self._add(topic, records, flush=True)

    def write(self, topic: str, records: Sequence[Record]) -> None:
        """Queue the records; they leave with the commit (no round trip of their own)."""
        self._add(topic, records, flush=False)

    def _add(self, topic: str, records: Sequence[Record], *, flush: bool) -> list[Position]:
        self._check_open()
        try:
            self._producer.check_members()
            partitions = self._core.planner.plan(topic, records)
            if self._predictions is not None:
                return self._predictions.keep(topic, records, partitions, predict=flush)
            first = self._core.produce(topic, records, partitions)
            self._sent.update(TopicPartition(topic, p) for p in set(partitions))
            return self._core.flush(first)[: len(records)] if flush else []
        except ToteError as error:
            raise self._fail(error) from None

    def send_offsets(
        self, group: GroupConsumer | str, offsets: Mapping[TopicPartition, int]
    ) -> None:
        self._check_open()
        try:
            for tp in offsets:
                self._core.planner.admin.check_partition(tp)
            if isinstance(group, str):
                metadata = self._producer.group_metadata(group)
            elif isinstance(group, KafkaGroupConsumer):
                metadata = group.group_metadata()
                self._producer.committing_for(group)
            else:
                raise TransactionError(
                    f"Group member '{group.member_id}' does not belong to a Kafka log."
                )
            if offsets:
                self._core.send_offsets(offsets, metadata)
                self._offsets.append((group, dict(offsets)))
        except ToteError as error:
            raise self._fail(error) from None

    def put(self, store: str, key: bytes, value: bytes | None) -> None:
        """Buffer the write; its changelog record is produced at commit, in the transaction.

        Only the last value per key is written, and an aborted transaction never sends its
        changelog records (brokers such as Tansu 0.6 do not hide aborted records).
        """
        self._check_open()
        try:
            self._touch(store)
            self._producer.stores.changelog(store)
        except ToteError as error:
            raise self._fail(error) from None
        self._writes[store][key] = value

    def get(self, store: str, key: bytes) -> bytes | None:
        self._check_open()
        pending = self._touch(store)
        if key in pending:
            return pending[key]
        return self._producer.stores.get(store, key)

    def _touch(self, store: str) -> dict[bytes, bytes | None]:
        """This transaction's writes to `store`; the first touch brings the store up to date."""
        pending = self._writes.get(store)
        if pending is None:
            self._producer.stores.refresh(store)
            pending = self._writes[store] = {}
        return pending

    def commit(self) -> None:
        """Predicted records are checked and sent first (see the module doc), then the
        changelog records; everything is delivered before Kafka's commit."""
        self._check_open()
        predictions = self._predictions
        try:
            self._producer.check_not_fenced()
            self._producer.check_members()  # kept and queued records are about to leave
            if predictions is not None:
                predictions.check_ends()
                predictions.send(self._core)
            for store, writes in self._writes.items():
                if writes:
                    tp = self._producer.stores.changelog(store)
                    changes = [Record(value, key) for key, value in writes.items()]
                    self._core.produce(tp.topic, changes, [tp.partition] * len(changes))
            if predictions is not None:
                self._core.flush()
                predictions.verify(self._core)
            positions = self._core.commit()
        except TransactionConflict as error:
            self._producer.conflicted()
            raise self._fail(error) from None
        except ToteError as error:
            raise self._fail(error) from None
        self.status = TxnStatus.COMMITTED
        self._producer.stores.apply({s: w for s, w in self._writes.items() if w})
        if not positions:
            self._restore_dropped_offsets()

    def _restore_dropped_offsets(self) -> None:
        """Commit the offsets of a record-less transaction directly if the broker lost them.

        Tansu 0.6 applies the offsets of a transaction without records only when it is the
        first transaction of its producer. The transaction did commit, so committing the
        same offsets again changes nothing where the broker got it right (real Kafka).
        """
        admin = self._core.planner.admin
        for group, offsets in self._offsets:
            if isinstance(group, KafkaGroupConsumer):
                if admin.committed(group.group, offsets) != offsets:
                    group.commit_offsets(offsets)  # a live group takes commits from members only
            elif isinstance(group, str) and admin.committed(group, offsets) != offsets:
                members = self._producer.live_members(group)
                if members:  # e.g. a ksqlDB server's own member of a query's group
                    members[0].commit_offsets(offsets)
                else:
                    admin.commit_offsets(group, offsets)

    def abort(self) -> None:
        if self.status is TxnStatus.FAILED:
            self.status = TxnStatus.ABORTED
            return
        self._check_open()
        self.status = TxnStatus.ABORTED
        self._writes.clear()
        if self._predictions is not None:
            self._predictions.clear()
        if self._core.fatal is None:
            self._core.abort()
