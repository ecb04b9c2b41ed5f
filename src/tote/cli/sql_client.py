"""The shell's HTTP client for a ksqlDB server: statements, streaming queries, closing.

Queries use `/query`, whose streamed array carries the header, rows (with tombstones)
and the final message; the parser reads the elements as they arrive, whatever the
chunking. Closing the response closes the connection, which ends the query on the
server. With a `StreamInterrupt`, Ctrl-C shuts the stream's socket and the elements stop.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tote.cli.sql_interrupt import StreamInterrupt

KSQL_V1 = "application/vnd.ksql.v1+json"


@dataclass
class ServerError(Exception):
    """An error answer: ksqlDB's error body and HTTP status."""

    status: int
    body: dict[str, Any]

    @property
    def message(self) -> str:
        return str(self.body.get("message", self.body))

    @property
    def statement(self) -> str:
        return str(self.body.get("statementText") or "")

    def __str__(self) -> str:
        return self.message


class Unreachable(Exception):
    pass


def _elements(chunks: Iterator[str]) -> Iterator[Any]:
    """JSON values of a streamed array, skipping `[`, `,`, `]` and whitespace."""
    decoder = json.JSONDecoder()
    buffer = ""
    for chunk in chunks:
        buffer += chunk
        position = 0
        while True:
            while position < len(buffer) and buffer[position] in " \t\r\n[],":
                position += 1
            if position >= len(buffer):
                buffer = ""
                break
            try:
                value, end = decoder.raw_decode(buffer, position)
            except ValueError:
                buffer = buffer[position:]
                break
            position = end
            yield value


class KsqlClient:
    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=timeout,
                                 headers={"Accept": KSQL_V1})

    def close(self) -> None:
        self.http.close()

    def _post(self, path: str, body: Mapping[str, Any]) -> Any:
        try:
            response = self.http.post(path, json=dict(body))
        except httpx.HTTPError as exc:
            raise Unreachable(f"Could not reach the ksqlDB server at {self.url}: {exc}"
                              ) from None
        return _answer(response)

    def info(self) -> dict[str, Any]:
        try:
            response = self.http.get("/info")
        except httpx.HTTPError as exc:
            raise Unreachable(f"Could not reach the ksqlDB server at {self.url}: {exc}"
                              ) from None
        answer: dict[str, Any] = _answer(response)
        return answer

    def ksql(self, sql: str, properties: Mapping[str, str],
             variables: Mapping[str, str]) -> list[dict[str, Any]]:
        entities: list[dict[str, Any]] = self._post("/ksql", {
            "ksql": sql, "streamsProperties": dict(properties),
            "sessionVariables": dict(variables)})
        return entities

    @contextmanager
    def query(self, sql: str, properties: Mapping[str, str], variables: Mapping[str, str],
              interrupt: StreamInterrupt | None = None) -> Iterator[Iterator[Any]]:
        """The elements of a query's answer as they arrive (header, rows, final)."""
        body = {"ksql": sql, "streamsProperties": dict(properties),
                "sessionVariables": dict(variables)}
        with self._stream(body, interrupt) as response:
            yield _elements(_until(response.iter_text(), interrupt))

    @contextmanager
    def print_topic(self, sql: str, properties: Mapping[str, str],
                    interrupt: StreamInterrupt | None = None) -> Iterator[Iterator[str]]:
        """The text lines of a PRINT as they arrive (`/query` answers PRINT in plain text)."""
        body = {"ksql": sql, "streamsProperties": dict(properties)}
        with self._stream(body, interrupt) as response:
            yield _until(response.iter_lines(), interrupt)

    @contextmanager
    def _stream(self, body: dict[str, Any],
                interrupt: StreamInterrupt | None) -> Iterator[httpx.Response]:
        """A streamed `POST /query`: an error answer raises, a lost connection is Unreachable."""
        try:
            with self.http.stream("POST", "/query", json=body,
                                  timeout=httpx.Timeout(10.0, read=None)) as response:
                if interrupt is not None:
                    interrupt.attach(response)
                if response.status_code != 200:
                    response.read()
                    _answer(response)
                yield response
        except httpx.HTTPError as exc:
            raise Unreachable(f"Lost the connection to {self.url}: {exc}") from None


def _until(pieces: Iterator[str], interrupt: StreamInterrupt | None) -> Iterator[str]:
    """`pieces` until Ctrl-C: a shut socket may still hand over what the kernel holds."""
    for piece in pieces:
        if interrupt is not None and interrupt.requested:
            return
        yield piece


def _answer(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        body = {"message": response.text or f"HTTP {response.status_code}"}
    if response.status_code != 200:
        raise ServerError(response.status_code, body if isinstance(body, dict)
                          else {"message": str(body)})
    return body
