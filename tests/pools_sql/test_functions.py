"""The TOTE_ functions one by one, resolved through the function registry as a query would
resolve them; and TOTE_DIVIDENDS against the calculator on many random pools."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tote.core import types as t
from tote.pools import PoolType, parse_case, settle
from tote.pools.ledger import build_ledger
from tote.poolsql import with_tote_functions
from tote.poolsql.dividends import combination_text

FUNCTIONS = with_tote_functions()


def scalar(name: str, *types: t.SqlType) -> Callable[..., Any]:
    return FUNCTIONS.scalar(name).resolve(list(types)).fn


def test_odds_round_down_the_us_ladder() -> None:
    odds = scalar("TOTE_ODDS", t.BIGINT, t.BIGINT)
    # spec §6: 2.60-1 shows as 5-2, 2.40-1 as 2-1; TC1's board: 3-5, 9-5, 9-2, 16-1.
    assert [odds(c, 100) for c in (360, 340, 170, 280, 560, 1700)] == [
        "5-2",
        "2-1",
        "3-5",
        "9-5",
        "9-2",
        "16-1",
    ]
    assert odds(420, 200) == "1-1"  # $4.20 per $2 is 1.10-1
    assert odds(10_100, 100) == "99-1" and odds(100, 100) == "1-20"


def test_exact_shares_sum_without_rounding() -> None:
    share = scalar("TOTE_SHARE", t.BIGINT, t.INTEGER)
    micros = scalar("TOTE_MICROS", t.STRING)
    cents = scalar("TOTE_CENTS", t.STRING)
    assert [share(1_000, 3), share(1_200, 24), share(-1_000, 3)] == ["1000/3", "50", "-1000/3"]
    assert (micros("1000/3"), cents("1000/3"), micros("-1/3")) == (333_333_333, 333, -333_334)
    summed = FUNCTIONS.aggregate("TOTE_SUM_CENTS").resolve([t.STRING], [])
    acc = summed.init()
    for value in ("1000/3", "1000/3", None, "1000/3", "-50"):
        acc = summed.add(acc, value)
    assert summed.result(summed.from_state(summed.to_state(acc))) == "950"
    with pytest.raises(ValueError, match="not an exact amount of cents"):
        micros("1.5")
    with pytest.raises(ValueError, match="at least one combination"):
        share(100, 0)


def test_a_refund_respreads_what_stands_of_a_box() -> None:
    """A $1 box over three combinations loses one to a scratching: 34c refunded (rounded
    up), 66c stand over the two left, 33c each (tote.pools.ledger's rule)."""
    ticket = FUNCTIONS.aggregate("TOTE_TICKET").resolve([t.STRING, t.array(t.STRING), t.BIGINT], [])
    acc = ticket.add(ticket.init(), "BET", ["1-2", "1-3", "2-3"], 100)
    acc = ticket.add(acc, "REFUND", ["2-3"], 34)
    standing = ticket.result(acc)
    assert standing == {
        "BEFORE_COMBINATIONS": ["1-2", "1-3", "2-3"],
        "BEFORE_CENTS": 100,
        "COMBINATIONS": ["1-2", "1-3"],
        "CENTS": 66,
    }
    respread = scalar("TOTE_RESPREAD", t.array(t.STRING), t.BIGINT, t.array(t.STRING), t.BIGINT)
    changes = respread(*standing.values())
    assert changes == [
        {"COMBINATION": "1-2", "CENTS": "-1/3"},
        {"COMBINATION": "1-3", "CENTS": "-1/3"},
        {"COMBINATION": "2-3", "CENTS": "-100/3"},
    ]
    # A refund of a ticket never seen as a box is the whole of what it names.
    single = ticket.result(ticket.add(ticket.init(), "CANCEL", ["4"], 500))
    assert respread(*single.values()) == [{"COMBINATION": "4", "CENTS": "-500"}]


def test_winning_and_priced_combinations() -> None:
    results = t.array(t.array(t.INTEGER))
    winning = scalar("TOTE_WINNING_COMBINATIONS", t.STRING, results, t.INTEGER)
    priced = scalar("TOTE_PRICED_COMBINATIONS", t.STRING, results, t.INTEGER, t.STRING)
    assert winning("EXACTA", [[1], [2, 3], [4]], 2) == ["1-2", "1-3"]
    assert winning("QUINELLA", [[5, 1], [2]], 2) == ["1-5"]
    assert winning("PLACE", [[1], [2], [3], [4]], 3) == ["1", "2", "3"]
    assert priced("WIN", [[3], [1], [2]], 1, "NEXT_FINISHER") == ["3", "1", "2"]
    assert priced("WIN", [[3], [1], [2]], 1, "REFUND") == ["3"]
    assert priced("TRIFECTA", [[3], [1]], 3, "CARRY_NET") == [""]  # too few finished


def test_single_winner_prices() -> None:
    dividend = scalar("TOTE_DIVIDEND", t.BIGINT, t.STRING, t.BIGINT, t.BIGINT, t.BIGINT)
    approximate = scalar("TOTE_APPROXIMATE", t.BIGINT, t.BIGINT, t.BIGINT, t.BIGINT)
    net = scalar("TOTE_NET", t.BIGINT, t.INTEGER)
    assert net(100_000, 1500) == 85_000 and net(3_000, 1475) == 2_558  # takeout floored
    assert dividend(85_000, "30000", 100, 10, None) == 280  # TC1
    assert dividend(840_000, "820000", 200, 20, 210) == 210  # TC6: the minimum applies
    assert dividend(85_000, "0", 100, 10, None) is None  # unbacked: the policy decides
    assert approximate(85_000, 5_000, 100, 10) == 1_700
    assert approximate(85_000, 0, 100, 10) is None


EXACT_CENTS = st.builds(
    Fraction, st.integers(-(10**9), 10**9), st.sampled_from([1, 1, 2, 3, 7, 24, 120])
)


def _text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value}"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), EXACT_CENTS), max_size=12))
def test_exact_sums_are_the_rationals_sums(moves: list[tuple[bool, Fraction]]) -> None:
    summed = FUNCTIONS.aggregate("TOTE_SUM_CENTS").resolve([t.STRING], [])
    micros = scalar("TOTE_MICROS", t.STRING)
    acc, total = summed.init(), Fraction(0)
    for out, value in moves:
        acc = summed.undo(acc, _text(value)) if out else summed.add(acc, _text(value))
        total += -value if out else value
    assert summed.result(acc) == _text(total)
    assert micros(summed.result(acc)) == math.floor(total * 1_000_000)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 10**10),
    EXACT_CENTS,
    st.sampled_from([1, 50, 100, 200]),
    st.sampled_from([1, 5, 10, 20]),
)
def test_approximates_are_the_calculators(net: int, stake: Fraction, unit: int, step: int) -> None:
    from tote.pools import approximate_cents

    approximate = scalar("TOTE_APPROXIMATE", t.BIGINT, t.STRING, t.BIGINT, t.BIGINT)
    exact = stake.numerator if stake.denominator == 1 else stake
    assert approximate(net, _text(stake), unit, step) == approximate_cents(net, exact, unit, step)


# -- TOTE_DIVIDENDS against settle, on the calculator's own totals --------------------------

POOL_SIZES = {p.value: p.selection_size for p in PoolType}


@st.composite
def pool_cases(draw: st.DrawFn) -> dict[str, Any]:
    pool = draw(st.sampled_from(sorted(POOL_SIZES)))
    size = POOL_SIZES[pool]
    runners = list(range(1, draw(st.integers(size + 1, 7)) + 1))
    bets = []
    for index in range(draw(st.integers(0, 8))):
        stake = draw(st.integers(1, 5_000))
        if draw(st.booleans()) and len(runners) > size:
            box = draw(
                st.lists(
                    st.sampled_from(runners),
                    min_size=max(size, 2),
                    max_size=min(len(runners), size + 2),
                    unique=True,
                )
            )
            bets.append({"id": f"b{index}", "box": box, "stake_cents": stake})
        else:
            selection = draw(
                st.lists(st.sampled_from(runners), min_size=size, max_size=size, unique=True)
            )
            bets.append({"id": f"b{index}", "selection": selection, "stake_cents": stake})
    scratched = draw(st.lists(st.sampled_from(runners), max_size=1, unique=True))
    order = draw(st.permutations([r for r in runners if r not in scratched]))
    order = order[: draw(st.integers(1, len(order)))]
    result: list[list[int]] = []
    for runner in order:
        if result and draw(st.integers(0, 4)) == 0:
            result[-1].append(runner)
        else:
            result.append([runner])
    singles = ["NEXT_FINISHER", "CARRY_GROSS", "CARRY_NET", "REFUND"]
    case = {
        "pool": pool,
        "takeout_bp": draw(st.sampled_from([0, 1500, 2250])),
        "unit_cents": draw(st.sampled_from([100, 200])),
        "breakage_step_cents": draw(st.sampled_from([5, 10])),
        "min_dividend_cents": draw(st.sampled_from([None, 105, 210])),
        "split": draw(st.sampled_from(["PROFIT", "POOL"])),
        "unbacked": draw(st.sampled_from(singles if size == 1 else singles[1:])),
        "bets": bets,
        "scratched": scratched,
        "result": result,
    }
    if pool in ("PLACE", "SHOW"):
        case["places"] = draw(st.integers(1, 3))
    return case


@settings(max_examples=300, deadline=None)
@given(pool_cases())
def test_tote_dividends_is_the_calculator_on_combination_totals(document: dict[str, Any]) -> None:
    case = parse_case(document)
    expected = settle(case)
    ledger = build_ledger(case)
    result = [list(group) for group in case.result]
    priced = scalar(
        "TOTE_PRICED_COMBINATIONS", t.STRING, t.array(t.array(t.INTEGER)), t.INTEGER, t.STRING
    )(case.pool.value, result, case.places, case.unbacked.value)
    stakes = [
        _text(ledger.stake_on(tuple(int(r) for r in c.split("-")))) if c else "0" for c in priced
    ]
    dividends = scalar(
        "TOTE_DIVIDENDS",
        t.STRING,
        t.INTEGER,
        t.BIGINT,
        t.BIGINT,
        t.BIGINT,
        t.STRING,
        t.INTEGER,
        t.STRING,
        t.BIGINT,
        t.array(t.array(t.INTEGER)),
        t.array(t.STRING),
        t.array(t.STRING),
    )
    rows = dividends(
        case.pool.value,
        case.takeout_bp,
        case.unit_cents,
        case.breakage_step_cents,
        case.min_dividend_cents,
        case.split.value,
        case.places,
        case.unbacked.value,
        ledger.standing_cents,
        result,
        priced,
        stakes,
    )
    assert {r["OUTCOME"] for r in rows} == {expected.outcome.value}
    assert all(
        (
            r["GROSS_CENTS"],
            r["TAKEOUT_CENTS"],
            r["NET_CENTS"],
            r["MINUS_POOL_CENTS"],
            r["CARRY_OUT_CENTS"],
        )
        == (
            expected.gross_cents,
            expected.takeout_cents,
            expected.net_cents,
            expected.minus_pool_cents,
            expected.carry_out_cents,
        )
        for r in rows
    )
    if expected.dividends:
        assert [(r["COMBINATION"], r["PER_UNIT_CENTS"], r["WINNING_UNITS"]) for r in rows] == [
            (combination_text(d.selection), d.per_unit_cents, _text(d.winning_units))
            for d in expected.dividends
        ]
    else:
        assert all(r["PER_UNIT_CENTS"] is None for r in rows)


def _text(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )
