"""Pull queries are compiled once per statement text, and a compiled query follows the
catalogue: new rows show up, and a re-created table is read with its new shape."""

from __future__ import annotations

from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.server import KsqlServer
from tote.sql.transient.queries import PullResult

LOOKUP = "SELECT * FROM totals WHERE k = 'a';"


def _rows(server: KsqlServer, sql: str) -> list[list[object]]:
    result = server.queries.start(server.queries.parse(sql))
    assert isinstance(result, PullResult)
    return [list(row.columns) for row in result.rows]


def test_a_repeated_pull_query_sees_new_rows_and_a_recreated_table() -> None:
    with MemoryLog() as log, Registry(log) as registry:
        server = KsqlServer(log, registry)
        server.start(background=False)
        engine = server.engine
        engine.execute("""
            SET 'auto.offset.reset' = 'earliest';
            CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', partitions=1,
                value_format='JSON');
            CREATE TABLE totals AS SELECT k, SUM(v) AS total FROM s GROUP BY k;
            INSERT INTO s (k, v) VALUES ('a', 1);
        """)
        engine.run_until_idle()
        assert _rows(server, LOOKUP) == [["a", 1]]
        assert server.queries.parse(LOOKUP) is server.queries.parse(LOOKUP)

        engine.execute("INSERT INTO s (k, v) VALUES ('a', 2);")
        engine.run_until_idle()
        assert _rows(server, LOOKUP) == [["a", 3]]

        for statement in ("TERMINATE CTAS_TOTALS_2;", "DROP TABLE totals DELETE TOPIC;"):
            engine.execute(statement)
        engine.execute("CREATE TABLE totals AS SELECT k, COUNT(*) AS n, MAX(v) AS top "
                       "FROM s GROUP BY k;")
        engine.run_until_idle()
        assert _rows(server, LOOKUP) == [["a", 2, 2]]
        server.close()
