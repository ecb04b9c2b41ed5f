"""Approximate dividends (will-pays) before the off, from the pool as it stands (spec §6).

`approx = floor_to_step(net * unit / stake on the combination)` with the current gross and
the pool's takeout; no minimum dividend, no result. PLACE and SHOW have no exact approximate
(the price depends on which runners place with it), so they are refused. A void pool (its
race void, or scratchings left it short of starters: `starters.void_reason`) has none
either: every ticket is refunded, so a board shows it void, not priced.
"""

from __future__ import annotations

from dataclasses import dataclass

from tote.pools.case import PoolCase, PoolCaseError, PoolType, Selection
from tote.pools.ledger import build_ledger
from tote.pools.rules import approximate_cents, takeout_cents
from tote.pools.starters import void_reason


@dataclass(frozen=True, slots=True)
class WillPay:
    """The approximate dividend per unit on one combination that holds money."""

    selection: Selection
    per_unit_cents: int


def will_pays(case: PoolCase) -> tuple[int, tuple[WillPay, ...]]:
    """The net pool and the approximate dividend of every backed combination, in order.

    Scratched runners' stakes are out of the pool (as at settlement); `result` is ignored.
    A void pool, of any type, prices nothing: net 0 and no will-pays, as it settles.
    """
    if void_reason(case) is not None:
        return 0, ()
    if case.pool in (PoolType.PLACE, PoolType.SHOW):
        raise PoolCaseError(
            f"{case.pool.value} has no exact approximates: its dividends "
            f"depend on which runners place together"
        )
    ledger = build_ledger(case)
    gross = ledger.standing_cents + case.carry_in_cents
    net = gross - takeout_cents(gross, case.takeout_bp) + case.carry_in_net_cents
    prices = []
    for selection, stake in sorted(ledger.combination_totals(case.pool).items()):
        cents = approximate_cents(net, stake, case.unit_cents, case.breakage_step_cents)
        if cents is not None:
            prices.append(WillPay(selection, cents))
    return net, tuple(prices)
