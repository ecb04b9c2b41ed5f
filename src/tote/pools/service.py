"""The tote service as a library: topics, schemas, a sequencer and the intake on one log.

    with ToteService(log, Registry(log)) as tote:     # starts the registry too
        [outcome] = tote.intake.place_bets([BetRequest(...)]).result()
        tote.race("R5")

`tote serve tote` wraps this in HTTP (`tote.http.tote_api`). Several services may share a
log: their sequencers share the partitions of `tote_commands` through the consumer group,
and each intake hears its answers whichever of them sequenced the command. A service
started with `sequence=False` only takes requests (for a sequencer run elsewhere).

A service whose sequencer gives up (`sequencer_faults.py`), or whose intake loses a
thread, fails visibly: every waiting request and every new one is answered ServiceFailed
(503), the health check says why, and `on_failure` is told once, so whoever runs the
service can stop it (`tote serve tote` exits non-zero for its supervisor to restart it;
the restarted service carries on from the log).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.log.base import Log
from tote.pools.errors import RaceNotFound
from tote.pools.events import EventCodecs
from tote.pools.intake import DEFAULT_REPLY_TIMEOUT_S, Intake
from tote.pools.sequencer import Sequencer
from tote.pools.sequencer_faults import DEFAULT_RETRY_FOR_S, describe
from tote.pools.sequencer_state import read_race, read_races
from tote.pools.topics import DEFAULT_PARTITIONS, ensure_topics
from tote.registry import Registry

logger = logging.getLogger(__name__)


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
        retry_for_s: float = DEFAULT_RETRY_FOR_S,
        clock: Clock = SYSTEM_CLOCK,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        self.log = log
        self.registry = registry
        self.partitions = partitions
        self.sequence = sequence
        self.member_id = member_id
        self.session_timeout_ms = session_timeout_ms
        self.retry_for_s = retry_for_s
        self.on_failure = on_failure  # told the reason once, if the service cannot go on
        self.failure: str | None = None
        self._failing = threading.Lock()
        self.intake = Intake(
            log,
            clock=clock,
            reply_timeout_s=reply_timeout_s,
            on_failure=lambda exc: self._failed("intake", exc),
        )
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
                on_failure=lambda exc: self._failed("sequencer", exc),
                retry_for_s=self.retry_for_s,
            )
            self.sequencer.start()
        self.intake.start()
        self._started = True

    def _failed(self, part: str, exc: BaseException) -> None:
        """A thread of the service stopped for good: fail visibly (see the module doc)."""
        with self._failing:
            if self.failure is not None:
                return
            self.failure = f"the {part} stopped: {describe(exc)}"
        logger.error("The tote service cannot go on: %s", self.failure)
        self.intake.refuse(self.failure)
        if self.on_failure is not None:
            self.on_failure(self.failure)

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
        """What `/healthcheck` reports: unhealthy while the sequencer retries a failure,
        and once it or the intake stopped (with the reason)."""
        sequencer = "off"
        if self.sequencer is not None:
            failure, retrying = self.sequencer.failure, self.sequencer.retrying
            if failure is not None:
                sequencer = f"failed: {describe(failure)}"
            elif not self.sequencer.running:
                sequencer = "stopped"
            elif retrying is not None:
                sequencer = f"retrying: {retrying}"
            else:
                sequencer = "running"
        healthy = (
            self._started
            and self.failure is None
            and self.intake.running
            and sequencer in ("running", "off")
        )
        report: dict[str, Any] = {"isHealthy": healthy, "sequencer": sequencer}
        if self.failure is not None:
            report["error"] = self.failure
        return report

    def race(self, race_id: str) -> dict[str, Any]:
        """The race as the sequencer last committed it; RaceNotFound if never opened."""
        state = read_race(self.log, race_id)
        if state is None:
            raise RaceNotFound(race_id)
        return state.summary()

    def races(self) -> list[dict[str, Any]]:
        return [race.summary() for race in read_races(self.log)]
