"""Command ids (`<type>/<entity>/<action>`), as ksqlDB's CommandIdAssigner gives them.

They are the keys of the command topic's records, the `commandId` of a statement's
answer and what `/status/<type>/<entity>/<action>` looks up. ksqlDB names a CREATE
(and CREATE ... AS SELECT, and INSERT INTO, which is a `stream/.../create` even into a
table) by the source name's `toString()`, which always quotes it; DROP, ALTER and the
type statements by its raw text, unquoted. Replay reads only the records' values, so a
command topic written with other keys replays the same.
"""

from __future__ import annotations


def create_source(kind: str, name: str) -> str:
    """CREATE STREAM|TABLE [AS SELECT]: `stream/`S`/create`."""
    return f"{kind}/`{name}`/create"


def insert_into(target: str) -> str:
    """INSERT INTO ... SELECT: `stream/`S`/create`, whatever the target's kind."""
    return f"stream/`{target}`/create"


def drop_source(kind: str, name: str) -> str:
    """DROP STREAM|TABLE: `stream/S/drop`."""
    return f"{kind}/{name}/drop"


def create_type(name: str) -> str:
    """CREATE TYPE: `type/T/create`."""
    return f"type/{name}/create"


def drop_type(name: str) -> str:
    """DROP TYPE: `type/T/drop`."""
    return f"type/{name}/drop"
