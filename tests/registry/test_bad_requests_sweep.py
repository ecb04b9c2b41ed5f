"""Lone UTF-16 surrogates in a request get the registry's error body, never a 500: in the
body (escaped or as UTF-8 bytes) it is 400/400, as for any unreadable body; escaped inside
the schema text it is 42201, an invalid schema. Nothing is registered either way."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from tests.registry.schemas import USER_V1

from tote.http.common import ServerThread

SURROGATE = b'"\\ud800"'
RAW_SURROGATE = b'"\xed\xa0\x80"'


@pytest.fixture
def http(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0,
                      headers={"content-type": "application/json"}) as client:
        assert client.post("/subjects/users-value/versions",
                           json={"schema": USER_V1}).status_code == 200
        yield client


def error(response: httpx.Response) -> tuple[int, int]:
    body = response.json()
    assert set(body) == {"error_code", "message"}, body
    return response.status_code, body["error_code"]


BODIES = {
    "schema": b'{"schema":' + SURROGATE + b"}",
    "raw-bytes": b'{"schema":' + RAW_SURROGATE + b"}",
    "schema-type": b'{"schemaType":' + SURROGATE + b',"schema":"\\"int\\""}',
    "reference": b'{"schema":"\\"int\\"","references":[{"name":' + SURROGATE
                 + b',"subject":"users-value","version":1}]}',
    "metadata": b'{"schema":"\\"int\\"","metadata":{"properties":{"a":' + SURROGATE + b"}}}",
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/subjects/new-value/versions"),
    ("POST", "/subjects/users-value"),
    ("POST", "/compatibility/subjects/users-value/versions/latest"),
])
def test_a_lone_surrogate_in_a_schema_request_is_a_bad_request(
    http: httpx.Client, method: str, path: str, body: bytes
) -> None:
    assert error(http.request(method, path, content=body)) == (400, 400)
    assert http.get("/subjects").json() == ["users-value"]


@pytest.mark.parametrize(("path", "field"), [("/config/users-value", b"compatibility"),
                                             ("/mode/users-value", b"mode")])
def test_a_lone_surrogate_in_a_config_request_is_a_bad_request(
    http: httpx.Client, path: str, field: bytes
) -> None:
    response = http.put(path, content=b'{"' + field + b'":' + SURROGATE + b"}")
    assert error(response) == (400, 400)


@pytest.mark.parametrize(("schema_type", "schema"), [
    ("AVRO", '{"type":"record","name":"X","doc":"\\ud800","fields":[]}'),
    ("AVRO", '{"type":"record","name":"\\ud800","fields":[]}'),
    ("JSON", '{"title":"\\ud800"}'),
])
def test_a_lone_surrogate_escaped_in_the_schema_text_is_an_invalid_schema(
    http: httpx.Client, schema_type: str, schema: str
) -> None:
    body = json.dumps({"schemaType": schema_type, "schema": schema})
    assert error(http.post("/subjects/new-value/versions", content=body)) == (422, 42201)
    assert error(http.post("/compatibility/subjects/users-value/versions/latest",
                           content=body)) == (422, 42201)
    assert http.get("/subjects").json() == ["users-value"]


def test_a_surrogate_pair_is_still_a_character(http: httpx.Client) -> None:
    schema = '{"type":"record","name":"X","doc":"\\ud83d\\ude00","fields":[]}'
    response = http.post("/subjects/smile-value/versions", content=json.dumps({"schema": schema}))
    assert response.status_code == 200, response.text
    stored = http.get("/subjects/smile-value/versions/1").json()["schema"]
    assert json.loads(stored)["doc"] == "\U0001f600"


@pytest.mark.parametrize(("schema", "detail"), [
    ('{"type":"record","name":"\\ud800","fields":[]}', "Illegal initial character: \ud800"),
    ('{"type":"enum","name":"E","symbols":["\\ud800"]}', "Illegal initial character: \ud800"),
    ('{"type":"record","name":"X","fields":[{"name":"a","type":"\\ud800"}]}',
     '"\ud800" is not a defined name. The type of the schema must be a defined name or one '
     "of the primitive types"),
])
def test_a_parse_error_quoting_a_lone_surrogate_is_answered(
    http: httpx.Client, schema: str, detail: str
) -> None:
    """The schema parser's own reason, quoting the surrogate as the JSON escape `\\ud800`
    (it has no UTF-8 form): a 42201 body, not a 500."""
    response = http.post("/subjects/new-value/versions", content=json.dumps({"schema": schema}))
    assert error(response) == (422, 42201)
    assert response.json()["message"] == f"Invalid schema {schema}, details: {detail}"
    assert b"\\ud800" in response.content
