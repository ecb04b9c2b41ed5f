"""Combinations: canonical selections, what a ticket covers, and who won (spec §2, §4.1).

A combination is a tuple of runners: in finishing order for EXACTA, TRIFECTA and FIRST4,
sorted for QUINELLA, one runner for WIN, PLACE and SHOW. A box covers every combination drawn
from its runners, so "does this box hold that combination" is a subset test, and a box is
only enumerated when every combination's total is wanted (will-pays).

Winning interests come with a *share*: the fraction of the pool's dividend money that goes to
that combination before unbacked interests are dropped. Shares always sum to 1.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
from itertools import combinations, permutations
from math import comb, perm

from tote.pools.case import PoolType, Result, Selection


def canonical_selection(pool: PoolType, runners: Sequence[int]) -> Selection:
    """The key of one combination: as given where order matters, sorted otherwise."""
    return tuple(runners) if pool.ordered else tuple(sorted(runners))


def ticket_combination_count(pool: PoolType, box_size: int) -> int:
    """How many combinations a box of `box_size` runners covers in `pool`."""
    size = pool.selection_size
    return perm(box_size, size) if pool.ordered else comb(box_size, size)


def box_combinations(pool: PoolType, runners: Sequence[int]) -> Iterator[Selection]:
    """Every combination a box of `runners` covers, canonical, in lexicographic order."""
    ordered_runners = sorted(runners)
    if pool.ordered:
        return permutations(ordered_runners, pool.selection_size)
    return combinations(ordered_runners, pool.selection_size)


def box_covers(box_runners: Sequence[int] | frozenset[int], combination: Selection) -> bool:
    """True when a box of `box_runners` holds `combination` (distinct runners assumed)."""
    return all(runner in box_runners for runner in combination)


def finishers(result: Result) -> int:
    """Runners placed in the result (positions filled)."""
    return sum(len(group) for group in result)


def winning_interests(
    pool: PoolType, result: Result, places: int
) -> list[tuple[Selection, Fraction]]:
    """Winning combinations with their share of the dividend money, in finishing order.

    WIN, PLACE and SHOW: each paying position (1 for WIN, `places` otherwise, fewer when fewer
    runners finished) is one equal share; runners dead-heating over positions split those
    positions' shares equally, so a dead heat straddling the last place shares that place.
    Exotics: every combination consistent with some ordering of the dead heats wins, each with
    an equal share. Empty when nobody (or too few, for an exotic) finished.
    """
    if pool.single_runner:
        return _placed_runners(result, places)
    winners = _winning_combinations(pool, result)
    return [(combination, Fraction(1, len(winners))) for combination in winners]


def without_paying_positions(result: Result, places: int) -> Result:
    """The result with every group that reached a paying position removed (the next
    finishers move up); used by the NEXT_FINISHER policy."""
    position = 1
    for index, group in enumerate(result):
        if position > places:
            return result[index:]
        position += len(group)
    return ()


def _placed_runners(result: Result, places: int) -> list[tuple[Selection, Fraction]]:
    paying = min(places, finishers(result))
    interests: list[tuple[Selection, Fraction]] = []
    position = 1
    for group in result:
        last = position + len(group) - 1
        covered = min(last, paying) - position + 1
        if covered <= 0:
            break
        share = Fraction(covered, paying * len(group))
        interests.extend(((runner,), share) for runner in group)
        position = last + 1
    return interests


def _winning_combinations(pool: PoolType, result: Result) -> list[Selection]:
    size = pool.selection_size
    if finishers(result) < size:
        return []
    prefixes: list[Selection] = [()]
    position = 1
    for group in result:
        if position > size:
            break
        take = min(len(group), size - position + 1)
        prefixes = [prefix + tail for prefix in prefixes for tail in permutations(group, take)]
        position += len(group)
    unique: dict[Selection, None] = {}
    for combination in prefixes:
        unique.setdefault(canonical_selection(pool, combination))
    return list(unique)
