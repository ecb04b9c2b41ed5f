"""What ksqlDB's router answers outside its routes, and how /ksql/terminate binds its body.

ksqlDB's router ends with a catch-all route (`ServerVerticle`): a request no route takes
— an unknown path, or a known path with a method it does not serve — is answered 404
with the plain text `Not Found` and no content type (not a JSON error, not a 405). The
terminate body is bound by Jackson as a `ClusterTerminateRequest`: unknown properties are
ignored, a body or `deleteTopicList` of the wrong JSON type is a 400."""

from __future__ import annotations

import httpx
import pytest

from tote.http.common import ServerThread
from tote.http.ksql_api import create_ksql_app
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.server import KsqlServer

JSON_TYPE = {"Content-Type": "application/json"}
TERMINATE = "io.confluent.ksql.rest.entity.ClusterTerminateRequest"
TOPIC_LIST = "java.util.ArrayList<java.lang.String>"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/nope"), ("POST", "/nope"), ("POST", "/ksql/nope"), ("GET", "/ksql/terminate/x"),
    ("GET", "/ksql"), ("DELETE", "/query"), ("PUT", "/query-stream"), ("POST", "/info"),
    ("GET", "/close-query"), ("DELETE", "/status")])
def test_requests_no_route_takes_are_a_plain_not_found(ksql, method: str, path: str) -> None:
    response = ksql.client.request(method, path, content=b'{"foo":"bar"}', headers=JSON_TYPE)
    assert response.status_code == 404, response.text
    assert response.content == b"Not Found"
    assert "content-type" not in response.headers
    assert "allow" not in response.headers


def test_the_health_check_routes_answer_an_empty_object(ksql) -> None:
    for path in ("/chc/ready", "/chc/live"):
        response = ksql.client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {}
    assert ksql.client.post("/chc/ready").content == b"Not Found"


def _bad(ksql, body: bytes, message: str) -> None:
    response = ksql.client.post("/ksql/terminate", content=body, headers=JSON_TYPE)
    assert response.status_code == 400, response.text
    assert response.json() == {"@type": "generic_error", "error_code": 40000,
                               "message": "Invalid JSON in request: " + message,
                               "stackTrace": []}


def test_terminate_ignores_unknown_properties_and_takes_scalar_topic_names(ksql) -> None:
    for body in (b'{}', b'{"deleteTopicList":["S2.*"]}', b'{"foo":1,"bar":[{}]}',
                 b'{"deleteTopicList":null}', b'{"deleteTopicList":[]}',
                 b'{"deleteTopicList":[1,true,2.5,"x"]}'):
        response = ksql.client.post("/ksql/terminate", content=body, headers=JSON_TYPE)
        assert response.status_code == 200, (body, response.text)
        assert response.json() == {}


def test_terminate_body_of_the_wrong_type_is_a_bad_request(ksql) -> None:
    _bad(ksql, b"[]", f"Cannot deserialize value of type `{TERMINATE}` from Array value "
                      "(token `JsonToken.START_ARRAY`)")
    creator = f"Cannot construct instance of `{TERMINATE}` (although at least one Creator exists): "
    _bad(ksql, b'"x"', creator + "no String-argument constructor/factory method to "
                                 "deserialize from String value ('x')")
    _bad(ksql, b"7", creator + "no int/Int-argument constructor/factory method to "
                               "deserialize from Number value (7)")
    _bad(ksql, b"8589934592", creator + "no long/Long-argument constructor/factory method to "
                                        "deserialize from Number value (8589934592)")
    _bad(ksql, b"true", creator + "no boolean/Boolean-argument constructor/factory method to "
                                  "deserialize from Boolean value (true)")


def test_terminate_topic_list_of_the_wrong_type_is_a_bad_request(ksql) -> None:
    for value, shape, token in (("1", "Integer value", "VALUE_NUMBER_INT"),
                                ("1.5", "Floating-point value", "VALUE_NUMBER_FLOAT"),
                                ("false", "Boolean value", "VALUE_FALSE"),
                                ('{"a":"b"}', "Object value", "START_OBJECT")):
        _bad(ksql, b'{"deleteTopicList":' + value.encode() + b"}",
             f"Cannot deserialize value of type `{TOPIC_LIST}` from {shape} "
             f"(token `JsonToken.{token}`)")
    _bad(ksql, b'{"deleteTopicList":"S2"}',
         "Cannot construct instance of `java.util.ArrayList` (although at least one Creator "
         "exists): no String-argument constructor/factory method to deserialize from String "
         "value ('S2')")
    for element, shape, token in (('{"a":1}', "Object value", "START_OBJECT"),
                                  ('["a"]', "Array value", "START_ARRAY")):
        _bad(ksql, b'{"deleteTopicList":["x",' + element.encode() + b"]}",
             f"Cannot deserialize value of type `java.lang.String` from {shape} "
             f"(token `JsonToken.{token}`)")


def test_terminate_topic_list_holding_null_fails_as_ksqldb_does(ksql) -> None:
    """ksqlDB's request copies the list into an ImmutableList, which refuses a null: the
    mapper's failure is not a JSON one, and ksqlDB answers it 500."""
    response = ksql.client.post("/ksql/terminate", content=b'{"deleteTopicList":["a",null]}',
                                headers=JSON_TYPE)
    assert response.status_code == 500
    assert response.json() == {"@type": "generic_error", "error_code": 50000,
                               "message": "Failed to deserialize buffer", "stackTrace": []}


def test_unknown_paths_answer_503_until_the_server_is_ready() -> None:
    """ksqlDB's server-state handler runs before its routes (the health probes before
    it): while initializing, an unknown path is a 503 too."""
    log = MemoryLog()
    with Registry(log) as registry:
        server = KsqlServer(log, registry)
        with ServerThread(create_ksql_app(server, start=False)) as thread:
            response = httpx.get(thread.url + "/nope")
            assert response.status_code == 503
            assert response.json()["error_code"] == 50302
            assert httpx.get(thread.url + "/chc/live").json() == {}
            server.start(background=False)
            assert httpx.get(thread.url + "/nope").content == b"Not Found"
