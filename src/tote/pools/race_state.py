"""A race as the sequencer knows it, and the rules every command is checked against.

    OPEN ──close──► CLOSED ──result──► RESULTED
      │               │
      └─────void──────┴──► VOIDED        (scratch: while OPEN or CLOSED)

A pool can also be voided on its own: when a scratching leaves fewer starters than its
`min_starters` (`starters.py`), it joins `voided_pools`, takes no more bets (POOL_CLOSED)
and the race's other pools stand.

Everything here is pure: the sequencer loads a `RaceState` from its store, asks these
functions whether a command may happen, and writes what they decided. A bet is judged
against the state the log order gives it, never the wall clock: a bet sequenced after the
close is LATE however early it was sent (spec §5, §9.2).
"""

from __future__ import annotations

from typing import Any

import msgspec

from tote.pools.commands import PlaceBet
from tote.pools.outcomes import (
    INVALID_RACE_COMMAND,
    WRONG_RACE_STATE,
)
from tote.pools.pool_defs import PoolDef
from tote.pools.starters import short_of_starters, void_detail
from tote.pools.tickets import SelectionProblem, expand_memo, stake_problem

OPEN, CLOSED, RESULTED, VOIDED = "OPEN", "CLOSED", "RESULTED", "VOIDED"


class PoolTotals(msgspec.Struct):
    """Accepted tickets and the stake still standing (after refunds and cancellations)."""

    bets: int = 0
    stake_cents: int = 0


class RaceState(msgspec.Struct):
    race_id: str
    status: str
    runners: list[int]
    pools: list[PoolDef]
    opened_at: int
    scratched: list[int] = msgspec.field(default_factory=list)
    closed_at: int | None = None
    close_position: str | None = None  # "partition:offset" of the close in tote_commands
    result: list[list[int]] | None = None
    resulted_at: int | None = None
    voided_at: int | None = None
    totals: dict[str, PoolTotals] = msgspec.field(default_factory=dict)
    meeting_id: str | None = None
    voided_pools: list[str] = msgspec.field(default_factory=list)  # too few starters

    @property
    def starters(self) -> int:
        """The declared runners that are not scratched."""
        return len(self.runners) - len(self.scratched)

    def pool(self, name: str) -> PoolDef | None:
        for pool in self.pools:  # a handful: a loop beats building a dict per lookup
            if pool.pool == name:
                return pool
        return None

    def pool_totals(self, name: str) -> PoolTotals:
        totals = self.totals.get(name)
        if totals is None:
            totals = self.totals[name] = PoolTotals()
        return totals

    def summary(self) -> dict[str, Any]:
        """The race as `GET /v1/races/{id}` shows it."""
        pools = []
        for pool in self.pools:
            totals = self.totals.get(pool.pool, PoolTotals())
            pools.append(
                {
                    **msgspec.to_builtins(pool),
                    "voided": pool.pool in self.voided_pools,
                    "bets": totals.bets,
                    "stake_cents": totals.stake_cents,
                }
            )
        return {
            "race_id": self.race_id,
            "meeting_id": self.meeting_id,
            "status": self.status,
            "runners": self.runners,
            "scratched": self.scratched,
            "pools": pools,
            "result": self.result,
            "opened_at": self.opened_at,
            "closed_at": self.closed_at,
            "resulted_at": self.resulted_at,
            "voided_at": self.voided_at,
        }


class RaceCommandError(Exception):
    """A lifecycle command the race's state refuses: the error code and message to answer."""

    def __init__(self, error_code: int, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message


class BetRefused(Exception):
    """Why a bet is rejected: one of the contract's reasons and a readable detail."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def check_bet(race: RaceState | None, bet: PlaceBet) -> tuple[PoolDef, list[str]]:
    """The pool and canonical combinations of an acceptable bet; BetRefused otherwise."""
    if race is None:
        raise BetRefused("UNKNOWN_RACE", f"No race '{bet.race_id}' has been opened.")
    if race.status == VOIDED:
        raise BetRefused("POOL_CLOSED", f"Race {race.race_id} was voided; its pools are closed.")
    if race.status != OPEN:
        raise BetRefused(
            "LATE",
            f"Betting on race {race.race_id} closed (at "
            f"tote_commands {race.close_position}) before this bet was "
            "sequenced.",
        )
    pool = race.pool(bet.pool)
    if pool is None:
        offered = ", ".join(p.pool for p in race.pools)
        raise BetRefused(
            "UNKNOWN_POOL", f"Race {race.race_id} has no {bet.pool} pool (it has {offered})."
        )
    if race.voided_pools and pool.pool in race.voided_pools:
        raise BetRefused(
            "POOL_CLOSED",
            f"The {pool.pool} pool of race {race.race_id} was voided: "
            + void_detail(pool.pool, race.starters, pool.min_starters),
        )
    try:
        combinations = expand_memo(pool.pool, bet.selection, bet.box)
    except SelectionProblem as exc:
        raise BetRefused("INVALID_SELECTION", str(exc)) from None
    runners = bet.selection if bet.selection is not None else bet.box
    assert runners is not None
    declared = race.runners
    for runner in runners:
        if runner not in declared:
            raise BetRefused(
                "INVALID_SELECTION", f"Runner {runner} is not declared in race {race.race_id}."
            )
    scratched = race.scratched
    if scratched:
        for runner in runners:
            if runner in scratched:
                raise BetRefused(
                    "SCRATCHED", f"Runner {runner} of race {race.race_id} is scratched."
                )
    problem = stake_problem(bet.stake_cents, pool.unit_cents, len(combinations))
    if problem is not None:
        raise BetRefused("BAD_STAKE", problem)
    return pool, combinations


def _refuse_unless(race: RaceState, allowed: tuple[str, ...], action: str) -> None:
    if race.status not in allowed:
        raise RaceCommandError(
            WRONG_RACE_STATE, f"Race {race.race_id} is {race.status}; it cannot be {action}."
        )


def close(race: RaceState, at: int, position: str) -> None:
    _refuse_unless(race, (OPEN,), "closed")
    race.status, race.closed_at, race.close_position = CLOSED, at, position


def scratch(race: RaceState, runner: int) -> None:
    _refuse_unless(race, (OPEN, CLOSED), "changed by a scratching")
    if runner not in race.runners:
        raise RaceCommandError(
            INVALID_RACE_COMMAND, f"Runner {runner} is not declared in race {race.race_id}."
        )
    if runner in race.scratched:
        raise RaceCommandError(
            WRONG_RACE_STATE, f"Runner {runner} of race {race.race_id} is already scratched."
        )
    race.scratched = sorted([*race.scratched, runner])


def short_pools(race: RaceState) -> list[PoolDef]:
    """The pools the scratchings have left with fewer starters than they need, not yet
    voided."""
    field, scratched = len(race.runners), len(race.scratched)
    return [
        pool
        for pool in race.pools
        if short_of_starters(field, scratched, pool.min_starters)
        and pool.pool not in race.voided_pools
    ]


def void_pool(race: RaceState, pool: PoolDef) -> None:
    race.voided_pools = [*race.voided_pools, pool.pool]


def declare_result(race: RaceState, result: list[list[int]], at: int) -> None:
    if race.status == OPEN:
        raise RaceCommandError(
            WRONG_RACE_STATE,
            f"Race {race.race_id} is still OPEN; close betting before declaring its result.",
        )
    _refuse_unless(race, (CLOSED,), "given a result")
    if not result or any(not position for position in result):
        raise RaceCommandError(
            INVALID_RACE_COMMAND,
            "A result lists at least one finishing position, each with at least one runner.",
        )
    placed = [runner for position in result for runner in position]
    if len(set(placed)) != len(placed):
        raise RaceCommandError(INVALID_RACE_COMMAND, "A runner appears twice in the result.")
    for runner in placed:
        if runner not in race.runners:
            raise RaceCommandError(
                INVALID_RACE_COMMAND,
                f"Runner {runner} in the result is not declared in race {race.race_id}.",
            )
        if runner in race.scratched:
            raise RaceCommandError(
                INVALID_RACE_COMMAND, f"Runner {runner} in the result was scratched."
            )
    race.status, race.result, race.resulted_at = RESULTED, result, at


def void(race: RaceState, at: int) -> None:
    _refuse_unless(race, (OPEN, CLOSED), "voided")
    race.status, race.voided_at = VOIDED, at
