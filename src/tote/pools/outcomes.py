"""What the sequencer answers to each command, and the codes its answers carry.

Every command gets exactly one outcome, written in the same log transaction as the events
it caused, to `tote_command_outcomes` (keyed by the request id, in the command's partition
number; one record answers all the commands of a request that one sequencer batch held,
as `[[seq, outcome], ...]`). The intake waits for it there, so an answer is never given
before the outcome is committed: an ACCEPTED bet is in `tote_bets` before its bettor
hears so.

An outcome is the reply body plus its error code (0 on success). Error bodies have
Confluent's shape, `{"error_code", "message"}`, with the HTTP status in the code's first
three digits, and a bet rejection adds the contract's `reason`.
"""

from __future__ import annotations

from typing import Any

import msgspec

# BetRejected reasons (the contract's, plus UNKNOWN_POOL) and their error codes.
REJECTION_CODES = {
    "LATE": 42201,
    "POOL_CLOSED": 42202,
    "UNKNOWN_RACE": 42203,
    "UNKNOWN_POOL": 42204,
    "INVALID_SELECTION": 42205,
    "SCRATCHED": 42206,
    "BAD_STAKE": 42207,
}
IDEMPOTENCY_KEY_REUSED = 42208
# Lifecycle command errors.
RACE_NOT_FOUND = 40401
BET_NOT_FOUND = 40402
RACE_EXISTS = 40901
WRONG_RACE_STATE = 40902
BET_NOT_STANDING = 40903
INVALID_RACE_COMMAND = 42210
# A poison command: the sequencer could not decide it, and set it aside (a dead letter).
COMMAND_FAILED = 50010
# No outcome within the intake's reply timeout (the command may still be sequenced).
NO_ANSWER = 50301


class CommandOutcome(msgspec.Struct, frozen=True, omit_defaults=True):
    """The reply to one command: `body` as the client sees it, `error_code` 0 on success."""

    body: dict[str, Any]
    error_code: int = 0

    @property
    def ok(self) -> bool:
        return self.error_code == 0


def failure(error_code: int, message: str, **extra: Any) -> CommandOutcome:
    return CommandOutcome({"error_code": error_code, "message": message, **extra}, error_code)


def rejection(
    reason: str, message: str, *, idempotency_key: str, race_id: str, pool: str
) -> CommandOutcome:
    """A bet the sequencer refused (also written as BetRejected)."""
    return failure(
        REJECTION_CODES[reason],
        message,
        status="REJECTED",
        reason=reason,
        idempotency_key=idempotency_key,
        race_id=race_id,
        pool=pool,
    )


def key_reused(idempotency_key: str, race_id: str) -> CommandOutcome:
    """A retry that is not the same bet: nothing is written, the key stays the first bet's."""
    return failure(
        IDEMPOTENCY_KEY_REUSED,
        f"Idempotency key '{idempotency_key}' was already used for another bet on this race; "
        "use a new key for a new bet.",
        idempotency_key=idempotency_key,
        race_id=race_id,
    )


_ENCODER = msgspec.json.Encoder()
_GROUP_DECODER = msgspec.json.Decoder(list[tuple[int, CommandOutcome]])


def encode_outcomes(answers: list[tuple[int, CommandOutcome]]) -> bytes:
    """An outcome record's value: `[[seq, outcome], ...]`, the answers to the commands of
    one request (by their `seq`) that one sequencer batch held."""
    return _ENCODER.encode(answers)


def decode_outcomes(data: bytes) -> list[tuple[int, CommandOutcome]]:
    """Raises msgspec.DecodeError / ValidationError for bytes that are not outcomes."""
    return _GROUP_DECODER.decode(data)
