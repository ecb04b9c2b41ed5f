"""Pricing rules: takeout, breakage, minimum dividend and the profit/pool split (spec §3).

Every function is pure integer or exact-rational arithmetic on cents. The rounding decisions:

- takeout is floored to the cent (`basis * bp // 10000`): the operator never takes a
  fraction of a cent more than its rate;
- a dividend is quoted per unit in cents and floored to a multiple of the breakage step;
- the minimum dividend is applied after breakage (so it need not be a multiple of the step).

The helpers `breakage`, `dividend_per_unit` and `approximate_cents` are small enough to be
called per row (ksqlDB UDFs): they accept `int` or `Fraction` money and refuse floats.
"""

from __future__ import annotations

from fractions import Fraction
from math import floor

from tote.pools.case import SplitMethod

Money = int | Fraction
"""Cents, exact: an integer, or a rational where a flexi stake is spread over combinations."""


def takeout_cents(basis_cents: int, takeout_bp: int) -> int:
    """The operator's deduction from `basis_cents` at `takeout_bp` basis points, floored."""
    return basis_cents * takeout_bp // 10_000


def breakage(raw_cents_per_unit: Money, step: int) -> int:
    """The dividend after breakage: the raw per-unit dividend floored to a multiple of `step`.

    `raw - breakage(raw, step)` is the breakage per unit (always `< step`). With a 10c step,
    a raw $2.8333 (283.33 cents) becomes 280.
    """
    raw = _exact(raw_cents_per_unit, "raw_cents_per_unit")
    _positive(step, "step")
    return floor(raw / step) * step


def with_minimum(dividend_cents: int, min_dividend_cents: int | None) -> int:
    """The declared dividend: the broken dividend, raised to the minimum where one applies."""
    if min_dividend_cents is None:
        return dividend_cents
    return max(dividend_cents, min_dividend_cents)


def dividend_per_unit(
    net_cents: Money,
    winning_stake_cents: Money,
    unit_cents: int,
    step: int,
    min_div: int | None = None,
) -> int:
    """A single-winner pool's dividend per unit (spec §3.1): `net * unit / W`, broken down to
    the step, then raised to `min_div` (None or 0: no minimum).

    Raises ValueError when nobody backed the winner (`winning_stake_cents <= 0`): that is an
    unbacked pool, settled by policy, not by a price.
    """
    net = _exact(net_cents, "net_cents")
    stake = _exact(winning_stake_cents, "winning_stake_cents")
    _positive(unit_cents, "unit_cents")
    if stake <= 0:
        raise ValueError("winning_stake_cents must be positive: an unbacked winner has no price")
    return with_minimum(breakage(net * unit_cents / stake, step), min_div)


def approximate_cents(
    net_cents: Money, combination_stake_cents: Money, unit_cents: int, step: int
) -> int | None:
    """Approximate dividend (will-pay) per unit before the off (spec §6): `net * unit /
    stake`, broken down to the step. None for an unbacked combination (no price, never a
    division by zero). No minimum applies: approximates show the pool as it stands.
    """
    net = _exact(net_cents, "net_cents")
    stake = _exact(combination_stake_cents, "combination_stake_cents")
    _positive(unit_cents, "unit_cents")
    if stake <= 0:
        return None
    return breakage(net * unit_cents / stake, step)


def entitlement_cents(
    split: SplitMethod,
    net_cents: Money,
    share: Fraction,
    stake_cents: Money,
    backed_stake_cents: Money,
) -> Fraction:
    """The exact money one winning interest is owed before breakage (spec §3.2, §4.1).

    `share` is the interest's part of the pool (1 for a single winner; the shares of unbacked
    interests already handed to the others), `stake_cents` the stake on it and
    `backed_stake_cents` the stake on every winning interest. PROFIT returns the stake and
    adds `share` of the profit `net - Σstakes`; POOL gives `share` of the net pool. The
    entitlements of all winning interests add up to the net pool exactly (one can be
    negative when a profit split has no profit to share).
    """
    if split is SplitMethod.PROFIT:
        return stake_cents + (net_cents - backed_stake_cents) * share
    return net_cents * share


def raw_dividend(entitled_cents: Fraction, stake_cents: Money, unit_cents: int) -> Fraction:
    """The unbroken dividend per unit: entitlement * unit / stake, never below zero (a
    negative profit share pays nothing but the minimum, if any)."""
    return max(entitled_cents * unit_cents / stake_cents, Fraction(0))


def _exact(value: Money, name: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise TypeError(f"{name} must be an int or Fraction of cents, not {type(value).__name__}")
    return Fraction(value)


def _positive(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive whole number of cents, not {value!r}")
