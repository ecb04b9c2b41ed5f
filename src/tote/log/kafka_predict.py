"""Predicted positions of a Kafka transaction: where its records will land, proven at commit.

A Kafka producer learns where records landed only from their delivery reports, one round
trip after sending them. A transaction that predicts instead takes a partition's end when
it first needs it (`prime`), hands out the offsets after that end, and keeps its records
until the commit. There it checks that no other writer moved those ends (nothing of its
own has left yet, so a conflict found here leaves no trace in the log), sends everything
at once, and compares every delivery report with its prediction. Any difference raises
TransactionConflict and the transaction aborts.

Which end: the log end (what a read_uncommitted reader sees) is where the next record
goes. While another transaction with records in the partition is open, the stable end (a
read_committed reader's) is lower, and that transaction's next records or its marker may
well land before ours: priming waits a moment for the two to agree (Kafka writes a
commit's markers after the commit returns), and the commit-time check refuses a partition
where they differ. Tansu 0.6 reports as log end the last batch's base offset + 1, right
only when that batch is a transaction marker, i.e. under the same condition.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from tote.core.clock import Clock
from tote.core.errors import TransactionConflict
from tote.core.records import Position, Record, TopicPartition
from tote.log.kafka_admin import KafkaAdmin
from tote.log.kafka_produce import TxnCore

# How long priming waits for a partition's open transaction to end, and between looks.
SETTLE_SECONDS = 0.02
SETTLE_PAUSE = 0.002


class Predictions:
    """One transaction's kept records and the partition ends its offsets count from."""

    def __init__(self, admin: KafkaAdmin, clock: Clock) -> None:
        self._admin = admin
        self._clock = clock
        self.seen: dict[TopicPartition, int] = {}  # primed partitions: their end then
        self._counts: dict[TopicPartition, int] = {}  # records kept per partition
        self._kept: list[tuple[str, list[Record], list[int]]] = []
        self._firsts: list[int] = []  # each kept batch's first delivery report

    def prime(self, tp: TopicPartition) -> int:
        """The offset the next record kept for `tp` gets (the first call asks the broker)."""
        if tp not in self.seen:
            deadline = time.monotonic() + SETTLE_SECONDS
            end, stable = self._admin.ends([tp])[tp]
            while stable != end and time.monotonic() < deadline:
                time.sleep(SETTLE_PAUSE)
                end, stable = self._admin.ends([tp])[tp]
            self.seen[tp] = end
        return self.seen[tp] + self._counts.get(tp, 0)

    def keep(self, topic: str, records: Sequence[Record], partitions: Sequence[int],
             *, predict: bool) -> list[Position]:
        """Keep a batch for the commit; with `predict`, the positions it will take."""
        now = self._clock.now_ms()
        stamped = [r if r.timestamp is not None else r._replace(timestamp=now)
                   for r in records]
        positions: list[Position] = []
        counts = self._counts
        for record, partition in zip(stamped, partitions, strict=True):
            tp = TopicPartition(topic, partition)
            if predict:
                assert record.timestamp is not None
                positions.append(Position(partition, self.prime(tp), record.timestamp))
            counts[tp] = counts.get(tp, 0) + 1
        self._kept.append((topic, stamped, list(partitions)))
        return positions

    def check_ends(self) -> None:
        """Before anything is sent: every primed partition still ends where it did, with
        no transaction open there."""
        if not self.seen:
            return
        for tp, (end, stable) in self._admin.ends(self.seen).items():
            if end != self.seen[tp] or stable != end:
                raise TransactionConflict(
                    f"Another writer is appending to {tp.topic}-{tp.partition} during this "
                    "step; retrying.")

    def send(self, core: TxnCore) -> None:
        """Queue the kept records in the open transaction, in the order they were kept."""
        self._firsts = [core.produce(topic, records, partitions)
                        for topic, records, partitions in self._kept]

    def verify(self, core: TxnCore) -> None:
        """After the flush: each record of a primed partition landed where predicted."""
        reports = core.deliveries.positions
        placed: dict[TopicPartition, int] = {}
        for first, (topic, _, partitions) in zip(self._firsts, self._kept, strict=True):
            for index, partition in enumerate(partitions, first):
                tp = TopicPartition(topic, partition)
                start = self.seen.get(tp)
                if start is None:
                    continue
                count = placed.get(tp, 0)
                placed[tp] = count + 1
                report = reports[index]
                if report is None or report.offset != start + count:
                    raise TransactionConflict(
                        f"Another writer appended to {tp.topic}-{tp.partition} during this "
                        "step; retrying.")

    def clear(self) -> None:
        self._kept.clear()
        self._firsts.clear()
