"""Query answers in `application/vnd.ksql.v1+protobuf`: the header carries the `.proto`
text of the row message and each row is that message's bytes, which a client decodes
with the schema it was sent."""

from __future__ import annotations

import base64
import json
from typing import Any

from google.protobuf import text_format

from tote.core.records import Record
from tote.serde.protobuf_descriptors import ProtoPool
from tote.serde.protobuf_model import parse_proto

PROTOBUF = "application/vnd.ksql.v1+protobuf"


def _ask(ksql, path: str, sql: str, accept: str = PROTOBUF) -> tuple[int, str, Any]:
    body = {"sql": sql} if path == "/query-stream" else {"ksql": sql}
    response = ksql.client.post(path, json=body, headers={"Accept": accept})
    return response.status_code, response.headers["content-type"], response.text


def _decoded(messages: list[Any]) -> list[str]:
    """Each row as protobuf text, read with the schema the header sent."""
    schema = messages[0]["header"]["protoSchema"]
    cls = ProtoPool.message_class(ProtoPool(parse_proto(schema)).descriptor([0]))
    rows = []
    for message in messages[1:]:
        if "row" in message:
            decoded = cls()
            decoded.ParseFromString(base64.b64decode(message["row"]["protobufBytes"]))
            rows.append(text_format.MessageToString(decoded, as_one_line=True))
    return rows


def _gadgets(ksql) -> None:
    response = ksql.post(
        "CREATE TABLE gadgets (id STRING PRIMARY KEY, n INT, blob BYTES) WITH "
        "(kafka_topic='gadgets', value_format='JSON', partitions=1);"
        "CREATE TABLE gadgets_view AS SELECT * FROM gadgets;")
    assert response.status_code == 200, response.text
    ksql.log.append("gadgets", [Record(b'{"N":3,"BLOB":"IQ=="}', b"g1", (), 1, 0),
                                Record(b'{"N":0,"BLOB":null}', b"g2", (), 2, 0)])
    ksql.wait_idle()


def test_table_pull_query_in_protobuf(ksql) -> None:
    _gadgets(ksql)
    status, media, text = _ask(ksql, "/query-stream", "SELECT * FROM gadgets_view;")
    assert (status, media) == (200, PROTOBUF)
    messages = json.loads(text)
    assert messages[0]["header"]["schema"] == "`ID` STRING KEY, `N` INTEGER, `BLOB` BYTES"
    assert messages[0]["header"]["protoSchema"] == (
        'syntax = "proto3";\n\nmessage ConnectDefault1 {\n  string ID = 1;\n  int32 N = 2;\n'
        "  bytes BLOB = 3;\n}\n")
    assert len(messages) == 3  # a table's pull query ends without a final message
    assert sorted(_decoded(messages)) == ['ID: "g1" N: 3 BLOB: "!"', 'ID: "g2"']


def test_stream_pull_query_in_protobuf_says_how_it_ended(ksql) -> None:
    ksql.post("CREATE STREAM pings (host STRING, ms DOUBLE) WITH (kafka_topic='pings', "
              "value_format='JSON', partitions=1);")
    ksql.post("INSERT INTO pings (host, ms) VALUES ('a', 1.5);"
              "INSERT INTO pings (host, ms) VALUES ('b', 2.25);")
    for path in ("/query-stream", "/query"):
        status, media, text = _ask(ksql, path, "SELECT * FROM pings LIMIT 1;")
        assert (status, media) == (200, PROTOBUF)
        messages = json.loads(text)
        assert _decoded(messages) == ['HOST: "a" MS: 1.5']
        assert messages[-1] == {"finalMessage": "Limit Reached"}


def test_json_stays_the_answer_unless_protobuf_is_named(ksql) -> None:
    _gadgets(ksql)
    status, media, text = _ask(ksql, "/query", "SELECT id FROM gadgets_view WHERE id = 'g1';",
                               accept="*/*")
    assert status == 200 and "protobuf" not in media
    assert json.loads(text)[1] == {"row": {"columns": ["g1"]}}
