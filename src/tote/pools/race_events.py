"""The values of the sequencer's race-level events: `tote_race_events` and
`tote_pools_defined` (schemas in `events.py`).

Each id comes from the causing command's log position (`At.event_id`), so a replay writes
the same events. A race event names its kind (OPENED, CLOSED, SCRATCHED, RESULT, VOIDED,
POOL_VOIDED) and carries only the fields that kind uses; the rest are null.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tote.pools.pool_defs import PoolDef
from tote.pools.race_state import RaceState
from tote.pools.sequencer_outputs import At
from tote.pools.starters import FIELD_BELOW_MINIMUM, void_detail


def race_event(
    race_id: str,
    kind: str,
    at: At,
    *,
    runners: list[int] | None = None,
    runner: int | None = None,
    result: list[list[int]] | None = None,
    meeting_id: str | None = None,
) -> dict[str, Any]:
    return {
        "race_id": race_id,
        "meeting_id": meeting_id,
        "event_id": at.event_id(race_id),
        "kind": kind,
        "runners": runners,
        "runner": runner,
        "result": result,
        "occurred_at": at.timestamp,
    }


def pool_voided(race: RaceState, pool: PoolDef, runner: int, at: At) -> dict[str, Any]:
    """POOL_VOIDED: which pool, why (`reason`, and `detail` for people), the scratched
    `runner` that did it and the starters left (`runners`). One scratching can void
    several pools: each event's id adds its pool."""
    event = race_event(
        race.race_id,
        "POOL_VOIDED",
        at,
        runners=[r for r in race.runners if r not in race.scratched],
        runner=runner,
    )
    event["event_id"] += f"/{pool.pool}"
    event.update(
        pool=pool.pool,
        pool_id=pool.pool_id,
        reason=FIELD_BELOW_MINIMUM,
        detail=void_detail(pool.pool, race.starters, pool.min_starters),
    )
    return event


def pool_defined(race_id: str, pool: PoolDef) -> dict[str, Any]:
    """A pool with every rule, as the race opens it."""
    return {"race_id": race_id, **msgspec.to_builtins(pool)}
