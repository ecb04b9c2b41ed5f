"""PRINT over `POST /query` and `POST /query-stream`: ksqlDB answers it with plain text
lines, not a JSON array.

The lines come from `tote.sql.printing` (format lines, then one line per record, an
empty line while the topic is idle), waited for in a thread of `Pollers`, not in the pool
that serves requests (idle PRINTs would hold its threads); the stream ends at LIMIT or
when the client goes away.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import replace

from starlette.responses import Response, StreamingResponse

from tote.core.errors import BadRequest
from tote.http.common import utf8_json
from tote.http.ksql_streams import DELIMITED, Pollers
from tote.log.wake import Wake
from tote.sql.ast.commands import PrintTopic
from tote.sql.parser import parse
from tote.sql.printing import check_printable, print_lines
from tote.sql.server import KsqlServer


def is_print(sql: str) -> bool:
    """Whether `sql` may be a PRINT statement (a cheap look at its first word)."""
    return sql.lstrip("( \t\r\n")[:5].upper() == "PRINT"


def parse_print(sql: str) -> PrintTopic | None:
    """The PRINT statement `sql` holds, or None when it is something else."""
    if not is_print(sql):
        return None
    statements = parse(sql)
    if len(statements) == 1 and isinstance(statements[0], PrintTopic):
        return statements[0]
    return None


async def print_response(server: KsqlServer, statement: PrintTopic, media_type: str,
                         pollers: Pollers) -> Response:
    check_printable(server.log, statement)
    return StreamingResponse(_stream(server, statement, pollers), media_type=media_type)


async def _stream(server: KsqlServer, statement: PrintTopic, pollers: Pollers, *,
                  formats: bool = True) -> AsyncIterator[bytes]:
    wake = Wake()  # set when the answer ends (the client gone): ends an idle wait at once
    lines: Iterator[str] = print_lines(server.log, server.registry, statement, wake.is_set,
                                       wake=wake, formats=formats)
    try:
        while True:
            line = await pollers.next_line(lines)  # outside the request thread pool
            if line is None:
                return
            yield utf8_json(line + "\n")  # a record's JSON may hold a lone surrogate
    finally:
        wake.set()


async def print_stream_response(server: KsqlServer, statement: PrintTopic,
                                properties: Mapping[str, object], accept: str,
                                pollers: Pollers) -> Response:
    """PRINT over /query-stream, as ksqlDB's QueryStreamHandler serves it: only the
    records' lines (no format lines, nothing while idle), without a content type; in
    the delimited format only, any other an empty 406 (once the PRINT has started, so a
    missing topic is still its 400). ksqlDB's PRINT consumer starts at `latest` unless
    the request's `auto.offset.reset` says `earliest`."""
    if not server.log.topic_exists(statement.topic):
        raise BadRequest(f"Topic does not exist: {statement.topic}", 40001)
    check_printable(server.log, statement)
    if accept != DELIMITED:
        return Response(status_code=406)
    if properties.get("auto.offset.reset") == "earliest":
        statement = replace(statement, from_beginning=True)
    return StreamingResponse(_records(server, statement, pollers))


async def _records(server: KsqlServer, statement: PrintTopic,
                   pollers: Pollers) -> AsyncIterator[bytes]:
    async for line in _stream(server, statement, pollers, formats=False):
        if line != b"\n":  # an idle period: ksqlDB's consumer just polls again
            yield line
