"""The query runtime: running queries' tasks, and one log transaction per step.

`Runtime.step` (live mode) reads a batch of new records from every topic a task reads, all
as of one moment (`Log.read_many`), merges the partitions by timestamp, and takes the
records one at a time: each goes to every task reading it, and everything it causes is
processed before the next record (`_drain`, in rank order), outputs of one query reaching
the next in memory. Where that gives every task the same records in the same order
(`direct.py`), a reader is called as its writer emits instead of from a lane, and
readers of one source decode a record once (`_readers_of`). The step then commits, in ONE
transaction (`_commit`):

1. the outputs, in the order they were emitted (a record of an internal repartition
   topic whose readers all took it in this step is not written at all — see `_send`).
   When the transaction predicts positions, a record another task reads at once gets
   its offset predicted (from the partition's end when the step first wrote there) and
   is appended here with the rest; the commit fails as a conflict (and the step is
   retried) if the log placed it elsewhere. Otherwise (on Kafka, the one step after
   such a conflict) it is appended at once, to learn its offset,
2. the consumed offsets of every query's consumer group,
3. the state-store changes of every task,
4. the commit itself; only then do the in-memory state caches adopt the changes.

If anything fails before the commit, the transaction aborts and every task returns to
its last committed positions and state, so a retry (or a restarted engine) produces the
same outputs exactly once. `harness.py` drives the same tasks the way ksqlDB's test
harness does.

With a `Membership` (ksqlDB servers sharing a log), only the tasks this engine owns in
each query's consumer group run here, and offsets commit through the group member.
"""

from __future__ import annotations

import heapq
import itertools
import weakref
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, NamedTuple, Protocol

from tote.core.errors import Fenced, ToteError, TransactionConflict
from tote.core.records import (
    LogRecord,
    Record,
    RecordRow,
    TimestampType,
    TopicPartition,
    as_record,
)
from tote.log.base import GroupConsumer, Log, Transaction, TransactionalProducer, TxnStatus
from tote.sql.planner.physical import PhysicalPlan
from tote.sql.runtime.context import Emit, Handover, Outlet
from tote.sql.runtime.direct import direct_tasks
from tote.sql.runtime.failure import OperatorError, QueryFailed
from tote.sql.runtime.membership import Membership
from tote.sql.runtime.ranking import assign_ranks
from tote.sql.runtime.records import (
    DECODED,
    Decode,
    DirectRows,
    Hand,
    Rec,
    Row,
    RowTaker,
    Send,
    SendRows,
    new_tuple,
)
from tote.sql.runtime.tasks import RunningQuery, Task, TaskFactory

MAX_POLL_RECORDS = 1000
"""Records a step reads from each input partition at most: Kafka Streams' own default
for `max.poll.records`, so a step (one transaction) is as big as one of ksqlDB's polls."""

# Queued work: what takes the record (a LogRecord, or a Rec handed over) and the record,
# in the lane of the reader's rank and input kind (`_order`; see `Runtime._drain`).
Lane = list[tuple[Callable[[Any], object], Any]]
Queue = Callable[[tuple[Callable[[Any], object], Any]], None]  # a lane's `append`
# A reader's lane, None for a reader called at once (`direct.py`), and what takes the record.
Work = tuple[Queue | None, Callable[[Any], None]]
# A reader of a partition written in the step: its lane (or None), its entry for the topic
# (which does not move the position: the runtime does that as it queues the record, see
# `_send`) and the task.
Taker = tuple[Queue | None, Callable[[LogRecord], None], Task]


# How `run_records` hands a partition's records to a run of its readers (`_readers_of`):
# a decoder they share and each one's way of taking the key and row it gives, or None; and
# each one's own way (where the shared decoder gives None, a record goes each reader's own
# way, which reports or drops it). A shared run whose readers all take the step's records
# of the partition from its first on moves one position for them all (`_Mark`), else None.
_Readers = tuple[Decode | None, "_Mark | None",
                 list[tuple[Task, TopicPartition, RowTaker, Callable[[Any], None]]],
                 Sequence[tuple[Task, TopicPartition, Work]]]


class _Predicted(Protocol):
    """`Runtime._predicted`'s sender: a `Send`, and a `SendRows` given the rows."""

    def __call__(self, record: RecordRow, key: Row | None = None,
                 row: Row | None = None) -> None: ...


class _Route(NamedTuple):
    tp: TopicPartition
    consumers: tuple[Taker, ...]  # each reader's: what takes a LogRecord
    elide: bool  # not written: every reader takes it in this step
    # ... and each reader can take the change itself: what does
    handed: tuple[tuple[Queue | None, Hand], ...] | None
    # Predicting positions: the step's records for `tp` (every producer writing it
    # shares the list) and the offset the first of them takes (0 while no reader takes
    # them in this step: nobody needs their offsets); else None and 0.
    pending: list[RecordRow] | None
    start: int


_CREATE_TIME = TimestampType.CREATE_TIME


class _Outbox:
    """A task's way out to the runtime, cached per step by (task, topic, partition):
    bound methods rather than partials of the runtime's, as a partial (C) calling
    into Python costs about one more Python call per record."""

    __slots__ = ("hand", "outlets", "sender", "senders", "task", "writer")

    def __init__(self, task: Task, runtime: Runtime) -> None:
        self.task, self.senders, self.sender = task, runtime._senders, runtime._sender
        self.hand = runtime._hand
        self.writer = None if runtime.harness else runtime._writer
        self.outlets = runtime._outlets

    def emit(self, topic: str, record: Record) -> None:
        send = self.senders.get((self.task, topic, record[4]))
        if send is None:
            send = self.sender(self.task, topic, record[4])
        send(record)

    def outlet(self, topic: str) -> Outlet:
        """The task's sink's way out to `topic` (emptied as each step starts and ends);
        in live mode it hands records along decoded (`Runtime._writer`)."""
        writer = self.writer
        outlet = Outlet(partial(self.sender, self.task, topic),
                        partial(writer, self.task, topic) if writer is not None else None)
        self.outlets.add(outlet)
        return outlet

    def handover(self, topic: str) -> Handover:
        """The task's repartition writer's way to hand changes of `topic` over in memory
        (emptied as each step starts and ends; see `Runtime._hand`)."""
        handover = Handover(partial(self.hand, self.task, topic))
        self.outlets.add(handover)
        return handover


class Runtime:
    def __init__(self, log: Log, factory: TaskFactory, producer_id: str, *,
                 harness: bool = False, membership: Membership | None = None) -> None:
        self.log = log
        self.factory = factory
        self.producer_id = producer_id
        self.harness = harness
        self.membership = membership
        self.queries: dict[str, RunningQuery] = {}
        self._order = itertools.count()
        self._producer: TransactionalProducer | None = None
        self._txn: Transaction | None = None
        self._predicts = False
        self._pending: dict[TopicPartition, list[RecordRow]] = {}
        self._starts: dict[TopicPartition, int] = {}
        # Positions moved as the step commits, not per record (`_direct_rows`).
        self._settles: list[Callable[[], None]] = []
        self._routes: dict[tuple[Task, str, int], _Route] = {}
        self._senders: dict[tuple[Task, str, int | None], Send] = {}
        # The sinks' outlets and the repartition writers' handovers (emptied each step).
        self._outlets: weakref.WeakSet[Outlet | Handover] = weakref.WeakSet()
        self._lanes: dict[int, Lane] = {}  # by `_order`
        self._queue: list[Lane] = []  # the lanes in `_drain`'s order
        self._caught_up: set[tuple[int, TopicPartition]] = set()
        self._readers: dict[TopicPartition, list[Task]] = {}
        self._internal: frozenset[str] = frozenset()
        self._direct: frozenset[int] = frozenset()  # the ids of tasks called at once
        # Told of each query that stops on a record it cannot process (`failure.py`).
        self.on_failure: Callable[[QueryFailed], None] | None = None

    # -- queries -----------------------------------------------------------------------------

    def add(self, plan: PhysicalPlan, reset: str = "earliest") -> RunningQuery:
        query = self.factory.create(plan, next(self._order), self._bind, reset)
        self.queries[plan.query_id] = query
        if self.membership is not None:
            self.membership.join(query)
        self._reindex()
        return query

    def commit_start(self, query: RunningQuery) -> None:
        """Commit a new query's starting offsets, so that a restart resumes exactly there
        (and a `latest` reset is never re-evaluated later)."""
        txn = self._begin()
        try:
            positions = {tp: pos for task in query.tasks for tp, pos in task.positions.items()}
            committed = self.log.committed(query.group, positions)
            # Only where nothing is committed yet: another engine may already be running it.
            offsets = {tp: pos for tp, pos in positions.items() if tp not in committed}
            if offsets:
                txn.send_offsets(query.group, offsets)
            txn.commit()
        except BaseException:
            if txn.status is not TxnStatus.COMMITTED:  # else keep the real error in view
                txn.abort()
            raise
        finally:
            self._txn = None

    def restore(self, query: RunningQuery) -> None:
        """Put back a query `remove` took out, with its tasks and their state as they were
        (a CREATE OR REPLACE that failed after stopping the query it was to replace)."""
        self.queries[query.query_id] = query
        if self.membership is not None:
            self.membership.join(query)
        self._reindex()

    def remove(self, query_id: str) -> None:
        self.queries.pop(query_id, None)
        if self.membership is not None:
            self.membership.leave(query_id)
        self._reindex()

    def set_paused(self, query_id: str, paused: bool) -> None:
        """PAUSE / RESUME: a paused query's tasks leave the readers, so no step reads for
        them; their positions and state stay, and a resumed query reads on from there.
        RESUME also retries a query stopped in ERROR, from the record it stopped on."""
        query = self.queries.get(query_id)
        if query is None:
            return
        retried = not paused and query.failure is not None
        if query.paused != paused or retried:
            query.paused = paused
            if retried:
                query.failure = None
            self._reindex()

    def _owned(self, task: Task) -> bool:
        return self.membership is None or self.membership.owns(task)

    def _reindex(self) -> None:
        assign_ranks(list(self.queries.values()))
        self._readers = {}
        for query in self.queries.values():
            if query.paused or query.failure is not None:
                continue
            for task in query.tasks:
                if not self._owned(task):
                    continue
                for tp in task.inputs:
                    self._readers.setdefault(tp, []).append(task)
        for tasks in self._readers.values():
            tasks.sort(key=lambda t: t.rank)
        self._direct = frozenset() if self.harness else direct_tasks(
            self.queries.values(), self._readers)
        self._lanes = {order: [] for order in sorted(
            {_order(t, tp.topic) for q in self.queries.values() for t in q.tasks
             for tp in t.inputs if id(t) not in self._direct})}
        self._queue = list(self._lanes.values())
        self._internal = frozenset(t for q in self.queries.values()
                                   for t in q.plan.internal_topics)

    def close(self) -> None:
        """Release the transactional producer and leave the query groups (running
        queries stay in the catalogue)."""
        if self.membership is not None:
            self.membership.close()
        if self._producer is not None:
            self._producer.close()
            self._producer = None

    def tasks(self) -> Iterable[Task]:
        """The tasks that run here."""
        for query in self.queries.values():
            for task in query.tasks:
                if self._owned(task):
                    yield task

    def _take_over(self, everything: bool = False) -> None:
        """After the membership synced a rebalance: rebuild from the log each task this
        engine now owns and did not run before (or all it owns, when its own view may be
        stale)."""
        membership = self.membership
        assert membership is not None
        running = {id(t) for tasks in self._readers.values() for t in tasks}
        for query in self.queries.values():
            for index, task in enumerate(query.tasks):
                if membership.owns(task) and (everything or id(task) not in running):
                    query.tasks[index] = self.factory.rebuild(query, task)
        self._reindex()

    # -- transactions ------------------------------------------------------------------------

    def _begin(self) -> Transaction:
        if self._producer is None:
            self._producer = self.log.transactional_producer(self.producer_id)
        self._txn = self._producer.begin()
        self._predicts = self._txn.predicts_positions
        self._pending = {}
        self._starts = {}
        self._settles = []
        self._routes.clear()
        self._senders.clear()  # (in place: the tasks' outboxes hold it)
        for outlet in self._outlets:
            outlet.clear()
        return self._txn

    def _route(self, producer: Task, topic: str, partition: int) -> _Route:
        """Where `producer`'s records on `topic`-`partition` go in this step (cached for
        the step: readers, ranks and catch-up states do not change within it)."""
        tp = TopicPartition(topic, partition)
        readers = self._readers.get(tp, ())
        takers = [t for t in readers
                  if t.rank > producer.rank and self._routable(producer, t, tp)]
        # A repartition record that every reader takes in this very transaction need not
        # be written: if the step aborts, it is re-created from the source record.
        elide = (bool(takers) and topic in self._internal and not self.harness
                 and len(takers) == len(readers))
        handed = (tuple((self._lane(t, topic), t.routed[topic]) for t in takers)
                  if elide and all(topic in t.routed for t in takers) else None)
        pending, start = None, 0
        if self._predicts and not elide:
            # Operators place every record and stamp it, so all of a step's records take
            # the predicted path (mixing it with immediate appends would reorder them).
            pending = self._pending.get(tp)
            if pending is None:
                pending = self._pending[tp] = []
            if takers:
                found = self._starts.get(tp)
                if found is None:
                    assert self._txn is not None  # (pending records are not in it yet)
                    found = self._starts[tp] = self._txn.end_offset(tp)
                start = found
        route = _Route(tp, tuple((self._lane(t, topic), t.entry_for(topic), t) for t in takers),
                       elide, handed, pending, start)
        self._routes[(producer, topic, partition)] = route
        return route

    def _bind(self, task: Task) -> tuple[Emit, Callable[[str], Handover] | None,
                                         Callable[[str], Outlet]]:
        """Where `task`'s records go, (live mode) its repartition changes in memory, and
        its sink's way out."""
        outbox = _Outbox(task, self)
        return outbox.emit, outbox.handover if not self.harness else None, outbox.outlet

    def _hand(self, producer: Task, topic: str, partition: int) -> Hand:
        """What hands `producer`'s repartition changes of `topic`-`partition` over in this
        step: to every reader, in memory, neither encoded nor written (straight to the
        operator after the reader's entry; never written, it moves no position), when
        every reader takes them in this step; else it says False (they are written)."""
        route = self._routes.get((producer, topic, partition))
        if route is None:
            route = self._route(producer, topic, partition)
        handed = route.handed
        if handed is None:
            return _not_handed
        if len(handed) == 1 and handed[0][0] is None:  # (the usual case)
            return handed[0][1]  # (a reader's `routed`: a Hand itself, `topology._handed`)

        def hand(rec: Rec) -> bool:
            for queue, take in handed:
                _deliver(queue, take, rec)
            return True

        return hand

    def _sender(self, producer: Task, topic: str, placed: int | None) -> Send:
        """What takes `producer`'s records of `topic` placed on `placed` in this step
        (cached with the route): the usual cases get a few lines of their own, one
        emitted record costing a few lines, not a walk through every case (`_send`)."""
        assert self._txn is not None, "operators only emit inside a step"
        route = self._routes.get((producer, topic, placed if placed is not None else 0))
        if route is None:
            route = self._route(producer, topic, placed if placed is not None else 0)
        pending = route.pending
        send: Send
        if pending is None or placed is None:
            send = partial(self._send, route)
        elif not route.consumers:
            send = pending.append  # nobody reads it in this step: written at the commit
        else:
            send = self._predicted(route, pending)
        self._senders[(producer, topic, placed)] = send
        return send

    def _writer(self, producer: Task, topic: str, placed: int) -> SendRows:
        """What takes `producer`'s sink's records handed along with their rows (cached
        for the step in the sink's `Outlet`): `_predicted`'s, handing them decoded to
        the readers decoding as the sink writes (to the only one, called at once: its
        own, `_direct_rows`); else the record alone goes on."""
        send = self._senders.get((producer, topic, placed))
        if send is None:
            send = self._sender(producer, topic, placed)
        route = self._routes[(producer, topic, placed)]
        shape = producer.writes.get(topic)
        rows: SendRows
        if route.pending is not None and shape is not None and any(
                task.decoded.get(topic) == shape for _, _, task in route.consumers):
            (queue, take, reader), *others = route.consumers
            direct_rows = reader.direct_rows.get(topic)
            if queue is None and not others and direct_rows is not None:
                return self._direct_rows(route, route.pending, take, direct_rows,
                                         self._settles)
            rows = self._predicted(route, route.pending, shape)
        else:
            def rows(record: RecordRow, key: Row, row: Row | None) -> None:
                send(record)
        return rows

    def _predicted(self, route: _Route, pending: list[RecordRow],
                   shape: object = None) -> _Predicted:
        """`_send` for a record some task reads in this step, when positions are
        predicted: its offset is the route's next, and it is queued for each reader.
        Given the record's key and value rows (`_writer`), the readers decoding with the
        writer's `shape` take it `DECODED`, as those rows."""
        tp = route.tp
        topic, partition = tp
        start = route.start
        append = pending.append
        readers = tuple((queue, take, task.positions,
                         shape is not None and task.decoded.get(topic) == shape)
                        for queue, take, task in route.consumers)

        if len(readers) == 1:  # (the usual case: one reader, no loop over readers)
            ((queue, take, positions, decodes),) = readers

            if queue is None:  # (one decoding as written has its own: `_writer`)
                return self._direct_one(route, pending, take)
            enqueue: Queue = queue

            def send_one(record: RecordRow, key: Row | None = None,
                         row: Row | None = None) -> None:
                offset = start + len(pending)
                append(record)  # (a Record: value, key, headers, timestamp, partition)
                if positions.get(tp, -1) <= offset:  # (as in `_send`)
                    positions[tp] = offset + 1
                if key is not None and decodes:
                    enqueue((take, new_tuple(LogRecord, (
                        topic, partition, offset, key, row, record[2], record[3], DECODED))))
                else:
                    enqueue((take, new_tuple(LogRecord, (
                        topic, partition, offset, record[1], record[0], record[2], record[3],
                        _CREATE_TIME))))

            return send_one

        def send(record: RecordRow, key: Row | None = None,
                 row: Row | None = None) -> None:
            offset = start + len(pending)
            append(record)
            value, raw_key, headers, stamp, _ = record
            if key is None:
                log_record = new_tuple(LogRecord, (
                    topic, partition, offset, raw_key, value, headers, stamp, _CREATE_TIME))
            else:
                log_record = new_tuple(LogRecord, (
                    topic, partition, offset, key, row, headers, stamp, DECODED))
            for queue, take, positions, decodes in readers:  # (as in `_send`)
                if positions.get(tp, -1) <= offset:
                    positions[tp] = offset + 1
                if decodes or key is None:
                    _deliver(queue, take, log_record)
                else:  # (a reader decoding otherwise: the record as written)
                    _deliver(queue, take, new_tuple(LogRecord, (
                        topic, partition, offset, raw_key, value, headers, stamp,
                        _CREATE_TIME)))

        return send

    @staticmethod
    def _direct_one(route: _Route, pending: list[RecordRow],
                    take: Callable[[LogRecord], None]) -> _Predicted:
        """`_predicted`'s sender for one reader called at once (`direct.py`), taking
        the record as written (a LogRecord)."""
        tp, start, append = route.tp, route.start, pending.append
        topic, partition = tp
        positions = route.consumers[0][2].positions

        def send_direct(record: RecordRow, key: Row | None = None,
                        row: Row | None = None) -> None:
            offset = start + len(pending)
            append(record)
            if positions.get(tp, -1) <= offset:  # (as in `_send`)
                positions[tp] = offset + 1
            try:
                take(new_tuple(LogRecord, (topic, partition, offset, record[1], record[0],
                                           record[2], record[3], _CREATE_TIME)))
            except (ToteError, OperatorError):
                raise
            except Exception as exc:  # (as `_call`)
                raise OperatorError(take, exc) from exc

        return send_direct

    @staticmethod
    def _direct_rows(route: _Route, pending: list[RecordRow], take: Callable[[LogRecord], None],
                     direct_rows: DirectRows, settles: list[Callable[[], None]]) -> SendRows:
        """`_direct_one` for a reader that takes the sink's key and row as they are
        (`DECODED`): its `direct_rows` makes the sender, which appends each record and
        hands the reader its parts in one call, with no LogRecord to build.

        Its position moves once, as the step commits (`settles`), to after the last
        record it took (`taken`): as far as moving it per record would (a position only
        moves forward), and nothing decides by it before then. The reader takes these
        records because it has read `tp` to its end (`_routable`), so no record read from
        the log in this step is its to take, and the rest move it forward only."""
        tp = route.tp
        positions = route.consumers[0][2].positions
        taken = [-1]  # the offset of the last record taken (-1: none yet)

        def settle() -> None:
            last = taken[0]
            if last >= 0 and positions.get(tp, -1) <= last:
                positions[tp] = last + 1

        settles.append(settle)
        return direct_rows(pending, route.start, taken, take)

    def _send(self, route: _Route, record: RecordRow) -> None:
        """Every case of an emitted record (see `_sender` for the usual ones)."""
        txn = self._txn
        assert txn is not None
        value, key, headers, stamp, placed = record
        tp, consumers, elide, _, pending, start = route
        topic, partition = tp
        if elide:
            # Offset -1 ("never written") leaves the readers' positions where they are.
            assert stamp is not None
            offset = -1
        elif pending is not None:
            assert placed is not None and stamp is not None
            offset = start + len(pending)
            pending.append(record)
            if not consumers:
                return
        else:
            if not consumers:
                self._pending.setdefault(tp, []).append(record)
                return
            position = txn.append(topic, [as_record(record)])[0]
            partition, offset = position.partition, position.offset
            if stamp is None:
                stamp = position.timestamp
        log_record = new_tuple(LogRecord, (
            topic, partition, offset, key, value, headers, stamp, _CREATE_TIME))
        if partition != tp.partition:  # placed by the log: not what `consumers` read
            for queue, _, task in consumers:  # (`process` moves the position it read)
                _deliver(queue, task.process, log_record)
            return
        for queue, take, task in consumers:
            # The reader's position moves as the record is queued, not as it is taken:
            # nothing reads positions before the queue drains, and an error on the way
            # aborts the step, which puts every position back (`Task.rollback`). As
            # `Task.process`: a position only moves forward (-1: none yet; an elided
            # record's offset -1 leaves it where it is).
            positions = task.positions
            if positions.get(tp, -1) <= offset:
                positions[tp] = offset + 1
            _deliver(queue, take, log_record)

    def _routable(self, producer: Task, consumer: Task, tp: TopicPartition) -> bool:
        if self.harness:
            return consumer.query_id == producer.query_id
        return (id(consumer), tp) in self._caught_up

    def _lane(self, task: Task, topic: str) -> Queue | None:
        """The lane `task`'s work on `topic` is queued in; None for a task called at once."""
        if id(task) in self._direct:
            return None
        return self._lanes[_order(task, topic)].append

    def _drain(self) -> None:
        """Take the queued work to quiescence: lane by lane (by rank, at equal rank table
        inputs first), each in the order it was queued. A task only queues work for readers
        ranked after it (`_route`), so what a lane's work queues goes to a later lane: one
        pass over the lanes takes everything, in the order one priority queue would."""
        take = None
        try:
            for lane in self._queue:
                if lane:
                    for take, record in lane:
                        take(record)
                    lane.clear()
        except (ToteError, OperatorError):
            # the log's (a conflict, a fenced producer...): the step is retried; or a
            # task called at once failed (`_call`)
            raise
        except Exception as exc:  # an operator's: the query cannot go on (failure.py)
            raise OperatorError(take, exc) from exc

    def _fail(self, take: object, cause: BaseException, record: LogRecord,
              processed: int) -> QueryFailed:
        """Stop the query whose task took `record` and raised `cause`."""
        task = next(t for q in self.queries.values() for t in q.tasks
                    if take in (t.process, *t.entries.values(), *t.routed.values()))
        failed = QueryFailed(task.query_id, f"{task.sub.index}_{task.partition}", record,
                             cause, processed)
        self.queries[task.query_id].failure = failed
        self._reindex()
        if self.on_failure is not None:
            self.on_failure(failed)
        return failed

    def _commit(self, txn: Transaction, touched: Iterable[Task]) -> None:
        """Commit a step (see the module doc): the numbered steps run in this order."""
        tasks = list(touched)
        # 1. Outputs, in the order they were emitted; predicted positions must hold.
        for tp, records in self._pending.items():
            if not records:
                continue
            start = self._starts.get(tp)
            # Where offsets were handed out, the first record must go where promised
            # (`end_offset`: where the next record on `tp` goes, as `append` would place it).
            if start is not None and txn.end_offset(tp) != start:
                raise TransactionConflict(
                    f"Another writer appended to {tp.topic}-{tp.partition} during this "
                    "step; retrying.")
            txn.write_rows(tp.topic, records)
        self._pending = {}
        # 2. Consumed offsets of every query's consumer group (through this engine's
        #    member when work is shared, so a stale owner cannot commit).
        for settle in self._settles:
            settle()
        by_query: dict[str, dict[TopicPartition, int]] = {}
        for task in tasks:
            changed = {tp: pos for tp, pos in task.positions.items()
                       if task.committed.get(tp) != pos}
            if changed:
                by_query.setdefault(task.query_id, {}).update(changed)
        for query_id, offsets in by_query.items():
            group: str | GroupConsumer = (self.membership.member(query_id)
                                          if self.membership is not None
                                          else self.queries[query_id].group)
            txn.send_offsets(group, offsets)
        # 3. State-store changes of every task.
        for task in tasks:
            for state in task.states:
                if state.dirty:
                    state.flush(txn)
        # 4. The commit itself; only then do positions and state caches move on.
        txn.commit()
        for task in tasks:
            task.mark_committed()
            for state in task.states:
                state.commit()

    def _abort(self, txn: Transaction, touched: Iterable[Task]) -> None:
        for lane in self._queue:
            lane.clear()
        self._pending = {}
        try:
            txn.abort()
        finally:
            for task in touched:
                task.rollback()

    def run_records(self, records: Sequence[LogRecord], consumers_of: dict[TopicPartition,
                    list[Task]], touched: Iterable[Task]) -> int:
        """One transaction: feed `records` (in order) to their consumers, to quiescence.
        A query that cannot process a record stops there (`failure.py`): the records
        before it are committed and `QueryFailed` is raised."""
        touched = list(touched)
        txn = self._begin()
        count = 0
        # Queue work by rank; at equal rank, table updates go before stream records so a
        # join sees every table change the same source record caused.
        readers: dict[tuple[str, int], list[_Readers]] = {}
        queued = bool(self._queue)  # (no lanes: every reader is called at once)
        try:
            for record in records:
                # (topic, partition) equals and hashes as the TopicPartition key it finds.
                tp: TopicPartition = record[:2]  # type: ignore[assignment]
                found = readers.get(tp)
                offset = record[2]
                if found is None:
                    found = readers[tp] = self._readers_of(tp, consumers_of.get(tp, ()), offset)
                for decode, mark, shared, each in found:
                    if mark is not None:  # (one position for the run: `_Mark`)
                        if offset < mark.next:
                            continue
                        mark.next = offset + 1
                        parts = decode(record)  # type: ignore[misc]  # (a shared run's)
                        if parts is None:
                            for _, _, (queue, take) in each:
                                _deliver(queue, take, record)
                            continue
                        key_row, row = parts
                        for _, _, take_row, take in shared:
                            try:
                                take_row(key_row, row, record)
                            except (ToteError, OperatorError):
                                raise
                            except Exception as exc:
                                raise OperatorError(take, exc) from exc
                        continue
                    parts = None if decode is None else decode(record)
                    if parts is not None:
                        # Decoded once for readers that decode it alike (`_readers_of`).
                        key_row, row = parts
                        for task, key, take_row, take in shared:
                            positions = task.positions  # (as below)
                            if positions.get(key, 0) <= offset:
                                positions[key] = offset + 1
                                try:
                                    take_row(key_row, row, record)
                                except (ToteError, OperatorError):
                                    raise
                                except Exception as exc:
                                    raise OperatorError(take, exc) from exc
                        continue
                    for task, key, (queue, take) in each:
                        # A record before the reader's position was taken already; else
                        # the position moves as it is queued (see `_send`).
                        positions = task.positions
                        if positions.get(key, 0) <= offset:
                            positions[key] = offset + 1
                            _deliver(queue, take, record)
                if queued:
                    self._drain()
                count += 1
            self._commit(txn, touched)
        except OperatorError as error:
            self._abort(txn, touched)
            processed = self.run_records(records[:count], consumers_of, touched) \
                if count else 0
            raise self._fail(error.take, error.cause, records[count], processed) from None
        except Fenced:
            self._abort(txn, touched)
            if self.membership is None:
                raise
            # A rebalance this engine had not seen yet: retry with what it owns now.
            self.membership.sync()
            self._take_over(everything=True)
            raise TransactionConflict(
                "The query's consumer group rebalanced during this step; retrying.") from None
        except BaseException:
            self._abort(txn, touched)
            raise
        finally:
            self._txn = None
            self._caught_up = set()
            self._settles = []
            self._routes.clear()
            self._senders.clear()  # (in place: the tasks' outboxes hold it)
            for outlet in self._outlets:
                outlet.clear()
        return count

    def _readers_of(self, tp: tuple[str, int], tasks: Sequence[Task],
                    first: int) -> list[_Readers]:
        """How `run_records` hands a record of `tp` to its readers, in rank order: each
        its own way (its lane, or called at once with the record), but a run of readers
        called at once that decode it alike (one source, rows without mutable values)
        decode it once, and each takes it as its parts. `first`: the offset of the
        step's first record of `tp`."""
        topic = tp[0]
        runs: list[list[Task]] = []
        for task in tasks:
            source = self._decodes_with(task, topic)
            if runs and source is not None and source == self._decodes_with(runs[-1][0], topic):
                runs[-1].append(task)
            else:
                runs.append([task])
        out: list[_Readers] = []
        for run in runs:
            each = [(t, _position_key(t, tp), (self._lane(t, topic), t.entry_for(topic)))
                    for t in run]
            decoder = run[0].decoders.get(topic)
            if len(run) < 2 or decoder is None:  # (a run of two or more shares one)
                out.append((None, None, [], each))
                continue
            shared = [(t, _position_key(t, tp), t.decoders[topic][2], t.entry_for(topic))
                      for t in run]
            mark = None
            if all(t.positions.get(key, 0) <= first for t, key, _, _ in shared):
                mark = _Mark(first, [(t.positions, key) for t, key, _, _ in shared])
                self._settles.append(mark.settle)
            # (the only run: its readers are the record's only ones, see `decoding_alone`)
            out.append((decoder[3] if len(runs) == 1 else decoder[1], mark, shared, each))
        return out

    def _decodes_with(self, task: Task, topic: str) -> object:
        """What `task` decodes `topic` with, if it is called at once (`Task.decoders`)."""
        found = task.decoders.get(topic) if id(task) in self._direct else None
        return None if found is None else found[0]

    # -- live mode ---------------------------------------------------------------------------

    def step(self, max_records: int = MAX_POLL_RECORDS) -> int:
        """Process up to `max_records` new records from the log in one transaction."""
        if self.membership is not None and self.membership.due() and self.membership.sync():
            self._take_over()
        batches: dict[TopicPartition, list[LogRecord]] = {}
        caught: set[tuple[int, TopicPartition]] = set()
        starts = {tp: min(t.positions.get(tp, 0) for t in readers)
                  for tp, readers in self._readers.items()}
        # One snapshot of every input: a record is never taken before one appended
        # earlier to another partition, which a later read would have found.
        for tp, records in self.log.read_many(starts, max_records).items():
            if records:
                batches[tp] = records
            end = records[-1].offset + 1 if records else starts[tp]
            complete = len(records) < max_records
            for task in self._readers[tp]:
                if complete and task.positions.get(tp, 0) >= end:
                    caught.add((id(task), tp))
        if not batches:
            return 0
        self._caught_up = caught
        ordered = _merge(batches, max_records)
        try:
            return self.run_records(ordered, self._readers, self.tasks())
        except QueryFailed as failed:
            # The failed query reads no more; the others go on from where it stopped.
            return failed.processed + self.step(max_records)

    def run_until_idle(self, max_records: int = MAX_POLL_RECORDS) -> int:
        total = 0
        while True:
            done = self.step(max_records)
            if done == 0:
                return total
            total += done

    def positions(self) -> dict[TopicPartition, int]:
        """Where the slowest reader of each input partition is (for waiting on the log)."""
        return {tp: min(t.positions.get(tp, 0) for t in readers)
                for tp, readers in self._readers.items()}


class _Mark:
    """The one position of a run of readers sharing a decoder (`Runtime._readers_of`)
    that were all at or before the step's first record of the partition: from there on
    each takes every record the others take, so `run_records` tests and moves this one
    position per record rather than each reader's. Their positions move to it as the
    step commits (`settle`): as far as moving each per record would, and nothing decides
    by them before then (their partition is read from the log, not routed to them:
    `Runtime._routable` routes records only to readers already at its end, and in the
    harness no reader is called at once, so none shares a decoding)."""

    __slots__ = ("first", "next", "positions")

    def __init__(self, first: int,
                 positions: list[tuple[dict[TopicPartition, int], TopicPartition]]) -> None:
        self.first = self.next = first
        self.positions = positions

    def settle(self) -> None:
        if self.next > self.first:  # (a record was taken)
            for positions, key in self.positions:
                if positions.get(key, 0) < self.next:
                    positions[key] = self.next


def _position_key(task: Task, tp: tuple[str, int]) -> TopicPartition:
    """What `task.positions` is keyed by for `tp`: the very key it holds (`Task.inputs`'),
    so that a lookup finds it at once rather than comparing two equal tuples."""
    return next((key for key in task.inputs if key == tp), None) or TopicPartition(*tp)


def _order(task: Task, topic: str) -> int:
    """Where a reader's work on `topic` goes in the queue: by the reader's rank, and
    within a rank table updates first (see `run_records`)."""
    return 2 * task.rank + (0 if topic in task.table_topics else 1)


def _merge(batches: dict[TopicPartition, list[LogRecord]], limit: int) -> list[LogRecord]:
    """Interleave partitions by record timestamp (ties by topic, partition), keeping each
    partition's own order, as a Kafka Streams task picks its next record. At most `limit`
    records: a partition read in part (`limit` records) is never used up before the
    records of the others that come after its unread rest."""
    if len(batches) == 1:  # one partition with new records (the usual step): its order
        (records,) = batches.values()
        return records[:limit]
    heads = [(records[0].timestamp, tp.topic, tp.partition, 0, tp)
             for tp, records in batches.items()]
    heapq.heapify(heads)
    out: list[LogRecord] = []
    while heads and len(out) < limit:
        _, topic, partition, index, tp = heapq.heappop(heads)
        records = batches[tp]
        out.append(records[index])
        if index + 1 < len(records):
            heapq.heappush(heads, (records[index + 1].timestamp, topic, partition, index + 1,
                                   tp))
    return out


def _call(take: Callable[[Any], object], record: Any) -> None:
    """`take(record)` for a reader called at once: a failure is its query's (as `_drain`
    tells), not that of the task whose record it took."""
    try:
        take(record)
    except (ToteError, OperatorError):
        raise
    except Exception as exc:
        raise OperatorError(take, exc) from exc


def _deliver(queue: Queue | None, take: Callable[[Any], object], record: Any) -> None:
    """Queue `record` for `take`, or (a reader called at once) take it now."""
    if queue is None:
        _call(take, record)
    else:
        queue((take, record))


def _not_handed(rec: Rec) -> bool:
    """The `Hand` of a change some reader does not take in the step: it is written."""
    return False
