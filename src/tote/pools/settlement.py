"""The answer of a settlement: totals, dividends, payouts and refunds, all in integer cents.

Every settlement balances exactly (spec §9.3.4):
`payouts + takeout + breakage + carry_out = gross + carry_in_net + minus_pool`, and
`accepted + carry_in + carry_in_net = payouts + refunds + takeout + breakage + carry_out -
minus_pool`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from tote.pools.case import PoolType, Selection


class Outcome(StrEnum):
    """How the pool ended: the event the streaming side emits follows from it."""

    PAID = "PAID"
    """Dividends declared (DividendDeclared per winning combination)."""
    CARRIED = "CARRIED"
    """No winning stake: the pool moves to a later pool (CarryoverTransferred)."""
    REFUNDED = "REFUNDED"
    """No winning stake or no finishers, and every stake is refunded."""
    VOID = "VOID"
    """The race is void, or scratchings left the pool short of starters (PoolVoided):
    every stake is refunded."""


@dataclass(frozen=True, slots=True)
class Dividend:
    """One declared price: cents returned per unit staked on `selection`, stake included."""

    selection: Selection
    per_unit_cents: int
    winning_units: Fraction
    """Units staked on the selection (stake / unit, exact; flexi shares included)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "selection": list(self.selection),
            "per_unit_cents": self.per_unit_cents,
            "winning_units": str(self.winning_units),
        }


@dataclass(frozen=True, slots=True)
class BetAmount:
    """Money owed to one bet (a payout or a refund)."""

    id: str
    cents: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "cents": self.cents}


@dataclass(frozen=True, slots=True)
class Settlement:
    """A settled pool. `to_json()` is the CLI's output; see docs/pools.md for each field."""

    pool: PoolType
    outcome: Outcome
    accepted_cents: int
    gross_cents: int
    takeout_cents: int
    net_cents: int
    dividends: tuple[Dividend, ...]
    payouts: tuple[BetAmount, ...]
    refunds: tuple[BetAmount, ...]
    breakage_cents: int
    minus_pool_cents: int
    carry_out_cents: int
    carry_out_net_cents: int

    @property
    def refunds_cents(self) -> int:
        return sum(refund.cents for refund in self.refunds)

    @property
    def payouts_cents(self) -> int:
        return sum(payout.cents for payout in self.payouts)

    def dividend(self, *selection: int) -> int:
        """The declared per-unit dividend on `selection` (KeyError if it did not win)."""
        for dividend in self.dividends:
            if dividend.selection == selection:
                return dividend.per_unit_cents
        raise KeyError(selection)

    def payout(self, bet_id: str) -> int:
        """Cents paid to `bet_id` (0 if it won nothing)."""
        return sum(payout.cents for payout in self.payouts if payout.id == bet_id)

    def refund(self, bet_id: str) -> int:
        """Cents refunded to `bet_id` (0 if nothing)."""
        return sum(refund.cents for refund in self.refunds if refund.id == bet_id)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with a fixed key order (dividends in finishing order; payouts
        and refunds in the order the bets were given)."""
        return {
            "pool": self.pool.value,
            "outcome": self.outcome.value,
            "accepted_cents": self.accepted_cents,
            "gross_cents": self.gross_cents,
            "refunds_cents": self.refunds_cents,
            "takeout_cents": self.takeout_cents,
            "net_cents": self.net_cents,
            "dividends": [dividend.to_json() for dividend in self.dividends],
            "payouts_cents": self.payouts_cents,
            "payouts": [payout.to_json() for payout in self.payouts],
            "refunds": [refund.to_json() for refund in self.refunds],
            "breakage_cents": self.breakage_cents,
            "minus_pool_cents": self.minus_pool_cents,
            "carry_out_cents": self.carry_out_cents,
            "carry_out_net_cents": self.carry_out_net_cents,
        }
