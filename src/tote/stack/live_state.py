"""The state of each persistent query and connector, as the running servers report it.

The log shows how far behind a query or connector is (lag.py), not whether it still
runs: a query stuck on a record it cannot process (sql/runtime/failure.py) or a paused
connector only shows as a lag that grows. So `tote status` asks ksqlDB (`SHOW QUERIES`:
RUNNING, PAUSED, ERROR) and Connect (`GET /connectors?expand=status`: RUNNING, PAUSED,
FAILED) and puts the state next to the lag. ksqlDB reports a query it keeps retrying
as RUNNING, with its recent errors in EXPLAIN (`queryErrors`): a RUNNING query with
errors reads "RUNNING, N errors". A server that does not answer leaves the state None,
never an error: status must work on a half-broken stack.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from tote.stack.lag import CONNECTOR, QUERY, ConsumerLag

TIMEOUT_S = 2.0  # as the health checks: status must not hang on a stuck server


def _json_reply(method: str, url: str, body: Any = None) -> Any:
    try:
        reply = httpx.request(method, url, json=body, timeout=TIMEOUT_S)
        reply.raise_for_status()
        return reply.json()
    except (httpx.HTTPError, ValueError):
        return None


def _ksql(ksqldb_url: str, statement: str) -> Any:
    return _json_reply("POST", ksqldb_url + "/ksql", {"ksql": statement,
                                                    "streamsProperties": {}})


def _error_count(ksqldb_url: str, query_id: str) -> int:
    """How many recent errors EXPLAIN lists for the query (0 if it does not answer)."""
    body = _ksql(ksqldb_url, f"EXPLAIN {query_id};")
    entity = body[0] if isinstance(body, list) and body else None
    description = entity.get("queryDescription") if isinstance(entity, dict) else None
    errors = description.get("queryErrors") if isinstance(description, dict) else None
    return len(errors) if isinstance(errors, list) else 0


def query_states(ksqldb_url: str) -> dict[str, str] | None:
    """Each persistent query's state by id (SHOW QUERIES; a RUNNING one with recent errors
    says how many); None if the server does not answer."""
    body = _ksql(ksqldb_url, "SHOW QUERIES;")
    if not isinstance(body, list):
        return None
    states: dict[str, str] = {}
    for entity in body:
        queries = entity.get("queries") if isinstance(entity, dict) else None
        for query in queries if isinstance(queries, list) else []:
            if (isinstance(query, dict) and isinstance(query.get("id"), str)
                    and query.get("queryType", "PERSISTENT") == "PERSISTENT"):
                states[query["id"]] = str(query.get("state", ""))
    for query_id, state in states.items():
        if state == "RUNNING" and (count := _error_count(ksqldb_url, query_id)):
            states[query_id] = f"RUNNING, {count} error{'s' if count > 1 else ''}"
    return states


def connector_states(connect_url: str) -> dict[str, str] | None:
    """Each connector's state by name; None if Connect does not answer."""
    body = _json_reply("GET", connect_url + "/connectors?expand=status")
    if not isinstance(body, dict):
        return None
    states: dict[str, str] = {}
    for name, expanded in body.items():
        status = expanded.get("status") if isinstance(expanded, dict) else None
        connector = status.get("connector") if isinstance(status, dict) else None
        if isinstance(connector, dict) and "state" in connector:
            states[name] = str(connector["state"])
    return states


def with_states(lags: Sequence[ConsumerLag], queries: Mapping[str, str] | None,
                connectors: Mapping[str, str] | None) -> list[dict[str, Any]]:
    """The lag rows with a `state` each (None where unknown), plus a row (lag None) for
    each query or connector the servers know that has committed nothing yet: one that
    fails on its first record must show too."""
    known = {QUERY: dict(queries or {}), CONNECTOR: dict(connectors or {})}
    rows: list[dict[str, Any]] = [
        {"kind": c.kind, "name": c.name, "group": c.group, "lag": c.lag,
         "state": known[c.kind].get(c.name)} for c in lags]
    listed = {(c.kind, c.name) for c in lags}
    rows += [{"kind": kind, "name": name, "group": None, "lag": None, "state": state}
             for kind, states in known.items() for name, state in states.items()
             if (kind, name) not in listed]
    return sorted(rows, key=lambda r: (r["kind"] != QUERY, r["name"]))
