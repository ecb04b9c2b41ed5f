"""JDBC URLs → where and how to connect with a Python driver.

    jdbc:postgresql://host[:port]/database[?user=..&password=..]   → psycopg 3
    jdbc:mysql://host[:port]/database, jdbc:mariadb://...          → PyMySQL
    jdbc:sqlite:/path/file.db, jdbc:sqlite:relative.db             → sqlite3

Host names of the seed's Docker stack (`db`, ...) are rewritten through the host alias
table first, so `jdbc:postgresql://db:5432/totebets` reaches the stack's PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

from tote.connect.errors import ConfigException
from tote.core.host_aliases import rewrite_url
from tote.core.listen import host_port

DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
_SUBPROTOCOLS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql",
                 "sqlite": "sqlite"}


@dataclass(frozen=True)
class JdbcTarget:
    """A parsed JDBC URL: `kind` is postgresql, mysql or sqlite."""

    kind: str
    host: str = ""
    port: int = 0
    database: str = ""
    path: str = ""
    params: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:{self.path}"
        return f"{self.kind}://{host_port(self.host, self.port)}/{self.database}"


def parse_jdbc_url(url: str, aliases: Mapping[str, str] | None = None) -> JdbcTarget:
    """Parse `url` after applying host aliases; ConfigException for anything unsupported."""
    text = url.strip()
    if not text.startswith("jdbc:"):
        raise ConfigException(f"Not a JDBC URL: {url}")
    subprotocol, sep, rest = text[len("jdbc:"):].partition(":")
    kind = _SUBPROTOCOLS.get(subprotocol.lower())
    if not sep or kind is None:
        raise ConfigException(
            f"Unsupported JDBC URL {url}: tote's JDBC sink supports jdbc:postgresql, "
            "jdbc:mysql, jdbc:mariadb and jdbc:sqlite")
    if kind == "sqlite":
        path, _, query = rest.partition("?")
        if path.startswith("file:"):
            path = path[len("file:"):]
        if not path:
            raise ConfigException(f"JDBC URL {url} names no SQLite database file")
        return JdbcTarget("sqlite", path=unquote(path), params=dict(parse_qsl(query)))
    rewritten = rewrite_url(text, aliases or {})
    rest = rewritten[len("jdbc:") + len(subprotocol) + 1:]
    if not rest.startswith("//"):
        # jdbc:postgresql:database — the local server on the default port.
        database, _, query = rest.partition("?")
        return JdbcTarget(kind, "localhost", DEFAULT_PORTS[kind], unquote(database),
                          params=dict(parse_qsl(query)))
    authority, _, tail = rest[2:].partition("/")
    database, _, query = tail.partition("?")
    first = authority.split(",")[0]
    if "@" in first:
        first = first.rpartition("@")[2]
    if first.startswith("["):  # [IPv6]:port
        host, _, after = first[1:].partition("]")
        port_text = after[1:] if after.startswith(":") else ""
    else:
        host, _, port_text = first.partition(":")
    try:
        port = int(port_text) if port_text else DEFAULT_PORTS[kind]
    except ValueError:
        raise ConfigException(f"Invalid port in JDBC URL {url}") from None
    return JdbcTarget(kind, host or "localhost", port, unquote(database),
                      params=dict(parse_qsl(query)))
