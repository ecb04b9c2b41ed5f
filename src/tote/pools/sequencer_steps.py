"""What the sequencer does with each command: judge it, record its events, answer it.

`Steps.apply` takes one command at its place in the log (`At`) and, against the batch's
view of the store, decides its outcome, queues the events it causes (`Outputs`) and the
store changes. Nothing is written here: `sequencer.py` commits a whole batch of these at
once. Every id and timestamp comes from the command's log position and append time, so
replaying the same commands gives the same events, byte for byte.
"""

from __future__ import annotations

from typing import Any

from tote.pools import race_state
from tote.pools.commands import (
    RACE_ID,
    CancelBet,
    CloseBetting,
    Command,
    DeclareResult,
    OpenRace,
    PlaceBet,
    ScratchRunner,
    VoidRace,
)
from tote.pools.outcomes import (
    BET_NOT_FOUND,
    INVALID_RACE_COMMAND,
    RACE_EXISTS,
    RACE_NOT_FOUND,
    WRONG_RACE_STATE,
    CommandOutcome,
    failure,
    key_reused,
    rejection,
)
from tote.pools.pool_defs import PoolDefError, check_runners, resolve_all
from tote.pools.race_events import pool_defined, pool_voided, race_event
from tote.pools.race_settlement import settle_tickets
from tote.pools.race_state import BetRefused, RaceCommandError, RaceState
from tote.pools.sequencer_outputs import At, Outputs
from tote.pools.sequencer_state import BatchView, DedupeEntry, dedupe_key
from tote.pools.tickets import Ticket
from tote.pools.topics import (
    BETS,
    BETS_CANCELLED,
    BETS_PAID,
    BETS_REFUNDED,
    BETS_REJECTED,
    POOLS_DEFINED,
    RACE_EVENTS,
)


class Steps:
    """Applies commands to one batch's view and outputs."""

    def __init__(self, view: BatchView, out: Outputs) -> None:
        self.view = view
        self.out = out
        self._race_ids: set[str] = set()  # well-formed race ids seen this batch

    def apply(self, command: Command, at: At) -> CommandOutcome:
        if isinstance(command, PlaceBet):
            outcome = self.place(command, at)
            self.out.outcome(command.id, command.seq, outcome, at)
        else:
            outcome = self._dispatch(command, at)
            self.out.outcome(command.id, 0, outcome, at)
        return outcome

    def _dispatch(self, command: Command, at: At) -> CommandOutcome:
        if isinstance(command, OpenRace):
            return self.open(command, at)
        if isinstance(command, CancelBet):
            return self.cancel(command, at)
        race = self.view.race(command.race_id)
        if race is None:
            return failure(RACE_NOT_FOUND, f"Race {command.race_id} not found.")
        try:
            if isinstance(command, CloseBetting):
                return self.close(race, at)
            if isinstance(command, ScratchRunner):
                return self.scratch(race, command.runner, at)
            if isinstance(command, DeclareResult):
                return self.result(race, command.result, at)
            assert isinstance(command, VoidRace)
            return self.void(race, at)
        except RaceCommandError as exc:
            return failure(exc.error_code, exc.message)

    # -- bets ----------------------------------------------------------------------------------

    def place(self, bet: PlaceBet, at: At) -> CommandOutcome:
        view, race_id = self.view, bet.race_id
        if race_id not in self._race_ids:
            if not RACE_ID.match(race_id):  # never opened, and unsafe as a store key prefix
                return self._reject(
                    bet, BetRefused("UNKNOWN_RACE", f"No race '{race_id}' has been opened."), at
                )
            self._race_ids.add(race_id)
        fingerprint = bet.fingerprint()
        entry_key = dedupe_key(race_id, bet.idempotency_key)
        prior = view.dedupe(entry_key)
        if prior is not None:
            if prior.fingerprint == fingerprint:
                return prior.outcome
            return key_reused(bet.idempotency_key, race_id)
        race = view.race(race_id)
        try:
            pool, combinations = race_state.check_bet(race, bet)
        except BetRefused as refused:
            outcome = self._reject(bet, refused, at)
        else:
            assert race is not None
            bet_id = at.event_id(race_id)
            ticket = Ticket(
                pool.pool,
                pool.pool_id,
                bet.idempotency_key,
                bet.stake_cents,
                combinations,
                len(combinations),
            )
            totals = race.pool_totals(pool.pool)
            totals.bets += 1
            totals.stake_cents += bet.stake_cents
            view.put_race(race)
            # The answer is the BetPlaced event plus its status: one dict is both (the
            # event's encoder takes the fields of its schema and leaves `status` out).
            accepted = {
                "status": "ACCEPTED",
                "bet_id": bet_id,
                "idempotency_key": bet.idempotency_key,
                "race_id": race_id,
                "pool": pool.pool,
                "pool_id": pool.pool_id,
                "combinations": combinations,
                "stake_cents": bet.stake_cents,
                "placed_at": at.timestamp,
            }
            self.out.event(BETS, race_id, accepted, at)
            outcome = CommandOutcome(accepted)
            # One row per bet: the dedupe entry carries the ticket while it stands.
            view.put_dedupe(entry_key, DedupeEntry(fingerprint, outcome, ticket))
            return outcome
        view.put_dedupe(entry_key, DedupeEntry(fingerprint, outcome))
        return outcome

    def _reject(self, bet: PlaceBet, refused: BetRefused, at: At) -> CommandOutcome:
        self.out.event(
            BETS_REJECTED,
            bet.race_id,
            {
                "idempotency_key": bet.idempotency_key,
                "race_id": bet.race_id,
                "pool": bet.pool,
                "reason": refused.reason,
                "detail": refused.detail,
                "occurred_at": at.timestamp,
            },
            at,
        )
        return rejection(
            refused.reason,
            refused.detail,
            idempotency_key=bet.idempotency_key,
            race_id=bet.race_id,
            pool=bet.pool,
        )

    def cancel(self, command: CancelBet, at: At) -> CommandOutcome:
        view, race_id, bet_id = self.view, command.race_id, command.bet_id
        race = view.race(race_id) if RACE_ID.match(race_id) else None
        if race is None:
            return failure(RACE_NOT_FOUND, f"Race {race_id} not found.")
        done = view.cancellation(race_id, bet_id)
        if done is not None:  # a retried cancellation answers what the first one did
            return done
        if race.status != race_state.OPEN:
            return failure(
                WRONG_RACE_STATE,
                f"Race {race_id} is {race.status}; bets can only "
                "be cancelled while betting is open.",
            )
        ticket = view.ticket(race_id, bet_id)
        if ticket is None:
            return failure(BET_NOT_FOUND, f"Bet {bet_id} is not a standing bet of race {race_id}.")
        change = self._bet_change(
            race,
            bet_id,
            ticket,
            ticket.combinations,
            cents=ticket.standing_cents,
            reason="CANCELLED",
            at=at,
        )
        self.out.event(BETS_CANCELLED, race_id, change, at)
        view.put_ticket(race_id, bet_id, None)
        view.put_race(race)
        outcome = CommandOutcome({"status": "CANCELLED", **change})
        view.put_cancellation(race_id, bet_id, outcome)
        return outcome

    def _bet_change(
        self,
        race: RaceState,
        bet_id: str,
        ticket: Ticket,
        combinations: list[str],
        *,
        cents: int,
        reason: str,
        at: At,
    ) -> dict[str, Any]:
        """A BetCancelled / BetRefunded value; takes `cents` off the pool's standing total."""
        race.pool_totals(ticket.pool).stake_cents -= cents
        return {
            "bet_id": bet_id,
            "race_id": race.race_id,
            "pool": ticket.pool,
            "pool_id": ticket.pool_id,
            "combinations": combinations,
            "stake_cents": cents,
            "reason": reason,
            "occurred_at": at.timestamp,
        }

    # -- the race lifecycle ----------------------------------------------------------------------

    def open(self, command: OpenRace, at: At) -> CommandOutcome:
        race_id = command.race_id
        if not RACE_ID.match(race_id):
            return failure(
                INVALID_RACE_COMMAND,
                f"Race id '{race_id}' must be 1 to 100 "
                "letters, digits, '.', '_' or '-', starting with a letter or digit.",
            )
        existing = self.view.race(race_id)
        if existing is not None:
            return failure(RACE_EXISTS, f"Race {race_id} already exists ({existing.status}).")
        try:
            check_runners(command.runners)
            pools = resolve_all(race_id, command.pools, len(command.runners))
        except PoolDefError as exc:
            return failure(INVALID_RACE_COMMAND, str(exc))
        race = RaceState(
            race_id,
            race_state.OPEN,
            sorted(command.runners),
            pools,
            opened_at=at.timestamp,
            meeting_id=command.meeting_id,
        )
        self.view.put_race(race)
        opened = race_event(
            race_id, "OPENED", at, runners=race.runners, meeting_id=command.meeting_id
        )
        self.out.event(RACE_EVENTS, race_id, opened, at)
        for pool in pools:
            self.out.event(POOLS_DEFINED, race_id, pool_defined(race_id, pool), at)
        return CommandOutcome(race.summary())

    def close(self, race: RaceState, at: At) -> CommandOutcome:
        race_state.close(race, at.timestamp, f"{at.partition}:{at.offset}")
        self.view.put_race(race)
        self.out.event(RACE_EVENTS, race.race_id, race_event(race.race_id, "CLOSED", at), at)
        return CommandOutcome(race.summary())

    def scratch(self, race: RaceState, runner: int, at: At) -> CommandOutcome:
        race_state.scratch(race, runner)
        self.out.event(
            RACE_EVENTS, race.race_id, race_event(race.race_id, "SCRATCHED", at, runner=runner), at
        )
        token = str(runner)
        bets = cents = 0
        for bet_id, ticket in self.view.tickets(race.race_id):
            gone = [c for c in ticket.combinations if token in c.split("-")]
            if not gone:
                continue
            refund = ticket.refund_combinations(gone)
            self.out.event(
                BETS_REFUNDED,
                race.race_id,
                self._bet_change(
                    race, bet_id, ticket, gone, cents=refund, reason="SCRATCHED", at=at
                ),
                at,
            )
            self.view.put_ticket(race.race_id, bet_id, ticket if ticket.combinations else None)
            bets, cents = bets + 1, cents + refund
        # Too few starters left: those pools are void (the race's other pools stand).
        short = race_state.short_pools(race)
        for pool in short:
            race_state.void_pool(race, pool)
            self.out.event(RACE_EVENTS, race.race_id, pool_voided(race, pool, runner, at), at)
        if short:
            voided = self._refund_standing(race, "POOL_VOIDED", at, {p.pool for p in short})
            bets, cents = bets + voided[0], cents + voided[1]
        self.view.put_race(race)
        return CommandOutcome(
            {
                **race.summary(),
                "refunds": {"bets": bets, "stake_cents": cents},
                "voided_pools": [p.pool for p in short],
            }
        )

    def result(self, race: RaceState, result: list[list[int]], at: At) -> CommandOutcome:
        race_state.declare_result(race, result, at.timestamp)
        self.view.put_race(race)
        self.out.event(
            RACE_EVENTS, race.race_id, race_event(race.race_id, "RESULT", at, result=result), at
        )
        # Every standing ticket settled by the calculator: what the bettor is paid (the
        # pools statements declare the same dividends). Nothing reads a RESULTED race's
        # tickets after this (its entries keep them, unread).
        for bet_id, ticket, outcome, cents in settle_tickets(
            race.pools, self.view.tickets(race.race_id), result
        ):
            paid = {
                "bet_id": bet_id,
                "race_id": race.race_id,
                "pool": ticket.pool,
                "pool_id": ticket.pool_id,
                "outcome": outcome,
                "amount_cents": cents,
                "occurred_at": at.timestamp,
            }
            self.out.event(BETS_PAID, race.race_id, paid, at)
        return CommandOutcome(race.summary())

    def void(self, race: RaceState, at: At) -> CommandOutcome:
        race_state.void(race, at.timestamp)
        self.out.event(RACE_EVENTS, race.race_id, race_event(race.race_id, "VOIDED", at), at)
        bets, cents = self._refund_standing(race, "VOIDED", at)
        self.view.put_race(race)
        return CommandOutcome({**race.summary(), "refunds": {"bets": bets, "stake_cents": cents}})

    def _refund_standing(
        self, race: RaceState, reason: str, at: At, pools: set[str] | None = None
    ) -> tuple[int, int]:
        """A void: refund what every standing ticket of the race (or of `pools` only) has
        left, and drop the tickets; (bets, cents) refunded."""
        bets = cents = 0
        for bet_id, ticket in self.view.tickets(race.race_id):
            if pools is not None and ticket.pool not in pools:
                continue
            refund = ticket.standing_cents
            self.out.event(
                BETS_REFUNDED,
                race.race_id,
                self._bet_change(
                    race, bet_id, ticket, ticket.combinations, cents=refund, reason=reason, at=at
                ),
                at,
            )
            self.view.put_ticket(race.race_id, bet_id, None)
            bets, cents = bets + 1, cents + refund
        return bets, cents
