"""Exact money in SQL columns: a flexi stake's share of a combination, and their sums.

A box ticket spreads its stake evenly over its combinations, so one combination can hold
100/3 cents. The settlement calculator (`tote.pools`) works in exact rationals, and the
dividends computed here must agree with it to the cent, so the pipeline carries shares as
exact decimal text: `"300"` or `"100/3"` (cents, reduced, sign on the numerator). Integer
micro-cents (`TOTE_MICROS`) are what boards and sink tables show; they are exact whenever
the share is a whole number of micro-cents (every single-combination bet, and every box
whose combination count divides its stake * 10^6), floored otherwise.

Never floats: a DOUBLE cannot hold 1/3 of a cent either, and it rounds sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import gcd
from typing import Any

from tote.core import types as t
from tote.core.types import Base, SqlType
from tote.sql.functions import AggregateFunction, Aggregator, ScalarFunction
from tote.sql.functions.base import scalar, variant
from tote.sql.functions.resolution import NoMatchingVariant

MICROS_PER_CENT = 1_000_000
CATEGORY = "TOTE"


def parse_cents(text: str) -> Fraction:
    """`"300"`, `"-100/3"` → exact cents. ValueError on anything else (no floats)."""
    numerator, slash, denominator = text.partition("/")
    try:
        value = Fraction(int(numerator), int(denominator) if slash else 1)
    except (ValueError, ZeroDivisionError):
        raise ValueError(
            f"not an exact amount of cents: {text!r} (expected '300' or '100/3')"
        ) from None
    return value


def exact_pair(text: str) -> tuple[int, int]:
    """Exact cents text as (numerator, denominator) in lowest terms, denominator > 0:
    `parse_cents` without building a Fraction for whole cents (most totals)."""
    if "/" not in text:
        try:
            return int(text), 1
        except ValueError:
            pass  # parse_cents says what is wrong
    value = parse_cents(text)
    return value.numerator, value.denominator


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    """The exact sum of two (numerator, denominator) pairs in lowest terms, as Fraction
    adds them."""
    (n, d), (m, e) = a, b
    if d == e == 1:
        return n + m, 1
    num, den = n * e + m * d, d * e
    divisor = gcd(num, den)
    return num // divisor, den // divisor


def format_cents(value: Fraction | int) -> str:
    """Exact cents as text: `"300"` for whole cents, `"100/3"` otherwise."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def share(stake_cents: int, combinations: int) -> str:
    """One combination's share of a ticket's stake spread over `combinations`."""
    if combinations <= 0:
        raise ValueError(f"a ticket covers at least one combination, not {combinations}")
    if stake_cents % combinations == 0:
        return str(stake_cents // combinations)
    return format_cents(Fraction(stake_cents, combinations))


def micros(cents: str) -> int:
    """Exact cents → integer micro-cents, floored (exact for whole micro-cents)."""
    numerator, denominator = exact_pair(cents)
    return numerator * MICROS_PER_CENT // denominator


def cents(exact: str) -> int:
    """Exact cents → whole cents, floored."""
    value = parse_cents(exact)
    return value.numerator // value.denominator


class SumCents(Aggregator):
    """TOTE_SUM_CENTS: the exact sum of exact-cents text (NULL adds nothing)."""

    return_type = t.STRING

    def init(self) -> tuple[int, int]:
        return (0, 1)

    def add(self, acc: tuple[int, int], *args: Any) -> tuple[int, int]:
        if args[0] is None:
            return acc
        return _add(acc, exact_pair(args[0]))

    def undo(self, acc: tuple[int, int], *args: Any) -> tuple[int, int]:
        if args[0] is None:
            return acc
        numerator, denominator = exact_pair(args[0])
        return _add(acc, (-numerator, denominator))

    def result(self, acc: tuple[int, int]) -> str:
        numerator, denominator = acc
        return str(numerator) if denominator == 1 else f"{numerator}/{denominator}"

    def merge(self, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        return _add(a, b)

    def to_state(self, acc: tuple[int, int]) -> Any:
        return list(acc)

    def from_state(self, state: Any) -> tuple[int, int]:
        return (int(state[0]), int(state[1]))


def _sum_cents(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    if len(types) != 1 or literals or types[0].base is not Base.STRING:
        raise NoMatchingVariant(
            "Function 'TOTE_SUM_CENTS' accepts one STRING of exact cents (e.g. '300' or '100/3')."
        )
    return SumCents()


def functions() -> list[ScalarFunction | AggregateFunction]:
    return [
        scalar(
            "TOTE_SHARE",
            CATEGORY,
            "One combination's exact share of a ticket's stake spread evenly over its "
            "combinations (flexi), as exact cents text: '300' or '100/3'.",
            variant("BIGINT stake_cents, INT combinations -> STRING", share),
        ),
        scalar(
            "TOTE_MICROS",
            CATEGORY,
            "Exact cents text ('100/3') as integer micro-cents, floored.",
            variant("STRING exact_cents -> BIGINT", micros),
        ),
        scalar(
            "TOTE_CENTS",
            CATEGORY,
            "Exact cents text ('100/3') as whole cents, floored.",
            variant("STRING exact_cents -> BIGINT", cents),
        ),
        AggregateFunction(
            "TOTE_SUM_CENTS",
            "The exact sum of exact cents text ('300', '100/3'), as exact cents text: "
            "combination totals of flexi tickets without rounding.",
            (variant("STRING exact_cents -> STRING"),),
            _sum_cents,
            category=CATEGORY,
        ),
    ]
