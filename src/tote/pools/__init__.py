"""Tote pool settlement: pure domain arithmetic in integer cents, no I/O (spec §2-§4, §10).

    case = parse_case(json.load(file))   # validate; PoolCaseError says what is wrong
    settlement = settle(case)             # dividends, payouts, refunds, takeout, breakage...
    settlement.to_json()                  # the CLI's output (docs/pools.md)

`breakage`, `dividend_per_unit` and `approximate_cents` are the per-row pieces the streaming
SQL side calls as UDFs; `will_pays` gives a whole pool's approximates (none when
`void_reason` says the pool is void).
"""

from tote.pools.approximates import WillPay, will_pays
from tote.pools.case import (
    PartBackedRule,
    PoolCase,
    PoolCaseError,
    PoolType,
    SplitMethod,
    Ticket,
    UnbackedPolicy,
)
from tote.pools.parsing import parse_case
from tote.pools.rules import approximate_cents, breakage, dividend_per_unit, takeout_cents
from tote.pools.settle import settle
from tote.pools.settlement import BetAmount, Dividend, Outcome, Settlement
from tote.pools.starters import void_reason

__all__ = [
    "BetAmount",
    "Dividend",
    "Outcome",
    "PartBackedRule",
    "PoolCase",
    "PoolCaseError",
    "PoolType",
    "Settlement",
    "SplitMethod",
    "Ticket",
    "UnbackedPolicy",
    "WillPay",
    "approximate_cents",
    "breakage",
    "dividend_per_unit",
    "parse_case",
    "settle",
    "takeout_cents",
    "void_reason",
    "will_pays",
]
