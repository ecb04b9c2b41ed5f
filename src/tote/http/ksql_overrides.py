"""A ksqlDB request's property overrides, read from its JSON body and judged by the one
rule (`tote.sql.properties`).

    overrides = stream_properties(server, body.get("properties"), "properties")

`/query-stream`, `/inserts-stream` and `/ws/query` answer every refusal as ksqlDB's
`KsqlServerEndpoints.resolveAndValidateProperties` does: a 400 (40000) with the top
message alone, before anything else of the request is looked at. `/ksql` and `/query`
answer their own way (`ksql_api`), from `checked_properties`' exceptions.
"""

from __future__ import annotations

from typing import Any

from tote.core.errors import BadRequest
from tote.sql.properties import PropertyNotFound, PropertyRejected, check_overrides
from tote.sql.server import KsqlServer


def checked_properties(server: KsqlServer, raw: Any, field: str) -> dict[str, object]:
    """The overrides in `raw` (the body's `field`), checked: raises PropertyNotFound or
    PropertyRejected, which each endpoint answers its own way."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadRequest(f"Invalid JSON in request: '{field}' must be an object")
    overrides = {str(k): v for k, v in raw.items()}
    check_overrides(overrides, server.engine.config.server)
    return overrides


def stream_properties(server: KsqlServer, raw: Any, field: str) -> dict[str, object]:
    """The new API's endpoints: every refusal a 400 with the top message alone."""
    try:
        return checked_properties(server, raw, field)
    except (PropertyNotFound, PropertyRejected) as exc:
        raise BadRequest(exc.message) from None
