"""Is a SQL statement read-only? The first guard of the database browser's SQL box.

A small scanner, not a parser: it skips comments, string literals and quoted identifiers
(`'..'`, `".."`, `` `..` ``, PostgreSQL's `$tag$..$tag$`), splits on `;`, and looks at the
words that are left. One statement is allowed, starting with a reading keyword, with no
writing keyword anywhere (a data-modifying CTE, `SELECT ... INTO`, `FOR UPDATE`). The
database connection is read-only as well (see `browse.py`), so this check exists to give
a clear message before anything runs, not to be the only barrier.
"""

from __future__ import annotations

import re

from tote.core.errors import BadRequest, ToteError

READING = ("SELECT", "WITH", "VALUES", "TABLE", "EXPLAIN", "SHOW", "DESCRIBE", "DESC")
WRITING = frozenset({
    "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "CREATE", "DROP", "ALTER", "TRUNCATE",
    "GRANT", "REVOKE", "COPY", "INTO", "CALL", "LOCK", "VACUUM", "REINDEX", "CLUSTER",
    "COMMENT", "REFRESH", "ATTACH", "DETACH", "PRAGMA", "LOAD", "IMPORT", "RENAME",
})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


class WriteRefused(ToteError):
    """The SQL box is read-only; this statement would (or might) write."""

    error_code = 40300


class EmptyStatement(BadRequest):
    error_code = 40001


def _skip_quoted(sql: str, i: int, quote: str) -> int:
    """Index just past the literal starting at `sql[i]` (doubled quotes escape)."""
    j = i + 1
    while j < len(sql):
        if sql[j] == quote:
            if j + 1 < len(sql) and sql[j + 1] == quote:
                j += 2
                continue
            return j + 1
        if sql[j] == "\\" and quote == "'" and i > 0 and sql[i - 1] in "eE":
            j += 2
            continue
        j += 1
    return j


def split_statements(sql: str) -> list[str]:
    """The statements of `sql` with comments and literals blanked out, empties dropped.

    Blanked text keeps the statement's words (outside literals) where they were, which is
    all `check_read_only` needs.
    """
    out: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(sql):
        ch = sql[i]
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = len(sql) if end < 0 else end
            current.append(" ")
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = len(sql) if end < 0 else end + 2
            current.append(" ")
        elif ch in "'\"`":
            i = _skip_quoted(sql, i, ch)
            current.append(" ? ")
        elif ch == "$" and (tag := _DOLLAR_TAG.match(sql, i)) is not None:
            end = sql.find(tag.group(0), tag.end())
            i = len(sql) if end < 0 else end + len(tag.group(0))
            current.append(" ? ")
        elif ch == ";":
            out.append("".join(current))
            current = []
            i += 1
        else:
            current.append(ch)
            i += 1
    out.append("".join(current))
    return [s for s in out if s.strip()]


def first_word(sql: str) -> str:
    """The statement's first keyword, upper-cased ("" if none)."""
    statements = split_statements(sql)
    words = _WORD.findall(statements[0]) if statements else []
    return words[0].upper() if words else ""


def check_read_only(sql: str) -> str:
    """`sql` without its trailing semicolons if it is one reading statement; else raise."""
    statements = split_statements(sql)
    if not statements:
        raise EmptyStatement("Enter a SQL statement to run.")
    if len(statements) > 1:
        raise WriteRefused(f"Run one statement at a time (found {len(statements)}).")
    words = [w.upper() for w in _WORD.findall(statements[0])]
    first = words[0] if words else ""
    if first not in READING:
        shown = first or sql.strip().split()[0][:30]
        raise WriteRefused(
            f"The SQL box is read-only: {shown} statements are not run here. Use "
            f"{', '.join(READING[:-1])}.")
    writing = next((w for w in words if w in WRITING), None)
    if writing is not None:
        raise WriteRefused(
            f"The SQL box is read-only: this statement contains {writing}, which writes.")
    return sql.strip().rstrip(";").rstrip()
