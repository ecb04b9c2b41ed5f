"""ksqlDB's processing log: records a query could not process are skipped and reported.

A record whose bytes do not deserialise, or whose result cannot be serialised, does not
stop the query (ksqlDB's default); it is logged here with the query and the reason, so
nothing is dropped silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

_LOG = logging.getLogger("tote.sql.processing")


@dataclass(frozen=True, slots=True)
class ProcessingError:
    query_id: str
    step: str
    message: str
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None


@dataclass
class ProcessingLog:
    """Keeps the most recent errors (bounded) and logs each one."""

    limit: int = 1000
    errors: list[ProcessingError] = field(default_factory=list)

    def report(self, error: ProcessingError) -> None:
        _LOG.warning("query %s, step %s: %s", error.query_id, error.step, error.message)
        self.errors.append(error)
        if len(self.errors) > self.limit:
            del self.errors[: len(self.errors) - self.limit]
