"""The sequencer: the one place bets are accepted, in log order (spec §9.2).

Members of the consumer group `tote-sequencer` share the partitions of `tote_commands`;
one member sequences each partition, so every command of a race is judged in the order the
log holds it, and the close of betting fences every bet behind it whatever its send time.

`step` takes a batch of commands and commits it in ONE log transaction (`_commit`):

1. the events and outcomes the batch caused, per topic in the order they were caused,
2. the store changes (races, dedupe entries, tickets),
3. the consumed offsets of the group,
4. the commit itself.

Only then are the outcomes handed to `on_commit` (the intake of the same process, which
answers its requests from them without waiting to read them back from the log).

A crash at any point leaves all of a batch or none of it; the next member (or this one,
restarted) resumes from the committed offsets over the committed store, so every command
gets exactly one outcome and the events are written exactly once. A conflict with another
writer or a rebalance aborts the batch and rewinds to its first command, to be taken again.
A producer fenced by a newer sequencer with the same transactional id stops this one.

Any other failure is handled by `advance` (what the thread runs) under the policy of
`sequencer_faults.py`: a failing log is retried from the committed offsets for a while,
a command the decision code cannot decide is set aside as a dead letter, and when the
sequencer gives up it stops and tells `on_failure` (the service then fails visibly).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable

import msgspec

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.core.errors import (
    Fenced,
    OffsetOutOfRange,
    PartitionNotFound,
    ToteError,
    TransactionConflict,
)
from tote.core.records import LogRecord, TopicPartition
from tote.log.base import GroupConsumer, Log, Transaction, TransactionalProducer
from tote.pools.commands import RACE_ID, Command, PlaceBet, decode_command
from tote.pools.events import EventCodecs
from tote.pools.sequencer_faults import (
    DECISION_ERRORS,
    DEFAULT_RETRY_FOR_S,
    CommandFailed,
    Faults,
    describe,
    junk,
    set_aside,
)
from tote.pools.sequencer_outputs import Answered, At, Outputs
from tote.pools.sequencer_state import STORE, BatchView
from tote.pools.sequencer_steps import Steps
from tote.pools.topics import COMMANDS, OUTCOMES

GROUP = "tote-sequencer"
DEFAULT_MAX_BATCH = 2_000
logger = logging.getLogger(__name__)


class Sequencer:
    """One member of the sequencer group. `step()` by hand, or `start()` a thread."""

    def __init__(
        self,
        log: Log,
        codecs: EventCodecs,
        *,
        member_id: str | None = None,
        max_batch: int = DEFAULT_MAX_BATCH,
        session_timeout_ms: int = 10_000,
        poll_timeout_s: float = 0.2,
        on_commit: Callable[[list[Answered]], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        retry_for_s: float = DEFAULT_RETRY_FOR_S,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.log = log
        self.on_commit = on_commit
        self.on_failure = on_failure  # told once, from the thread, when it stops for good
        self.codecs = codecs
        self.member_id = member_id or f"{GROUP}-{uuid.uuid4().hex[:12]}"
        self.max_batch = max_batch
        self.session_timeout_ms = session_timeout_ms
        self.poll_timeout_s = poll_timeout_s
        self.failure: BaseException | None = None
        self._outcome_partitions = log.describe_topic(OUTCOMES).spec.partitions
        self._partitions: dict[str, int] = {}  # of the event topics, as first asked
        self._consumer: GroupConsumer | None = None
        self._producer: TransactionalProducer | None = None
        self._faults = Faults(retry_for_s, clock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- running -------------------------------------------------------------------------------

    def start(self) -> None:
        """Sequence in a background thread until `close` (or a fatal error, kept in `failure`)."""
        self._thread = threading.Thread(target=self._run, name="tote-sequencer", daemon=True)
        self._thread.start()

    def assignment(self) -> frozenset[TopicPartition]:
        """The partitions of `tote_commands` this member sequences now."""
        return self._consumer.assignment() if self._consumer is not None else frozenset()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def retrying(self) -> str | None:
        """What failed last, while the sequencer is retrying it (None once a step went through)."""
        return self._faults.retrying

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                pause = self.advance(self.poll_timeout_s)
                if pause:
                    self._stop.wait(pause)
        except BaseException as exc:
            self.failure = exc
            logger.error("The sequencer stopped: %s", describe(exc), exc_info=exc)
            if self.on_failure is not None:
                self.on_failure(exc)
        finally:
            self._release()

    def advance(self, timeout: float = 0.0) -> float:
        """One `step` under the fault policy (see the module doc), as the thread runs it:
        the pause to take before the next one. Raises when the sequencer must stop."""
        try:
            self.step(timeout)
        except Exception as exc:  # noqa: BLE001 - classified by the fault policy, which re-raises
            pause = self._faults.failed(exc)
            if not isinstance(exc, CommandFailed):
                # Start again from the committed offsets, with a new consumer and producer.
                self._release()
                self._partitions.clear()
            return pause
        self._faults.polled()
        return 0.0

    def close(self) -> None:
        """Stop the thread (the batch in hand commits or aborts first) and leave the group."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None
        else:
            self._release()

    def _release(self) -> None:
        """Drop the consumer and the producer (after a failure the log may not let them
        close cleanly: that is only logged)."""
        parts = (self._consumer, self._producer)
        self._consumer = self._producer = None
        for part in parts:
            if part is None:
                continue
            try:
                part.close()
            except Exception as exc:  # noqa: BLE001 - already broken, and never used again
                logger.info("Closing the sequencer's %s failed: %s", type(part).__name__, exc)

    def _partitions_of(self, topic: str) -> int:
        count = self._partitions.get(topic)
        if count is None:
            count = self._partitions[topic] = self.log.describe_topic(topic).spec.partitions
        return count

    def _command_at(self, partition: int, offset: int) -> Command | None:
        """The command at a position of `tote_commands` (how a bet id finds its bet); None
        if it cannot be read (gone by retention), LookupError if it never was written."""
        try:
            records = self.log.read(TopicPartition(COMMANDS, partition), offset, 1)
        except PartitionNotFound as exc:
            raise LookupError(str(exc)) from None
        except OffsetOutOfRange as exc:  # past the end, or (Kafka) before the start
            ends = self.log.describe_topic(COMMANDS).partitions
            if offset >= ends[partition].end_offset:
                raise LookupError(str(exc)) from None
            return None
        except ToteError:
            return None
        if not records or records[0].offset != offset or records[0].value is None:
            return None
        try:
            return decode_command(records[0].value)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None

    # -- one batch -------------------------------------------------------------------------------

    def step(self, timeout: float = 0.0) -> int:
        """Sequence the commands waiting (up to `max_batch`); how many were committed.

        Raises CommandFailed if the decision code fails on a command, or whatever the log
        raised; either way nothing of the batch is committed and it is taken again."""
        if self._consumer is None:
            self._consumer = self.log.consumer(
                GROUP,
                [COMMANDS],
                member_id=self.member_id,
                session_timeout_ms=self.session_timeout_ms,
            )
        records = self._consumer.poll(timeout, self.max_batch)
        if not records:
            return 0
        view = BatchView(self.log.store(STORE), self._command_at)
        out = Outputs(self.codecs, self._outcome_partitions, self._partitions_of)
        try:
            self._decide(records, view, out)
        except BaseException:
            self._seek(records)
            raise
        return len(records) if self._commit(records, view, out) else 0

    def _decide(self, records: list[LogRecord], view: BatchView, out: Outputs) -> None:
        """Apply every command of the batch to `view` and `out` (poison ones: set aside)."""
        steps = Steps(view, out)
        commands = _decode_all(records, out)
        # Every bet's dedupe entry in one store read, not one read per bet.
        view.prefetch_dedupe(_bets_to_look_up(commands))
        faults = self._faults
        for command, at in commands:
            poison = faults.poison(at)
            if poison is not None:
                set_aside(out, command, _record_at(records, at), *poison)
                continue
            try:
                steps.apply(command, at)
            except DECISION_ERRORS as exc:
                raise CommandFailed(at, exc) from exc

    def run_until_idle(self) -> int:
        """Sequence everything already in the log (for tests and tools)."""
        total = 0
        while done := self.step(0.0):
            total += done
        return total

    def _transaction(self) -> Transaction:
        if self._producer is None:
            self._producer = self.log.transactional_producer(f"{GROUP}-{self.member_id}")
        return self._producer.begin()

    def _commit(self, records: list[LogRecord], view: BatchView, out: Outputs) -> bool:
        """Commit a batch (see the module doc); False if it was aborted and rewound."""
        assert self._consumer is not None
        ends: dict[tuple[str, int], int] = {}
        for record in records:  # (a tuple key: `record.tp` would build one per record)
            ends[record.topic, record.partition] = record.offset + 1
        offsets = {TopicPartition(*tp): end for tp, end in ends.items()}
        txn = self._transaction()
        try:
            for (topic, _), run in out.runs().items():  # 1. events and outcomes
                txn.append(topic, run)
            view.flush(txn)  # 2. store changes
            txn.send_offsets(self._consumer, offsets)  # 3. consumed offsets
            txn.commit()  # 4.
        except (TransactionConflict, Fenced) as exc:
            self._rewind(txn, records)
            if isinstance(exc, Fenced):
                # A rebalance (retry with what this member owns now), unless the producer
                # itself was fenced: then a newer sequencer took over, and this one stops.
                self._transaction().abort()
            logger.info("Sequencer batch aborted, will retry: %s", exc)
            return False
        except BaseException:
            self._rewind(txn, records)
            raise
        self._faults.committed({partition: end for (_, partition), end in ends.items()})
        if self.on_commit is not None:
            try:
                self.on_commit(out.answered)
            except Exception:  # the outcomes are committed: whoever waits reads them there
                logger.exception("The commit hook failed")
        return True

    def _rewind(self, txn: Transaction, records: list[LogRecord]) -> None:
        with contextlib.suppress(ToteError):
            txn.abort()
        self._seek(records)

    def _seek(self, records: list[LogRecord]) -> None:
        """Back to the first record of the batch in each partition, to take it again."""
        assert self._consumer is not None
        firsts: dict[TopicPartition, int] = {}
        for record in records:
            firsts.setdefault(record.tp, record.offset)
        for tp, offset in firsts.items():
            with contextlib.suppress(ToteError):  # no longer ours after a rebalance
                self._consumer.seek(tp, offset)


def _decode_all(records: list[LogRecord], out: Outputs) -> list[tuple[Command, At]]:
    """The commands of a batch and their places; records that are not commands go to the
    dead letters (not the intake's: nobody waits for their answer)."""
    commands = []
    for record in records:
        if record.value is None:
            continue
        try:
            command = decode_command(record.value)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            junk(out, record, exc)
            continue
        commands.append((command, At(record.partition, record.offset, record.timestamp)))
    return commands


def _record_at(records: list[LogRecord], at: At) -> LogRecord:
    """The record of the batch at `at` (only for a command being set aside)."""
    return next(r for r in records if r.partition == at.partition and r.offset == at.offset)


def _bets_to_look_up(commands: list[tuple[Command, At]]) -> list[tuple[str, str]]:
    """(race, idempotency key) of every bet whose race id could name a race."""
    well_formed: dict[str, bool] = {}
    bets = []
    for command, _ in commands:
        if isinstance(command, PlaceBet):
            race_id = command.race_id
            ok = well_formed.get(race_id)
            if ok is None:
                ok = well_formed[race_id] = RACE_ID.match(race_id) is not None
            if ok:
                bets.append((race_id, command.idempotency_key))
    return bets
