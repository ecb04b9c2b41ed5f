"""`POST /ksql` and the small endpoints, as the seed and ksqlDB clients use them."""

from __future__ import annotations

import httpx

from tote.http.common import ServerThread
from tote.http.ksql_api import create_ksql_app
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.server import KsqlServer

ODDS = "TOTE_WIN_BET_RACE_RUNNERS_ODDS"


def test_seed_build_posts_each_statement_and_gets_current_status(ksql) -> None:
    ksql.build_seed()
    streams = ksql.post("SHOW STREAMS;").json()
    assert streams[0]["@type"] == "streams"
    assert streams[0]["statementText"] == "SHOW STREAMS;"
    by_name = {s["name"]: s for s in streams[0]["streams"]}
    assert sorted(by_name) == ["TOTE_WIN_BETS", "TOTE_WIN_BETS_RACE_KEYED",
                               "TOTE_WIN_BETS_RUNNER_KEYED", ODDS]
    assert by_name[ODDS] == {"type": "STREAM", "name": ODDS,
                             "topic": "tote_win_bet_race_runners_odds", "keyFormat": "KAFKA",
                             "valueFormat": "AVRO", "isWindowed": False}
    tables = ksql.post("SHOW TABLES;").json()[0]["tables"]
    assert [t["name"] for t in tables] == ["TOTE_RACE_POOL", "TOTE_RUNNERS_POOL"]
    assert ksql.registry.get_version("tote_win_bets-value").id == 1


def test_create_answers_current_status_with_sequence_number(ksql) -> None:
    response = ksql.post("CREATE STREAM s1 (id BIGINT KEY, name STRING) WITH "
                         "(kafka_topic='s1', value_format='JSON', partitions=1);",
                         streamsProperties={})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    [status] = response.json()
    assert status["@type"] == "currentStatus"
    assert status["commandId"] == "stream/`S1`/create"
    assert status["commandStatus"] == {"status": "SUCCESS", "message": "Stream created",
                                       "queryId": None}
    assert status["commandSequenceNumber"] == 0
    assert status["warnings"] == []
    follow = ksql.post("CREATE STREAM s2 AS SELECT * FROM s1;",
                       commandSequenceNumber=status["commandSequenceNumber"]).json()[0]
    assert follow["commandStatus"] == {"status": "SUCCESS",
                                       "message": "Created query with ID CSAS_S2_2",
                                       "queryId": "CSAS_S2_2"}
    assert ksql.client.get("/status/stream/`S2`/create").json() == {
        "status": "SUCCESS", "message": "Created query with ID CSAS_S2_2",
        "queryId": "CSAS_S2_2"}
    assert ksql.client.get("/status").json() == {"commandStatuses": {
        "stream/`S1`/create": "SUCCESS", "stream/`S2`/create": "SUCCESS"}}


def test_describe_renders_source_description(ksql) -> None:
    ksql.build_seed()
    [entity] = ksql.post("DESCRIBE tote_race_pool;").json()
    description = entity["sourceDescription"]
    assert entity["@type"] == "sourceDescription"
    assert description["name"] == "TOTE_RACE_POOL"
    assert description["type"] == "TABLE"
    assert description["fields"] == [
        {"name": "RACE_ID", "schema": {"type": "INTEGER", "fields": None, "memberSchema": None},
         "type": "KEY"},
        {"name": "RACE_POOL_AMOUNT",
         "schema": {"type": "DOUBLE", "fields": None, "memberSchema": None}}]
    assert [q["id"] for q in description["writeQueries"]] == ["CTAS_TOTE_RACE_POOL_5"]
    assert [q["id"] for q in description["readQueries"]] == [
        "CSAS_TOTE_WIN_BET_RACE_RUNNERS_ODDS_6"]
    assert description["writeQueries"][0]["sinks"] == ["TOTE_RACE_POOL"]
    assert description["keyFormat"] == "KAFKA" and description["valueFormat"] == "AVRO"


def test_show_queries_and_properties(ksql) -> None:
    ksql.build_seed()
    queries = ksql.post("SHOW QUERIES;").json()[0]["queries"]
    assert sorted(q["id"] for q in queries) == [
        "CSAS_TOTE_WIN_BETS_RACE_KEYED_3", "CSAS_TOTE_WIN_BETS_RUNNER_KEYED_2",
        "CSAS_TOTE_WIN_BET_RACE_RUNNERS_ODDS_6", "CTAS_TOTE_RACE_POOL_5",
        "CTAS_TOTE_RUNNERS_POOL_4"]
    assert all(q["queryType"] == "PERSISTENT" and q["state"] == "RUNNING" for q in queries)
    properties = ksql.post("SHOW PROPERTIES;",
                           streamsProperties={"auto.offset.reset": "earliest"}).json()
    by_name = {p["name"]: p for p in properties[0]["properties"]}
    assert by_name["ksql.streams.auto.offset.reset"]["value"] == "earliest"
    assert by_name["ksql.service.id"]["value"] == "default_"


def test_several_statements_in_one_request_and_a_refused_one(ksql) -> None:
    """ksqlDB validates the whole request first: the refused statement's error, and
    nothing of the statements before it ran (no entities)."""
    ok = ksql.post("CREATE STREAM a (x INT) WITH (kafka_topic='a', value_format='JSON', "
                   "partitions=1); SHOW STREAMS;").json()
    assert [e["@type"] for e in ok] == ["currentStatus", "streams"]
    failed = ksql.post("CREATE STREAM b (x INT) WITH (kafka_topic='b', value_format='JSON', "
                       "partitions=1); CREATE STREAM a (x INT) WITH (kafka_topic='a', "
                       "value_format='JSON', partitions=1);")
    assert failed.status_code == 400
    body = failed.json()
    assert body["@type"] == "statement_error"
    assert body["error_code"] == 40001
    assert body["message"] == ("Cannot add stream 'A': A stream with the same name already "
                               "exists")
    assert body["statementText"].startswith("CREATE STREAM a (x INT)")
    assert body["entities"] == []
    assert body["stackTrace"] == []
    assert not ksql.log.topic_exists("b")


def test_select_and_print_on_ksql_endpoint_are_40002(ksql) -> None:
    for sql in ("SELECT * FROM x EMIT CHANGES;", "PRINT 'x' FROM BEGINNING;"):
        response = ksql.post(sql)
        assert response.status_code == 400
        body = response.json()
        assert body["error_code"] == 40002
        assert body["message"] == ("The following statement types should be issued to the "
                                   "websocket endpoint '/query':\n\t* PRINT\n\t* SELECT")
        assert body["statementText"] == sql


def test_bad_requests(ksql) -> None:
    bad_json = ksql.client.post("/ksql", content=b"{not json")
    assert bad_json.status_code == 400
    assert bad_json.json()["@type"] == "generic_error"
    assert bad_json.json()["error_code"] == 40000
    assert bad_json.json()["message"].startswith("Invalid JSON in request:")
    unknown = ksql.post("SHOW STREAMS;", streamsProperties={"no.such.thing": 1})
    assert unknown.status_code == 500  # ksqlDB's uncaught PropertyNotFoundException
    assert unknown.json()["message"] == ("Not recognizable as ksql, streams, consumer, or "
                                         "producer property: 'no.such.thing'")
    syntax = ksql.post("SELEKT 1;")
    assert syntax.status_code == 400
    assert syntax.json()["@type"] == "statement_error"
    assert syntax.json()["error_code"] == 40001
    assert syntax.json()["message"].startswith("line 1:1: Syntax Error")
    missing = ksql.post("DESCRIBE nope;")
    assert missing.json()["message"] == "Could not find STREAM/TABLE 'NOPE' in the Metastore"
    assert ksql.client.get("/status/stream/`NOPE`/create").status_code == 404
    no_route = ksql.client.get("/nowhere")  # ksqlDB's catch-all route: plain text
    assert no_route.status_code == 404
    assert no_route.content == b"Not Found"


def test_media_type_follows_accept(ksql) -> None:
    response = ksql.client.post("/ksql", json={"ksql": "SHOW STREAMS;"},
                                headers={"Accept": "application/vnd.ksql.v1+json",
                                         "Content-Type": "application/vnd.ksql.v1+json"})
    assert response.headers["content-type"] == "application/vnd.ksql.v1+json"


def test_info_and_healthcheck(ksql) -> None:
    assert ksql.client.get("/info").json() == {"KsqlServerInfo": {
        "version": "7.6.0", "kafkaClusterId": "tote", "ksqlServiceId": "default_",
        "serverStatus": "RUNNING"}}
    health = ksql.client.get("/healthcheck")
    assert health.status_code == 200
    assert health.json()["isHealthy"] is True
    assert health.json()["details"]["commandRunner"] == {"isHealthy": True}


def test_server_answers_50302_until_replayed() -> None:
    log = MemoryLog()
    with Registry(log) as registry:
        server = KsqlServer(log, registry)
        with ServerThread(create_ksql_app(server, start=False)) as thread:
            response = httpx.post(thread.url + "/ksql", json={"ksql": "SHOW STREAMS;"})
            assert response.status_code == 503
            assert response.headers["retry-after"] == "10"
            assert response.json() == {"@type": "generic_error", "error_code": 50302,
                                       "message": "Server initializing", "stackTrace": []}
            server.start(background=False)
            assert httpx.post(thread.url + "/ksql",
                              json={"ksql": "SHOW STREAMS;"}).status_code == 200


def test_waiting_for_a_command_that_never_comes_is_50301(ksql) -> None:
    response = ksql.post("SHOW STREAMS;", commandSequenceNumber=5)
    assert response.status_code == 503
    assert response.json()["error_code"] == 50301
    assert response.json()["message"] == ("Timed out while waiting for a previous command to "
                                          "execute. command sequence number: 5")
