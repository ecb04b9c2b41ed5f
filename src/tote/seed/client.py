"""The seed's steps as HTTP calls: statements to `/ksql`, the connector to `/connectors`,
bet payloads to the REST proxy — what the seed's Makefile does with curl.

Every step returns a `StepResult` instead of raising, so `tote build` can print one line
per step and decide what is fatal. Re-running a build is safe: a statement whose stream
or table already exists, and a connector that already exists, are reported as skipped.
Like the ksqlDB CLI, `SET 'name' = 'value';` statements are also carried into the
`streamsProperties` of the statements after them (each request stands alone on the server).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from tote.seed.files import BETS_TOPIC, ConnectorFile, Payload

KSQL_V1 = "application/vnd.ksql.v1+json"
AVRO_V2 = "application/vnd.kafka.avro.v2+json"
KAFKA_V2 = "application/vnd.kafka.v2+json"
REGISTRY_V1 = "application/vnd.schemaregistry.v1+json"
DEFAULT_TIMEOUT_S = 60.0
_SET = re.compile(r"^\s*SET\s+'([^']+)'\s*=\s*'((?:[^']|'')*)'\s*;?\s*$", re.I | re.S)
_UNSET = re.compile(r"^\s*UNSET\s+'([^']+)'\s*;?\s*$", re.I | re.S)
_LABEL_END = re.compile(r"\s*(\(|;|\bAS\b|\bWITH\b)", re.I)
_EXISTS = re.compile(r"already exists", re.I)
_INSERT_SELECT = re.compile(r"^\s*INSERT\s+INTO\b.*\bSELECT\b", re.I | re.S)


def _normal(statement: str) -> str:
    return " ".join(statement.split()).rstrip(";").strip()


@dataclass(frozen=True)
class StepResult:
    """One request of a seed step: what it was, whether it worked, and what came back."""

    step: str
    ok: bool
    detail: str
    skipped: bool = False
    count: int = 0  # records produced, for payloads


def statement_label(text: str) -> str:
    """A statement's head for progress lines: `CREATE STREAM tote_win_bets`."""
    flat = " ".join(text.split())
    if _SET.match(flat) or _UNSET.match(flat):
        return flat.rstrip(";")
    match = _LABEL_END.search(flat, 1)
    head = flat[:match.start()] if match else flat.rstrip(";")
    return head if len(head) <= 70 else head[:67] + "..."


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _message(body: Any, default: str) -> str:
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return default


class SeedClient:
    """Runs seed steps against a ksqlDB server, a Connect worker and a REST proxy."""

    def __init__(self, *, ksqldb_url: str = "", connect_url: str = "", proxy_url: str = "",
                 registry_url: str = "", timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.ksqldb_url = ksqldb_url.rstrip("/")
        self.registry_url = registry_url.rstrip("/")
        self.connect_url = connect_url.rstrip("/")
        self.proxy_url = proxy_url.rstrip("/")
        self._http = httpx.Client(timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SeedClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, step: str, service: str, url: str, **kwargs: Any
              ) -> httpx.Response | StepResult:
        try:
            return self._http.post(url, **kwargs)
        except httpx.HTTPError as exc:
            return StepResult(step, False, f"cannot reach {service} at {url}: "
                                           f"{exc or type(exc).__name__}")

    # -- ksqlDB ---------------------------------------------------------------------------

    def run_statements(self, statements: Iterable[str]) -> Iterator[StepResult]:
        """Post each statement on its own; stops after the first one that fails.

        ksqlDB starts a new query for every `INSERT INTO ... SELECT`, even one already
        running, and two would count every record twice: an insert whose exact text
        (spacing aside) already runs on the server is skipped, so a build can be re-run.
        """
        properties: dict[str, str] = {}
        running: set[str] | None = None
        for text in statements:
            if _INSERT_SELECT.match(text):
                if running is None:
                    running = self.running_queries()
                if _normal(text) in running:
                    yield StepResult(statement_label(text), True,
                                     "already running (skipped)", skipped=True)
                    continue
            result = self.run_statement(text, properties)
            yield result
            if not result.ok:
                return
            if (found := _SET.match(text)) is not None:
                properties[found.group(1)] = found.group(2).replace("''", "'")
            elif (found := _UNSET.match(text)) is not None:
                properties.pop(found.group(1), None)

    def running_queries(self) -> set[str]:
        """The statement texts of the server's persistent queries (spacing normalised)."""
        try:
            answer = self._http.post(f"{self.ksqldb_url}/ksql", json={"ksql": "SHOW QUERIES;"},
                                     headers={"Accept": KSQL_V1})
            body = answer.json()
        except (httpx.HTTPError, ValueError):
            return set()  # the statements themselves will report the server's state
        if answer.status_code != 200 or not isinstance(body, list) or not body:
            return set()
        queries = body[0].get("queries", []) if isinstance(body[0], dict) else []
        return {_normal(str(q.get("queryString", ""))) for q in queries if isinstance(q, dict)}

    def run_statement(self, text: str, properties: dict[str, str] | None = None) -> StepResult:
        step = statement_label(text)
        answer = self._post(step, "ksqlDB", f"{self.ksqldb_url}/ksql",
                            json={"ksql": text, "streamsProperties": dict(properties or {})},
                            headers={"Accept": KSQL_V1})
        if isinstance(answer, StepResult):
            return answer
        body = _body(answer)
        if answer.status_code == 200:
            entity = body[0] if isinstance(body, list) and body else {}
            status = entity.get("commandStatus", {}) if isinstance(entity, dict) else {}
            return StepResult(step, True, str(status.get("message") or "done"))
        message = _message(body, f"HTTP {answer.status_code}")
        if answer.status_code == 400 and _EXISTS.search(message):
            return StepResult(step, True, "already exists (skipped)", skipped=True)
        return StepResult(step, False, f"HTTP {answer.status_code}: {message}")

    # -- Schema Registry ------------------------------------------------------------------

    def register_schema(self, subject: str, schema: str) -> StepResult:
        """POST /subjects/<subject>/versions; the same schema again keeps its id."""
        step = f"schema {subject}"
        answer = self._post(step, "the Schema Registry",
                            f"{self.registry_url}/subjects/{subject}/versions",
                            json={"schema": schema},
                            headers={"Content-Type": REGISTRY_V1})
        if isinstance(answer, StepResult):
            return answer
        body = _body(answer)
        if answer.status_code == 200 and isinstance(body, dict) and "id" in body:
            return StepResult(step, True, f"id {body['id']}")
        return StepResult(step, False, f"HTTP {answer.status_code}: "
                                       f"{_message(body, str(body)[:200])}")

    # -- Connect --------------------------------------------------------------------------

    def create_connector(self, connector: ConnectorFile) -> StepResult:
        """POST /connectors; an existing connector of that name is left as it is."""
        step = f"connector {connector.name}"
        answer = self._post(step, "Kafka Connect", f"{self.connect_url}/connectors",
                            content=connector.body,
                            headers={"Content-Type": "application/json"})
        if isinstance(answer, StepResult):
            return answer
        body = _body(answer)
        if answer.status_code == 201:
            return StepResult(step, True, "created")
        message = _message(body, f"HTTP {answer.status_code}")
        if answer.status_code == 409:
            return StepResult(step, True, "already exists (left as it is)", skipped=True)
        return StepResult(step, False, f"HTTP {answer.status_code}: {message}")

    # -- REST proxy -----------------------------------------------------------------------

    def post_bets(self, payload: Payload, topic: str = BETS_TOPIC) -> StepResult:
        """POST the payload to /topics/<topic> with the seed's Avro content type."""
        step = f"{payload.name} → {topic}"
        answer = self._post(step, "the REST proxy", f"{self.proxy_url}/topics/{topic}",
                            content=payload.body,
                            headers={"Content-Type": AVRO_V2, "Accept": KAFKA_V2})
        if isinstance(answer, StepResult):
            return answer
        body = _body(answer)
        if answer.status_code != 200 or not isinstance(body, dict):
            return StepResult(step, False, f"HTTP {answer.status_code}: "
                                           f"{_message(body, str(body)[:200])}")
        offsets = body.get("offsets") or []
        failed = [o for o in offsets if o.get("error_code") is not None]
        if failed:
            return StepResult(step, False, f"{len(failed)} of {len(offsets)} records failed: "
                                           f"{failed[0].get('error')}")
        numbers = [o["offset"] for o in offsets]
        where = f"offsets {min(numbers)}-{max(numbers)}" if numbers else "no offsets"
        return StepResult(step, True, f"{len(offsets)} bets at {where}", count=len(offsets))
