"""The tote service as a library: topics, schemas, a sequencer and the intake on one log.

    with ToteService(log, Registry(log)) as tote:     # starts the registry too
        [outcome] = tote.intake.place_bets([BetRequest(...)]).result()
        tote.race("R5")

`tote serve tote` wraps this in HTTP (`tote.http.tote_api`). Several services may share a
log: their sequencers share the partitions of `tote_commands` through the consumer group,
and each intake hears its answers whichever of them sequenced the command. A service
started with `sequence=False` only takes requests (for a sequencer run elsewhere).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.log.base import Log
from tote.pools.errors import RaceNotFound
from tote.pools.events import EventCodecs
from tote.pools.intake import DEFAULT_REPLY_TIMEOUT_S, Intake
from tote.pools.sequencer import Sequencer
from tote.pools.sequencer_state import read_race, read_races
from tote.pools.topics import DEFAULT_PARTITIONS, ensure_topics
from tote.registry import Registry


class ToteService:
    def __init__(
        self,
        log: Log,
        registry: Registry,
        *,
        partitions: int = DEFAULT_PARTITIONS,
        sequence: bool = True,
        member_id: str | None = None,
        session_timeout_ms: int = 10_000,
        reply_timeout_s: float = DEFAULT_REPLY_TIMEOUT_S,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.log = log
        self.registry = registry
        self.partitions = partitions
        self.sequence = sequence
        self.member_id = member_id
        self.session_timeout_ms = session_timeout_ms
        self.intake = Intake(log, clock=clock, reply_timeout_s=reply_timeout_s)
        self.sequencer: Sequencer | None = None
        self._started = False

    def start(self) -> None:
        """Create missing topics, start sequencing and intake (schemas: at the first event)."""
        if not self.registry.ready:
            self.registry.start()
        ensure_topics(self.log, self.partitions)
        codecs = EventCodecs(self.registry)
        if self.sequence:
            self.sequencer = Sequencer(
                self.log,
                codecs,
                member_id=self.member_id,
                session_timeout_ms=self.session_timeout_ms,
                on_commit=self.intake.replies.deliver_answers,
            )
            self.sequencer.start()
        self.intake.start()
        self._started = True

    def close(self) -> None:
        self.intake.close()
        if self.sequencer is not None:
            self.sequencer.close()
        self.registry.close()
        self._started = False

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def health(self) -> dict[str, Any]:
        """What `/healthcheck` reports; unhealthy once the sequencer or the intake stopped."""
        sequencer = "off"
        if self.sequencer is not None:
            failure = self.sequencer.failure
            sequencer = (
                "running"
                if self.sequencer.running
                else (f"failed: {failure}" if failure is not None else "stopped")
            )
        healthy = self._started and self.intake.running and sequencer in ("running", "off")
        return {"isHealthy": healthy, "sequencer": sequencer}

    def race(self, race_id: str) -> dict[str, Any]:
        """The race as the sequencer last committed it; RaceNotFound if never opened."""
        state = read_race(self.log, race_id)
        if state is None:
            raise RaceNotFound(race_id)
        return state.summary()

    def races(self) -> list[dict[str, Any]]:
        return [race.summary() for race in read_races(self.log)]
