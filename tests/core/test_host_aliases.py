"""The host alias table: seed host names (and any port they carry) become stack endpoints."""

from __future__ import annotations

import pytest

from tote.core.host_aliases import (
    HostAliasError,
    host_aliases_from_env,
    parse_host_aliases,
    resolve_endpoint,
    rewrite_url,
    split_endpoint,
)

ALIASES = {"db": "127.0.0.1:5433", "schema-registry": "127.0.0.1:18081",
           "broker": "k1:9092,k2:9092"}


@pytest.mark.parametrize(("url", "expected"), [
    ("jdbc:postgresql://db:5432/totebets", "jdbc:postgresql://127.0.0.1:5433/totebets"),
    ("postgresql://postgres:example@db:5432/totebets?sslmode=disable",
     "postgresql://postgres:example@127.0.0.1:5433/totebets?sslmode=disable"),
    ("http://schema-registry:8081", "http://127.0.0.1:18081"),
    ("http://schema-registry/subjects", "http://127.0.0.1:18081/subjects"),
    ("http://registry.example.com:8081", "http://registry.example.com:8081"),
    ("jdbc:postgresql://database:5432/x", "jdbc:postgresql://database:5432/x"),
])
def test_rewrite_url(url: str, expected: str) -> None:
    assert rewrite_url(url, ALIASES) == expected


def test_resolve_endpoint() -> None:
    assert resolve_endpoint("db", 5432, ALIASES) == ("127.0.0.1", 5433)
    assert resolve_endpoint("broker", 29092, ALIASES) == ("k1", 9092)
    assert resolve_endpoint("elsewhere", 1, ALIASES) == ("elsewhere", 1)


def test_from_env() -> None:
    assert host_aliases_from_env({}) == {}
    assert host_aliases_from_env({"TOTE_HOST_ALIASES": '{"db": "127.0.0.1:5433"}'}) == {
        "db": "127.0.0.1:5433"}


@pytest.mark.parametrize(("text", "message"), [
    ("{", "TOTE_HOST_ALIASES is not valid JSON: Expecting property name enclosed in double "
          "quotes."),
    ('["db"]', 'TOTE_HOST_ALIASES must be a JSON object of host name to "host:port" strings.'),
    ('{"db": 5432}', 'TOTE_HOST_ALIASES must be a JSON object of host name to "host:port" '
                     'strings.'),
])
def test_bad_tables(text: str, message: str) -> None:
    with pytest.raises(HostAliasError) as caught:
        parse_host_aliases(text)
    assert (caught.value.message, caught.value.error_code) == (message, 40004)


IPV6_ALIASES = {"db": "[::1]:5433", "schema-registry": "[::1]:18081",
                "broker": "[::1]:9092,[::1]:9093"}


@pytest.mark.parametrize(("url", "expected"), [
    ("jdbc:postgresql://db:5432/totebets", "jdbc:postgresql://[::1]:5433/totebets"),
    ("postgresql://postgres:example@db:5432/totebets",
     "postgresql://postgres:example@[::1]:5433/totebets"),
    ("http://schema-registry:8081", "http://[::1]:18081"),
    ("http://schema-registry/subjects", "http://[::1]:18081/subjects"),
    ("http://[::1]:8081/subjects", "http://[::1]:8081/subjects"),
    ("jdbc:postgresql://[fe80::1%25eth0]:5432/db", "jdbc:postgresql://[fe80::1%25eth0]:5432/db"),
])
def test_rewrite_url_to_an_ipv6_endpoint_keeps_it_bracketed(url: str, expected: str) -> None:
    """Before, the table held `::1:5433` and URLs came out as `//::1:5433/` (no port
    a client can read: httpx said `Invalid port: ':1:5433'`)."""
    assert rewrite_url(url, IPV6_ALIASES) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("127.0.0.1:5433", ("127.0.0.1", 5433)),
    ("db", ("db", None)),
    ("[::1]:5433", ("::1", 5433)),
    ("[::1]", ("::1", None)),
    ("::1", ("::1", None)),
    ("::1:5433", ("::1:5433", None)),  # unbracketed, that is an IPv6 address
])
def test_split_endpoint(text: str, expected: tuple[str, int | None]) -> None:
    assert split_endpoint(text) == expected


def test_resolve_an_ipv6_endpoint() -> None:
    assert resolve_endpoint("db", 5432, IPV6_ALIASES) == ("::1", 5433)
    assert resolve_endpoint("broker", 29092, IPV6_ALIASES) == ("::1", 9092)
    assert resolve_endpoint("db", 5432, {"db": "[::1]"}) == ("::1", 5432)
