"""PRINT over `POST /query`: ksqlDB answers it with plain text lines, not a JSON array.

The lines come from `tote.sql.printing` (format lines, then one line per record, an
empty line while the topic is idle); the stream ends at LIMIT or when the client goes
away.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from tote.http.common import utf8_json
from tote.sql.ast.commands import PrintTopic
from tote.sql.parser import parse
from tote.sql.printing import check_printable, print_lines
from tote.sql.server import KsqlServer

_END = object()


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


async def print_response(server: KsqlServer, statement: PrintTopic, media_type: str) -> Response:
    check_printable(server.log, statement)
    return StreamingResponse(_stream(server, statement), media_type=media_type)


async def _stream(server: KsqlServer, statement: PrintTopic) -> AsyncIterator[bytes]:
    stop = threading.Event()
    lines: Iterator[str] = print_lines(server.log, server.registry, statement, stop.is_set)
    try:
        while True:
            line = await run_in_threadpool(next, lines, _END)
            if line is _END:
                return
            assert isinstance(line, str)
            yield utf8_json(line + "\n")  # a record's JSON may hold a lone surrogate
    finally:
        stop.set()
