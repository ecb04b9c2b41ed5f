"""The commands of `tote_commands`: what the intake appends and the sequencer consumes.

A command is the request as it arrived, plus the intake's request id (how the reply finds
its way back, see `outcomes.py`; the bets of one request share it, each with its `seq`)
and the time it was sent. Nothing is decided here:
whether a bet is accepted is the sequencer's call, made in log order (the fence of spec
§9.2). Values are JSON (msgspec structs, tagged by `op`), so `tote topic` and PRINT show
them readably; the topic's schema is the sequencer's business, not part of the contract.

The same structs are the library's request types: `BetRequest` is the body of
`POST /v1/bets`, `OpenRaceRequest` that of `POST /v1/races`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import msgspec

POOL_TYPES = ("WIN", "PLACE", "SHOW", "EXACTA", "QUINELLA", "TRIFECTA", "FIRST4")
SPLITS = ("PROFIT", "POOL")
UNBACKED_POLICIES = ("NEXT_FINISHER", "CARRY_GROSS", "CARRY_NET", "REFUND")
RACE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
MAX_IDEMPOTENCY_KEY = 200


class PoolRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A pool to open, as requested: any rule left out takes its default (`pool_defs.py`)."""

    pool: str
    takeout_bp: int | None = None
    unit_cents: int | None = None
    breakage_step_cents: int | None = None
    min_dividend_cents: int | None = None
    split: str | None = None
    places: int | None = None
    unbacked: str | None = None
    part_backed: str | None = None
    min_starters: int | None = None


class BetRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One ticket: `selection` (in finishing order where the pool is ordered) or `box`."""

    idempotency_key: str
    race_id: str
    pool: str
    stake_cents: int
    selection: list[int] | None = None
    box: list[int] | None = None


class OpenRaceRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    race_id: str
    runners: list[int]
    pools: list[PoolRules | str] | None = None
    meeting_id: str | None = None  # the race meeting it belongs to, e.g. "2026-11-25-HAP"


class ScratchRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    runner: int


class ResultRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    result: list[list[int]]


# -- the commands on the log ----------------------------------------------------------------


class _Command(msgspec.Struct, frozen=True, tag_field="op", omit_defaults=True):
    id: str  # the intake's request id: the key of the outcome record(s) answering it
    race_id: str
    sent_at: int  # when the intake appended it (ms); informative, never a fence


class PlaceBet(_Command, tag="bet", frozen=True):
    idempotency_key: str
    pool: str
    stake_cents: int
    selection: list[int] | None = None
    box: list[int] | None = None
    # The bet's place among its request's bets (all share the request's `id`), so one
    # outcome record can answer every bet of a request that a sequencer batch holds.
    seq: int = 0

    def fingerprint(self) -> str:
        """What a retry with the same idempotency key must repeat exactly."""
        runners: Sequence[int]
        if self.box is not None:
            kind, runners = "box", self.box
        else:
            kind, runners = "sel", self.selection or ()
        listed = str(runners[0]) if len(runners) == 1 else ",".join(map(str, runners))
        return f"{self.pool}|{kind}|{listed}|{self.stake_cents}"


class CancelBet(_Command, tag="cancel", frozen=True):
    bet_id: str


class OpenRace(_Command, tag="open", frozen=True):
    runners: list[int]
    pools: list[PoolRules] | None = None
    meeting_id: str | None = None


class CloseBetting(_Command, tag="close", frozen=True):
    pass


class ScratchRunner(_Command, tag="scratch", frozen=True):
    runner: int


class DeclareResult(_Command, tag="result", frozen=True):
    result: list[list[int]]


class VoidRace(_Command, tag="void", frozen=True):
    pass


Command = PlaceBet | CancelBet | OpenRace | CloseBetting | ScratchRunner | DeclareResult | VoidRace

_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(Command)


def encode_command(command: Command) -> bytes:
    return _ENCODER.encode(command)


def decode_command(data: bytes) -> Command:
    """Raises msgspec.DecodeError / ValidationError for bytes that are not a command."""
    command: Command = _DECODER.decode(data)
    return command


def pool_rules_of(item: PoolRules | str) -> PoolRules:
    """`"WIN"` is short for `{"pool": "WIN"}` (every rule at its default)."""
    return PoolRules(pool=item) if isinstance(item, str) else item


def to_builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)
