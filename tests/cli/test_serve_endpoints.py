"""`tote serve connect` alone: the seed's `db` host points at `--db-url`'s host and port
(without one, at a stack's database on `--host`), written as the alias table writes
endpoints (an IPv6 host in brackets)."""

from __future__ import annotations

import pytest

from tote.cli.serve import _database_endpoint
from tote.core.host_aliases import rewrite_url


@pytest.mark.parametrize(("db_url", "endpoint"), [
    ("", "127.0.0.1:5432"),
    ("postgresql://u:p@pg.example:6543/x", "pg.example:6543"),
    ("postgresql://u:p@[::1]:6543/x", "[::1]:6543"),
    ("jdbc:postgresql://[::1]/x", "[::1]:5432"),
])
def test_the_db_alias_follows_the_db_url(db_url: str, endpoint: str) -> None:
    """Before, an IPv6 `--db-url` gave `::1:6543`, read back as the address `::1:6543`."""
    assert _database_endpoint(db_url, 5432, "127.0.0.1") == endpoint


@pytest.mark.parametrize(("host", "endpoint"), [
    ("127.0.0.1", "127.0.0.1:5433"),
    ("0.0.0.0", "127.0.0.1:5433"),
    ("::", "[::1]:5433"),
    ("::1", "[::1]:5433"),
    ("10.1.2.3", "10.1.2.3:5433"),
])
def test_without_a_db_url_the_db_alias_is_the_stacks_database_on_its_host(
        host: str, endpoint: str) -> None:
    """A stack's embedded database listens on the stack's host (`tote up` dials
    `dial_host(--host)`); before, the alias was 127.0.0.1 whatever `--host` said."""
    assert _database_endpoint("", 5433, host) == endpoint

def test_the_seeds_jdbc_url_reaches_an_ipv6_db_url() -> None:
    aliases = {"db": _database_endpoint("postgresql://u:p@[::1]:6543/x", 5432, "::1")}
    assert rewrite_url("jdbc:postgresql://db:5432/totebets", aliases) == \
        "jdbc:postgresql://[::1]:6543/totebets"
