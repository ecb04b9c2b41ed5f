"""Tickets: a bet's combinations, its stake per combination, and what a scratching refunds.

A ticket is one `selection` (one combination, the whole stake on it) or a flexi `box`
(every combination of its runners, the stake spread evenly over them; spec §2). Combination
strings are the contract's: runners joined by "-", in finishing order for EXACTA, TRIFECTA
and FIRST4, ascending for QUINELLA, one runner for WIN, PLACE and SHOW.

Refunds round like the settlement calculator (`tote.pools.ledger`): a ticket that has lost
`k` of its `n` combinations has been refunded `ceil(stake * k / n)` cents in all, so several
scratchings of one ticket add up to what one scratching of all those runners would refund,
and a ticket that loses everything gets exactly its stake back.
"""

from __future__ import annotations

import msgspec

from tote.pools.case import PoolType
from tote.pools.combinations import box_combinations, canonical_selection

MAX_COMBINATIONS = 10_000
MAX_STAKE_CENTS = 100_000_000_000  # $1bn on one ticket


class Ticket(msgspec.Struct):
    """An accepted bet as the sequencer keeps it until the race is settled or voided."""

    pool: str
    pool_id: str
    idempotency_key: str
    stake_cents: int
    combinations: list[str]  # the ones still standing
    total: int  # combinations the ticket was accepted with
    refunded_cents: int = 0

    @property
    def standing_cents(self) -> int:
        return self.stake_cents - self.refunded_cents

    def refund_combinations(self, gone: list[str]) -> int:
        """Remove `gone` (standing combinations) and return the cents that refunds."""
        before = self.total - len(self.combinations)
        after = before + len(gone)
        drop = set(gone)
        self.combinations = [c for c in self.combinations if c not in drop]
        refund = _ceil_div(self.stake_cents * after, self.total) - _ceil_div(
            self.stake_cents * before, self.total
        )
        self.refunded_cents += refund
        return refund


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def combination_key(runners: tuple[int, ...]) -> str:
    return "-".join(map(str, runners))


def runners_of(combination: str) -> list[int]:
    return [int(part) for part in combination.split("-")]


class SelectionProblem(ValueError):
    """Why a selection cannot be a ticket of its pool (INVALID_SELECTION)."""


def expand(pool: PoolType, selection: list[int] | None, box: list[int] | None) -> list[str]:
    """The ticket's canonical combinations; SelectionProblem if the shape is wrong.

    Checks only what the pool type decides (sizes, duplicates); whether the runners run
    is the race's business (`race_state.py`).
    """
    size = pool.selection_size
    if (selection is None) == (box is None):
        raise SelectionProblem("A bet has either a selection or a box, not both or neither.")
    if selection is not None:
        if len(selection) != size:
            raise SelectionProblem(
                f"A {pool.value} selection has {size} runner"
                f"{'s' if size > 1 else ''}, not {len(selection)}."
            )
        if len(set(selection)) != len(selection):
            raise SelectionProblem("A selection cannot name a runner twice.")
        return [combination_key(canonical_selection(pool, selection))]
    assert box is not None
    if len(set(box)) != len(box):
        raise SelectionProblem("A box cannot name a runner twice.")
    if len(box) < size:
        raise SelectionProblem(f"A {pool.value} box needs at least {size} runners, not {len(box)}.")
    combos = []
    for combo in box_combinations(pool, box):
        combos.append(combination_key(combo))
        if len(combos) > MAX_COMBINATIONS:
            raise SelectionProblem(
                f"A ticket covers at most {MAX_COMBINATIONS} combinations; this box covers more."
            )
    return combos


# Bettors back the same few tickets over and over (WIN 3, a box of the favourites): the
# sequencer expands each distinct ticket once. Small tickets only, and a bounded number.
_MEMO: dict[tuple[str, bool, tuple[int, ...]], tuple[str, ...]] = {}
_MEMO_ENTRIES = 4_096
_MEMO_COMBINATIONS = 256


def expand_memo(pool: str, selection: list[int] | None, box: list[int] | None) -> list[str]:
    """`expand` of the pool named `pool`, remembered for small tickets (a new list each
    call, so a caller may keep and change it)."""
    if (selection is None) == (box is None):
        return expand(PoolType(pool), selection, box)
    key = (pool, box is not None, tuple(box if box is not None else selection or ()))
    found = _MEMO.get(key)
    if found is None:
        combinations = expand(PoolType(pool), selection, box)
        if len(combinations) <= _MEMO_COMBINATIONS:
            if len(_MEMO) >= _MEMO_ENTRIES:
                _MEMO.clear()
            _MEMO[key] = tuple(combinations)
        return combinations
    return list(found)


def stake_problem(stake_cents: int, unit_cents: int, combinations: int) -> str | None:
    """Why a stake cannot buy the ticket (BAD_STAKE), or None.

    A stake is a positive multiple of the pool's unit; a flexi box must put at least 1%
    of a unit on each combination (spec §2, the TABtouch rule).
    """
    if stake_cents <= 0:
        return f"The stake must be positive, not {stake_cents} cents."
    if stake_cents > MAX_STAKE_CENTS:
        return f"The stake is above the limit of {MAX_STAKE_CENTS} cents per ticket."
    if stake_cents % unit_cents:
        return (
            f"The stake must be a multiple of the pool's unit of {unit_cents} cents; "
            f"{stake_cents} is not."
        )
    if stake_cents * 100 < unit_cents * combinations:
        return (
            f"{stake_cents} cents over {combinations} combinations is less than 1% of a "
            f"{unit_cents}-cent unit per combination."
        )
    return None
