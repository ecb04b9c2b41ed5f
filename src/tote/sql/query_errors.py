"""A persistent query's recent errors, as ksqlDB's EXPLAIN shows them (`queryErrors`).

A failed query's status stays RUNNING while it is retried (`query_retry.py`), so the
errors are where a user sees that something is wrong: ksqlDB keeps each query's last
`ksql.query.error.max.queue.size` errors (10) for an hour, each with when it happened,
what it said and its type: USER where ksqlDB's classifiers blame the data or the query
(a function's error, such as a DECIMAL sum overflowing its type, or a row its sink cannot
serialise), UNKNOWN otherwise.
"""

from __future__ import annotations

from collections import deque

from tote.sql.config import Config
from tote.sql.results import QueryError
from tote.sql.runtime.operators.sink import UnserializableRecord

MAX_QUEUE_SIZE = "ksql.query.error.max.queue.size"
_DEFAULT_SIZE = 10
KEPT_MS = 3_600_000  # ksqlDB's TimeBoundedQueue: an hour


class QueryErrors:
    """Each query's recent errors, oldest first, by query id."""

    def __init__(self, config: Config) -> None:
        size = config.integer(MAX_QUEUE_SIZE)
        self.size = _DEFAULT_SIZE if size is None else max(size, 0)
        self._errors: dict[str, deque[QueryError]] = {}

    def add(self, query_id: str, cause: BaseException, message: str, now_ms: int) -> None:
        kept = self._errors.get(query_id)
        if kept is None:
            kept = self._errors[query_id] = deque(maxlen=self.size)
        kept.append(QueryError(now_ms, message, "USER" if user_error(cause) else "UNKNOWN"))

    def of(self, query_id: str, now_ms: int) -> tuple[QueryError, ...]:
        """The query's errors of the last hour."""
        kept = self._errors.get(query_id)
        if kept is None:
            return ()
        while kept and kept[0].timestamp <= now_ms - KEPT_MS:
            kept.popleft()
        return tuple(kept)

    def forget(self, query_id: str) -> None:
        """A query that is gone (TERMINATE)."""
        self._errors.pop(query_id, None)


def user_error(cause: BaseException) -> bool:
    """Whether ksqlDB's classifiers would call it a USER error: a function's error
    (KsqlFunctionException: tote's functions raise ArithmeticError, e.g. a DECIMAL
    overflowing its type) or a row the sink cannot serialise."""
    return isinstance(cause, ArithmeticError | UnserializableRecord)
