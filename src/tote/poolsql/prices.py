"""Per-row price functions: takeout, breakage, single-winner dividends, approximates and the
US odds board, each a thin SQL wrapper around `tote.pools.rules` (one source of arithmetic
for the calculator and the streaming pipeline).

Stakes arrive as exact cents text ('300', '100/3', see `exact.py`) or BIGINT cents.
"""

from __future__ import annotations

from bisect import bisect_right
from fractions import Fraction
from functools import lru_cache

from tote.pools import approximate_cents, breakage, dividend_per_unit, takeout_cents
from tote.poolsql.exact import CATEGORY, exact_pair, parse_cents
from tote.sql.functions import ScalarFunction
from tote.sql.functions.base import scalar, variant

# The US tote board's odds-to-1 ladder (spec §6): odds are rounded DOWN to the nearest step.
# Below 5-1 the fractional steps; from 5-1 to 99-1 whole numbers. Every step is a whole
# number of twentieths, so the lookup is integer arithmetic.
_LADDER: tuple[tuple[int, int], ...] = (
    *((1, 20), (1, 10), (1, 5), (2, 5), (1, 2), (3, 5), (4, 5), (1, 1), (6, 5), (7, 5)),
    *((3, 2), (8, 5), (9, 5), (2, 1), (5, 2), (3, 1), (7, 2), (4, 1), (9, 2)),
    *((n, 1) for n in range(5, 100)),
)
_TWENTIETHS = tuple(to_win * 20 // stake for to_win, stake in _LADDER)
_SHOWN = tuple(f"{to_win}-{stake}" for to_win, stake in _LADDER)
_CACHED = 65_536


def _money(value: str | int) -> Fraction | int:
    return parse_cents(value) if isinstance(value, str) else value


def take(gross_cents: int, takeout_bp: int) -> int:
    return takeout_cents(gross_cents, takeout_bp)


def net(gross_cents: int, takeout_bp: int) -> int:
    return gross_cents - takeout_cents(gross_cents, takeout_bp)


def broken(raw_cents_per_unit: str | int, step: int) -> int:
    return breakage(_money(raw_cents_per_unit), step)


def dividend(
    net_cents: int,
    winning_stake: str | int,
    unit_cents: int,
    step: int,
    min_dividend_cents: int | None,
) -> int | None:
    """NULL for an unbacked winner: that is settled by the pool's policy, not a price."""
    if None in (net_cents, winning_stake, unit_cents, step):
        return None
    stake = _money(winning_stake)
    if stake <= 0:
        return None
    return dividend_per_unit(net_cents, stake, unit_cents, step, min_dividend_cents or None)


@lru_cache(maxsize=_CACHED)
def approximate(net_cents: int, stake: str | int, unit_cents: int, step: int) -> int | None:
    """NULL when nothing is on the combination (never a division by zero). Cached: a
    board refresh prices every combination of a pool at one net, and many hold equal
    stakes. `approximate_cents`' arithmetic in integers: net * unit / (n/d), floored to
    the step, is (net * unit * d) // (n * step) * step."""
    if (
        type(net_cents) is int
        and type(unit_cents) is int
        and type(step) is int
        and unit_cents > 0
        and step > 0
        and type(stake) in (str, int)
    ):
        numerator, denominator = exact_pair(stake) if isinstance(stake, str) else (stake, 1)
        if numerator <= 0:
            return None
        return net_cents * unit_cents * denominator // (numerator * step) * step
    return approximate_cents(net_cents, _money(stake), unit_cents, step)


def odds_to_one(dividend_cents: int, unit_cents: int) -> str:
    """A dividend per unit as US board odds, rounded down the ladder: 280c per 100c is
    1.80-1, shown '9-5'; below the ladder's first step '1-20' stands for odds-on."""
    if unit_cents <= 0:
        raise ValueError(f"unit_cents must be positive, not {unit_cents}")
    twentieths = (dividend_cents - unit_cents) * 20 // unit_cents
    return _SHOWN[max(bisect_right(_TWENTIETHS, twentieths) - 1, 0)]


def functions() -> list[ScalarFunction]:
    return [
        scalar(
            "TOTE_TAKEOUT",
            CATEGORY,
            "The operator's deduction from a gross pool at a rate in basis points, "
            "floored to the cent.",
            variant("BIGINT gross_cents, INT takeout_bp -> BIGINT", take),
        ),
        scalar(
            "TOTE_NET",
            CATEGORY,
            "The net pool: gross minus the takeout (floored to the cent).",
            variant("BIGINT gross_cents, INT takeout_bp -> BIGINT", net),
        ),
        scalar(
            "TOTE_BREAKAGE",
            CATEGORY,
            "A raw dividend per unit (cents, exact text or BIGINT) floored to a multiple "
            "of the breakage step.",
            variant("STRING raw_cents, BIGINT step_cents -> BIGINT", broken),
            variant("BIGINT raw_cents, BIGINT step_cents -> BIGINT", broken),
        ),
        scalar(
            "TOTE_DIVIDEND",
            CATEGORY,
            "A single-winner dividend per unit: net * unit / winning stake, broken to "
            "the step, raised to the minimum dividend (NULL: none). NULL when the winner "
            "is unbacked.",
            variant(
                "BIGINT net_cents, STRING winning_stake_cents, BIGINT unit_cents, "
                "BIGINT step_cents, BIGINT min_dividend_cents -> BIGINT",
                dividend,
                strict=False,
            ),
            variant(
                "BIGINT net_cents, BIGINT winning_stake_cents, BIGINT unit_cents, "
                "BIGINT step_cents, BIGINT min_dividend_cents -> BIGINT",
                dividend,
                strict=False,
            ),
        ),
        scalar(
            "TOTE_APPROXIMATE",
            CATEGORY,
            "The approximate dividend (will-pay) per unit before the off: net * unit / "
            "stake on the combination, broken to the step; NULL when unbacked.",
            variant(
                "BIGINT net_cents, STRING stake_cents, BIGINT unit_cents, "
                "BIGINT step_cents -> BIGINT",
                approximate,
            ),
            variant(
                "BIGINT net_cents, BIGINT stake_cents, BIGINT unit_cents, "
                "BIGINT step_cents -> BIGINT",
                approximate,
            ),
        ),
        scalar(
            "TOTE_ODDS",
            CATEGORY,
            "A dividend per unit as US tote-board odds-to-1, rounded down the ladder "
            "(1-5 ... 9-5, 2-1, 5-2 ... 99-1).",
            variant("BIGINT dividend_cents, BIGINT unit_cents -> STRING", odds_to_one),
        ),
    ]
