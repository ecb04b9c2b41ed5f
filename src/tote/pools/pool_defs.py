"""A race's pools as the sequencer defines them: every rule resolved, defaults documented.

Rules are data on each pool (spec §3.3: "takeout is pool configuration, never a
constant"); what an operator leaves out takes the default below, chosen from the spec's
Australian examples (Tabcorp Victoria's 2008 takeout caps, 10c breakage on a $1 unit):

| pool     | takeout_bp | places                          | unbacked      | min_starters |
|----------|-----------:|---------------------------------|---------------|--------------|
| WIN      | 1450       | 1                               | NEXT_FINISHER | 1            |
| PLACE    | 1425       | 3 with 8+ runners, else 2 (AU)  | NEXT_FINISHER | places + 1   |
| SHOW     | 1425       | 3                               | NEXT_FINISHER | places + 1   |
| EXACTA   | 1650       | 2                               | CARRY_NET     | 2            |
| QUINELLA | 1475       | 2                               | CARRY_NET     | 2            |
| TRIFECTA | 2100       | 3                               | CARRY_NET     | 3            |
| FIRST4   | 2250       | 4                               | CARRY_NET     | 4            |

and for every pool: unit_cents 100, breakage_step_cents 10, min_dividend_cents none
(no minimum), split PROFIT, part_backed PAY_NET (CARRY_UNWON is the UK rule of spec
§3.6, TC8). `places` of an exotic is the number of runners in one of its
combinations. A pool's places are fixed when it opens (spec §2: late scratchings do not
change them), and so is `min_starters`: a scratching that leaves fewer starters voids
the pool (`starters.py`; the minimum never exceeds the declared field).
"""

from __future__ import annotations

import msgspec

from tote.pools.case import PartBackedRule, PoolType
from tote.pools.commands import SPLITS, UNBACKED_POLICIES, PoolRules
from tote.pools.starters import default_min_starters, min_starters_problem

TAKEOUT_BP = {
    "WIN": 1450,
    "PLACE": 1425,
    "SHOW": 1425,
    "EXACTA": 1650,
    "QUINELLA": 1475,
    "TRIFECTA": 2100,
    "FIRST4": 2250,
}
DEFAULT_UNIT_CENTS = 100
DEFAULT_BREAKAGE_STEP_CENTS = 10
MAX_RUNNERS = 100
MAX_RUNNER_NUMBER = 999


class PoolDef(msgspec.Struct, frozen=True):
    """One pool of a race with all its rules: what `tote_pools_defined` carries."""

    pool: str
    pool_id: str
    takeout_bp: int
    unit_cents: int
    breakage_step_cents: int
    min_dividend_cents: int | None
    split: str
    places: int
    unbacked: str
    part_backed: str = PartBackedRule.PAY_NET.value
    # Fewer starters than this void the pool. A race stored before the rule existed has 1.
    min_starters: int = 1


class PoolDefError(ValueError):
    """A pool (or field) that cannot be opened; the message says what to fix."""


def default_places(pool: PoolType, runners: int) -> int:
    if pool is PoolType.PLACE:
        return 3 if runners >= 8 else 2
    if pool is PoolType.SHOW:
        return 3
    return pool.selection_size


def resolve(race_id: str, rules: PoolRules, runners: int) -> PoolDef:
    """The pool with defaults filled in; PoolDefError if a rule is out of range."""
    try:
        pool = PoolType(rules.pool)
    except ValueError:
        raise PoolDefError(
            f"Unknown pool type '{rules.pool}'; expected one of "
            f"{', '.join(p.value for p in PoolType)}."
        ) from None
    if runners < pool.selection_size:
        raise PoolDefError(
            f"A {pool.value} pool needs at least {pool.selection_size} "
            f"runners; the race declares {runners}."
        )
    takeout = TAKEOUT_BP[pool.value] if rules.takeout_bp is None else rules.takeout_bp
    unit = DEFAULT_UNIT_CENTS if rules.unit_cents is None else rules.unit_cents
    step = (
        DEFAULT_BREAKAGE_STEP_CENTS
        if rules.breakage_step_cents is None
        else rules.breakage_step_cents
    )
    split = rules.split or "PROFIT"
    unbacked = rules.unbacked or ("NEXT_FINISHER" if pool.single_runner else "CARRY_NET")
    places = default_places(pool, runners) if rules.places is None else rules.places
    name = pool.value
    if not 0 <= takeout < 10_000:
        raise PoolDefError(f"{name}: takeout_bp must be from 0 to 9999, not {takeout}.")
    if unit <= 0:
        raise PoolDefError(f"{name}: unit_cents must be positive, not {unit}.")
    if step <= 0:
        raise PoolDefError(f"{name}: breakage_step_cents must be positive, not {step}.")
    if rules.min_dividend_cents is not None and rules.min_dividend_cents <= 0:
        raise PoolDefError(
            f"{name}: min_dividend_cents must be positive (or null for no "
            f"minimum), not {rules.min_dividend_cents}."
        )
    if split not in SPLITS:
        raise PoolDefError(f"{name}: split must be PROFIT or POOL, not '{split}'.")
    if unbacked not in UNBACKED_POLICIES:
        raise PoolDefError(
            f"{name}: unbacked must be one of {', '.join(UNBACKED_POLICIES)}, not '{unbacked}'."
        )
    part_backed = rules.part_backed or PartBackedRule.PAY_NET.value
    if part_backed not in PartBackedRule.__members__:
        raise PoolDefError(
            f"{name}: part_backed must be PAY_NET or CARRY_UNWON, not '{part_backed}'."
        )
    if pool.single_runner and not 1 <= places <= runners:
        raise PoolDefError(
            f"{name}: places must be from 1 to the {runners} runners declared, not {places}."
        )
    if not pool.single_runner and places != pool.selection_size:
        raise PoolDefError(
            f"{name}: places is {pool.selection_size} for this pool "
            f"(runners per combination), not {places}."
        )
    min_starters = (
        default_min_starters(pool, places, runners)
        if rules.min_starters is None
        else rules.min_starters
    )
    problem = min_starters_problem(pool, min_starters, runners)
    if problem is not None:
        raise PoolDefError(f"{name}: {problem}.")
    return PoolDef(
        pool=name,
        pool_id=f"{race_id}/{name}",
        takeout_bp=takeout,
        unit_cents=unit,
        breakage_step_cents=step,
        min_dividend_cents=rules.min_dividend_cents,
        split=split,
        places=places,
        unbacked=unbacked,
        part_backed=part_backed,
        min_starters=min_starters,
    )


def resolve_all(race_id: str, requested: list[PoolRules] | None, runners: int) -> list[PoolDef]:
    """Every requested pool resolved; none requested: every pool type the field suits."""
    if requested is None:
        requested = [PoolRules(pool=p.value) for p in PoolType if _offered(p, runners)]
    if not requested:
        raise PoolDefError("A race needs at least one pool.")
    seen: set[str] = set()
    pools = []
    for rules in requested:
        pool = resolve(race_id, rules, runners)
        if pool.pool in seen:
            raise PoolDefError(f"Pool {pool.pool} is listed twice.")
        seen.add(pool.pool)
        pools.append(pool)
    return pools


def _offered(pool: PoolType, runners: int) -> bool:
    """Whether a race opened without a pool list gets this pool: the field must fill a
    combination, and a PLACE or SHOW pool must have more runners than places."""
    if pool in (PoolType.PLACE, PoolType.SHOW):
        return default_places(pool, runners) < runners
    return pool.selection_size <= runners


def check_runners(runners: list[int]) -> None:
    """Declared runners: 1 to 100 distinct saddlecloth numbers from 1 to 999."""
    if not runners:
        raise PoolDefError("A race needs at least one runner.")
    if len(runners) > MAX_RUNNERS:
        raise PoolDefError(f"A race has at most {MAX_RUNNERS} runners, not {len(runners)}.")
    bad = [r for r in runners if not 1 <= r <= MAX_RUNNER_NUMBER]
    if bad:
        raise PoolDefError(f"Runner numbers go from 1 to {MAX_RUNNER_NUMBER}; got {bad[0]}.")
    if len(set(runners)) != len(runners):
        raise PoolDefError("Runner numbers must be distinct.")
