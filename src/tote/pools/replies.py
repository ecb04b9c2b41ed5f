"""The intake's waiting room: requests waiting for the sequencer's outcomes.

A request (one bet, a batch of bets, one race command) is one `Pending`: one future for
all its commands, completed once every command has its outcome, so a batch of a thousand
bets costs one future, not a thousand. Outcomes arrive from the outcomes topic keyed by the
request id, each record answering some of its commands by their `seq` (`deliver`); a
command still unanswered at the request's deadline gets a NO_ANSWER outcome (`expire`), so
a batch is always answered bet by bet.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field

import msgspec

from tote.pools.outcomes import NO_ANSWER, CommandOutcome, decode_outcomes, failure

Outcomes = Future[list[CommandOutcome]]
logger = logging.getLogger(__name__)


@dataclass(slots=True, eq=False)
class Pending:
    key: bytes  # the request id
    size: int  # its commands, answered by seq 0 .. size - 1
    deadline: float
    future: Outcomes = field(default_factory=Future)
    outcomes: list[CommandOutcome | None] = field(default_factory=list)
    missing: int = 0

    def __post_init__(self) -> None:
        self.outcomes = [None] * self.size
        self.missing = self.size


class Replies:
    """Thread-safe: requests register from any thread, the watcher delivers and expires."""

    def __init__(self, reply_timeout_s: float) -> None:
        self.reply_timeout_s = reply_timeout_s
        self._lock = threading.Lock()
        self._by_key: dict[bytes, Pending] = {}

    def register(self, key: bytes, size: int, now: float) -> Pending:
        """Wait for the `size` outcomes of request `key`."""
        pending = Pending(key, size, now + self.reply_timeout_s)
        with self._lock:
            self._by_key[key] = pending
        return pending

    def deliver(self, records: Iterable[tuple[bytes | None, bytes | None]]) -> None:
        """(request id, outcomes) read from the outcomes topic; others' are ignored."""
        with self._lock:
            found = [
                (pending, value)
                for key, value in records
                if value is not None and (pending := self._by_key.get(key or b"")) is not None
            ]
        answers: list[tuple[Pending, list[tuple[int, CommandOutcome]]]] = []
        for pending, value in found:  # decoded outside the lock
            try:
                answers.append((pending, decode_outcomes(value)))
            except msgspec.DecodeError as exc:  # not the sequencer's: nobody's answer
                logger.warning("Skipping an outcome record of request %r: %s", pending.key, exc)
        self._fill(answers)

    def deliver_answers(
        self, answered: Iterable[tuple[bytes, list[tuple[int, CommandOutcome]]]]
    ) -> None:
        """Outcomes a sequencer of this process has just committed, handed over directly
        (the same ones the outcomes topic holds now; whichever arrives second is a no-op)."""
        with self._lock:
            found = [
                (pending, answers)
                for key, answers in answered
                if (pending := self._by_key.get(key)) is not None
            ]
        self._fill(found)

    def _fill(self, answers: list[tuple[Pending, list[tuple[int, CommandOutcome]]]]) -> None:
        complete = []
        with self._lock:
            for pending, outcomes in answers:
                for seq, outcome in outcomes:
                    if 0 <= seq < pending.size and pending.outcomes[seq] is None:
                        pending.outcomes[seq] = outcome
                        pending.missing -= 1
                if pending.missing == 0 and self._by_key.get(pending.key) is pending:
                    del self._by_key[pending.key]
                    complete.append(pending)
        for pending in complete:
            pending.future.set_result([o for o in pending.outcomes if o is not None])

    def expire(self, now: float) -> None:
        """Answer NO_ANSWER for every command whose request's deadline passed."""
        with self._lock:
            late = [p for p in self._by_key.values() if p.deadline <= now]
        if late:
            no_answer = self.no_answer()
            self._fill(
                [
                    (p, [(seq, no_answer) for seq, o in enumerate(p.outcomes) if o is None])
                    for p in late
                ]
            )

    def no_answer(self) -> CommandOutcome:
        return failure(
            NO_ANSWER,
            f"The sequencer did not answer within "
            f"{self.reply_timeout_s:g} s. The command may still be "
            "sequenced: retry a bet with the same idempotency_key to "
            "learn its outcome.",
        )

    def fail(self, pending: Pending, error: BaseException) -> None:
        """The request never reached the log: its future fails with `error`."""
        with self._lock:
            if self._by_key.get(pending.key) is not pending:
                return
            del self._by_key[pending.key]
        pending.future.set_exception(error)

    def fail_all(self, error: BaseException) -> None:
        with self._lock:
            pending, self._by_key = list(self._by_key.values()), {}
        for request in pending:
            request.future.set_exception(error)
