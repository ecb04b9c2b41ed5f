"""The tote board's state: each race's pool, each runner's pool, share and odds over time.

Fed one `OddsUpdate` at a time (a row of the seed's odds stream: race, runner, the
runner's pool and the race's pool after a bet) by whichever feed is live (`feed.py`).
Approximate odds are what the seed computes, race pool / runner pool, recomputed for
every runner of the race on each update, since a bet on one runner moves everyone's
odds; the history behind each runner's chart records those values after every update.

Everything here runs on the app's event loop; `wait_change` lets the board's
server-sent-event streams sleep until the next update.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from tote.ui.live import Versioned

HISTORY = 60


@dataclass(frozen=True, slots=True)
class OddsUpdate:
    """One row of the odds stream. Race and runner ids are kept as text for display."""

    race: str
    runner: str
    runner_pool: float
    race_pool: float


@dataclass(frozen=True, slots=True)
class RunnerView:
    runner: str
    pool: float
    share: float | None  # fraction of the race pool, None while the race pool is 0
    odds: float | None  # race pool / runner pool, None while the runner pool is 0
    history: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class RaceView:
    race: str
    race_pool: float
    runners: tuple[RunnerView, ...]
    updates: int


@dataclass
class _Race:
    race_pool: float = 0.0
    updates: int = 0
    pools: dict[str, float] = field(default_factory=dict)
    history: dict[str, deque[float | None]] = field(default_factory=dict)


def id_order(value: str) -> tuple[int, float, str]:
    """Numeric ids in numeric order, then the others alphabetically."""
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def odds_of(race_pool: float, runner_pool: float) -> float | None:
    return race_pool / runner_pool if runner_pool > 0 else None


class Board(Versioned):
    """All races seen on the feed since it (re)connected."""

    def __init__(self) -> None:
        super().__init__()
        self._races: dict[str, _Race] = {}

    def reset(self) -> None:
        """Forget everything (the feed replays the stream from its start)."""
        self._races.clear()
        self.changed()

    def apply(self, update: OddsUpdate) -> None:
        race = self._races.setdefault(update.race, _Race())
        race.race_pool = update.race_pool
        race.updates += 1
        race.pools[update.runner] = update.runner_pool
        for runner, pool in race.pools.items():
            history = race.history.setdefault(runner, deque(maxlen=HISTORY))
            history.append(odds_of(race.race_pool, pool))
        self.changed()

    def races(self) -> list[str]:
        return sorted(self._races, key=id_order)

    def view(self, race: str) -> RaceView | None:
        found = self._races.get(race)
        if found is None:
            return None
        runners = tuple(
            RunnerView(runner, pool,
                       pool / found.race_pool if found.race_pool > 0 else None,
                       odds_of(found.race_pool, pool), tuple(found.history[runner]))
            for runner, pool in sorted(found.pools.items(), key=lambda i: id_order(i[0])))
        return RaceView(race, found.race_pool, runners, found.updates)


def sparkline(values: tuple[float | None, ...], width: int = 160, height: int = 36,
              pad: float = 3.0) -> str:
    """SVG polyline points for a runner's odds history (gaps where odds are undefined
    are skipped); higher odds are drawn higher. Empty if fewer than one value."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if not known:
        return ""
    low = min(v for _, v in known)
    high = max(v for _, v in known)
    span = high - low or 1.0
    steps = max(1, len(values) - 1)
    points = []
    for i, value in known:
        x = pad + (width - 2 * pad) * (i / steps if len(values) > 1 else 1.0)
        y = height - pad - (height - 2 * pad) * ((value - low) / span if high > low else 0.5)
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)
