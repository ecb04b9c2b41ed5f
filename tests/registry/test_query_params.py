"""Query parameters Confluent honours and tote once ignored: `deleted` on `referencedby`,
`subject` on `/schemas/ids/{id}[/schema]`, `force` on register. Over real HTTP."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tote.http.common import ServerThread

V1 = "application/vnd.schemaregistry.v1+json"
ADDRESS = json.dumps({"type": "record", "name": "Address", "namespace": "com.acme",
                      "fields": [{"name": "street", "type": "string"}]})
PERSON = json.dumps({"type": "record", "name": "Person", "namespace": "com.acme",
                     "fields": [{"name": "home", "type": "com.acme.Address"}]})
REF = [{"name": "com.acme.Address", "subject": "address-value", "version": 1}]


@pytest.fixture
def http(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        yield client


def register(http: httpx.Client, subject: str, schema: str, params: Any = None,
             **extra: Any) -> httpx.Response:
    return http.post(f"/subjects/{subject}/versions", params=params,
                     json={"schema": schema, **extra}, headers={"Content-Type": V1})


def registered_id(http: httpx.Client, subject: str, schema: str, **extra: Any) -> int:
    response = register(http, subject, schema, **extra)
    assert response.status_code == 200, response.text
    found: int = response.json()["id"]
    return found


def test_referencedby_lists_soft_deleted_referrers_when_asked(http: httpx.Client) -> None:
    registered_id(http, "address-value", ADDRESS)
    person = registered_id(http, "person-value", PERSON, references=REF)
    assert http.get("/subjects/address-value/versions/1/referencedby").json() == [person]
    assert http.delete("/subjects/person-value/versions/1").status_code == 200
    path = "/subjects/address-value/versions/1/referencedby"
    assert http.get(path).json() == []
    assert http.get(path, params={"deleted": "true"}).json() == [person]


def test_subject_on_schema_by_id_names_the_subject_version(http: httpx.Client) -> None:
    first = registered_id(http, "a-value", '"long"')
    registered_id(http, "b-value", '"int"')
    assert registered_id(http, "b-value", '"long"') == first  # b-value version 2
    assert http.get(f"/schemas/ids/{first}").json() == {"schema": '"long"'}
    assert http.get(f"/schemas/ids/{first}", params={"subject": "b-value"}).json() == {
        "subject": "b-value", "version": 2, "schema": '"long"'}
    # Not under the subject given: Confluent falls back to the id's whole context.
    assert http.get(f"/schemas/ids/{first}", params={"subject": "nope"}).json() == {
        "subject": "a-value", "version": 1, "schema": '"long"'}
    raw = http.get(f"/schemas/ids/{first}/schema", params={"subject": "b-value"})
    assert (raw.status_code, raw.text) == (200, '"long"')
    missing = http.get("/schemas/ids/999", params={"subject": "a-value"})
    assert (missing.status_code, missing.json()["error_code"]) == (404, 40403)


def test_subject_given_finds_soft_deleted_versions_and_not_permanently_deleted_ones(
    http: httpx.Client,
) -> None:
    schema_id = registered_id(http, "gone-value", '"bytes"')
    assert http.delete("/subjects/gone-value").status_code == 200
    found = http.get(f"/schemas/ids/{schema_id}", params={"subject": "gone-value"})
    assert found.json() == {"subject": "gone-value", "version": 1, "schema": '"bytes"'}
    assert http.delete("/subjects/gone-value", params={"permanent": "true"}).status_code == 200
    gone = http.get(f"/schemas/ids/{schema_id}", params={"subject": "gone-value"})
    assert (gone.status_code, gone.json()["error_code"]) == (404, 40403)


def test_force_skips_the_compatibility_check_but_not_the_mode(http: httpx.Client) -> None:
    old = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
    new = json.dumps({"type": "record", "name": "R", "fields": [{"name": "b", "type": "int"}]})
    registered_id(http, "forced-value", old)
    assert register(http, "forced-value", new).status_code == 409
    forced = register(http, "forced-value", new, params={"force": "true"})
    assert forced.status_code == 200, forced.text
    assert http.get("/subjects/forced-value/versions").json() == [1, 2]
    mode = http.put("/mode/forced-value", json={"mode": "READONLY"},
                    headers={"Content-Type": V1})
    assert mode.status_code == 200, mode.text
    third = json.dumps({"type": "record", "name": "R", "fields": [{"name": "c", "type": "int"}]})
    refused = register(http, "forced-value", third, params={"force": "true"})
    assert (refused.status_code, refused.json()["error_code"]) == (422, 42205)


def test_format_resolved_writes_referenced_avro_types_in_full(http: httpx.Client) -> None:
    registered_id(http, "address-value", ADDRESS)
    person = registered_id(http, "person-value", PERSON, references=REF)
    stored = http.get(f"/schemas/ids/{person}").json()["schema"]
    assert "street" not in stored
    resolved = json.loads(
        http.get(f"/schemas/ids/{person}", params={"format": "RESOLVED"}).json()["schema"])
    # Avro's own text: the namespace it shares with the enclosing record is left out.
    assert resolved["fields"][0]["type"] == {
        "type": "record", "name": "Address", "fields": [{"name": "street", "type": "string"}]}
    raw = http.get(f"/schemas/ids/{person}/schema", params={"format": "resolved"})
    assert json.loads(raw.text) == resolved
    # A format the type does not know serves the canonical text.
    assert http.get(f"/schemas/ids/{person}", params={"format": "serialized"}).json()[
        "schema"] == stored


def test_format_serialized_is_the_protobuf_file_descriptor(http: httpx.Client) -> None:
    from google.protobuf import descriptor_pb2

    proto = 'syntax = "proto3";\npackage acme;\n\nmessage Ping {\n  string text = 1;\n}\n'
    schema_id = registered_id(http, "ping-value", proto, schemaType="PROTOBUF")
    body = http.get(f"/schemas/ids/{schema_id}", params={"format": "serialized"}).json()
    assert body["schemaType"] == "PROTOBUF"
    descriptor = descriptor_pb2.FileDescriptorProto.FromString(
        base64.b64decode(body["schema"]))
    assert (descriptor.name, descriptor.package) == ("default", "acme")
    assert [m.name for m in descriptor.message_type] == ["Ping"]
    assert [f.name for f in descriptor.message_type[0].field] == ["text"]
