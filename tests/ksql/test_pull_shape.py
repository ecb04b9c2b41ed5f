"""What a pull query's `/query` answer looks like: how a stream's ends, which shapes are
refused (and how the refusal reads), the order a table scan returns rows in, and the
header schema of `SELECT *` on a table with header columns."""

from __future__ import annotations

import json
from typing import Any

from tote.core.records import Record

HELP = (" See https://cnfl.io/queries for more info.\n"
        "Add EMIT CHANGES if you intended to issue a push query.")


def _query(ksql, sql: str, **props: Any) -> Any:
    response = ksql.client.post("/query", json={"ksql": sql, "streamsProperties": props})
    return response.status_code, json.loads(response.text)


def _stream(ksql) -> None:
    ksql.post("CREATE STREAM moves (player STRING KEY, square INT) WITH (kafka_topic='moves', "
              "value_format='JSON', partitions=1);")
    ksql.post("INSERT INTO moves (player, square) VALUES ('ann', 4);"
              "INSERT INTO moves (player, square) VALUES ('bob', 9);"
              "INSERT INTO moves (player, square) VALUES ('cy', 2);")


def test_stream_pull_query_says_it_completed_and_marks_no_keys(ksql) -> None:
    _stream(ksql)
    status, body = _query(ksql, "SELECT * FROM moves WHERE square > 3;")
    assert status == 200
    assert body[0]["header"]["schema"] == "`PLAYER` STRING, `SQUARE` INTEGER"
    assert body[1:] == [{"row": {"columns": ["ann", 4]}}, {"row": {"columns": ["bob", 9]}},
                        {"finalMessage": "Query Completed"}]
    _, limited = _query(ksql, "SELECT player FROM moves LIMIT 2;")
    assert limited[1:] == [{"row": {"columns": ["ann"]}}, {"row": {"columns": ["bob"]}},
                           {"finalMessage": "Limit Reached"}]
    _, short = _query(ksql, "SELECT player FROM moves LIMIT 10;")
    assert short[-1] == {"finalMessage": "Query Completed"}


def test_table_pull_query_ends_without_a_final_message(ksql) -> None:
    _stream(ksql)
    ksql.post("CREATE TABLE last_move AS SELECT player, LATEST_BY_OFFSET(square) AS sq "
              "FROM moves GROUP BY player;", streamsProperties={"auto.offset.reset": "earliest"})
    ksql.wait_idle()
    _, body = _query(ksql, "SELECT * FROM last_move WHERE player = 'bob';")
    assert body == [body[0], {"row": {"columns": ["bob", 9]}}]
    assert body[0]["header"]["schema"] == "`PLAYER` STRING KEY, `SQ` INTEGER"


def _refusal(ksql, sql: str, **props: Any) -> str:
    status, body = _query(ksql, sql, **props)
    assert status == 400, body
    assert body["@type"] == "statement_error"
    message: str = body["message"]
    return message


def test_refused_pull_queries_say_how_to_ask_for_a_push_query(ksql) -> None:
    _stream(ksql)
    assert _refusal(ksql, "SELECT player, COUNT(*) FROM moves GROUP BY player;") == (
        "Pull queries don't support GROUP BY clauses." + HELP)
    assert _refusal(ksql, "SELECT * FROM moves WINDOW TUMBLING (SIZE 1 MINUTE);") == (
        "Pull queries don't support WINDOW clauses." + HELP)


def test_pull_queries_refuse_partition_and_offset_columns(ksql) -> None:
    _stream(ksql)
    assert _refusal(ksql, "SELECT player, ROWOFFSET + 1 AS next, ROWPARTITION FROM moves;") \
        == ("Pull queries don't support the following columns in SELECT clauses: "
            "`ROWOFFSET`, `ROWPARTITION`\n" + HELP)
    assert _refusal(ksql, "SELECT * FROM moves WHERE square > 1 AND ROWOFFSET < 2;") == (
        "Pull queries don't support the following columns in WHERE clauses: `ROWOFFSET`\n"
        + HELP)
    status, _ = _query(ksql, "SELECT player, ROWTIME FROM moves;")
    assert status == 200


def test_pull_query_limit_must_be_enabled_and_not_negative(ksql) -> None:
    _stream(ksql)
    assert _refusal(ksql, "SELECT * FROM moves LIMIT 1;",
                    **{"ksql.query.pull.limit.clause.enabled": "false"}) == (
        "LIMIT clause in pull queries is currently disabled. You can enable them by "
        "setting ksql.query.pull.limit.clause.enabled=true." + HELP)
    assert _refusal(ksql, "SELECT * FROM moves LIMIT -1;") == (
        "Pull queries don't support negative integers in the LIMIT clause." + HELP)
    status, _ = _query(ksql, "SELECT * FROM moves;",
                       **{"ksql.query.pull.limit.clause.enabled": "false"})
    assert status == 200


def test_table_scan_returns_rows_in_key_order_and_limit_keeps_the_first(ksql) -> None:
    ksql.post("CREATE SOURCE TABLE scores (name STRING PRIMARY KEY, points INT) WITH "
              "(kafka_topic='scores', value_format='JSON', partitions=1);")
    names = ["mia", "ada", "zed", "bo", "ada", "kim"]
    ksql.log.append("scores", [Record(json.dumps({"POINTS": i}).encode(), name.encode())
                               for i, name in enumerate(names)])
    _, body = _query(ksql, "SELECT * FROM scores;")
    assert [m["row"]["columns"] for m in body[1:]] == [
        ["ada", 4], ["bo", 3], ["kim", 5], ["mia", 0], ["zed", 2]]
    _, limited = _query(ksql, "SELECT name FROM scores WHERE points < 5 LIMIT 2;")
    assert [m["row"]["columns"] for m in limited[1:]] == [["ada"], ["bo"]]


def test_select_star_header_lists_header_columns_after_the_keys(ksql) -> None:
    ksql.post("CREATE SOURCE TABLE tags (id INT PRIMARY KEY, label STRING, "
              "origin BYTES HEADER('src')) WITH (kafka_topic='tags', value_format='JSON', "
              "key_format='JSON', partitions=1);")
    ksql.log.append("tags", [Record(b'{"LABEL":"x"}', b"1", headers=(("src", b"!"),))])
    _, body = _query(ksql, "SELECT * FROM tags;")
    assert body[0]["header"]["schema"] == (
        "`ID` INTEGER KEY, `ORIGIN` BYTES HEADER('src'), `LABEL` STRING")
    assert body[1:] == [{"row": {"columns": [1, "x", "IQ=="]}}]
    _, picked = _query(ksql, "SELECT id, origin FROM tags;")
    assert picked[0]["header"]["schema"] == "`ID` INTEGER KEY, `ORIGIN` BYTES"
