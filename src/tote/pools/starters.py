"""The field a pool needs: its minimum number of starters (spec §4.2).

A scratching, even a late one after the close, can leave a pool with too few starters to
be a bet (Queensland's Triple Trio needs five runners a race; the HKJC terminates Place
with too few starters). Each pool carries the rule `min_starters`, fixed when it opens
like its places; when the declared runners less the scratched ones fall below it, that
pool alone is void: every ticket refunded, no dividend. The default is the smallest field
in which a race opened without a pool list is offered the pool (`pool_defs._offered`):

| pool             | min_starters (default)                          |
|------------------|-------------------------------------------------|
| WIN              | 1                                               |
| PLACE, SHOW      | places + 1 (more starters than paying places)   |
| EXACTA, QUINELLA | 2                                               |
| TRIFECTA         | 3                                               |
| FIRST4           | 4                                               |

never more than the declared field (a pool opened with as many places as runners still
opens; any scratching then voids it). A rule must lie between the runners of one
combination and the declared field.
"""

from __future__ import annotations

from tote.pools.case import PoolCase, PoolType

FIELD_BELOW_MINIMUM = "FIELD_BELOW_MINIMUM"
"""Why a pool was voided, as its POOL_VOIDED race event says."""

RACE_VOID_DETAIL = "The race is void."
"""What a pool of a void race tells a person (the whole race went, not this pool alone)."""


def default_min_starters(pool: PoolType, places: int, field_size: int) -> int:
    """The rule a pool gets when none is given (the table above)."""
    wanted = places + 1 if pool in (PoolType.PLACE, PoolType.SHOW) else pool.selection_size
    return min(wanted, field_size)


def min_starters_problem(pool: PoolType, min_starters: int, field_size: int) -> str | None:
    """Why `min_starters` cannot be the rule of a pool in a field of `field_size`, or None."""
    low = pool.selection_size
    if low <= min_starters <= field_size:
        return None
    return (
        f"min_starters must be from {low} to the {field_size} runners declared, not {min_starters}"
    )


def short_of_starters(field_size: int | None, scratched: int, min_starters: int) -> bool:
    """True when the scratchings left fewer starters than the pool needs: it is void.
    Exactly at the minimum it stands; with no declared field no minimum applies."""
    return field_size is not None and field_size - scratched < min_starters


def void_detail(pool: str, starters: int, min_starters: int) -> str:
    """What a voided pool's event and a refused bet tell a person."""
    return (
        f"{starters} starter{'' if starters == 1 else 's'} left; "
        f"the {pool} pool needs at least {min_starters}."
    )


def void_reason(case: PoolCase) -> str | None:
    """Why `case`'s pool is void (its race is, or scratchings left it short of starters),
    or None if it stands. A void pool refunds every ticket: no dividend, no approximate."""
    if case.void:
        return RACE_VOID_DETAIL
    field, scratched = case.field_size, len(case.scratched)
    if field is None or not short_of_starters(field, scratched, case.min_starters):
        return None
    return void_detail(case.pool.value, field - scratched, case.min_starters)
