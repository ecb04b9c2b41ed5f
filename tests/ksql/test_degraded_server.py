"""The command topic deleted under a running server: ksqlDB's DEGRADED state over HTTP.

Statements that would be recorded get ksqlDB's 500 / 50000 "corruption in the command
topic" error (for the whole request, as ksqlDB answers it); everything else still answers,
each entity carrying that message as a warning; /info says DEGRADED and /healthcheck
reports the command runner unhealthy; persistent queries keep running and the command
topic is not re-created.
"""

from __future__ import annotations

from tests.ksql.conftest import Ksql

from tote.sql.commands import CORRUPTED, command_topic
from tote.sql.testing import rows

BASE = """
CREATE STREAM PAGES (USER_ID INT KEY, PAGE STRING) WITH (kafka_topic='pages', partitions=1,
    value_format='JSON');
CREATE TABLE BY_PAGE AS SELECT PAGE, COUNT(*) AS N FROM PAGES GROUP BY PAGE;
"""
VISIT = "INSERT INTO PAGES (USER_ID, PAGE) VALUES (1, '{}');"


def test_a_deleted_command_topic_degrades_the_server(ksql: Ksql) -> None:
    assert ksql.post(BASE).status_code == 200
    assert ksql.post(VISIT.format("a")).status_code == 200
    topic = command_topic(ksql.server.engine.service_id)
    ksql.log.delete_topic(topic)  # what `tote topic delete` does

    shown = ksql.post("SHOW STREAMS; SHOW QUERIES;")
    assert shown.status_code == 200, shown.text
    assert [e["warnings"] for e in shown.json()] == [[{"message": CORRUPTED}]] * 2
    assert ksql.client.get("/info").json()["KsqlServerInfo"]["serverStatus"] == "DEGRADED"
    health = ksql.client.get("/healthcheck")
    assert health.status_code == 200
    assert health.json() == {"isHealthy": False, "details": {
        "metastore": {"isHealthy": True}, "kafka": {"isHealthy": True},
        "commandRunner": {"isHealthy": False}}, "serverState": "READY"}

    request = ("SHOW STREAMS; CREATE STREAM COPY AS SELECT * FROM PAGES; "
               "DROP TABLE BY_PAGE DELETE TOPIC;")
    refused = ksql.post(request)
    assert refused.status_code == 500
    assert refused.json() == {
        "@type": "statement_error", "error_code": 50000,
        "message": f"Failed to handle Ksql Statement.\n{CORRUPTED}",
        "statementText": request, "entities": [], "stackTrace": []}
    for sql in ("TERMINATE CTAS_BY_PAGE_2;", "DROP TABLE BY_PAGE;"):
        assert ksql.post(sql).json()["error_code"] == 50000

    assert not ksql.log.topic_exists(topic)
    assert sorted(ksql.server.engine.metastore.sources) == ["BY_PAGE", "PAGES"]
    assert ksql.post(VISIT.format("a")).status_code == 200  # not recorded: still runs
    ksql.wait_idle()
    assert rows(ksql.server.engine, "BY_PAGE") == [("a", 1), ("a", 2)]
