"""The host alias table: the seed's Docker host names resolved to the running stack.

Seed configs name containers (`jdbc:postgresql://db:5432/totebets`,
`http://schema-registry:8081`). `tote up` runs everything on one host, on ports that may
differ from the defaults, so it hands every service a table from those names to real
endpoints in the environment variable `TOTE_HOST_ALIASES`, a JSON object:

    {"db": "127.0.0.1:5433", "schema-registry": "127.0.0.1:8081", ...}

An alias replaces the host *and* the port the config wrote, whatever that port was:
`db:5432` becomes `127.0.0.1:5433`. `broker` may be a comma-separated bootstrap list
(the kafka backend); it is absent when the log is an embedded file. This module is in
`core` so every layer (connect, ksqldb) can resolve names without knowing the stack.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping

from tote.core.errors import BadRequest

HOST_ALIASES_ENV = "TOTE_HOST_ALIASES"
# The Docker host names of the seed's docker-compose file.
SEED_HOSTS = ("db", "schema-registry", "connect", "broker", "ksqldb-server", "rest-proxy")

# scheme://[userinfo@]host[:port] — also matches inside `jdbc:postgresql://...`.
_AUTHORITY = re.compile(r"(?P<prefix>//(?:[^@/?#]*@)?)(?P<host>[A-Za-z0-9_.-]+)(?::(?P<port>\d+))?")


class HostAliasError(BadRequest):
    error_code = 40004


def parse_host_aliases(text: str) -> dict[str, str]:
    """Parse and check the JSON table: names to `host:port` strings."""
    try:
        table = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HostAliasError(f"{HOST_ALIASES_ENV} is not valid JSON: {exc.msg}.") from None
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in table.items()
    ):
        raise HostAliasError(
            f"{HOST_ALIASES_ENV} must be a JSON object of host name to \"host:port\" strings."
        )
    return dict(table)


def host_aliases_from_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The table `tote up` passed to this process; empty when run alone."""
    env = os.environ if env is None else env
    text = env.get(HOST_ALIASES_ENV, "")
    return parse_host_aliases(text) if text.strip() else {}


def resolve_endpoint(host: str, port: int | None,
                     aliases: Mapping[str, str]) -> tuple[str, int | None]:
    """`(host, port)` with an aliased host replaced by its endpoint (first of a list)."""
    target = aliases.get(host)
    if target is None:
        return host, port
    first = target.split(",")[0].strip()
    alias_host, sep, alias_port = first.rpartition(":")
    if not sep or not alias_port.isdigit():
        return first, port
    return alias_host, int(alias_port)


def rewrite_url(url: str, aliases: Mapping[str, str]) -> str:
    """`url` with its host:port replaced when the host is an alias; other URLs unchanged.

    Works for `http://schema-registry:8081/...` and `jdbc:postgresql://db:5432/totebets`.
    """
    match = _AUTHORITY.search(url)
    if match is None or match.group("host") not in aliases:
        return url
    raw_port = match.group("port")
    host, port = resolve_endpoint(match.group("host"), int(raw_port) if raw_port else None,
                                  aliases)
    authority = host if port is None else f"{host}:{port}"
    return url[: match.start()] + match.group("prefix") + authority + url[match.end():]
