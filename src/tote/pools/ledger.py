"""The stakes that stand after scratchings, and the refunds the scratchings cause (spec §4.2).

A ticket on a scratched runner is refunded in full. A box holding a scratched runner is
refunded the combinations that contain it: `stake * refunded combinations / combinations`,
rounded *up* to the cent (the bettor never loses a fraction of a cent to a scratching). The
rest of the stake stands, spread evenly over the combinations left, so the gross stays a whole
number of cents and equals the sum of all combination totals.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from math import ceil

from tote.pools.case import PoolCase, PoolType, Selection, Ticket
from tote.pools.combinations import box_combinations, box_covers, ticket_combination_count


@dataclass(frozen=True, slots=True)
class StandingTicket:
    """The part of a ticket that stays in the pool."""

    id: str
    runners: Selection
    box: bool
    stake_cents: int
    per_combination_cents: Fraction

    def covers(self, combination: Selection) -> bool:
        """True when this ticket holds `combination` (a canonical winning combination)."""
        if self.box:
            return box_covers(self.runners, combination)
        return self.runners == combination

    def combinations(self, pool: PoolType) -> Iterator[Selection]:
        """Every combination this ticket holds."""
        if self.box:
            return box_combinations(pool, self.runners)
        return iter([self.runners])


@dataclass(frozen=True, slots=True)
class Ledger:
    """Accepted stakes split into what stands and what the scratchings refunded."""

    accepted_cents: int
    standing: tuple[StandingTicket, ...]
    scratch_refunds: tuple[tuple[str, int], ...]
    """(bet id, cents) in input order, only bets with something refunded."""

    @property
    def standing_cents(self) -> int:
        return sum(ticket.stake_cents for ticket in self.standing)

    def stake_on(self, combination: Selection) -> Fraction:
        """Total stake (cents, exact) on one combination."""
        return sum(
            (
                ticket.per_combination_cents
                for ticket in self.standing
                if ticket.covers(combination)
            ),
            Fraction(0),
        )

    def combination_totals(self, pool: PoolType) -> dict[Selection, Fraction]:
        """Stake on every combination that holds money (boxes enumerated)."""
        totals: dict[Selection, Fraction] = {}
        for ticket in self.standing:
            for combination in ticket.combinations(pool):
                totals[combination] = (
                    totals.get(combination, Fraction(0)) + ticket.per_combination_cents
                )
        return totals


def build_ledger(case: PoolCase) -> Ledger:
    """Apply the case's scratchings to its tickets."""
    standing: list[StandingTicket] = []
    refunds: list[tuple[str, int]] = []
    for ticket in case.tickets:
        kept = _standing_part(case.pool, ticket, case.scratched)
        refunded = ticket.stake_cents - (kept.stake_cents if kept else 0)
        if refunded:
            refunds.append((ticket.id, refunded))
        if kept is not None:
            standing.append(kept)
    return Ledger(
        accepted_cents=sum(ticket.stake_cents for ticket in case.tickets),
        standing=tuple(standing),
        scratch_refunds=tuple(refunds),
    )


def _standing_part(
    pool: PoolType, ticket: Ticket, scratched: frozenset[int]
) -> StandingTicket | None:
    if not ticket.box:
        if scratched.intersection(ticket.runners):
            return None
        return StandingTicket(
            ticket.id, ticket.runners, False, ticket.stake_cents, Fraction(ticket.stake_cents)
        )
    runners = tuple(runner for runner in ticket.runners if runner not in scratched)
    total = ticket_combination_count(pool, len(ticket.runners))
    left = ticket_combination_count(pool, len(runners))
    refund = ceil(Fraction(ticket.stake_cents * (total - left), total))
    stake = ticket.stake_cents - refund
    if stake <= 0 or left == 0:
        return None
    return StandingTicket(ticket.id, runners, True, stake, Fraction(stake, left))
