"""Final dividends in SQL: which combinations a result pays, and one call that settles a
whole pool from its totals with the calculator itself (`tote.pools.settle`).

The streaming side never holds a pool's tickets at the result, only per-combination
totals. `settle` needs tickets, so the pool is handed to it as one ticket per priced
combination holding that combination's exact total, plus one ticket for the rest of the
gross on a combination of runners that cannot finish (negative numbers). Dividends,
takeout, net, minus pool and carry-out depend only on those totals, so they are exactly the
calculator's. Breakage here is the pool's `net - sum of dividend * winning units` (payouts per
combination floored to the cent); settling ticket by ticket can floor a few more cents of
flexi payouts into breakage.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, cast

from tote.core import types as t
from tote.pools import (
    Outcome,
    PartBackedRule,
    PoolCase,
    PoolType,
    Settlement,
    SplitMethod,
    Ticket,
)
from tote.pools import UnbackedPolicy as Policy
from tote.pools import settle as settle_pool
from tote.pools.case import Result, Selection
from tote.pools.combinations import winning_interests, without_paying_positions
from tote.poolsql.exact import CATEGORY, format_cents, parse_cents
from tote.sql.functions import ScalarFunction
from tote.sql.functions.base import Variant
from tote.sql.functions.patterns import Concrete, parse_params

WHOLE_POOL = ""
"""The combination of a settlement row that names no combination (nobody finished)."""

DIVIDEND = t.struct(
    ("COMBINATION", t.STRING),
    ("PER_UNIT_CENTS", t.BIGINT),
    ("WINNING_UNITS", t.STRING),
    ("OUTCOME", t.STRING),
    ("GROSS_CENTS", t.BIGINT),
    ("TAKEOUT_CENTS", t.BIGINT),
    ("NET_CENTS", t.BIGINT),
    ("BREAKAGE_CENTS", t.BIGINT),
    ("MINUS_POOL_CENTS", t.BIGINT),
    ("CARRY_OUT_CENTS", t.BIGINT),
    ("REFUND_CENTS", t.BIGINT),
)


def combination_text(selection: Selection) -> str:
    return "-".join(str(runner) for runner in selection)


def _selection(combination: str) -> Selection:
    return tuple(int(part) for part in combination.split("-"))


def _result(result: Sequence[Sequence[int | None] | None]) -> Result:
    groups = []
    for group in result:
        if group is None or any(runner is None for runner in group):
            raise ValueError("a result position holds no runner")
        groups.append(tuple(sorted(cast(Sequence[int], group))))
    return tuple(g for g in groups if g)


def winning(pool: str, result: list[list[int]], places: int) -> list[str]:
    """The combinations the result pays, in finishing order (dead heats: all of them)."""
    return [
        combination_text(s) for s, _ in winning_interests(PoolType(pool), _result(result), places)
    ]


def priced(pool: str, result: list[list[int]], places: int, unbacked: str) -> list[str]:
    """Every combination settlement may need the total of: the winners, and under
    NEXT_FINISHER the next finishers' too; `['']` when none (nobody finished), so the
    pool still gets its one settlement row."""
    kind, placings = PoolType(pool), _result(result)
    found: list[str] = []
    while placings:
        for selection, _ in winning_interests(kind, placings, places):
            text = combination_text(selection)
            if text not in found:
                found.append(text)
        if Policy(unbacked) is not Policy.NEXT_FINISHER:
            break
        placings = without_paying_positions(placings, places)
    return found or [WHOLE_POOL]


def _case(
    pool: str,
    rules: tuple[int, int, int, int | None, str, int, str, str | None],
    gross: int,
    result: Result,
    totals: dict[str, Fraction],
) -> PoolCase:
    """The pool as `settle` takes it (see the module doc): exact totals as tickets."""
    takeout_bp, unit, step, min_dividend, split, places, unbacked, part_backed = rules
    kind = PoolType(pool)
    tickets = [
        _ticket(text, _selection(text), stake) for text, stake in totals.items() if stake > 0
    ]
    rest = gross - sum(totals.values(), Fraction(0))
    if rest < 0:
        raise ValueError(
            f"the priced combinations hold {format_cents(gross - rest)} cents, "
            f"more than the gross pool of {gross}"
        )
    if rest:
        nowhere = tuple(-n for n in range(kind.selection_size, 0, -1))
        tickets.append(_ticket("rest of the pool", nowhere, rest))
    return PoolCase(
        pool=kind,
        takeout_bp=takeout_bp,
        unit_cents=unit,
        breakage_step_cents=step,
        tickets=tuple(tickets),
        result=result,
        min_dividend_cents=min_dividend or None,
        split=SplitMethod(split),
        places=places,
        unbacked=Policy(unbacked),
        part_backed=PartBackedRule(part_backed or PartBackedRule.PAY_NET.value),
    )


def _ticket(name: str, runners: Selection, stake: Fraction) -> Ticket:
    # `settle` computes in Fractions throughout (tote.pools.ledger spreads flexi stakes as
    # Fractions); a combination total may be one, so it goes in as the exact value.
    exact: Any = stake if stake.denominator != 1 else stake.numerator
    return Ticket(name, runners, cast(int, exact))


def _whole(value: Fraction | int) -> int:
    value = Fraction(value)
    if value.denominator != 1:
        raise ValueError(f"settlement total {value} is not a whole number of cents")
    return value.numerator


def _rows(settlement: Settlement, unpaid: list[str]) -> list[dict[str, Any]]:
    totals = {
        "OUTCOME": settlement.outcome.value,
        "GROSS_CENTS": _whole(settlement.gross_cents),
        "TAKEOUT_CENTS": _whole(settlement.takeout_cents),
        "NET_CENTS": _whole(settlement.net_cents),
        "BREAKAGE_CENTS": _whole(settlement.breakage_cents),
        "MINUS_POOL_CENTS": _whole(settlement.minus_pool_cents),
        "CARRY_OUT_CENTS": _whole(settlement.carry_out_cents),
        "REFUND_CENTS": _whole(sum((r.cents for r in settlement.refunds), Fraction(0))),
    }
    if settlement.outcome is Outcome.PAID:
        return [
            {
                "COMBINATION": combination_text(d.selection),
                "PER_UNIT_CENTS": d.per_unit_cents,
                "WINNING_UNITS": format_cents(d.winning_units),
                **totals,
            }
            for d in settlement.dividends
        ]
    return [
        {"COMBINATION": text, "PER_UNIT_CENTS": None, "WINNING_UNITS": None, **totals}
        for text in unpaid
    ]


def dividends(  # noqa: PLR0917 - called by the engine with the SQL arguments
    pool: str,
    takeout_bp: int,
    unit_cents: int,
    step: int,
    min_dividend_cents: int | None,
    split: str,
    places: int,
    unbacked: str,
    gross_cents: int | None,
    result: list[list[int]],
    combinations: list[str],
    stakes: list[str | None],
    part_backed: str | None = None,
) -> list[dict[str, Any]]:
    """Settle one pool from the totals of its priced combinations (`priced`): one row per
    winning combination with its dividend, or, when nothing is paid (carried, refunded),
    one row per winning combination (or `''`) with a NULL dividend and the pool's totals."""
    if None in (
        pool,
        takeout_bp,
        unit_cents,
        step,
        split,
        places,
        unbacked,
        result,
        combinations,
        stakes,
    ):
        return []
    if len(combinations) != len(stakes):
        raise ValueError("combinations and stakes must pair up")
    totals = {
        c: parse_cents(s) if s is not None else Fraction(0)
        for c, s in zip(combinations, stakes, strict=True)
        if c != WHOLE_POOL
    }
    placings = _result(result)
    rules = (takeout_bp, unit_cents, step, min_dividend_cents, split, places, unbacked,
             part_backed)
    settlement = settle_pool(_case(pool, rules, gross_cents or 0, placings, totals))
    return _rows(settlement, winning(pool, result, places) or [WHOLE_POOL])


def _variant(
    params: str, returns: t.SqlType, impl: Any, description: str, strict: bool = True
) -> Variant:
    return Variant(parse_params(params), Concrete(returns), impl, None, strict, description)


def functions() -> list[ScalarFunction]:
    results = "ARRAY<ARRAY<INT>> result"
    return [
        ScalarFunction(
            "TOTE_WINNING_COMBINATIONS",
            CATEGORY,
            "The combinations a result pays in a pool (dead heats: every one consistent "
            "with them), in finishing order; result lists positions, a dead heat being "
            "several runners in one position.",
            (
                _variant(
                    f"STRING pool, {results}, INT places",
                    t.array(t.STRING),
                    winning,
                    "WIN/PLACE/SHOW: the runners in the paying places.",
                ),
            ),
        ),
        ScalarFunction(
            "TOTE_PRICED_COMBINATIONS",
            CATEGORY,
            "The combinations whose totals settle a pool: the winners, and under the "
            "NEXT_FINISHER policy the next finishers too; [''] when nobody finished.",
            (
                _variant(
                    f"STRING pool, {results}, INT places, STRING unbacked",
                    t.array(t.STRING),
                    priced,
                    "",
                ),
            ),
        ),
        ScalarFunction(
            "TOTE_DIVIDENDS",
            CATEGORY,
            "Settles a pool with tote's calculator from its gross and the exact totals of "
            "its priced combinations: one row per winning combination (dividend per unit "
            "and the pool's totals), or rows with a NULL dividend when the pool is carried "
            "or refunded.",
            (
                _variant(
                    "STRING pool, INT takeout_bp, BIGINT unit_cents, BIGINT step_cents, "
                    "BIGINT min_dividend_cents, STRING split, INT places, STRING unbacked, "
                    f"BIGINT gross_cents, {results}, ARRAY<STRING> combinations, "
                    "ARRAY<STRING> stakes",
                    t.array(DIVIDEND),
                    dividends,
                    "",
                    strict=False,
                ),
                _variant(
                    "STRING pool, INT takeout_bp, BIGINT unit_cents, BIGINT step_cents, "
                    "BIGINT min_dividend_cents, STRING split, INT places, STRING unbacked, "
                    f"BIGINT gross_cents, {results}, ARRAY<STRING> combinations, "
                    "ARRAY<STRING> stakes, STRING part_backed",
                    t.array(DIVIDEND),
                    dividends,
                    "part_backed CARRY_UNWON: the UK rule for winning stakes under one unit "
                    "(won pro rata, the rest of the gross carried forward); null or "
                    "PAY_NET: the whole net pool is paid.",
                    strict=False,
                ),
            ),
        ),
    ]
