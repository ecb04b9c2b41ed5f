"""What the pools board shows of a race, as frozen values for the template: the race
and its status, its runners and placings, and per pool the gross, the will-pays (every
runner for WIN / PLACE / SHOW, the top combinations by stake for the exotics) and the
settlement once the result is in. Built by `PoolsBoard.view` (pools_board.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RaceSummary:
    race_id: str
    status: str


@dataclass(frozen=True, slots=True)
class RunnerView:
    number: int
    scratched: bool


@dataclass(frozen=True, slots=True)
class Placing:
    position: int
    runners: tuple[int, ...]  # more than one: a dead heat


@dataclass(frozen=True, slots=True)
class WillPay:
    combination: str
    stake_cents: float  # exact stakes may be fractions of a cent (a flexi box)
    approximate_cents: int | None  # None: nothing on it, or a PLACE / SHOW pool
    odds: str | None
    scratched: bool = False


@dataclass(frozen=True, slots=True)
class Payout:
    combination: str
    per_unit_cents: int | None
    winning_units: str | None


@dataclass(frozen=True, slots=True)
class Settlement:
    outcome: str  # PAID, CARRIED or REFUNDED
    gross_cents: int | None
    takeout_cents: int | None
    net_cents: int | None
    breakage_cents: int | None
    minus_pool_cents: int | None
    carry_out_cents: int | None
    refund_cents: int | None
    payouts: tuple[Payout, ...]


@dataclass(frozen=True, slots=True)
class PoolView:
    pool: str
    pool_id: str
    takeout_bp: int | None
    unit_cents: int | None
    gross_cents: int | None
    tickets: int | None
    net_cents: int | None  # the net the board last priced at
    final: bool  # the close of betting priced this board
    by_runner: bool  # WIN / PLACE / SHOW: one row per runner; else the top combinations
    will_pays: tuple[WillPay, ...]
    more: int  # backed combinations beyond the top ones
    settlement: Settlement | None
    voided: str | None = None  # why it is void (race void, or too few starters); no will-pays


@dataclass(frozen=True, slots=True)
class RaceView:
    race_id: str
    status: str
    runners: tuple[RunnerView, ...]
    placings: tuple[Placing, ...]
    pools: tuple[PoolView, ...]
