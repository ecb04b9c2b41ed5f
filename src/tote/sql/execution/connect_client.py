"""ksqlDB's client of a Kafka Connect cluster (its `DefaultConnectClient`), over httpx.

Each call answers Connect's parsed JSON when Connect answers the expected status, else
Connect's status and its response body verbatim: ksqlDB relays that text inside its own
error messages ("Failed to drop connector: {...}"). As ksqlDB does, a call is tried up to
three times while Connect answers 409 (a rebalance) or 5xx, or cannot be reached; when it
never could be reached, the statement fails as a server error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from tote.core.errors import ToteError

ATTEMPTS = 3  # ksqlDB's MAX_ATTEMPTS
FIRST_WAIT_S = 0.002  # its exponential wait: 2 ms, then 4 ms


class ConnectRefused(ToteError):
    """Connect, or ksqlDB's check before calling it, refused a connector statement.

    ksqlDB answers these (its `KsqlRestException` carrying Connect's HTTP status, and the
    `KsqlException` of a failed validation) with a bare `generic_error` and no entities:
    `error_code` is the status times 100."""

    error_code = 40000


class ConnectServerError(ToteError):
    """Connect could not be asked at all (ksqlDB's `KsqlServerException`): a 500 statement
    error whose statement text is the whole request."""

    error_code = 50000


@dataclass(frozen=True)
class ConnectResponse:
    """One answer of Connect: `body` on the expected status, else `error`, its body text."""

    status: int
    body: Any = None
    error: str | None = None


class ConnectClient:
    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s

    def connectors(self) -> ConnectResponse:
        return self._call("GET", "/connectors", (200,))

    def plugins(self) -> ConnectResponse:
        return self._call("GET", "/connector-plugins", (200,))

    def create(self, name: str, config: dict[str, str | None]) -> ConnectResponse:
        return self._call("POST", "/connectors", (201,), {"name": name, "config": config})

    def validate(self, plugin: str, config: dict[str, str | None]) -> ConnectResponse:
        return self._call("PUT", f"/connector-plugins/{_part(plugin)}/config/validate", (200,),
                          config)

    def describe(self, name: str) -> ConnectResponse:
        return self._call("GET", f"/connectors/{_part(name)}", (200,))

    def status(self, name: str) -> ConnectResponse:
        return self._call("GET", f"/connectors/{_part(name)}/status", (200,))

    def topics(self, name: str) -> ConnectResponse:
        return self._call("GET", f"/connectors/{_part(name)}/topics", (200,))

    def delete(self, name: str) -> ConnectResponse:
        return self._call("DELETE", f"/connectors/{_part(name)}", (200, 204))

    def _call(self, method: str, path: str, expected: tuple[int, ...],
              body: object = None) -> ConnectResponse:
        last: ConnectResponse | None = None
        failure: Exception | None = None
        for attempt in range(ATTEMPTS):
            if attempt:
                time.sleep(FIRST_WAIT_S * 2 ** attempt)
            try:
                answer = httpx.request(method, self.url + path, json=body,
                                       timeout=self.timeout_s)
                if answer.status_code in expected:
                    return ConnectResponse(answer.status_code,
                                           body=answer.json() if answer.content else None)
            except (httpx.HTTPError, ValueError) as exc:
                failure, last = exc, None  # ksqlDB keeps the last attempt's outcome
                continue
            last = ConnectResponse(answer.status_code, error=answer.text)
            if answer.status_code < 500 and answer.status_code != 409:
                return last
        if last is not None:
            return last
        raise ConnectServerError(f"Connect to {self.url} failed: {failure}")


def _part(text: str) -> str:
    """One path segment, as Java's URI constructor quotes it."""
    return quote(text, safe="")
