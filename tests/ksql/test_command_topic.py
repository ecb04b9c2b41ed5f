"""Several servers on one log share a catalogue through the command topic."""

from __future__ import annotations

from pathlib import Path

from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.results import CommandResult, QueryList, SourceList
from tote.sql.server import KsqlServer

CREATE = ("CREATE STREAM bets (runner INT KEY, amount DOUBLE) WITH (kafka_topic='bets', "
          "value_format='JSON', partitions=1);")
POOL = "CREATE TABLE pool AS SELECT runner, SUM(amount) AS total FROM bets GROUP BY runner;"


def _names(server: KsqlServer, sql: str, sequence: int | None = None) -> list[str]:
    [result] = server.execute(sql, sequence=sequence)
    if isinstance(result, SourceList):
        return [s.name for s in result.sources]
    assert isinstance(result, QueryList)
    return [q.id for q in result.queries]


def test_second_server_follows_the_first(tmp_path: Path) -> None:
    path = tmp_path / "tote.db"
    with SqliteLog(path) as log_a, SqliteLog(path) as log_b, \
            Registry(log_a) as registry_a, Registry(log_b) as registry_b:
        first = KsqlServer(log_a, registry_a)
        second = KsqlServer(log_b, registry_b)
        first.start(background=False)
        second.start(process=False)
        try:
            [created] = first.execute(CREATE)
            [pool] = first.execute(POOL)
            assert isinstance(created, CommandResult) and isinstance(pool, CommandResult)
            assert (created.sequence_number, pool.sequence_number) == (0, 1)
            # commandSequenceNumber: the second server answers once it has run command 1.
            assert _names(second, "SHOW STREAMS;", sequence=1) == ["BETS"]
            assert _names(second, "SHOW TABLES;") == ["POOL"]
            assert _names(second, "SHOW QUERIES;") == ["CTAS_POOL_2"]
            assert second.status("table/`POOL`/create") is not None
            # A statement on the second server reaches the first the same way.
            [dropped] = second.execute("DROP STREAM IF EXISTS nothing;")
            assert isinstance(dropped, CommandResult)
            assert _names(first, "SHOW STREAMS;", sequence=dropped.sequence_number) == ["BETS"]
        finally:
            second.close()
            first.close()


def test_restarted_server_replays_the_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "tote.db"
    with SqliteLog(path) as log, Registry(log) as registry:
        server = KsqlServer(log, registry)
        server.start(background=False)
        server.execute(CREATE + POOL)
        server.close()
    with SqliteLog(path) as log, Registry(log) as registry:
        again = KsqlServer(log, registry)
        again.start(background=False)
        try:
            assert _names(again, "SHOW STREAMS;") == ["BETS"]
            assert _names(again, "SHOW QUERIES;") == ["CTAS_POOL_2"]
            [next_one] = again.execute("CREATE STREAM more AS SELECT * FROM bets;")
            assert isinstance(next_one, CommandResult)
            assert next_one.query_id == "CSAS_MORE_3"
        finally:
            again.close()
