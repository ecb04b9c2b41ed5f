"""A whole put as ONE PostgreSQL query, sent without waiting for the database to finish.

A put's transaction is BEGIN, the COPY of the rows, the offsets compare-and-set and
COMMIT. Through psycopg's API that is four round trips on the task's thread (psycopg's
own BEGIN, COPY start, COPY end, the CAS with the COMMIT), and the task cannot read the
next poll while it waits. The simple query protocol takes several statements in one query
string, a COPY FROM STDIN among them: the server runs BEGIN, asks for the COPY data
(CopyInResponse), and once the data is in runs the rest (PostgreSQL docs,
Frontend/Backend Protocol, "Multiple Statements in a Simple Query" and "COPY
Operations"). So `send` sends the query, makes the COPY text while the server starts on
it, waits for the CopyInResponse, writes the rows and CopyDone, and returns: the database
loads the rows, moves the offsets and commits while the task decodes the next poll;
`SentQuery.finish` then collects the outcome (a failed statement makes the server skip
the rest, COMMIT included).

psycopg's `Copy` refuses to share a query with other statements, so this speaks libpq
through psycopg's `pq` wrapper, on psycopg's own connection (non-blocking, as psycopg
keeps it). Whatever happens, the connection is left idle or, after a failure, rolled
back with psycopg's `rollback`, so the rest of the sink uses it as before.
"""

from __future__ import annotations

import select
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from psycopg import errors, pq

_COPY_IN = pq.ExecStatus.COPY_IN
_FATAL = pq.ExecStatus.FATAL_ERROR
_SQLSTATE = pq.DiagnosticField.SQLSTATE
_IDLE = pq.TransactionStatus.IDLE
# How long one wait for the socket lasts before libpq is asked again (it never spins).
_WAIT_S = 1.0
# COPY data goes to libpq in pieces of this size, as psycopg's own Copy does.
_CHUNK = 128 * 1024


def _wait(pgconn: Any, writing: bool) -> None:
    sock = pgconn.socket
    select.select([sock], [sock] if writing else [], [], _WAIT_S)


def _flush(pgconn: Any) -> None:
    """Send what libpq holds; read meanwhile, so a server that answers early never
    blocks on a full socket."""
    while pgconn.flush() != 0:
        _wait(pgconn, writing=True)
        pgconn.consume_input()


class SentQuery:
    """A query on its way: its results so far, and the rest collected on demand."""

    def __init__(self, connection: psycopg.Connection[Any], expected: int,
                 missed: tuple[int, str] | None) -> None:
        self._connection = connection
        self._pgconn = connection.pgconn
        self._expected = expected
        self._missed = missed
        self._results: list[Any] = []
        self._done = False

    @classmethod
    def send(cls, connection: psycopg.Connection[Any], statements: Sequence[str],
             data: Callable[[], bytes], missed: tuple[int, str] | None = None) -> SentQuery:
        """Send `statements` as one query (one of them a COPY ... FROM STDIN) and what
        `data()` makes for its COPY, without waiting for the statements after the COPY.
        `data` runs while the server takes the statements before the COPY; if it raises,
        the query is abandoned (rolled back) and its error raised. `missed`: the index of
        a statement and the SQLSTATE with which its failure means "nothing to keep"
        rather than an error (`finish` then returns False). Only for a connection with
        nothing in progress (no open transaction)."""
        pgconn = connection.pgconn
        if pgconn.transaction_status != _IDLE:
            raise psycopg.ProgrammingError("the connection is inside a transaction")
        pgconn.send_query("; ".join(statements).encode(connection.info.encoding))
        _flush(pgconn)
        sent = cls(connection, len(statements), missed)
        try:
            payload = data()
        except BaseException:
            if sent._until_copy():
                pgconn.put_copy_end(b"abandoned by the client")
                _flush(pgconn)
            sent._collect(block=True)
            if pgconn.transaction_status != _IDLE:
                connection.rollback()
            raise
        if sent._until_copy():
            view = memoryview(payload)
            for start in range(0, len(view), _CHUNK):
                while pgconn.put_copy_data(view[start:start + _CHUNK]) == 0:
                    _wait(pgconn, writing=True)
            while pgconn.put_copy_end(None) == 0:
                _wait(pgconn, writing=True)
            _flush(pgconn)
        return sent

    def _until_copy(self) -> bool:
        """Collect results up to the CopyInResponse: True once the server waits for the
        COPY data; False if the query ended before (a statement failed)."""
        pgconn = self._pgconn
        while True:
            while pgconn.is_busy():
                _wait(pgconn, writing=False)
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:
                self._done = True
                return False
            if result.status == _COPY_IN:  # a phase of the protocol, not an outcome
                return True
            self._results.append(result)

    def _collect(self, block: bool) -> None:
        pgconn = self._pgconn
        while not self._done:
            if pgconn.is_busy():
                if not block:
                    return
                _wait(pgconn, writing=False)
                pgconn.consume_input()
                continue
            result = pgconn.get_result()
            if result is None:
                self._done = True
            else:
                self._results.append(result)

    def ready(self) -> bool:
        """Whether every result is in (reads what has arrived; never waits)."""
        if not self._done:
            self._pgconn.consume_input()
            self._collect(block=False)
        return self._done

    def finish(self) -> bool:
        """Wait for the outcome. True: every statement ran (the COMMIT too). False: the
        `missed` statement failed as foreseen, so nothing was kept. Any other failure is
        raised as psycopg's exception. After a failure the transaction is rolled back."""
        self._collect(block=True)
        encoding = self._connection.info.encoding
        for index, result in enumerate(self._results):
            if result.status != _FATAL:
                continue
            if self._pgconn.transaction_status != _IDLE:
                self._connection.rollback()
            state = (result.error_field(_SQLSTATE) or b"").decode("ascii", "replace")
            if self._missed == (index, state):
                return False
            raise errors.error_from_result(result, encoding=encoding)
        if len(self._results) != self._expected:
            raise psycopg.OperationalError(
                f"the query ended after {len(self._results)} of {self._expected} statements")
        return True
