"""When a failed persistent query is tried again: ksqlDB's back-off (RetryEvent).

ksqlDB answers a query's uncaught exception with REPLACE_THREAD after a wait: each
failure first doubles the wait (from `ksql.query.retry.backoff.initial.ms`, so the first
wait is twice that), up to `ksql.query.retry.backoff.max.ms`, then logs "Restarting query
... (attempt #n)" and resumes from the committed offsets. The wait and the count belong
to the query for its life on this server: a success between failures does not reset them
(RetryEvent never does), a restarted server starts afresh. The engine keeps one `Retries`
and asks it what is due; nothing here sleeps, so waiting never holds the engine's thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from tote.sql.config import Config

BACKOFF_INITIAL_MS = "ksql.query.retry.backoff.initial.ms"
BACKOFF_MAX_MS = "ksql.query.retry.backoff.max.ms"
_DEFAULT_INITIAL_MS = 15_000
_DEFAULT_MAX_MS = 900_000


@dataclass
class _Retry:
    query: object  # the running query it is for (a CREATE OR REPLACE starts afresh)
    wait_ms: int  # the last wait (ksqlDB's waitingTimeMs); the next one doubles it
    attempts: int = 0  # retries started so far
    due: int | None = None  # when the next one starts (monotonic ms); None: none


class Retries:
    """Each failed query's next retry, by query id."""

    def __init__(self, config: Config) -> None:
        initial = config.integer(BACKOFF_INITIAL_MS)
        maximum = config.integer(BACKOFF_MAX_MS)
        self.initial_ms = _DEFAULT_INITIAL_MS if initial is None else initial
        self.max_ms = _DEFAULT_MAX_MS if maximum is None else maximum
        self._retries: dict[str, _Retry] = {}

    def failed(self, query_id: str, query: object, now: float) -> float:
        """Schedule the retry of `query`, which just failed; the seconds until it."""
        retry = self._retries.get(query_id)
        if retry is None or retry.query is not query:
            retry = self._retries[query_id] = _Retry(query, self.initial_ms)
        doubled = retry.wait_ms * 2
        retry.wait_ms = doubled if doubled < self.max_ms else self.max_ms
        retry.due = _ms(now) + retry.wait_ms
        return retry.wait_ms / 1000

    def due(self, now: float) -> list[tuple[str, object]]:
        """The queries whose retry time has come, taken off the schedule."""
        found = [(qid, r.query) for qid, r in self._retries.items()
                 if r.due is not None and r.due <= _ms(now)]
        for qid, _ in found:
            self._retries[qid].due = None
        return found

    def started(self, query_id: str) -> int:
        """Count a retry that starts now; its attempt number."""
        retry = self._retries[query_id]
        retry.attempts += 1
        return retry.attempts

    def forget(self, query_id: str) -> None:
        """A query that is gone (TERMINATE)."""
        self._retries.pop(query_id, None)

    def attempts(self, query_id: str) -> int:
        retry = self._retries.get(query_id)
        return 0 if retry is None else retry.attempts

    def until_next(self, now: float) -> float | None:
        """Seconds until the earliest scheduled retry (None: none scheduled)."""
        dues = [r.due for r in self._retries.values() if r.due is not None]
        return max(min(dues) - _ms(now), 0) / 1000 if dues else None


def _ms(seconds: float) -> int:
    """Whole milliseconds, so that waits add up exactly (0.2 + 0.4 s is not 0.6 s)."""
    return round(seconds * 1000)
