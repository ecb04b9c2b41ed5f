"""PRINT over `POST /query`: ksqlDB answers it with plain text lines, not a JSON array.

The lines come from `tote.sql.printing` (format lines, then one line per record, an
empty line while the topic is idle), waited for in a thread of `Pollers`, not in the pool
that serves requests (idle PRINTs would hold its threads); the stream ends at LIMIT or
when the client goes away.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from starlette.responses import Response, StreamingResponse

from tote.http.common import utf8_json
from tote.http.ksql_streams import Pollers
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


async def _stream(server: KsqlServer, statement: PrintTopic,
                  pollers: Pollers) -> AsyncIterator[bytes]:
    wake = Wake()  # set when the answer ends (the client gone): ends an idle wait at once
    lines: Iterator[str] = print_lines(server.log, server.registry, statement, wake.is_set,
                                       wake=wake)
    try:
        while True:
            line = await pollers.next_line(lines)  # outside the request thread pool
            if line is None:
                return
            yield utf8_json(line + "\n")  # a record's JSON may hold a lone surrogate
    finally:
        wake.set()
