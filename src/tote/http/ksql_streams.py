"""Streaming a transient query's rows over HTTP, in the shapes ksqlDB's clients read.

* `/query` (legacy): one JSON array written as it grows, an element per line —
  `[{"header":{"queryId","schema"}},` then `{"row":{"columns":[...]}}` elements, then for
  push queries `{"finalMessage":"Limit Reached"}` — and a bare `\\n` while idle so the
  client knows the connection lives.
* `/query-stream`, `application/vnd.ksqlapi.delimited.v1` (the default): a metadata
  object line, then one JSON array line per row; `application/json`: the same elements
  as one JSON array.

Rows are produced by polling the query in a thread of `Pollers` (not the request
thread pool: idle push queries wait there, as do PRINTs); when the client goes away the
response is cancelled and the query forgotten.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio
import anyio.to_thread

from tote.core.errors import ToteError
from tote.http.common import negotiate, utf8_json
from tote.serde.errors import SerializationError
from tote.serde.json_format import dumps
from tote.sql.transient import (
    COMPLETED,
    Batch,
    PullResult,
    Row,
    TransientQueries,
    TransientQuery,
    schema_text,
)

POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 1.0
DELIMITED = "application/vnd.ksqlapi.delimited.v1"
KSQL_V1 = "application/vnd.ksql.v1+json"
JSON = "application/json"


def ksql_media(accept: str | None) -> str | None:
    """The media type of a /ksql or /query answer: ksqlDB's own when the client names it
    (any version), else JSON; None when `accept` allows neither (ksqlDB answers 406)."""
    if accept is not None and "application/vnd.ksql" in accept.lower():
        return KSQL_V1
    return negotiate(accept, (JSON,))


class Pollers:
    """The waits for streamed queries' rows, apart from the thread pool that serves
    requests: in it, ksqlDB's 100 idle push queries held every worker thread, and each
    statement or pull query queued behind their waits for a second or more. The threads
    are anyio's (idle ones end after a while), under a limiter of their own."""

    SPARE = 40  # stream pull queries, which the push query limit does not count
    THREAD_NAME = "ksql-push-poll"  # while a thread waits for a query's rows
    # PRINTs waiting at once. ksqlDB does not count PRINT as a push query (it runs no
    # query: a consumer reads the topic), so they neither take the push queries' places
    # nor their threads; more PRINTs than this queue behind the others' idle waits.
    PRINTS = 100
    PRINT_THREAD_NAME = "ksql-print-poll"  # while a thread waits for a PRINT's records

    def __init__(self, queries: TransientQueries) -> None:
        self._queries = queries
        self._limiter: anyio.CapacityLimiter | None = None
        self._print_limiter: anyio.CapacityLimiter | None = None

    async def poll(self, query: TransientQuery) -> Batch:
        if self._limiter is None:  # made on the event loop that uses it
            self._limiter = anyio.CapacityLimiter(self._queries.max_push_queries + self.SPARE)
        # Abandoned on cancel: a client gone mid-wait releases its query (and its place
        # under ksql.max.push.queries) at once, not when the wait ends.
        return await anyio.to_thread.run_sync(self._poll, query, limiter=self._limiter,
                                              abandon_on_cancel=True)

    async def next_line(self, lines: Iterator[str]) -> str | None:
        """A PRINT's next line (None once it ended), waited for in a thread of the
        PRINTs' own. Abandoned on cancel, as a push query's poll: the client went away,
        and the PRINT's Wake ends the pending wait."""
        if self._print_limiter is None:  # made on the event loop that uses it
            self._print_limiter = anyio.CapacityLimiter(self.PRINTS)
        return await anyio.to_thread.run_sync(self._next_line, lines,
                                              limiter=self._print_limiter,
                                              abandon_on_cancel=True)

    @classmethod
    def _poll(cls, query: TransientQuery) -> Batch:
        thread = threading.current_thread()
        name, thread.name = thread.name, cls.THREAD_NAME
        try:
            return query.poll(POLL_SECONDS)
        finally:
            thread.name = name

    @classmethod
    def _next_line(cls, lines: Iterator[str]) -> str | None:
        thread = threading.current_thread()
        name, thread.name = thread.name, cls.PRINT_THREAD_NAME
        try:
            return next(lines, None)
        finally:
            thread.name = name


async def batches(queries: TransientQueries, query: TransientQuery, pollers: Pollers
                   ) -> AsyncIterator[Batch | None]:
    """The query's batches; None when it has been idle for a keep-alive period."""
    idle = 0.0
    try:
        while True:
            try:
                batch = await pollers.poll(query)
            except (ToteError, SerializationError) as exc:
                raise QueryFailed(exc.message) from None
            if batch.rows or batch.final is not None:
                idle = 0.0
                yield batch
                if batch.final is not None:
                    return
            else:
                idle += POLL_SECONDS
                if idle >= KEEPALIVE_SECONDS:
                    idle = 0.0
                    yield None
    finally:
        queries.forget(query)


class QueryFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _error(message: str) -> dict[str, Any]:
    return {"@type": "generic_error", "error_code": 50000, "message": message}


def _row(row: Row) -> dict[str, Any]:
    body: dict[str, Any] = {"columns": list(row.columns)}
    if row.tombstone:
        body["tombstone"] = True
    return {"row": body}


def header(query: TransientQuery) -> dict[str, Any]:
    """Key columns are marked for a pull query on a table only: a stream's pull query is
    read as ksqlDB reads a push query, every column a value."""
    if isinstance(query, PullResult):
        text = query.schema or schema_text(query.columns, True)
    else:
        text = schema_text(query.columns, False)
    return {"header": {"queryId": query.query_id, "schema": text}}


async def legacy(queries: TransientQueries, query: TransientQuery, pollers: Pollers,
                 head: dict[str, Any] | None = None,
                 row: Callable[[Row], dict[str, Any]] | None = None) -> AsyncIterator[bytes]:
    """The `application/vnd.ksql.v1+json` array: the header, the rows as they come, then
    the final or error message (`head` and `row`: another shape's, e.g. protobuf's)."""
    shaped = row or _row
    yield utf8_json("[" + dumps(head or header(query)))
    try:
        async for batch in batches(queries, query, pollers):
            if batch is None:
                yield b"\n"
                continue
            if batch.rows:
                yield utf8_json("".join(",\n" + dumps(shaped(r)) for r in batch.rows))
            # A table's pull query ends without a word; a stream's says it completed.
            if batch.final is not None and not (isinstance(query, PullResult)
                                                and batch.final == COMPLETED):
                yield utf8_json(",\n" + dumps({"finalMessage": batch.final}))
    except QueryFailed as exc:
        yield utf8_json(",\n" + dumps({"errorMessage": _error(exc.message)}))
    yield b"]\n"


def metadata(query: TransientQuery) -> dict[str, Any]:
    return {"queryId": query.query_id,
            "columnNames": [c.name for c in query.columns],
            "columnTypes": [str(c.type) for c in query.columns]}


async def delimited(queries: TransientQueries, query: TransientQuery,
                    pollers: Pollers) -> AsyncIterator[bytes]:
    yield utf8_json(dumps(metadata(query)) + "\n")
    try:
        async for batch in batches(queries, query, pollers):
            if batch is None:
                yield b"\n"
            elif batch.rows:
                yield utf8_json("".join(dumps(list(r.columns)) + "\n" for r in batch.rows))
    except QueryFailed as exc:
        yield utf8_json(dumps(_error(exc.message)) + "\n")


async def json_array(queries: TransientQueries, query: TransientQuery,
                     pollers: Pollers) -> AsyncIterator[bytes]:
    yield utf8_json("[" + dumps(metadata(query)))
    try:
        async for batch in batches(queries, query, pollers):
            if batch is not None and batch.rows:
                yield utf8_json("".join("," + dumps(list(r.columns)) for r in batch.rows))
    except QueryFailed as exc:
        yield utf8_json("," + dumps(_error(exc.message)))
    yield b"]"


def pull_body(query: PullResult, media_type: str) -> bytes:
    """The whole answer of a pull query whose rows are known, in one piece: what the
    streaming shapes above write for it, without a response stream (the cheap path of a
    key lookup)."""
    rows = query.rows
    if media_type == DELIMITED:
        return utf8_json("".join([dumps(metadata(query)) + "\n",
                                  *(dumps(list(r.columns)) + "\n" for r in rows)]))
    if media_type == "application/json":
        return utf8_json("".join(["[", dumps(metadata(query)),
                                  *("," + dumps(list(r.columns)) for r in rows), "]"]))
    return utf8_json("".join(["[", dumps(header(query)),
                              *(",\n" + dumps(_row(r)) for r in rows), "]\n"]))
