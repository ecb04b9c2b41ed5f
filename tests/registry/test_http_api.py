"""The REST API with httpx against a real uvicorn server: every endpoint's exact shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.registry.schemas import JSON_SCHEMA, OTHER, USER_BAD, USER_V1, USER_V2

from tote.http.common import ServerThread

V1 = "application/vnd.schemaregistry.v1+json"


@pytest.fixture
def http(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        yield client


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == V1
    return response.json()


def register(http: httpx.Client, subject: str, schema: str, **extra: Any) -> Any:
    return ok(http.post(f"/subjects/{subject}/versions", json={"schema": schema, **extra}))


def test_root_and_types(http: httpx.Client) -> None:
    assert ok(http.get("/")) == {}
    assert sorted(ok(http.get("/schemas/types"))) == ["AVRO", "JSON", "PROTOBUF"]
    assert ok(http.get("/contexts")) == ["."]


def test_register_and_read_back(http: httpx.Client) -> None:
    assert register(http, "users-value", USER_V1) == {"id": 1}
    assert register(http, "users-value", USER_V1) == {"id": 1}
    assert register(http, "users-value", USER_V2) == {"id": 2}
    assert register(http, "copy-value", USER_V1) == {"id": 1}
    assert ok(http.get("/subjects")) == ["copy-value", "users-value"]
    assert ok(http.get("/subjects/users-value/versions")) == [1, 2]
    assert ok(http.get("/subjects/users-value/versions/1")) == {
        "subject": "users-value", "version": 1, "id": 1, "schema": USER_V1}
    assert ok(http.get("/subjects/users-value/versions/latest"))["version"] == 2
    assert ok(http.get("/subjects/users-value/versions/-1"))["version"] == 2
    raw = http.get("/subjects/users-value/versions/2/schema")
    assert raw.status_code == 200 and raw.text == USER_V2
    assert ok(http.get("/schemas/ids/2")) == {"schema": USER_V2}
    assert http.get("/schemas/ids/1/schema").text == USER_V1
    assert ok(http.get("/schemas/ids/1/subjects")) == ["copy-value", "users-value"]
    assert ok(http.get("/schemas/ids/1/versions")) == [
        {"subject": "copy-value", "version": 1}, {"subject": "users-value", "version": 1}]
    assert ok(http.get("/schemas/ids/2", params={"fetchMaxId": "true"})) == {
        "schema": USER_V2, "maxId": 2}
    assert [s["version"] for s in ok(http.get("/schemas"))] == [1, 1, 2]
    assert ok(http.get("/schemas", params={"latestOnly": "True", "subjectPrefix": "users"})) == [
        {"subject": "users-value", "version": 2, "id": 2, "schema": USER_V2}]
    assert ok(http.get("/subjects", params={"offset": "1", "limit": "1"})) == ["users-value"]


def test_json_schema_type_is_echoed(http: httpx.Client) -> None:
    assert register(http, "j-value", JSON_SCHEMA, schemaType="JSON") == {"id": 1}
    assert ok(http.get("/schemas/ids/1")) == {"schemaType": "JSON", "schema": JSON_SCHEMA}
    assert ok(http.get("/subjects/j-value/versions/1")) == {
        "subject": "j-value", "version": 1, "id": 1, "schemaType": "JSON", "schema": JSON_SCHEMA}


def test_lookup(http: httpx.Client) -> None:
    register(http, "users-value", USER_V1)
    assert ok(http.post("/subjects/users-value", json={"schema": USER_V1})) == {
        "subject": "users-value", "version": 1, "id": 1, "schema": USER_V1}
    missing = http.post("/subjects/users-value", json={"schema": OTHER})
    assert (missing.status_code, missing.json()) == (
        404, {"error_code": 40403, "message": "Schema not found"})
    unknown = http.post("/subjects/nobody", json={"schema": OTHER})
    assert (unknown.status_code, unknown.json()) == (
        404, {"error_code": 40401, "message": "Subject 'nobody' not found."})


def test_incompatible_registration(http: httpx.Client) -> None:
    register(http, "users-value", USER_V1)
    response = http.post("/subjects/users-value/versions", json={"schema": USER_BAD})
    assert response.status_code == 409
    assert response.json()["error_code"] == 409
    assert response.json()["message"].startswith(
        'Schema being registered is incompatible with an earlier schema for subject '
        '"users-value", details: [')


def test_compatibility_endpoints(http: httpx.Client) -> None:
    register(http, "users-value", USER_V1)
    url = "/compatibility/subjects/users-value/versions"
    assert ok(http.post(f"{url}/latest", json={"schema": USER_V2})) == {"is_compatible": True}
    assert ok(http.post(f"{url}/1", json={"schema": USER_BAD})) == {"is_compatible": False}
    verbose = ok(http.post(url, params={"verbose": "True"}, json={"schema": USER_BAD}))
    assert verbose["is_compatible"] is False
    assert verbose["messages"][-1] == "{compatibility: 'BACKWARD'}"
    assert ok(http.post(url, params={"verbose": "true"}, json={"schema": USER_V2})) == {
        "is_compatible": True, "messages": []}
    missing = http.post(f"{url}/7", json={"schema": USER_V2})
    assert (missing.status_code, missing.json()) == (
        404, {"error_code": 40402, "message": "Version 7 not found."})


def test_deletes(http: httpx.Client) -> None:
    register(http, "users-value", USER_V1)
    register(http, "users-value", USER_V2)
    assert ok(http.delete("/subjects/users-value/versions/2")) == 2
    assert ok(http.get("/subjects/users-value/versions", params={"deleted": "true"})) == [1, 2]
    assert ok(http.get("/subjects/users-value/versions", params={"deletedOnly": "TRUE"})) == [2]
    assert ok(http.delete("/subjects/users-value")) == [1]
    assert ok(http.get("/subjects")) == []
    assert ok(http.get("/subjects", params={"deleted": "true"})) == ["users-value"]
    assert ok(http.get("/subjects/users-value/versions/1", params={"deleted": "true"}))["id"] == 1
    again = http.delete("/subjects/users-value")
    assert (again.status_code, again.json()["error_code"]) == (404, 40404)
    assert ok(http.delete("/subjects/users-value", params={"permanent": "true"})) == [1, 2]
    gone = http.get("/schemas/ids/1")
    assert (gone.status_code, gone.json()) == (
        404, {"error_code": 40403, "message": "Schema 1 not found"})


def test_config_endpoints(http: httpx.Client) -> None:
    assert ok(http.get("/config")) == {"compatibilityLevel": "BACKWARD"}
    assert ok(http.put("/config", json={"compatibility": "full"})) == {"compatibility": "FULL"}
    assert ok(http.get("/config")) == {"compatibilityLevel": "FULL"}
    unset = http.get("/config/users-value")
    assert (unset.status_code, unset.json()) == (404, {
        "error_code": 40408,
        "message": "Subject 'users-value' does not have subject-level compatibility configured"})
    assert ok(http.get("/config/users-value", params={"defaultToGlobal": "true"})) == {
        "compatibilityLevel": "FULL"}
    assert ok(http.put("/config/users-value", json={"compatibility": "NONE"})) == {
        "compatibility": "NONE"}
    assert ok(http.get("/config/users-value")) == {"compatibilityLevel": "NONE"}
    assert ok(http.delete("/config/users-value")) == {"compatibilityLevel": "NONE"}
    assert ok(http.delete("/config")) == {"compatibilityLevel": "FULL"}
    assert ok(http.get("/config")) == {"compatibilityLevel": "BACKWARD"}
    bad = http.put("/config", json={"compatibility": "SIDEWAYS"})
    assert (bad.status_code, bad.json()["error_code"]) == (422, 42203)


def test_mode_endpoints(http: httpx.Client) -> None:
    assert ok(http.get("/mode")) == {"mode": "READWRITE"}
    assert ok(http.put("/mode/users-value", json={"mode": "READONLY"})) == {"mode": "READONLY"}
    assert ok(http.get("/mode/users-value")) == {"mode": "READONLY"}
    blocked = http.post("/subjects/users-value/versions", json={"schema": USER_V1})
    assert (blocked.status_code, blocked.json()) == (422, {
        "error_code": 42205, "message": "Subject users-value is in read-only mode"})
    assert ok(http.delete("/mode/users-value")) == {"mode": "READONLY"}
    unset = http.get("/mode/users-value")
    assert (unset.status_code, unset.json()["error_code"]) == (404, 40409)
    assert ok(http.put("/mode", params={"force": "true"}, json={"mode": "import"})) == {
        "mode": "IMPORT"}
    assert register(http, "x-value", OTHER, id=42, version=3) == {"id": 42}
    assert ok(http.get("/subjects/x-value/versions")) == [3]
    bad = http.put("/mode", json={"mode": "SOMETIMES"})
    assert (bad.status_code, bad.json()["error_code"]) == (422, 42204)


def test_references_and_referencedby(http: httpx.Client) -> None:
    address = ('{"type":"record","name":"Address","namespace":"a",'
               '"fields":[{"name":"s","type":"string"}]}')
    person = ('{"type":"record","name":"Person","namespace":"a",'
              '"fields":[{"name":"home","type":"a.Address"}]}')
    refs = [{"name": "a.Address", "subject": "address", "version": 1}]
    register(http, "address", address)
    assert register(http, "person", person, references=refs) == {"id": 2}
    assert ok(http.get("/subjects/person/versions/1"))["references"] == refs
    assert ok(http.get("/schemas/ids/2"))["references"] == refs
    assert ok(http.get("/subjects/address/versions/1/referencedby")) == [2]
    blocked = http.delete("/subjects/address")
    assert (blocked.status_code, blocked.json()) == (422, {
        "error_code": 42206, "message": "One or more references exist to the schema "
                                        "{magic=1,keytype=SCHEMA,subject=address,version=1}."})


def test_metadata_endpoint(http: httpx.Client) -> None:
    register(http, "m-value", USER_V1, metadata={"properties": {"owner": "ann"}})
    register(http, "m-value", USER_V2, metadata={"properties": {"owner": "bob"}})
    found = ok(http.get("/subjects/m-value/metadata", params={"key": "owner", "value": "ann"}))
    assert (found["version"], found["metadata"]) == (1, {"properties": {"owner": "ann"}})


def test_encoded_slash_stays_in_the_subject(http: httpx.Client) -> None:
    assert register(http, "a%2Fb", USER_V1) == {"id": 1}
    assert ok(http.get("/subjects")) == ["a/b"]
    assert ok(http.get("/subjects/a%2Fb/versions/1"))["subject"] == "a/b"
    assert register(http, "caf%C3%A9", USER_V1) == {"id": 1}
    assert ok(http.get("/subjects")) == ["a/b", "café"]


@pytest.mark.parametrize(("accept", "expected"), [
    (None, V1),
    ("*/*", V1),
    ("application/json", "application/json"),
    ("application/vnd.schemaregistry+json", "application/vnd.schemaregistry+json"),
    ("application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, "
     "application/json", V1),
    ("text/html, application/json;q=0.9", "application/json"),
    ("application/json;q=0.5, application/vnd.schemaregistry+json",
     "application/vnd.schemaregistry+json"),
])
def test_content_negotiation(http: httpx.Client, accept: str | None, expected: str) -> None:
    headers = {"accept": accept} if accept is not None else {}
    request = http.build_request("GET", "/config", headers=headers)
    if accept is None:
        del request.headers["accept"]
    response = http.send(request)
    assert response.status_code == 200
    assert response.headers["content-type"] == expected
    assert response.json() == {"compatibilityLevel": "BACKWARD"}


def test_errors_follow_the_negotiated_type(http: httpx.Client) -> None:
    response = http.get("/subjects/nobody/versions", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error_code": 40401, "message": "Subject 'nobody' not found."}


@pytest.mark.parametrize("content_type", [
    V1, "application/vnd.schemaregistry+json", "application/json",
    "application/json; charset=utf-8", "application/octet-stream", None,
])
def test_accepted_request_types(http: httpx.Client, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = http.post("/subjects/t-value/versions", headers=headers,
                         content=b'{"schema":"\\"string\\""}')
    assert (response.status_code, response.json()) == (200, {"id": 1})
