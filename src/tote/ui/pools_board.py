"""The pools board's state: every race the tote domain wrote, each pool's gross, its
approximates (will-pays) and, once the result is in, its dividends.

Fed one decoded record at a time, `apply(topic, key, row)` (row: the Avro value with
UPPER-case field names, as ksqlDB names its columns; None for a tombstone), from five
topics: the sequencer's `tote_race_events` and `tote_pools_defined`, and pools.sql's
`tote_pool_gross`, `tote_approximates` (tables: the latest row per key counts) and
`tote_dividends` (a stream: one row per pool and winning combination). The topics are
read side by side, so a race's records may arrive in any order across them: a race or
pool is created when first mentioned, and a race's status only moves forward (OPEN,
CLOSED, RESULTED; VOIDED overrides). A row that cannot be read is counted, not fatal.

Pure: no I/O, no clock. `races()` and `view(race)` give the frozen values of
`pools_views.py` for the template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tote.pools.commands import POOL_TYPES
from tote.pools.starters import RACE_VOID_DETAIL
from tote.pools.topics import POOLS_DEFINED, RACE_EVENTS
from tote.ui.pools_views import (
    Payout,
    Placing,
    PoolView,
    RaceSummary,
    RaceView,
    RunnerView,
    Settlement,
    WillPay,
)

POOL_GROSS = "tote_pool_gross"
APPROXIMATES = "tote_approximates"
DIVIDENDS = "tote_dividends"
TOPICS = (RACE_EVENTS, POOLS_DEFINED, POOL_GROSS, APPROXIMATES, DIVIDENDS)
RUNNER_POOLS = ("WIN", "PLACE", "SHOW")  # one runner per combination: listed per runner
TOP_COMBINATIONS = 10
MICROS_PER_CENT = 1_000_000
RACE_EVENT_KINDS = ("OPENED", "CLOSED", "SCRATCHED", "RESULT", "VOIDED", "POOL_VOIDED")
DIVIDEND_AMOUNTS = (
    "PER_UNIT_CENTS",
    "GROSS_CENTS",
    "TAKEOUT_CENTS",
    "NET_CENTS",
    "BREAKAGE_CENTS",
    "MINUS_POOL_CENTS",
    "CARRY_OUT_CENTS",
    "REFUND_CENTS",
)


class _BadRow(ValueError):
    pass


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Text with digit runs compared as numbers: R2 before R10, 2-9 before 2-10."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


# -- state -----------------------------------------------------------------------------


@dataclass
class _Combination:
    stake_micros: int = 0
    approximate_cents: int | None = None
    odds: str | None = None


@dataclass
class _Pool:
    pool: str
    pool_id: str
    takeout_bp: int | None = None
    unit_cents: int | None = None
    gross_cents: int | None = None
    tickets: int | None = None
    net_cents: int | None = None
    final: bool = False
    voided: str | None = None  # why a scratching voided this pool alone
    combinations: dict[str, _Combination] = field(default_factory=dict)
    dividends: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Race:
    race_id: str
    runners: tuple[int, ...] = ()
    scratched: set[int] = field(default_factory=set)
    closed: bool = False
    voided: bool = False
    result: tuple[tuple[int, ...], ...] = ()
    pools: dict[str, _Pool] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.voided:
            return "VOIDED"
        if self.result or any(p.dividends for p in self.pools.values()):
            return "RESULTED"
        return "CLOSED" if self.closed else "OPEN"


def _int(row: dict[str, Any], name: str) -> int | None:
    value = row.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _BadRow(f"{name} is {value!r}") from None


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    if value is None or value == "":
        raise _BadRow(f"no {name}")
    return str(value)


def _optional_text(row: dict[str, Any], name: str) -> str | None:
    value = row.get(name)
    return None if value is None else str(value)


def _pool_of(row: dict[str, Any]) -> tuple[str, str, str]:
    """Race id, pool type and pool id of a row (the pool id is "<race>/<POOL>")."""
    race_id, pool = _text(row, "RACE_ID"), _text(row, "POOL")
    return race_id, pool, _optional_text(row, "POOL_ID") or f"{race_id}/{pool}"


def _ints(value: Any) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in value or ())
    except (TypeError, ValueError):
        raise _BadRow(f"not runner numbers: {value!r}") from None


class PoolsBoard:
    """Every race seen on the topics since the feed (re)started reading them."""

    def __init__(self) -> None:
        self._races: dict[str, _Race] = {}
        self._keys: dict[tuple[str, str], tuple[str, str, str]] = {}  # table key: where
        self.applied = 0
        self.skipped = 0

    def _race(self, race_id: str) -> _Race:
        return self._races.setdefault(race_id, _Race(race_id))

    def _pool(self, where: tuple[str, str, str]) -> _Pool:
        race_id, pool, pool_id = where
        return self._race(race_id).pools.setdefault(pool, _Pool(pool, pool_id))

    def apply(self, topic: str, key: str | None, row: dict[str, Any] | None) -> None:
        """One record of `topic`; rows that cannot be read are counted in `skipped`."""
        try:
            if row is None:
                self._forget(topic, key)
            elif topic == RACE_EVENTS:
                self._race_event(row)
            elif topic == POOLS_DEFINED:
                self._defined(row)
            elif topic == POOL_GROSS:
                self._gross(key, row)
            elif topic == APPROXIMATES:
                self._approximate(key, row)
            elif topic == DIVIDENDS:
                self._dividend(row)
            else:
                raise _BadRow(f"not a pools topic: {topic}")
        except _BadRow:
            self.skipped += 1
            return
        self.applied += 1

    # Each handler reads every field it needs before it changes anything, so a row it
    # cannot read leaves no trace.

    def _race_event(self, row: dict[str, Any]) -> None:
        race_id, kind = _text(row, "RACE_ID"), _text(row, "KIND")
        if kind not in RACE_EVENT_KINDS:
            raise _BadRow(f"unknown race event {kind}")
        runners = tuple(sorted(_ints(row.get("RUNNERS"))))
        runner = _int(row, "RUNNER")
        result = tuple(_ints(position) for position in row.get("RESULT") or ())
        if kind == "SCRATCHED" and runner is None:
            raise _BadRow("SCRATCHED without a runner")
        if kind == "POOL_VOIDED":  # one pool voided for too few starters
            where = _pool_of(row)
            self._pool(where).voided = _optional_text(row, "DETAIL") or "too few starters"
            return
        race = self._race(race_id)
        if kind == "OPENED":
            race.runners = runners
        elif kind == "CLOSED":
            race.closed = True
        elif kind == "SCRATCHED" and runner is not None:
            race.scratched.add(runner)
        elif kind == "RESULT" and not race.result:  # the first result counts, as in pools.sql
            race.result = result
        elif kind == "VOIDED":
            race.voided = True

    def _defined(self, row: dict[str, Any]) -> None:
        where = _pool_of(row)
        takeout_bp, unit_cents = _int(row, "TAKEOUT_BP"), _int(row, "UNIT_CENTS")
        pool = self._pool(where)
        pool.takeout_bp, pool.unit_cents = takeout_bp, unit_cents

    def _gross(self, key: str | None, row: dict[str, Any]) -> None:
        where = _pool_of(row)
        gross_cents, tickets = _int(row, "GROSS_CENTS"), _int(row, "TICKETS")
        pool = self._pool(where)
        pool.gross_cents, pool.tickets = gross_cents, tickets
        if key is not None:
            self._keys[(POOL_GROSS, key)] = (where[0], where[1], "")

    def _approximate(self, key: str | None, row: dict[str, Any]) -> None:
        where = _pool_of(row)
        combination = _text(row, "COMBINATION")
        found = _Combination(
            _int(row, "STAKE_MICROS") or 0,
            _int(row, "APPROXIMATE_CENTS"),
            _optional_text(row, "ODDS"),
        )
        net = _int(row, "NET_CENTS")
        pool = self._pool(where)
        pool.combinations[combination] = found
        if net is not None:
            pool.net_cents = net
        if row.get("CLOSED"):  # the final board: betting has closed
            pool.final = True
            self._race(where[0]).closed = True
        if key is not None:
            self._keys[(APPROXIMATES, key)] = (where[0], where[1], combination)

    def _dividend(self, row: dict[str, Any]) -> None:
        where = _pool_of(row)
        combination = _optional_text(row, "COMBINATION") or ""  # "": the whole pool
        _text(row, "OUTCOME")  # a row without an outcome is not a dividend
        for name in DIVIDEND_AMOUNTS:
            _int(row, name)
        self._pool(where).dividends[combination] = dict(row)

    def _forget(self, topic: str, key: str | None) -> None:
        """A table's tombstone: its key's row is gone."""
        where = self._keys.pop((topic, key or ""), None)
        if where is None:
            return
        race_id, pool_name, combination = where
        pool = self._races[race_id].pools[pool_name]
        if topic == POOL_GROSS:
            pool.gross_cents = pool.tickets = None
        else:
            pool.combinations.pop(combination, None)

    # -- reading -----------------------------------------------------------------------

    def races(self) -> list[RaceSummary]:
        return [
            RaceSummary(r.race_id, r.status)
            for r in sorted(self._races.values(), key=lambda r: natural_key(r.race_id))
        ]

    def default_race(self) -> str | None:
        """The first race still open or closed (the next to go off), else the last one."""
        races = self.races()
        for race in races:
            if race.status in ("OPEN", "CLOSED"):
                return race.race_id
        return races[-1].race_id if races else None

    def view(self, race_id: str) -> RaceView | None:
        race = self._races.get(race_id)
        if race is None:
            return None
        runners = tuple(RunnerView(n, n in race.scratched) for n in race.runners)
        placings = tuple(Placing(i, p) for i, p in enumerate(race.result, start=1))
        order = {name: i for i, name in enumerate(POOL_TYPES)}
        pools = sorted(race.pools.values(), key=lambda p: (order.get(p.pool, len(order)), p.pool))
        return RaceView(
            race.race_id, race.status, runners, placings, tuple(_pool_view(race, p) for p in pools)
        )


def _will_pay(combination: str, found: _Combination | None, scratched: bool) -> WillPay:
    if found is None:
        return WillPay(combination, 0.0, None, None, scratched)
    return WillPay(
        combination,
        found.stake_micros / MICROS_PER_CENT,
        found.approximate_cents,
        found.odds,
        scratched,
    )


def _by_runner(race: _Race, pool: _Pool) -> tuple[WillPay, ...]:
    """Every declared runner (scratched ones marked), then anything else on the pool."""
    declared = [str(n) for n in race.runners]
    others = sorted((c for c in pool.combinations if c not in declared), key=natural_key)
    return tuple(
        _will_pay(c, pool.combinations.get(c), c.isdigit() and int(c) in race.scratched)
        for c in (*declared, *others)
    )


def _top(pool: _Pool) -> tuple[tuple[WillPay, ...], int]:
    """The backed combinations, most stake first; the top ones and how many more."""
    backed = sorted(
        ((c, v) for c, v in pool.combinations.items() if v.stake_micros > 0),
        key=lambda item: (-item[1].stake_micros, natural_key(item[0])),
    )
    top = tuple(_will_pay(c, v, False) for c, v in backed[:TOP_COMBINATIONS])
    return top, max(0, len(backed) - TOP_COMBINATIONS)


def _settlement(pool: _Pool) -> Settlement | None:
    if not pool.dividends:
        return None
    rows = list(pool.dividends.values())
    outcomes = {str(r.get("OUTCOME")) for r in rows}
    outcome = "PAID" if "PAID" in outcomes else sorted(outcomes)[0]
    first = rows[0]  # the pool's amounts are on every row
    payouts = tuple(
        Payout(c, _int(r, "PER_UNIT_CENTS"), _optional_text(r, "WINNING_UNITS"))
        for c, r in sorted(pool.dividends.items(), key=lambda item: natural_key(item[0]))
        if c and r.get("OUTCOME") == "PAID"
    )
    return Settlement(
        outcome,
        gross_cents=_int(first, "GROSS_CENTS"),
        takeout_cents=_int(first, "TAKEOUT_CENTS"),
        net_cents=_int(first, "NET_CENTS"),
        breakage_cents=_int(first, "BREAKAGE_CENTS"),
        minus_pool_cents=_int(first, "MINUS_POOL_CENTS"),
        carry_out_cents=_int(first, "CARRY_OUT_CENTS"),
        refund_cents=_int(first, "REFUND_CENTS"),
        payouts=payouts,
    )


def _pool_view(race: _Race, pool: _Pool) -> PoolView:
    """A void pool (its race void, or voided alone) shows why and no will-pays: every
    ticket is refunded, so a price read before the void (the topics arrive in any
    order) would promise a dividend that is never paid."""
    by_runner = pool.pool in RUNNER_POOLS
    voided = RACE_VOID_DETAIL if race.voided else pool.voided
    if voided is not None:
        will_pays: tuple[WillPay, ...] = ()
        more = 0
    else:
        will_pays, more = (_by_runner(race, pool), 0) if by_runner else _top(pool)
    return PoolView(
        pool.pool,
        pool.pool_id,
        pool.takeout_bp,
        pool.unit_cents,
        pool.gross_cents,
        pool.tickets,
        pool.net_cents,
        pool.final,
        by_runner,
        will_pays,
        more,
        _settlement(pool),
        voided,
    )
