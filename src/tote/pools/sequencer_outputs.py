"""What one sequencer batch writes: its events and outcomes, grouped by topic partition.

Every record gets its partition here, so the commit appends one run per partition (the
log's cheapest append) instead of having the log place records one by one. Events go
where Kafka's default partitioner puts their race key (murmur2), exactly where a keyed
append would put them, worked out once per race and topic. Outcomes go to their command's
partition number, where the intake that sent the command waits for them, one record per
request: a batch of a thousand bets is answered by a handful of records, not a thousand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from tote.core.records import Record
from tote.log.partitioner import partition_for_key
from tote.pools.events import EventCodecs
from tote.pools.outcomes import CommandOutcome, encode_outcomes
from tote.pools.topics import DEAD_LETTERS, OUTCOMES, race_key

Answered = tuple[bytes, list[tuple[int, CommandOutcome]]]


class At(NamedTuple):
    """Where a command sits in `tote_commands`, and when it was appended."""

    partition: int
    offset: int
    timestamp: int

    def event_id(self, race_id: str) -> str:
        """The id of whatever this command caused: unique, and the same on every replay."""
        return f"{race_id}:{self.partition}:{self.offset}"


class Outputs:
    """One batch's records, by (topic, partition), each run in the order it was caused.

    `partitions(topic)` is the topic's partition count (the sequencer remembers them).
    Outcomes are gathered per request and partition and become records at `runs()`."""

    def __init__(
        self, codecs: EventCodecs, outcome_partitions: int, partitions: Callable[[str], int]
    ) -> None:
        self._codecs = codecs
        self._outcome_partitions = outcome_partitions
        self._partitions = partitions
        self._places: dict[tuple[str, str], tuple[bytes, int, list[Record]]] = {}
        self._answers: dict[tuple[str, int], tuple[list[tuple[int, CommandOutcome]], At]] = {}
        self._records: dict[tuple[str, int], list[Record]] = {}
        # (request id, [(seq, outcome), ...]) of each outcome record, once `runs()` made them.
        self.answered: list[Answered] = []

    def _place(self, topic: str, race_id: str) -> tuple[bytes, int, list[Record]]:
        """The race's key, its partition of `topic` and the run its events go to."""
        place = self._places.get((topic, race_id))
        if place is None:
            key = race_key(race_id)
            partition = partition_for_key(key, self._partitions(topic))
            run = self._records.setdefault((topic, partition), [])
            place = self._places[topic, race_id] = (key, partition, run)
        return place

    def event(self, topic: str, race_id: str, value: dict[str, Any], at: At) -> None:
        key, partition, run = self._place(topic, race_id)
        run.append(Record(self._codecs.encode(topic, value), key, (), at.timestamp, partition))

    def outcome(self, request_id: str, seq: int, outcome: CommandOutcome, at: At) -> None:
        """The answer to command `seq` of request `request_id` (in the partition number of
        the command, where the request's intake waits for it)."""
        slot = (request_id, at.partition % self._outcome_partitions)
        answers = self._answers.get(slot)
        if answers is None:
            self._answers[slot] = ([(seq, outcome)], at)
        else:
            answers[0].append((seq, outcome))

    def dead_letter(self, record: Record) -> None:
        """A record for `tote_commands_dlq`, in its source partition's number (modulo the
        topic's partitions)."""
        partition = (record.partition or 0) % self._partitions(DEAD_LETTERS)
        run = self._records.setdefault((DEAD_LETTERS, partition), [])
        run.append(record._replace(partition=partition))

    def runs(self) -> dict[tuple[str, int], list[Record]]:
        """Every record of the batch by (topic, partition): events as caused, then one
        outcome record per request and partition."""
        for (request_id, partition), (answers, at) in self._answers.items():
            key = request_id.encode()
            record = Record(encode_outcomes(answers), key, (), at.timestamp, partition)
            self._records.setdefault((OUTCOMES, partition), []).append(record)
            self.answered.append((key, answers))
        self._answers = {}
        return self._records
