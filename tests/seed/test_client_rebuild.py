"""Re-running a build against a real ksqlDB server: existing sources and running inserts
are skipped, so no query runs twice and no record is counted twice."""

from __future__ import annotations

import httpx

from tote.http.ksql_host import KsqlHost
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.seed import SeedClient
from tote.sql.server import KsqlServer

STATEMENTS = [
    "CREATE STREAM bets (race STRING KEY, cents BIGINT) WITH (kafka_topic='bets', "
    "partitions=1, value_format='JSON');",
    "CREATE STREAM moves (race STRING KEY, cents BIGINT) WITH (kafka_topic='moves', "
    "partitions=1, value_format='JSON');",
    "INSERT INTO moves SELECT race, cents FROM bets EMIT CHANGES;",
    "INSERT INTO moves SELECT race, -cents AS cents FROM bets EMIT CHANGES;",
]


def _insert_queries(url: str) -> list[str]:
    body = httpx.post(url + "/ksql", json={"ksql": "SHOW QUERIES;"}, timeout=30).json()
    return sorted(q["queryString"] for q in body[0]["queries"])


def test_a_second_build_skips_what_exists_and_what_runs() -> None:
    with MemoryLog() as log, Registry(log) as registry, KsqlHost() as host:
        server = KsqlServer(log, registry)
        server.start()
        try:
            host.mount(server)
            with SeedClient(ksqldb_url=host.url) as client:
                first = list(client.run_statements(STATEMENTS))
                assert [r.ok and not r.skipped for r in first] == [True] * 4
                queries = _insert_queries(host.url)
                assert len(queries) == 2
                again = list(client.run_statements(
                    [s.replace(" FROM", "\n   FROM") for s in STATEMENTS]))
                assert [(r.ok, r.skipped) for r in again] == [(True, True)] * 4
                assert [r.detail for r in again[2:]] == ["already running (skipped)"] * 2
                assert _insert_queries(host.url) == queries
                # A different insert into the same stream is a new query.
                other = list(client.run_statements(
                    ["INSERT INTO moves SELECT race, cents * 2 AS cents FROM bets;"]))
                assert [(r.ok, r.skipped) for r in other] == [(True, False)]
                assert len(_insert_queries(host.url)) == 3
        finally:
            server.close()
