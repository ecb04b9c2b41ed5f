"""What the sequencer does when a batch fails: take it again, set a poison command aside, or stop.

Whatever failed, nothing of the batch was committed, so the sequencer always starts again
from its committed offsets and store: every command still gets exactly one outcome. What
it does before that depends on what failed (`Faults.failed`):

* **A command the decision code cannot decide.** `Steps.apply` raised a programming error
  (`DECISION_ERRORS`: a bug, or a store row that no longer decodes) for one command. The
  decision is a pure function of the committed state and the command, so the batch is
  taken again at once; a command that fails `POISON_ATTEMPTS` times is *poison*. The next
  attempt does not apply it: it answers COMMAND_FAILED (HTTP 500; a bet is REJECTED with
  reason UNPROCESSABLE), copies the record to `tote_commands_dlq` with the error in its
  headers (`set_aside`), changes nothing else, and goes on with the commands behind it.
* **Anything else: the log, the registry, the disk.** The sequencer drops its consumer
  and producer (the caller's job) and starts again from the committed offsets, pausing
  0.05 s, doubling up to 1 s, for up to `retry_for_s`; then it gives up (RetriesExhausted).
  A run of failures ends with a commit, or with a step that goes through well after the
  last failure (so an empty poll between two failed commits does not start the count again).
* **Fenced**: a newer sequencer with this one's id took over, so this one stops at once.

A record of `tote_commands` that is not a command at all goes to the dead letters too
(`junk`): nobody waits for its answer, but it is not dropped unseen.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import msgspec

from tote.core.backoff import doubling_backoff
from tote.core.clock import Clock
from tote.core.errors import Fenced, ToteError
from tote.core.records import LogRecord, Record
from tote.pools.commands import Command, PlaceBet
from tote.pools.outcomes import COMMAND_FAILED, CommandOutcome, failure
from tote.pools.sequencer_outputs import At, Outputs
from tote.pools.topics import COMMANDS, DEAD_LETTERS

# What a bug in the decision code raises (msgspec's errors: a store row that does not decode).
DECISION_ERRORS = (
    ArithmeticError,
    AssertionError,
    AttributeError,
    LookupError,
    TypeError,
    ValueError,
    msgspec.MsgspecError,
)
POISON_ATTEMPTS = 2
DEFAULT_RETRY_FOR_S = 10.0
FIRST_PAUSE_S = 0.05
MAX_PAUSE_S = 1.0
MAX_DETAIL = 500
logger = logging.getLogger(__name__)
Position = tuple[int, int]  # (partition, offset) of tote_commands


def describe(exc: BaseException) -> str:
    """One line for logs and the health check: a ToteError's message (it says what went
    wrong to a user), anything else as `Class: message`."""
    if isinstance(exc, ToteError):
        return _message(exc)
    return f"{type(exc).__name__}: {_message(exc)}"


def _message(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "(no message)"
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 3] + "..."


class CommandFailed(Exception):
    """The decision code raised `cause` for the command at `at` (the batch was rewound)."""

    def __init__(self, at: At, cause: BaseException) -> None:
        super().__init__(f"tote_commands-{at.partition}@{at.offset}: {describe(cause)}")
        self.at = at
        self.cause = cause


class RetriesExhausted(ToteError):
    """The log kept failing for longer than the sequencer retries."""


class Faults:
    """The fault bookkeeping of one sequencer (see the module doc)."""

    def __init__(self, retry_for_s: float, clock: Clock) -> None:
        self.retry_for_s = retry_for_s
        self._clock = clock
        self._attempts: dict[Position, int] = {}
        self._poison: dict[Position, tuple[BaseException, int]] = {}
        self._since: float | None = None  # when the current run of log failures began
        self._last = 0.0  # when the last one was
        self._quiet_s = max(retry_for_s, 2 * MAX_PAUSE_S)  # no failure this long: run over
        self._failures = 0
        self.retrying: str | None = None  # what is being retried now, for the health check

    def poison(self, at: At) -> tuple[BaseException, int] | None:
        """(the error, the attempts) if the command at `at` is to be set aside."""
        return self._poison.get((at.partition, at.offset)) if self._poison else None

    def failed(self, exc: Exception) -> float:
        """Account for a failed step; the pause before the next, or raise to stop."""
        if isinstance(exc, Fenced):
            raise exc
        self.retrying = describe(exc)
        if isinstance(exc, CommandFailed):
            at = (exc.at.partition, exc.at.offset)
            attempts = self._attempts[at] = self._attempts.get(at, 0) + 1
            if attempts >= POISON_ATTEMPTS:
                self._poison[at] = (exc.cause, attempts)
            logger.warning("Sequencer batch failed on a command (attempt %d): %s", attempts, exc)
            return 0.0
        now = self._clock.monotonic()
        if self._since is None:
            self._since = now
        elif now - self._since > self.retry_for_s:
            raise RetriesExhausted(
                f"the log kept failing for {self.retry_for_s:g} s: {describe(exc)}"
            ) from exc
        self._last = now
        self._failures += 1
        pause = doubling_backoff(FIRST_PAUSE_S, MAX_PAUSE_S, self._failures)
        logger.warning("Sequencer batch failed, retrying in %g s: %s", pause, describe(exc))
        return pause

    def polled(self) -> None:
        """A step went through without an error (the health check stops saying retrying)."""
        self.retrying = None
        if self._since is not None and self._clock.monotonic() - self._last > self._quiet_s:
            self._since = None
            self._failures = 0

    def committed(self, ends: Mapping[int, int]) -> None:
        """A batch committed up to `ends` (partition -> next offset): the log works again,
        and what was counted for the commands before those offsets is done with."""
        self._since = None
        self._failures = 0
        self.retrying = None
        for table in (self._attempts, self._poison):
            if table:
                for key in [k for k in table if k[0] in ends and k[1] < ends[k[0]]]:
                    del table[key]


def set_aside(
    out: Outputs, command: Command, record: LogRecord, error: BaseException, attempts: int
) -> CommandOutcome:
    """Answer a poison command COMMAND_FAILED and copy it to the dead letters."""
    at = At(record.partition, record.offset, record.timestamp)
    where = f"tote_commands-{at.partition}@{at.offset}"
    logger.error(
        "Set aside the command at %s (%s of race %s) after %d failed attempts: %s",
        where,
        type(command).__name__,
        command.race_id,
        attempts,
        describe(error),
    )
    message = (
        f"The sequencer could not decide this command ({type(error).__name__}; see the "
        f"service log): it was set aside in {DEAD_LETTERS} ({where}) and changed nothing."
    )
    if isinstance(command, PlaceBet):
        outcome = failure(
            COMMAND_FAILED,
            message,
            status="REJECTED",
            reason="UNPROCESSABLE",
            idempotency_key=command.idempotency_key,
            race_id=command.race_id,
            pool=command.pool,
        )
        out.outcome(command.id, command.seq, outcome, at)
    else:
        outcome = failure(COMMAND_FAILED, message)
        out.outcome(command.id, 0, outcome, at)
    out.dead_letter(_dead_letter(record, error, attempts))
    return outcome


def junk(out: Outputs, record: LogRecord, error: BaseException) -> None:
    """A record of `tote_commands` that is not a command: to the dead letters, unanswered."""
    logger.warning(
        "Set aside %s-%d@%d, not a tote command: %s",
        record.topic,
        record.partition,
        record.offset,
        describe(error),
    )
    out.dead_letter(_dead_letter(record, error, 1))


def _dead_letter(record: LogRecord, error: BaseException, attempts: int) -> Record:
    """The record as it was, with where it came from and why it failed in its headers."""
    kind = type(error)
    headers = (
        ("tote.errors.topic", COMMANDS.encode()),
        ("tote.errors.partition", str(record.partition).encode()),
        ("tote.errors.offset", str(record.offset).encode()),
        ("tote.errors.exception.class.name", f"{kind.__module__}.{kind.__qualname__}".encode()),
        ("tote.errors.exception.message", _message(error).encode()),
        ("tote.errors.attempts", str(attempts).encode()),
    )
    return Record(record.value, record.key, headers, record.timestamp, record.partition)
