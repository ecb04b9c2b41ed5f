"""Request parsing and response shapes of the Schema Registry API (Confluent's JSON).

Bodies are checked the way Jackson maps them: not JSON at all is 400/400, JSON of the
wrong shape (an array, a schema that is an object...) is 422/422, unknown properties are
ignored (clients send `Confluent-Accept-Unknown-Properties`). Query booleans follow
Jersey: `true` in any case is true, anything else false. Responses leave out
`schemaType` for AVRO and empty `references`, as Jackson's NON_EMPTY does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.responses import Response

from tote.http.common import json_response, parse_json
from tote.registry import Registry, SchemaById, SchemaRequest, SchemaVersion
from tote.registry.errors import InvalidSchemaError, MalformedRequest, UnparsableBody
from tote.serde.schemas import Reference, SchemaType

MAX_INT = 2**31 - 1


@dataclass(frozen=True)
class Call:
    """One request as a handler sees it."""

    registry: Registry
    params: Mapping[str, str]
    query: QueryParams
    body: bytes
    media_type: str

    def flag(self, *names: str) -> bool:
        """A query boolean (first name given wins); `True`/`true`/`TRUE` all mean true."""
        for name in names:
            value = self.query.get(name)
            if value is not None:
                return value.strip().lower() == "true"
        return False

    def number(self, name: str, default: int) -> int:
        """An integer query parameter; one that is not an int32 is Jersey's 404."""
        value = self.query.get(name)
        if value is None or value == "":
            return default
        return to_int32(value)

    def ok(self, content: Any) -> Response:
        return json_response(content, media_type=self.media_type)

    def raw(self, text: str) -> Response:
        """A schema's own text as the body (not wrapped in a JSON string)."""
        return Response(text.encode("utf-8"), media_type=self.media_type)

    def json(self) -> dict[str, Any]:
        """The body as a JSON object."""
        if not self.body.strip():
            raise MalformedRequest("Request body is missing")
        try:
            value = parse_json(self.body)
        except UnicodeDecodeError:
            raise UnparsableBody("Request body is not valid UTF-8") from None
        except json.JSONDecodeError as exc:
            raise UnparsableBody(f"Unrecognized token in request body: {exc.msg} "
                                 f"(line {exc.lineno} column {exc.colno})") from None
        except ValueError as exc:  # nested too deeply, or a lone surrogate
            raise UnparsableBody(f"Request body cannot be read: {exc}") from None
        if not isinstance(value, dict):
            raise MalformedRequest(f"Cannot deserialize the request from a JSON "
                                   f"{type(value).__name__}: an object is expected")
        return value


def to_int32(text: str) -> int:
    stripped = text.strip()
    digits = stripped[1:] if stripped[:1] in ("+", "-") else stripped
    if not digits.isascii() or not digits.isdigit():
        raise HTTPException(404)
    number = int(stripped)
    if not -(2**31) <= number <= MAX_INT:
        raise HTTPException(404)
    return number


def page(items: list[Any], call: Call) -> list[Any]:
    """`offset`/`limit` as Confluent applies them (limit <= 0 means all)."""
    offset = max(call.number("offset", 0), 0)
    limit = call.number("limit", -1)
    return items[offset:] if limit <= 0 else items[offset:offset + limit]


# -- request bodies ---------------------------------------------------------------------------


def _optional(body: Mapping[str, Any], name: str, kind: type | tuple[type, ...],
              what: str) -> Any:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise MalformedRequest(f"Cannot deserialize '{name}': expected {what}")
    return value


def _reference(item: object) -> Reference:
    if not isinstance(item, dict):
        raise MalformedRequest("Cannot deserialize 'references': expected objects")
    name = _optional(item, "name", str, "a string")
    subject = _optional(item, "subject", str, "a string")
    version = _optional(item, "version", int, "an integer")
    if name is None or subject is None or version is None:
        raise MalformedRequest("A reference needs 'name', 'subject' and 'version'")
    return Reference(name, subject, version)


def schema_request(body: Mapping[str, Any]) -> SchemaRequest:
    """Confluent's RegisterSchemaRequest: schema, schemaType, references, metadata, ..."""
    schema = _optional(body, "schema", str, "a string")
    type_name = _optional(body, "schemaType", str, "a string")
    try:
        schema_type = SchemaType((type_name or "AVRO").upper())
    except ValueError:
        raise InvalidSchemaError(f"Invalid schema type {type_name}") from None
    if schema is None or not schema.strip():
        raise InvalidSchemaError("Empty schema")
    refs = _optional(body, "references", list, "a list")
    return SchemaRequest(
        schema=schema,
        schema_type=schema_type,
        references=tuple(_reference(item) for item in refs or ()),
        metadata=_optional(body, "metadata", dict, "an object"),
        rule_set=_optional(body, "ruleSet", dict, "an object"),
        id=_optional(body, "id", int, "an integer"),
        version=_optional(body, "version", int, "an integer"),
    )


# -- response bodies --------------------------------------------------------------------------


def references_json(refs: tuple[Reference, ...]) -> list[dict[str, Any]]:
    return [{"name": r.name, "subject": r.subject, "version": r.version} for r in refs]


def version_json(v: SchemaVersion) -> dict[str, Any]:
    """The schema/version object: subject, version, id, [schemaType, references], schema."""
    body: dict[str, Any] = {"subject": v.subject, "version": v.version, "id": v.id}
    if v.schema_type is not SchemaType.AVRO:
        body["schemaType"] = v.schema_type.value
    if v.references:
        body["references"] = references_json(v.references)
    if v.metadata is not None:
        body["metadata"] = v.metadata
    if v.rule_set is not None:
        body["ruleSet"] = v.rule_set
    body["schema"] = v.schema
    return body


def schema_by_id_json(s: SchemaById) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if s.subject is not None:
        body["subject"] = s.subject
        body["version"] = s.version
    if s.schema_type is not SchemaType.AVRO:
        body["schemaType"] = s.schema_type.value
    body["schema"] = s.schema
    if s.references:
        body["references"] = references_json(s.references)
    if s.metadata is not None:
        body["metadata"] = s.metadata
    if s.rule_set is not None:
        body["ruleSet"] = s.rule_set
    if s.max_id is not None:
        body["maxId"] = s.max_id
    return body
