"""The intake: puts requests on `tote_commands` and hands back the sequencer's answers.

    intake = Intake(log); intake.start()
    outcomes = intake.place_bets([BetRequest(...), ...]).result()   # one per bet, in order

A request becomes commands sharing a fresh request id (its bets numbered by `seq`),
keyed by their races, each placed in the partition Kafka's default partitioner gives its
race. A writer thread appends whatever requests are waiting together (`Log.append_many`:
one commit on sqlite, each request still atomic on its own). A watcher thread tails
`tote_command_outcomes` and hands each outcome record to the request waiting under its
request id (`replies.py`); a sequencer running in the same service hands its outcomes over
directly once committed (`Replies.deliver_answers`). Either way an answer always comes
after the sequencer's commit, whichever process sequenced it. A command the sequencer has
not answered within `reply_timeout_s` gets a NO_ANSWER outcome (retrying a bet with the
same idempotency key is safe).

A retried bet whose idempotency key the sequencer has already committed is answered from
its dedupe table at once, and puts nothing on the log (a batch's keys are looked up in
one `StateStore.get_many`).

If the writer or the watcher thread dies, `on_failure` is told (the service then fails
visibly); `refuse` answers every waiting request with an error and refuses new ones.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TypeVar

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.core.errors import ToteError
from tote.core.records import Headers, Record, TopicPartition
from tote.log.base import Log
from tote.log.partitioner import partition_for_key
from tote.pools.commands import (
    MAX_IDEMPOTENCY_KEY,
    RACE_ID,
    BetRequest,
    CancelBet,
    CloseBetting,
    Command,
    DeclareResult,
    OpenRace,
    OpenRaceRequest,
    PlaceBet,
    ScratchRunner,
    VoidRace,
    encode_command,
    pool_rules_of,
)
from tote.pools.errors import IntakeStopping, InvalidRequest, ServiceFailed
from tote.pools.outcomes import CommandOutcome, key_reused
from tote.pools.pool_defs import MAX_RUNNERS
from tote.pools.replies import Outcomes, Pending, Replies
from tote.pools.sequencer_state import STORE, read_dedupes
from tote.pools.topics import COMMANDS, OUTCOMES, race_key

DEFAULT_REPLY_TIMEOUT_S = 10.0
MAX_GROUP_REQUESTS = 500
MAX_REMEMBERED_RACES = 10_000
logger = logging.getLogger(__name__)
Answer = Future[CommandOutcome]


def check_race_id(race_id: str) -> None:
    if not RACE_ID.match(race_id):
        raise InvalidRequest(
            f"Invalid race_id '{race_id}': 1 to 100 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit."
        )


def check_bet(request: BetRequest) -> None:
    """What the intake checks itself: shapes. Everything else is the sequencer's to judge."""
    check_race_id(request.race_id)
    _check_bet_shape(request)


def check_bets(requests: Sequence[BetRequest | InvalidRequest]) -> list[InvalidRequest | None]:
    """`check_bet` of each request (an InvalidRequest given is its own answer), checking
    each race id once: a batch's bets are on a few races."""
    races: dict[str, InvalidRequest | None] = {}
    problems: list[InvalidRequest | None] = []
    for request in requests:
        if isinstance(request, InvalidRequest):
            problems.append(request)
            continue
        race_id = request.race_id
        if race_id not in races:
            try:
                check_race_id(race_id)
                races[race_id] = None
            except InvalidRequest as exc:
                races[race_id] = exc
        problem = races[race_id]
        if problem is None:
            try:
                _check_bet_shape(request)
            except InvalidRequest as exc:
                problem = exc
        problems.append(problem)
    return problems


def _check_bet_shape(request: BetRequest) -> None:
    if not 0 < len(request.idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidRequest(f"idempotency_key must be 1 to {MAX_IDEMPOTENCY_KEY} characters.")
    if (request.selection is None) == (request.box is None):
        raise InvalidRequest("A bet has either 'selection' or 'box', not both or neither.")
    runners = request.selection if request.selection is not None else request.box
    if runners is not None and len(runners) > MAX_RUNNERS:
        raise InvalidRequest(f"A bet names at most {MAX_RUNNERS} runners, not {len(runners)}.")


class Intake:
    """Appends commands and answers each with its outcome (see the module doc)."""

    def __init__(
        self,
        log: Log,
        *,
        clock: Clock = SYSTEM_CLOCK,
        reply_timeout_s: float = DEFAULT_REPLY_TIMEOUT_S,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.log = log
        self.clock = clock
        self.on_failure = on_failure  # told, from the thread, if the writer or watcher dies
        self.replies = Replies(reply_timeout_s)
        self._prefix = uuid.uuid4().hex[:16] + "-"
        self._ids = itertools.count()
        self._lock = threading.Condition()
        self._queue: list[tuple[list[Record], Pending]] = []
        self._positions: dict[TopicPartition, int] = {}
        self._partitions: int | None = None  # of tote_commands, read when first needed
        self._places: dict[str, tuple[bytes, Headers, None, int]] = {}
        self._stopping = False
        self._refusal: str | None = None  # why requests are refused (see `refuse`)
        self._threads: list[threading.Thread] = []

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Follow outcomes from their current end, then accept requests."""
        partitions = self.log.describe_topic(OUTCOMES).partitions
        self._positions = {TopicPartition(OUTCOMES, p.partition): p.end_offset for p in partitions}
        for target, name in (
            (self._write, "tote-intake-writer"),
            (self._watch, "tote-intake-watcher"),
        ):
            thread = threading.Thread(
                target=self._guarded, args=(target, name), name=name, daemon=True
            )
            thread.start()
            self._threads.append(thread)

    @property
    def running(self) -> bool:
        """Whether the writer and watcher threads are both alive."""
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def _guarded(self, target: Callable[[], None], name: str) -> None:
        try:
            target()
        except Exception as exc:
            logger.error("The intake's thread %s stopped: %s", name, exc, exc_info=exc)
            if self.on_failure is not None:
                self.on_failure(exc)

    def refuse(self, reason: str) -> None:
        """The service cannot go on: answer every waiting request, and every new one,
        ServiceFailed(`reason`) (what was already appended may still be sequenced)."""
        with self._lock:
            self._refusal = reason
        self.replies.fail_all(ServiceFailed(reason))

    def close(self) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        for thread in self._threads:
            thread.join(30)
        self._threads = []
        self.replies.fail_all(IntakeStopping())

    # -- requests ------------------------------------------------------------------------------

    def place_bets(self, requests: Sequence[BetRequest]) -> Outcomes:
        """The outcome of every bet, in order. Shapes must have passed `check_bet`."""
        entries = read_dedupes(
            self.log.store(STORE), [(r.race_id, r.idempotency_key) for r in requests]
        )
        known: list[CommandOutcome | None] = []
        commands: list[Command] = []
        request_id, now = self._next_id(), self.clock.now_ms()
        for request, entry in zip(requests, entries, strict=True):
            command = PlaceBet(
                request_id,
                request.race_id,
                now,
                request.idempotency_key,
                request.pool,
                request.stake_cents,
                request.selection,
                request.box,
                len(commands),
            )
            if entry is None:
                known.append(None)
                commands.append(command)
            elif entry.fingerprint == command.fingerprint():
                known.append(entry.outcome)
            else:
                known.append(key_reused(request.idempotency_key, request.race_id))
        if len(commands) == len(known):
            return self.submit(commands)  # the usual case: every bet is new
        if not commands:
            return _done([o for o in known if o is not None])

        def merge(sent: list[CommandOutcome]) -> list[CommandOutcome]:
            answers = iter(sent)
            return [o if o is not None else next(answers) for o in known]

        return _then(self.submit(commands), merge)

    def cancel_bet(self, race_id: str, bet_id: str) -> Answer:
        return self._one(CancelBet(self._next_id(), race_id, self.clock.now_ms(), bet_id))

    def open_race(self, request: OpenRaceRequest) -> Answer:
        check_race_id(request.race_id)
        if request.meeting_id is not None and not RACE_ID.match(request.meeting_id):
            raise InvalidRequest(
                f"Invalid meeting_id '{request.meeting_id}': 1 to 100 letters, digits, '.', "
                "'_' or '-', starting with a letter or digit."
            )
        pools = None if request.pools is None else [pool_rules_of(p) for p in request.pools]
        return self._one(
            OpenRace(
                self._next_id(),
                request.race_id,
                self.clock.now_ms(),
                request.runners,
                pools,
                request.meeting_id,
            )
        )

    def close_race(self, race_id: str) -> Answer:
        return self._one(CloseBetting(self._next_id(), race_id, self.clock.now_ms()))

    def scratch(self, race_id: str, runner: int) -> Answer:
        return self._one(ScratchRunner(self._next_id(), race_id, self.clock.now_ms(), runner))

    def declare_result(self, race_id: str, result: list[list[int]]) -> Answer:
        return self._one(DeclareResult(self._next_id(), race_id, self.clock.now_ms(), result))

    def void_race(self, race_id: str) -> Answer:
        return self._one(VoidRace(self._next_id(), race_id, self.clock.now_ms()))

    def _one(self, command: Command) -> Answer:
        return _then(self.submit([command]), lambda outcomes: outcomes[0])

    def submit(self, commands: Sequence[Command]) -> Outcomes:
        """Append the commands of one request (atomically, together); their outcomes, in
        order. One command, or bets that share the request's id with `seq` 0, 1, 2, ..."""
        if not commands:
            return _done([])
        request_id = commands[0].id
        if len(commands) > 1 and any(
            not isinstance(c, PlaceBet) or c.id != request_id or c.seq != n
            for n, c in enumerate(commands)
        ):
            raise ValueError("A request of several commands is bets with seq 0, 1, 2, ...")
        records = [Record(encode_command(c), *self._place(c.race_id)) for c in commands]
        with self._lock:
            if self._stopping:
                raise IntakeStopping()
            if self._refusal is not None:
                raise ServiceFailed(self._refusal)
            pending = self.replies.register(
                request_id.encode(), len(commands), self.clock.monotonic()
            )
            self._queue.append((records, pending))
            self._lock.notify_all()
        return pending.future

    def _place(self, race_id: str) -> tuple[bytes, Headers, None, int]:
        """(key, headers, timestamp, partition) of a race's commands: the partition Kafka's
        default partitioner gives the key, worked out once per race."""
        place = self._places.get(race_id)
        if place is None:
            if len(self._places) >= MAX_REMEMBERED_RACES:
                self._places.clear()
            if self._partitions is None:
                self._partitions = self.log.describe_topic(COMMANDS).spec.partitions
            key = race_key(race_id)
            place = (key, (), None, partition_for_key(key, self._partitions))
            self._places[race_id] = place
        return place

    def _next_id(self) -> str:
        return f"{self._prefix}{next(self._ids)}"

    # -- threads -------------------------------------------------------------------------------

    def _write(self) -> None:
        """Append every request waiting in one group; fail the requests that failed."""
        while True:
            with self._lock:
                while not self._queue and not self._stopping:
                    self._lock.wait()
                if not self._queue:
                    return
                group = self._queue[:MAX_GROUP_REQUESTS]
                del self._queue[:MAX_GROUP_REQUESTS]
            results = self.log.append_many([(COMMANDS, records) for records, _ in group])
            for (_, pending), result in zip(group, results, strict=True):
                if isinstance(result, ToteError):
                    logger.warning("Could not append %d commands: %s", pending.size, result)
                    self.replies.fail(pending, result)

    def _watch(self) -> None:
        """Deliver outcomes from the outcomes topic; expire what nobody answered in time."""
        while True:
            with self._lock:
                if self._stopping:
                    return
            self.log.wait(self._positions, 0.1)
            for tp in list(self._positions):
                while records := self.log.read(tp, self._positions[tp], 5_000):
                    self._positions[tp] = records[-1].offset + 1
                    self.replies.deliver((r.key, r.value) for r in records)
            self.replies.expire(self.clock.monotonic())


T = TypeVar("T")
U = TypeVar("U")


def _done(value: T) -> Future[T]:
    future: Future[T] = Future()
    future.set_result(value)
    return future


def _then(future: Future[T], fn: Callable[[T], U]) -> Future[U]:
    """A future of `fn(result)`, or of the same exception."""
    chained: Future[U] = Future()

    def forward(done: Future[T]) -> None:
        error = done.exception()
        if error is not None:
            chained.set_exception(error)
        else:
            chained.set_result(fn(done.result()))

    future.add_done_callback(forward)
    return chained
