"""A persistent query that stops on a record it cannot process.

An exception an operator raises while processing a record (a DECIMAL sum overflowing
its type, say: ksqlDB's KsqlFunctionException) is not a record to skip, as a bad input
is (the processing log's job): Kafka Streams stops the query's task with a
StreamsException "Exception caught in process", and ksqlDB replaces the stream thread
after a back-off (its status stays RUNNING). tote does the same, exactly once: the step
is aborted and redone up to the record before, which commits everything earlier records
caused; the query is then stopped where it failed (its tasks read nothing more, the other
queries go on) until the engine retries it from that record (`tote.sql.query_retry`),
RESUME does, or a restarted server does.
"""

from __future__ import annotations

from tote.core.errors import ToteError
from tote.core.records import LogRecord


class QueryFailed(ToteError):
    """A query stopped on `record` because of `cause`; `processed`: the records of the
    step committed before it."""

    def __init__(self, query_id: str, task: str, record: LogRecord, cause: BaseException,
                 processed: int) -> None:
        self.query_id = query_id
        self.record = record
        self.cause = cause
        self.processed = processed
        detail = str(cause) or type(cause).__name__
        super().__init__(
            f"Exception caught in process. taskId={task}, topic={record.topic}, "
            f"partition={record.partition}, offset={record.offset}: {detail}")


class OperatorError(Exception):
    """Raised inside a step: what took the record (`take`) raised `cause`."""

    def __init__(self, take: object, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.take = take
        self.cause = cause
