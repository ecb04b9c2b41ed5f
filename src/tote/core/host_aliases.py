"""The host alias table: the seed's Docker host names resolved to the running stack.

Seed configs name containers (`jdbc:postgresql://db:5432/totebets`,
`http://schema-registry:8081`). `tote up` runs everything on one host, on ports that may
differ from the defaults, so it hands every service a table from those names to real
endpoints in the environment variable `TOTE_HOST_ALIASES`, a JSON object:

    {"db": "127.0.0.1:5433", "schema-registry": "127.0.0.1:8081", ...}

An alias replaces the host *and* the port the config wrote, whatever that port was:
`db:5432` becomes `127.0.0.1:5433`. An IPv6 endpoint is bracketed, as in a URL or a
bootstrap list (`"db": "[::1]:5433"`), and a rewritten URL keeps the brackets
(`jdbc:postgresql://[::1]:5433/totebets`). `broker` may be a comma-separated bootstrap list
(the kafka backend); it is absent when the log is an embedded file. This module is in
`core` so every layer (connect, ksqldb) can resolve names without knowing the stack.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping

from tote.core.errors import BadRequest
from tote.core.listen import url_host

HOST_ALIASES_ENV = "TOTE_HOST_ALIASES"
# The Docker host names of the seed's docker-compose file.
SEED_HOSTS = ("db", "schema-registry", "connect", "broker", "ksqldb-server", "rest-proxy")

# scheme://[userinfo@]host[:port] — also matches inside `jdbc:postgresql://...`; the host
# may be a bracketed IPv6 address (never an alias, but its port is not the host's).
_AUTHORITY = re.compile(r"(?P<prefix>//(?:[^@/?#]*@)?)"
                        r"(?P<host>\[[0-9A-Fa-f:.%]+\]|[A-Za-z0-9_.-]+)(?::(?P<port>\d+))?")


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
    alias_host, alias_port = split_endpoint(target.split(",")[0].strip())
    return alias_host, port if alias_port is None else alias_port


def split_endpoint(text: str) -> tuple[str, int | None]:
    """`host[:port]` as `(host, port)`: `[::1]:5433` is `("::1", 5433)`. Unbracketed text
    with more than one colon is an IPv6 address with no port (`::1:5432` is an address)."""
    if text.startswith("[") and "]" in text:
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return host, int(port) if port.isdigit() else None
    if text.count(":") != 1:
        return text, None
    host, _, port = text.partition(":")
    return (host, int(port)) if port.isdigit() else (text, None)


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
    authority = url_host(host) if port is None else f"{url_host(host)}:{port}"
    return url[: match.start()] + match.group("prefix") + authority + url[match.end():]
