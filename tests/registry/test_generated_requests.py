"""Over a thousand generated requests against the live server: never a 5xx, always an error body.

Requests are drawn from the real route table (so they reach the handlers) with hostile
parameters, query strings, bodies, content types and accept headers mixed in, plus
random paths and methods. Valid schemas are part of the mix, so registrations, deletes
and mode changes really happen and later requests meet a changing registry.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.registry.schemas import JSON_SCHEMA, OTHER, USER_BAD, USER_V1, USER_V2

from tote.http.common import ServerThread, status_for_code
from tote.http.registry_handlers import ROUTES

EXAMPLES = 1200
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
SUBJECTS = st.one_of(st.sampled_from(["users-value", "users-value", "a", "a", "__GLOBAL", "x/y",
                                      "café", "s 1"]),
                     st.text(min_size=1, max_size=12))
VERSIONS = st.one_of(
    st.sampled_from(["latest", "LATEST", "-1", "0", "1", "2", "3", "abc", "2147483647",
                     "2147483648", "99999999999999999999", "1.5", "+1", " 1", "-0"]),
    st.integers(-5, 2**33).map(str), st.text(min_size=1, max_size=6))
IDS = st.one_of(st.integers(-3, 12).map(str), st.sampled_from(["abc", "1e3", "99999999999"]))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=3),
    max_leaves=8)
SCHEMA_TEXTS = st.one_of(st.sampled_from([USER_V1, USER_V2, USER_BAD, OTHER, JSON_SCHEMA,
                                          '"string"', '{"type":"record"}', "", "{", "null"]),
                         st.text(max_size=20))
SCHEMA_BODIES = st.fixed_dictionaries(
    {"schema": st.one_of(SCHEMA_TEXTS, JSON_VALUES)},
    optional={
        "schemaType": st.one_of(st.sampled_from(["AVRO", "JSON", "PROTOBUF", "json", "XML"]),
                                JSON_VALUES),
        "references": st.one_of(
            st.lists(st.fixed_dictionaries({"name": st.text(max_size=5),
                                            "subject": SUBJECTS,
                                            "version": st.integers(-2, 3)}), max_size=2),
            JSON_VALUES),
        "id": st.one_of(st.integers(-1, 20), JSON_VALUES),
        "version": st.one_of(st.integers(-1, 5), JSON_VALUES),
        "metadata": JSON_VALUES,
    })
CONFIG_BODIES = st.fixed_dictionaries({}, optional={
    "compatibility": st.one_of(st.sampled_from(["NONE", "full", "BACKWARD_TRANSITIVE", "bogus"]),
                               JSON_VALUES),
    "normalize": JSON_VALUES,
    "mode": st.one_of(st.sampled_from(["READWRITE", "READONLY", "IMPORT", "readonly_override",
                                       "nope"]), JSON_VALUES)})
GOOD_SCHEMA_BODIES = st.fixed_dictionaries(
    {"schema": st.sampled_from([USER_V1, USER_V2, USER_BAD, OTHER, '"string"'])})
BODIES = st.one_of(
    GOOD_SCHEMA_BODIES.map(lambda b: json.dumps(b).encode()),
    GOOD_SCHEMA_BODIES.map(lambda b: json.dumps(b).encode()),
    SCHEMA_BODIES.map(lambda b: json.dumps(b).encode()),
    CONFIG_BODIES.map(lambda b: json.dumps(b).encode()),
    CONFIG_BODIES.map(lambda b: json.dumps(b).encode()),
    JSON_VALUES.map(lambda b: json.dumps(b).encode()),
    st.binary(max_size=40),
    st.just(b""))
QUERIES = st.dictionaries(
    st.sampled_from(["deleted", "deletedOnly", "permanent", "normalize", "verbose", "force",
                     "defaultToGlobal", "fetchMaxId", "latestOnly", "offset", "limit",
                     "subjectPrefix", "subject", "key", "value", "format"]),
    st.one_of(st.sampled_from(["true", "True", "FALSE", "1", "-1", "0", "x", ""]),
              st.text(max_size=5)),
    max_size=4)
CONTENT_TYPES = st.sampled_from([
    "application/vnd.schemaregistry.v1+json", "application/json", "application/octet-stream",
    "text/plain", "application/x-www-form-urlencoded", "", "garbage/;;;"])
ACCEPTS = st.sampled_from([
    "", "", "", "*/*", "application/json", "application/vnd.schemaregistry+json",
    "application/vnd.schemaregistry.v1+json, application/json", "application/*;q=0.3",
    "text/html", ";;,"])


@st.composite
def routed_paths(draw: st.DrawFn) -> tuple[str, str]:
    method, pattern, _ = draw(st.sampled_from(ROUTES))
    parts = []
    for part in pattern:
        if part == "{subject}":
            parts.append(quote(draw(SUBJECTS), safe=""))
        elif part == "{version}":
            parts.append(quote(draw(VERSIONS), safe=""))
        elif part == "{id}":
            parts.append(quote(draw(IDS), safe=""))
        else:
            parts.append(part)
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(METHODS))
    return method, "/" + "/".join(parts)


RANDOM_PATHS = st.tuples(
    st.sampled_from(METHODS),
    st.lists(st.text(min_size=1, max_size=6).map(lambda s: quote(s, safe="")), max_size=5)
    .map(lambda parts: "/" + "/".join(parts)))


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text)
    if response.status_code >= 400 and response.request.method != "HEAD":
        body: Any = response.json()
        assert set(body) == {"error_code", "message"}, body
        assert isinstance(body["message"], str) and isinstance(body["error_code"], int)
        assert status_for_code(body["error_code"]) == response.status_code, body


def test_generated_requests_never_break_the_server(server: ServerThread) -> None:
    sent = 0
    stats: dict[int, int] = {}
    with httpx.Client(base_url=server.url, timeout=60.0) as http:

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(target=st.one_of(routed_paths(), routed_paths(), routed_paths(), RANDOM_PATHS),
               query=QUERIES,
               body=BODIES, content_type=CONTENT_TYPES, accept=ACCEPTS)
        def one_request(target: tuple[str, str], query: dict[str, str], body: bytes,
                        content_type: str, accept: str) -> None:
            nonlocal sent
            method, path = target
            headers = {"accept": accept}
            if content_type:
                headers["content-type"] = content_type
            request = http.build_request(method, server.url + path, params=query, headers=headers,
                                         content=body if method in ("POST", "PUT") else None)
            response = http.send(request)
            check(response)
            stats[response.status_code] = stats.get(response.status_code, 0) + 1
            sent += 1

        one_request()
        assert sent >= 1000
        # The mix really reached the handlers: successes and registry errors both occurred.
        assert stats.get(200, 0) >= 50 and stats.get(422, 0) >= 20 and stats.get(404, 0) >= 20
        assert http.get("/").json() == {}
        assert http.post("/subjects/final-check/versions",
                         json={"schema": '"string"'}).status_code in (200, 409, 422)
        assert http.get("/schemas/types").status_code == 200
