"""Bad request bodies the other Connect API tests do not send: each is answered with
Connect's `{"error_code", "message"}` body and a 4xx status, never a 500."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from tests.connect.helpers import JDBC_SINK

JSON_TYPE = {"Content-Type": "application/json"}


def _config(tmp_path: Path) -> dict[str, str]:
    return {"connector.class": JDBC_SINK, "topics": "bets",
            "connection.url": f"jdbc:sqlite:{tmp_path / 'sink.db'}"}


def _bad(response: httpx.Response, message: str) -> None:
    assert (response.status_code, response.json()) == (
        400, {"error_code": 400, "message": message})


def test_name_and_initial_state_bind_as_jackson_binds_strings(api: httpx.Client,
                                                              tmp_path: Path) -> None:
    numbered = api.post("/connectors", json={"name": 5, "config": _config(tmp_path)})
    assert numbered.status_code == 201
    assert numbered.json()["name"] == "5"
    assert api.get("/connectors/5/config").json()["name"] == "5"
    _bad(api.post("/connectors", json={"name": {"a": 1}, "config": _config(tmp_path)}),
         "Cannot deserialize value of type `java.lang.String` from Object value for field "
         "name")
    _bad(api.post("/connectors", json={"name": "x", "config": _config(tmp_path),
                                       "initial_state": []}),
         "Cannot deserialize value of type `java.lang.String` from Array value for field "
         "initial_state")
    assert api.get("/connectors").json() == ["5"]


def test_deeply_nested_json_is_a_bad_request(api: httpx.Client) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    for method, path in [("POST", "/connectors"), ("PUT", "/connectors/x/config"),
                         ("PUT", "/connector-plugins/JdbcSinkConnector/config/validate")]:
        _bad(api.request(method, path, content=deep, headers=JSON_TYPE),
             "Request body is not valid JSON: document nested too deeply")
    # the server still answers on the same connection
    assert api.get("/connectors").json() == []


def test_lone_surrogate_escapes_are_refused(api: httpx.Client, tmp_path: Path) -> None:
    refused = "Request body is not valid JSON: lone surrogate escape in a string (not valid " \
              "Unicode)"
    bodies = [("POST", "/connectors", {"name": "s\ud800", "config": _config(tmp_path)}),
              ("POST", "/connectors", {"name": "s", "config": {**_config(tmp_path),
                                                               "topics": "\udc00"}}),
              ("PUT", "/connectors/s/config", {**_config(tmp_path), "x\ud800": "1"})]
    for method, path, body in bodies:
        # json.dumps writes the lone surrogate as the escape `\ud800`
        _bad(api.request(method, path, content=json.dumps(body).encode(), headers=JSON_TYPE),
             refused)
    assert api.get("/connectors").json() == []
    paired = api.post("/connectors", content=json.dumps(
        {"name": "\U0001F600", "config": _config(tmp_path)}).encode(), headers=JSON_TYPE)
    assert paired.status_code == 201
    assert paired.json()["name"] == "\U0001F600"
