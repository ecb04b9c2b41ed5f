"""HTTP clients for the stack's services, as the UI needs them.

Each call either returns the service's JSON or raises one of two errors the pages show as
they are: `ServiceDown` (nothing answers at that URL: "ksqlDB is not running at ...") or
`ServiceFailed` (the service answered with its own error body, whose message and code we
keep). Nothing here retries: a page is rendered from what answers now.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from tote.core.errors import ToteError

KSQL_JSON = "application/vnd.ksql.v1+json"
KSQL_DELIMITED = "application/vnd.ksqlapi.delimited.v1"


class ServiceDown(ToteError):
    """Nothing answers at the service's URL."""

    error_code = 50300


class ServiceFailed(ToteError):
    """The service answered with an error body; `message` is its own message."""

    error_code = 50000


def _error_of(name: str, response: httpx.Response, body: bytes) -> ServiceFailed:
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        code = payload.get("error_code")
        return ServiceFailed(payload["message"],
                             code if isinstance(code, int) else response.status_code)
    text = body.decode("utf-8", "replace").strip()[:500]
    return ServiceFailed(f"{name} answered HTTP {response.status_code}: {text}",
                         response.status_code * 100)


class ServiceClient:
    """JSON over HTTP to one service; `name` appears in every error message."""

    def __init__(self, name: str, base_url: str, client: httpx.AsyncClient) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._client = client

    def down(self, exc: Exception) -> ServiceDown:
        reason = str(exc) or type(exc).__name__
        return ServiceDown(f"{self.name} is not running at {self.base_url} ({reason}).")

    async def request(self, method: str, path: str, *, body: Any = None,
                      params: httpx.QueryParams | None = None,
                      headers: Mapping[str, str] | None = None) -> Any:
        try:
            response = await self._client.request(
                method, self.base_url + path, json=body, params=params, headers=headers)
        except httpx.TransportError as exc:
            raise self.down(exc) from None
        if not response.is_success:
            raise _error_of(self.name, response, response.content)
        return response.json() if response.content else None

    async def alive(self, path: str = "/") -> bool:
        """True if the service answers anything at all (even an error)."""
        try:
            await self._client.get(self.base_url + path)
        except httpx.TransportError:
            return False
        return True


class RegistryClient(ServiceClient):
    async def subjects(self) -> list[str]:
        return sorted(await self.request("GET", "/subjects"))

    async def versions(self, subject: str) -> list[int]:
        return list(await self.request("GET", f"/subjects/{quote(subject, safe='')}/versions"))

    async def version(self, subject: str, version: int | str) -> dict[str, Any]:
        path = f"/subjects/{quote(subject, safe='')}/versions/{quote(str(version), safe='')}"
        found: dict[str, Any] = await self.request("GET", path)
        return found

    async def schema_by_id(self, schema_id: int) -> dict[str, Any]:
        found: dict[str, Any] = await self.request("GET", f"/schemas/ids/{schema_id}")
        return found


class ConnectClient(ServiceClient):
    async def connectors(self) -> dict[str, dict[str, Any]]:
        """Every connector with its status and info (`?expand=status&expand=info`)."""
        expand = httpx.QueryParams([("expand", "status"), ("expand", "info")])
        found: dict[str, dict[str, Any]] = await self.request("GET", "/connectors",
                                                              params=expand)
        return found


@dataclass(frozen=True, slots=True)
class StreamHeader:
    """The first line of a `/query-stream` answer."""

    query_id: str | None
    columns: tuple[str, ...]
    types: tuple[str, ...]


def parse_stream_line(line: str) -> StreamHeader | list[Any] | None:
    """One line of a delimited `/query-stream` body: header, row, or None (keep-alive).

    An error line (`{"@type": "generic_error", ...}`) raises ServiceFailed.
    """
    text = line.strip()
    if not text:
        return None
    try:
        item = json.loads(text)
    except ValueError:
        raise ServiceFailed(f"ksqlDB sent a line that is not JSON: {text[:200]}") from None
    if isinstance(item, list):
        return item
    if isinstance(item, dict) and "columnNames" in item:
        return StreamHeader(item.get("queryId"), tuple(item["columnNames"]),
                            tuple(item.get("columnTypes") or ()))
    if isinstance(item, dict) and "message" in item:
        code = item.get("error_code")
        raise ServiceFailed(str(item["message"]), code if isinstance(code, int) else 50000)
    raise ServiceFailed(f"ksqlDB sent an unexpected line: {text[:200]}")


class KsqlClient(ServiceClient):
    async def info(self) -> dict[str, Any]:
        found: dict[str, Any] = await self.request("GET", "/info")
        return found

    async def statements(self, ksql: str,
                         properties: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """POST /ksql: one entity per statement."""
        body = {"ksql": ksql, "streamsProperties": dict(properties or {})}
        found = await self.request("POST", "/ksql", body=body,
                                   headers={"Accept": KSQL_JSON, "Content-Type": KSQL_JSON})
        return list(found or [])

    async def stream(self, sql: str, properties: Mapping[str, Any] | None = None,
                     ) -> AsyncIterator[StreamHeader | list[Any]]:
        """POST /query-stream: the header, then every row, until the query ends or the
        caller stops iterating (which closes the connection, ending a push query)."""
        body = {"sql": sql, "properties": dict(properties or {})}
        try:
            async with self._client.stream(
                    "POST", self.base_url + "/query-stream", json=body,
                    headers={"Accept": KSQL_DELIMITED},
                    timeout=httpx.Timeout(10.0, read=None)) as response:
                if not response.is_success:
                    raise _error_of(self.name, response, await response.aread())
                async for line in response.aiter_lines():
                    item = parse_stream_line(line)
                    if item is not None:
                        yield item
        except httpx.TransportError as exc:
            raise self.down(exc) from None
