"""JDBC URLs to Python drivers, with the stack's host aliases applied first."""

from __future__ import annotations

import pytest

from tote.connect.errors import ConfigException
from tote.connect.jdbc.urls import JdbcTarget, parse_jdbc_url


@pytest.mark.parametrize(("url", "aliases", "target"), [
    ("jdbc:postgresql://db:5432/totebets", {"db": "127.0.0.1:5433"},
     JdbcTarget("postgresql", "127.0.0.1", 5433, "totebets")),
    ("jdbc:postgresql://pg.example:6000/app?user=me&password=pw", {},
     JdbcTarget("postgresql", "pg.example", 6000, "app", params={"user": "me",
                                                                  "password": "pw"})),
    ("jdbc:postgresql:local", {}, JdbcTarget("postgresql", "localhost", 5432, "local")),
    ("jdbc:mysql://h/shop", {}, JdbcTarget("mysql", "h", 3306, "shop")),
    ("jdbc:mariadb://[::1]:3307/shop", {}, JdbcTarget("mysql", "::1", 3307, "shop")),
    ("jdbc:sqlite:/data/sink.db", {}, JdbcTarget("sqlite", path="/data/sink.db")),
    ("jdbc:sqlite:file:rel.db?mode=rw", {}, JdbcTarget("sqlite", path="rel.db",
                                                      params={"mode": "rw"})),
])
def test_urls(url: str, aliases: dict[str, str], target: JdbcTarget) -> None:
    assert parse_jdbc_url(url, aliases) == target


@pytest.mark.parametrize(("url", "message"), [
    ("postgresql://db/x", "Not a JDBC URL: postgresql://db/x"),
    ("jdbc:oracle:thin:@h:1521:x", "Unsupported JDBC URL jdbc:oracle:thin:@h:1521:x: tote's "
                                   "JDBC sink supports jdbc:postgresql, jdbc:mysql, "
                                   "jdbc:mariadb and jdbc:sqlite"),
    ("jdbc:sqlite:", "JDBC URL jdbc:sqlite: names no SQLite database file"),
    ("jdbc:mysql://h:port/x", "Invalid port in JDBC URL jdbc:mysql://h:port/x"),
])
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigException) as failure:
        parse_jdbc_url(url)
    assert failure.value.message == message
