"""Running a user's read-only statement on the database driver itself, streaming its rows.

The SQL box's text goes to the DBAPI cursor as it is, with no parameters, so nothing in
it is taken for a placeholder (`'100%'`, `':name'` inside literals). Rows stream from a
server-side cursor where the database has one (PostgreSQL's named cursors, PyMySQL's
SSCursor; SQLite's cursor is lazy already). PostgreSQL can only DECLARE a cursor for a
query, and its error positions would then point into the DECLARE, so a query is first
PREPAREd: errors come back with a caret under the user's own text, as psql shows them.
"""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.engine import Connection

from tote.core.errors import BadRequest

STREAMABLE = ("SELECT", "WITH", "VALUES", "TABLE")
_CHECK = "PREPARE tote_ui_check AS "
_names = itertools.count()


class QueryFailed(BadRequest):
    """The database rejected a statement; `message` is the database's own words."""

    error_code = 40001


def _caret(sql: str, position: int) -> list[str]:
    """psql's `LINE n: ...` and a caret under 0-based `position` of `sql`."""
    if not 0 <= position <= len(sql):
        return []
    start = sql.rfind("\n", 0, position) + 1
    end = sql.find("\n", position)
    line = sql[start:end if end >= 0 else len(sql)]
    label = f"LINE {sql.count(chr(10), 0, position) + 1}: "
    return [label + line, " " * (len(label) + position - start) + "^"]


def error_text(exc: BaseException, sql: str = "", offset: int = 0) -> str:
    """The database's message; for PostgreSQL rebuilt from its diagnostics so the caret
    points into `sql` (the statement ran with `offset` characters in front of it)."""
    original = getattr(exc, "orig", None)
    error = original if isinstance(original, BaseException) else exc
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if diag is None or not primary:
        return str(error).strip() or type(error).__name__
    lines = [str(primary)]
    if diag.statement_position and sql:
        lines += _caret(sql, int(diag.statement_position) - 1 - offset)
    if diag.message_detail:
        lines.append(f"DETAIL: {diag.message_detail}")
    if diag.message_hint:
        lines.append(f"HINT: {diag.message_hint}")
    return "\n".join(lines)


def open_cursor(conn: Connection, sql: str, first_word: str) -> Any:
    """An executed DBAPI cursor over `sql` (read it with fetchmany); QueryFailed if the
    database refuses the statement. The cursor lives as long as `conn`'s transaction."""
    dbapi_conn: Any = conn.connection.dbapi_connection
    backend = conn.engine.dialect.name
    errors: tuple[type[BaseException], ...] = (conn.engine.dialect.loaded_dbapi.Error,)
    streamable = first_word in STREAMABLE
    if backend == "postgresql" and streamable:
        check = dbapi_conn.cursor()
        try:
            check.execute(_CHECK + sql)
            check.execute("DEALLOCATE tote_ui_check")
        except errors as exc:
            dbapi_conn.rollback()
            raise QueryFailed(error_text(exc, sql, len(_CHECK))) from None
        finally:
            check.close()
        cursor = dbapi_conn.cursor(name=f"tote_ui_{next(_names)}")
    elif backend == "mysql" and streamable:
        import pymysql.cursors

        cursor = dbapi_conn.cursor(pymysql.cursors.SSCursor)
    else:
        cursor = dbapi_conn.cursor()
    try:
        cursor.execute(sql)
    except errors as exc:
        cursor.close()
        dbapi_conn.rollback()
        raise QueryFailed(error_text(exc, sql)) from None
    return cursor


def column_names(cursor: Any) -> tuple[str, ...]:
    """The result's column names; () for a statement that returns no rows."""
    return tuple(d[0] for d in cursor.description or ())
