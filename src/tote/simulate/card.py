"""A race card to simulate: what bettors back and how each race finishes, decided up front.

Pure and seeded, so a run can be repeated. Each runner has a true chance of winning drawn
from a skewed distribution (a clear favourite, a long tail of outsiders). Bettors follow
the chances with the favourite-longshot bias seen on real totes: they back outsiders more
than their chances deserve (the chances raised to a power below one), so favourites pay
a little better and longshots a lot worse than fair. Finishing orders are drawn from the
true chances (Harville's model: the next finisher is picked among those left, in
proportion to their chances).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

POOLS: tuple[str, ...] = ("WIN", "PLACE", "SHOW", "EXACTA", "QUINELLA", "TRIFECTA", "FIRST4")
SIZES = {"WIN": 1, "PLACE": 1, "SHOW": 1, "EXACTA": 2, "QUINELLA": 2, "TRIFECTA": 3,
         "FIRST4": 4}
# Share of bets per pool: WIN and PLACE take most tickets, exotics fewer but larger pools.
POOL_WEIGHTS = (30, 20, 8, 14, 10, 12, 6)
BIAS = 0.75  # bettors back runners in proportion to chance ** BIAS (longshots over-bet)
UNIT_CENTS = 100


@dataclass(frozen=True)
class Bet:
    """One ticket: either a `selection` or a `box` of runners, with its whole stake."""

    idempotency_key: str
    race_id: str
    pool: str
    stake_cents: int
    selection: tuple[int, ...] = ()
    box: tuple[int, ...] = ()

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"idempotency_key": self.idempotency_key,
                                   "race_id": self.race_id, "pool": self.pool,
                                   "stake_cents": self.stake_cents}
        if self.box:
            body["box"] = list(self.box)
        else:
            body["selection"] = list(self.selection)
        return body


@dataclass(frozen=True)
class Race:
    """A race of the card: its runners' true chances and what will happen to it."""

    race_id: str
    meeting_id: str
    runners: tuple[int, ...]
    chances: tuple[float, ...]
    scratched: tuple[int, ...]  # scratched after a third of the betting
    result: tuple[tuple[int, ...], ...]  # finishing positions; a tuple of two is a dead heat
    bets: tuple[Bet, ...] = field(repr=False)


def _chances(rng: random.Random, field_size: int) -> tuple[float, ...]:
    strengths = [rng.lognormvariate(0.0, 0.9) for _ in range(field_size)]
    total = sum(strengths)
    return tuple(s / total for s in strengths)


def _finish(rng: random.Random, runners: Sequence[int], chances: Sequence[float],
            dead_heat_chance: float) -> tuple[tuple[int, ...], ...]:
    """The first four home by Harville's model; now and then two dead-heat for a place."""
    left = dict(zip(runners, chances, strict=True))
    order: list[int] = []
    while left and len(order) < 4:
        runner = rng.choices(list(left), weights=list(left.values()))[0]
        order.append(runner)
        del left[runner]
    positions: list[tuple[int, ...]] = [(r,) for r in order]
    if len(positions) >= 3 and rng.random() < dead_heat_chance:
        at = rng.randrange(len(positions) - 1)
        positions[at:at + 2] = [tuple(sorted(positions[at] + positions[at + 1]))]
    return tuple(positions)


def _pick(rng: random.Random, runners: Sequence[int], weights: Sequence[float],
          size: int) -> tuple[int, ...]:
    """`size` different runners, each drawn among those left by the bettors' weights."""
    pool = dict(zip(runners, weights, strict=True))
    chosen: list[int] = []
    while len(chosen) < size:
        runner = rng.choices(list(pool), weights=list(pool.values()))[0]
        chosen.append(runner)
        del pool[runner]
    return tuple(chosen)


def _stake(rng: random.Random) -> int:
    """Mostly small stakes, now and then a large one (a Pareto tail), in whole units; a
    box ticket's stake is spread over its combinations (flexi), so any whole stake goes."""
    units = max(1, round(rng.paretovariate(1.6) * 2))
    return min(units, 500) * UNIT_CENTS


def _bets(rng: random.Random, race_id: str, runners: Sequence[int],
          chances: Sequence[float], count: int) -> Iterator[Bet]:
    weights = [c ** BIAS for c in chances]
    for n in range(count):
        pool = rng.choices(POOLS, weights=POOL_WEIGHTS)[0]
        size = SIZES[pool]
        key = f"{race_id}-{n}"
        if size > 1 and rng.random() < 0.15:  # a boxed (flexi) ticket
            box = _pick(rng, runners, weights, min(len(runners), size + 1))
            yield Bet(key, race_id, pool, _stake(rng) * 2, box=tuple(sorted(box)))
            continue
        selection = _pick(rng, runners, weights, size)
        if pool == "QUINELLA":
            selection = tuple(sorted(selection))
        yield Bet(key, race_id, pool, _stake(rng), selection=selection)


def race_card(races: int, bets_per_race: int, *, seed: int = 1, prefix: str = "SIM",
              scratch_chance: float = 0.2, dead_heat_chance: float = 0.05) -> list[Race]:
    """`races` races of 8 to 14 runners with `bets_per_race` tickets each."""
    rng = random.Random(seed)
    card: list[Race] = []
    for number in range(1, races + 1):
        meeting_id = f"{prefix}-{seed}"
        race_id = f"{meeting_id}-R{number}"
        runners = tuple(range(1, rng.randint(8, 14) + 1))
        chances = _chances(rng, len(runners))
        scratched: tuple[int, ...] = ()
        if rng.random() < scratch_chance:
            scratched = (rng.choice(runners),)
        running = [r for r in runners if r not in scratched]
        running_chances = [c for r, c in zip(runners, chances, strict=True) if r in running]
        result = _finish(rng, running, running_chances, dead_heat_chance)
        bets = tuple(_bets(rng, race_id, runners, chances, bets_per_race))
        card.append(Race(race_id, meeting_id, runners, chances, scratched, result, bets))
    return card
