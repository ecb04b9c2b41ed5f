"""The shipped pools.sql running on a real engine over an embedded log, fed the contract's
events the way the sequencer writes them (Avro with the registered schemas, keyed by race,
one clock tick per event so the engine takes them in the order they were written).

    with PoolsPipeline.start(log) as pipe:
        race = pipe.race("R1", runners=[1, 2, 3, 4])
        race.pool("WIN", takeout_bp=1500)
        race.bet("WIN", ["2"], 30_000)
        race.close(); race.result([[2], [1], [3]])
        pipe.run()
        pipe.dividends()    # rows of tote_dividends, as dicts

Refunds follow the sequencer's own ticket rules (`tote.pools.tickets.Ticket`): a scratching
refunds, per ticket, the combinations holding the runner, rounded up to the cent.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tote.core.records import Record
from tote.log.base import Log
from tote.pools.events import EventCodecs, register_event_schemas
from tote.pools.tickets import Ticket
from tote.pools.topics import (
    BETS,
    BETS_CANCELLED,
    BETS_REFUNDED,
    POOLS_DEFINED,
    RACE_EVENTS,
    ensure_topics,
    race_key,
)
from tote.poolsql import statements, with_tote_functions
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.testing import records, source

START_MS = 1_700_000_000_000


class EventWriter:
    """Writes the contract's events on a log, as the sequencer would (see the module doc)."""

    def __init__(self, log: Log, registry: Registry) -> None:
        self.log = log
        self.registry = registry
        self.codecs = EventCodecs(registry)
        self._now = START_MS
        self._bets = itertools.count(1)

    def advance(self, ms: int) -> None:
        """Let `ms` of event time pass (each event otherwise takes one millisecond)."""
        self._now += ms

    def append(self, topic: str, value: dict[str, Any]) -> None:
        self._now += 1
        stamp = self._now
        for name in ("occurred_at", "placed_at"):
            if name in value and value[name] is None:
                value[name] = stamp
        self.log.append(
            topic,
            [
                Record(
                    self.codecs.encode(topic, value),
                    key=race_key(value["race_id"]),
                    timestamp=stamp,
                )
            ],
        )

    def race(self, race_id: str, runners: list[int]) -> RaceWriter:
        writer = RaceWriter(self, race_id, runners)
        writer.event("OPENED", runners=runners)
        return writer

    def next_bet_id(self) -> str:
        return f"bet-{next(self._bets)}"


class PoolsPipeline(EventWriter):
    """The writer plus an engine running pools.sql on the same log."""

    def __init__(self, log: Log, registry: Registry, engine: Engine) -> None:
        super().__init__(log, registry)
        self.engine = engine

    @classmethod
    @contextmanager
    def start(cls, log: Log, *, extra_sql: str = "") -> Iterator[PoolsPipeline]:
        """`extra_sql` first (the seed's statements, as `tote build` runs them on a fresh
        stack), then the sequencer's topics and schemas (pools.sql infers its columns
        from them), then the shipped statements."""
        with Registry(log) as registry:
            engine = Engine(log, registry, functions=with_tote_functions())
            engine.start()
            if extra_sql:
                engine.execute(extra_sql)
            ensure_topics(log)
            register_event_schemas(registry)
            pipe = cls(log, registry, engine)
            engine.execute(statements())
            try:
                yield pipe
            finally:
                pipe.engine.close()

    def run(self) -> None:
        self.engine.run_until_idle()

    # -- reading ---------------------------------------------------------------------------

    def rows(self, name: str) -> list[dict[str, Any]]:
        """Every record of a stream or table's topic (key and value columns by name)."""
        src = source(self.engine, name)
        keys = [c.name for c in src.key_columns]
        values = [c.name for c in src.value_columns]
        out = []
        for key, value, _ in records(self.engine, name):
            row = dict(zip(keys, key or (), strict=False))
            if value is not None:
                row.update(zip(values, value, strict=True))
            out.append(row)
        return out

    def latest(self, name: str, key: str) -> dict[str, dict[str, Any]]:
        """A table's rows as it stands now: the last record per key."""
        return {row[key]: row for row in self.rows(name)}

    def dividends(self, race_id: str | None = None) -> list[dict[str, Any]]:
        rows = self.rows("TOTE_DIVIDENDS")
        return [r for r in rows if race_id is None or r["RACE_ID"] == race_id]

    def approximates(self, pool_id: str) -> dict[str, dict[str, Any]]:
        current = self.latest("TOTE_APPROXIMATES", "COMBINATION_ID")
        return {row["COMBINATION"]: row for row in current.values() if row["POOL_ID"] == pool_id}


@dataclass
class RaceWriter:
    """One race's events, written in the order a sequencer would write them."""

    pipe: EventWriter
    race_id: str
    runners: list[int]
    tickets: dict[str, Ticket] = field(default_factory=dict)

    def event(
        self,
        kind: str,
        *,
        runners: list[int] | None = None,
        runner: int | None = None,
        result: list[list[int]] | None = None,
        **pool_fields: str,
    ) -> None:
        self.pipe.append(
            RACE_EVENTS,
            {
                "race_id": self.race_id,
                "event_id": f"{self.race_id}:{kind}:{runner or ''}",
                "kind": kind,
                "runners": runners,
                "runner": runner,
                "result": result,
                "occurred_at": None,
                **pool_fields,
            },
        )

    def pool(
        self,
        pool: str,
        *,
        takeout_bp: int,
        unit_cents: int = 100,
        breakage_step_cents: int = 10,
        min_dividend_cents: int | None = None,
        split: str = "PROFIT",
        places: int | None = None,
        unbacked: str = "NEXT_FINISHER",
        part_backed: str | None = None,
    ) -> str:
        sizes = {"EXACTA": 2, "QUINELLA": 2, "TRIFECTA": 3, "FIRST4": 4}
        pool_id = f"{self.race_id}/{pool}"
        self.pipe.append(
            POOLS_DEFINED,
            {
                "race_id": self.race_id,
                "pool_id": pool_id,
                "pool": pool,
                "takeout_bp": takeout_bp,
                "unit_cents": unit_cents,
                "breakage_step_cents": breakage_step_cents,
                "min_dividend_cents": min_dividend_cents,
                "split": split,
                "places": places if places is not None else sizes.get(pool, 1),
                "unbacked": unbacked,
                "part_backed": part_backed,
            },
        )
        return pool_id

    def bet(self, pool: str, combinations: list[str], stake_cents: int) -> str:
        bet_id = self.pipe.next_bet_id()
        self.tickets[bet_id] = Ticket(
            pool=pool,
            pool_id=f"{self.race_id}/{pool}",
            idempotency_key=bet_id,
            stake_cents=stake_cents,
            combinations=list(combinations),
            total=len(combinations),
        )
        self.pipe.append(
            BETS,
            {
                "bet_id": bet_id,
                "idempotency_key": f"key-{bet_id}",
                "race_id": self.race_id,
                "pool": pool,
                "pool_id": f"{self.race_id}/{pool}",
                "combinations": list(combinations),
                "stake_cents": stake_cents,
                "placed_at": None,
            },
        )
        return bet_id

    def cancel(self, bet_id: str) -> None:
        ticket = self.tickets.pop(bet_id)
        self._change(
            BETS_CANCELLED,
            bet_id,
            ticket,
            ticket.combinations,
            cents=ticket.standing_cents,
            reason="CANCELLED",
        )

    def close(self) -> None:
        self.event("CLOSED")

    def scratch(self, runner: int) -> int:
        """SCRATCHED, then a refund per ticket holding the runner; the cents refunded."""
        self.event("SCRATCHED", runner=runner)
        total = 0
        for bet_id, ticket in list(self.tickets.items()):
            gone = [c for c in ticket.combinations if str(runner) in c.split("-")]
            if not gone:
                continue
            refund = ticket.refund_combinations(gone)
            self._change(BETS_REFUNDED, bet_id, ticket, gone, cents=refund, reason="SCRATCHED")
            total += refund
            if not ticket.combinations:
                del self.tickets[bet_id]
        return total

    def result(self, result: list[list[int]]) -> None:
        self.event("RESULT", result=result)

    def void(self) -> int:
        self.event("VOIDED")
        return self._refund_standing("VOIDED")

    def void_pool(self, pool: str, runner: int, starters: list[int]) -> int:
        """POOL_VOIDED after the scratching of `runner` left `starters`, then the refund of
        what every ticket of the pool has left; the cents refunded."""
        self.event(
            "POOL_VOIDED",
            runners=starters,
            runner=runner,
            pool=pool,
            pool_id=f"{self.race_id}/{pool}",
            reason="FIELD_BELOW_MINIMUM",
            detail=f"{len(starters)} starters left",
        )
        return self._refund_standing("POOL_VOIDED", pool)

    def _refund_standing(self, reason: str, pool: str | None = None) -> int:
        total = 0
        for bet_id, ticket in list(self.tickets.items()):
            if pool is not None and ticket.pool != pool:
                continue
            refund = ticket.standing_cents
            self._change(
                BETS_REFUNDED, bet_id, ticket, ticket.combinations, cents=refund, reason=reason
            )
            total += refund
            del self.tickets[bet_id]
        return total

    def _change(
        self,
        topic: str,
        bet_id: str,
        ticket: Ticket,
        combinations: list[str],
        *,
        cents: int,
        reason: str,
    ) -> None:
        self.pipe.append(
            topic,
            {
                "bet_id": bet_id,
                "race_id": self.race_id,
                "pool": ticket.pool,
                "pool_id": ticket.pool_id,
                "combinations": list(combinations),
                "stake_cents": cents,
                "reason": reason,
                "occurred_at": None,
            },
        )
