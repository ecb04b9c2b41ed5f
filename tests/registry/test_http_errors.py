"""Bad input over HTTP: each gets the registry's status and error body, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.registry.schemas import USER_V1

from tote.http.common import ServerThread

VERSION_MESSAGE = ("The specified version '{}' is not a valid version id. "
                   'Allowed values are between [1, 2^31-1] and the string "latest"')


@pytest.fixture
def http(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        client.post("/subjects/users-value/versions", json={"schema": USER_V1})
        yield client


def error(response: httpx.Response) -> tuple[int, int, str]:
    body = response.json()
    assert set(body) == {"error_code", "message"}
    return response.status_code, body["error_code"], body["message"]


@pytest.mark.parametrize(("version", "status", "code", "message"), [
    ("latest", 200, None, None),
    ("-1", 200, None, None),
    ("1", 200, None, None),
    ("2", 404, 40402, "Version 2 not found."),
    ("2147483647", 404, 40402, "Version 2147483647 not found."),
    ("0", 422, 42202, VERSION_MESSAGE.format("0")),
    ("-2", 422, 42202, VERSION_MESSAGE.format("-2")),
    ("2147483648", 422, 42202, VERSION_MESSAGE.format("2147483648")),
    ("99999999999999999999", 422, 42202, VERSION_MESSAGE.format("99999999999999999999")),
    ("abc", 422, 42202, VERSION_MESSAGE.format("abc")),
    ("1.0", 422, 42202, VERSION_MESSAGE.format("1.0")),
    ("LATEST", 200, None, None),
])
def test_versions(http: httpx.Client, version: str, status: int, code: int | None,
                  message: str | None) -> None:
    response = http.get(f"/subjects/users-value/versions/{version}")
    if code is None:
        assert (response.status_code, response.json()["version"]) == (200, 1)
    else:
        assert error(response) == (status, code, message)


def test_version_errors_on_every_version_endpoint(http: httpx.Client) -> None:
    expected = (422, 42202, VERSION_MESSAGE.format("abc"))
    assert error(http.get("/subjects/users-value/versions/abc/schema")) == expected
    assert error(http.get("/subjects/users-value/versions/abc/referencedby")) == expected
    assert error(http.delete("/subjects/users-value/versions/abc")) == expected
    assert error(http.post("/compatibility/subjects/users-value/versions/abc",
                           json={"schema": USER_V1})) == expected


def test_unknown_subjects(http: httpx.Client) -> None:
    expected = (404, 40401, "Subject 'nobody' not found.")
    assert error(http.get("/subjects/nobody/versions")) == expected
    assert error(http.get("/subjects/nobody/versions/1")) == expected
    assert error(http.get("/subjects/nobody/versions/latest/schema")) == expected
    assert error(http.delete("/subjects/nobody")) == expected
    assert error(http.delete("/subjects/nobody/versions/1")) == expected
    assert error(http.post("/subjects/nobody", json={"schema": USER_V1})) == expected
    assert error(http.delete("/config/nobody")) == expected


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"schema": "{not avro"}, 422, 42201),
    ({"schema": '{"type":"record","name":"X"}'}, 422, 42201),
    ({"schema": '"nosuchtype"'}, 422, 42201),
    ({"schema": ""}, 422, 42201),
    ({}, 422, 42201),
    ({"schema": None}, 422, 42201),
    ({"schema": USER_V1, "schemaType": "XML"}, 422, 42201),
    ({"schema": USER_V1, "schemaType": "JSON"}, 422, 42201),
    ({"schema": '{"type":"object"}', "schemaType": "json"}, 200, None),
    ({"schema": "{}", "schemaType": "PROTOBUF"}, 422, 42201),
    ({"schema": {"type": "string"}}, 422, 422),
    ({"schema": 5}, 422, 422),
    ({"schema": USER_V1, "schemaType": 7}, 422, 422),
    ({"schema": USER_V1, "references": "x"}, 422, 422),
    ({"schema": USER_V1, "references": [{"name": "a"}]}, 422, 422),
    ({"schema": USER_V1, "references": [{"name": "a", "subject": "s", "version": "1"}]},
     422, 422),
    ({"schema": USER_V1, "references": [{"name": "a", "subject": "nobody", "version": 1}]},
     422, 42201),
    ({"schema": USER_V1, "id": "7"}, 422, 422),
    ({"schema": USER_V1, "id": 7}, 422, 42205),
    ({"schema": USER_V1, "version": 9}, 422, 42201),
    ({"schema": USER_V1, "metadata": []}, 422, 422),
    ({"schema": USER_V1, "unknownField": True}, 200, None),
])
def test_register_bodies(http: httpx.Client, body: object, status: int,
                         code: int | None) -> None:
    response = http.post("/subjects/new-value/versions", json=body)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["error_code"] == code


def test_register_messages(http: httpx.Client) -> None:
    assert error(http.post("/subjects/new-value/versions", json={})) == (
        422, 42201, "Empty schema")
    assert error(http.post("/subjects/new-value/versions",
                           json={"schema": USER_V1, "schemaType": "XML"})) == (
        422, 42201, "Invalid schema type XML")
    assert error(http.post("/subjects/new-value/versions",
                           json={"schema": USER_V1, "version": 9})) == (
        422, 42201, "Version is not one more than previous version")
    assert error(http.post("/subjects/new-value/versions", json={"schema": USER_V1, "id": 7})) == (
        422, 42205, "Subject new-value is not in import mode")
    assert error(http.post("/subjects/__GLOBAL/versions", json={"schema": USER_V1})) == (
        422, 42208, "The specified subject '__GLOBAL' is not a valid.")


@pytest.mark.parametrize("raw", [b"{nope", b"not json", b'{"schema": "x"', b"\xff\xfe", b"[}"])
def test_non_json_bodies_are_400(http: httpx.Client, raw: bytes) -> None:
    response = http.post("/subjects/new-value/versions", content=raw,
                         headers={"content-type": "application/json"})
    status, code, _ = error(response)
    assert (status, code) == (400, 400)


@pytest.mark.parametrize("raw", [b"[1,2]", b'"schema"', b"42", b"null", b""])
def test_json_that_is_not_an_object_is_422(http: httpx.Client, raw: bytes) -> None:
    for method, url in (("POST", "/subjects/new-value/versions"),
                        ("POST", "/subjects/users-value"),
                        ("POST", "/compatibility/subjects/users-value/versions/latest"),
                        ("PUT", "/config"), ("PUT", "/mode/users-value")):
        response = http.request(method, url, content=raw,
                                headers={"content-type": "application/json"})
        status, code, _ = error(response)
        assert (status, code) == (422, 422), (method, url)


def test_deeply_nested_json_is_an_error_not_a_crash(http: httpx.Client) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    status, code, _ = error(http.post("/subjects/new-value/versions", content=deep,
                                      headers={"content-type": "application/json"}))
    assert (status, code) == (400, 400)
    nested = '{"type":' * 5000 + '"int"' + "}" * 5000
    status, code, _ = error(http.post("/subjects/new-value/versions", json={"schema": nested}))
    assert (status, code) == (422, 42201)


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "application/xml",
    "application/vnd.kafka.json.v2+json",
])
def test_wrong_content_types_are_415(http: httpx.Client, content_type: str) -> None:
    response = http.post("/subjects/new-value/versions", content=b'{"schema":"\\"int\\""}',
                         headers={"content-type": content_type})
    assert error(response) == (415, 415, "HTTP 415 Unsupported Media Type")


def test_unknown_routes_and_methods(http: httpx.Client) -> None:
    assert error(http.get("/nope")) == (404, 404, "HTTP 404 Not Found")
    assert error(http.get("/subjects/users-value/nope")) == (404, 404, "HTTP 404 Not Found")
    assert error(http.get("/schemas/ids/abc")) == (404, 404, "HTTP 404 Not Found")
    assert error(http.get("/schemas/ids/99999999999")) == (404, 404, "HTTP 404 Not Found")
    assert error(http.get("/schemas/ids/12")) == (404, 40403, "Schema 12 not found")
    assert error(http.get("/subjects", params={"limit": "many"})) == (
        404, 404, "HTTP 404 Not Found")
    response = http.put("/subjects")
    assert error(response) == (405, 405, "HTTP 405 Method Not Allowed")
    assert response.headers["allow"] == "GET"
    assert error(http.post("/config", json={})) == (405, 405, "HTTP 405 Method Not Allowed")
    assert error(http.delete("/mode")) == (405, 405, "HTTP 405 Method Not Allowed")


def test_unacceptable_accept_header_is_406(http: httpx.Client) -> None:
    assert error(http.get("/subjects", headers={"accept": "text/html"})) == (
        406, 406, "HTTP 406 Not Acceptable")


def test_bad_config_and_mode_bodies(http: httpx.Client) -> None:
    assert error(http.put("/config", json={"compatibility": 3}))[:2] == (422, 42203)
    assert error(http.put("/config", json={}))[:2] == (422, 42203)
    assert error(http.put("/config", json={"compatibility": "full", "normalize": "yes"}))[:2] == (
        422, 422)
    assert error(http.put("/mode", json={"mode": None}))[:2] == (422, 42204)
    assert error(http.put("/config/__GLOBAL", json={"compatibility": "FULL"}))[:2] == (
        422, 42208)


def test_query_booleans_are_case_insensitive(http: httpx.Client) -> None:
    http.delete("/subjects/users-value")
    for value, expected in (("True", ["users-value"]), ("TRUE", ["users-value"]),
                            ("False", []), ("yes", []), ("", [])):
        assert http.get("/subjects", params={"deleted": value}).json() == expected
