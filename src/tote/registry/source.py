"""Where a client service gets schemas: a `Registry` in this process, or one over HTTP.

The REST Proxy and the Connect worker both need the calls kafka-rest and Connect's
AvroConverter make to a Schema Registry: fetch by id, look a schema up under a subject,
register it, and the latest version of a subject. Both implementations answer the same
way: "not found" is None; a registry that refuses (incompatible, invalid) raises
`RegistryRejected` with the registry's own code and message; a registry that cannot be
reached raises `SchemaRetrievalFailed` (40801).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from tote.core.errors import ToteError
from tote.log.base import Log
from tote.registry.errors import RegistryError, SchemaNotFound, SubjectNotFound, VersionNotFound
from tote.registry.models import SchemaRequest, SchemaVersion
from tote.registry.registry import Registry
from tote.serde.schemas import schema_type_of


@dataclass(frozen=True, slots=True)
class StoredSchema:
    """A schema as the registry holds it. `schema_type` is AVRO, JSON or PROTOBUF."""

    schema_id: int
    schema_type: str
    schema: str


@dataclass(frozen=True, slots=True)
class SubjectVersion:
    """A schema registered under a subject."""

    subject: str
    version: int
    schema_id: int
    schema_type: str
    schema: str


class RegistryRejected(ToteError):
    """The registry answered with an error other than "not found"."""


class SchemaRetrievalFailed(ToteError):
    """The schema registry could not be reached or answered with a server error."""

    error_code = 40801


class SchemaSource(Protocol):
    def by_id(self, schema_id: int) -> StoredSchema | None:
        """The schema with this global id."""

    def lookup(self, subject: str, schema_type: str, schema: str) -> SubjectVersion | None:
        """The version of `subject` holding exactly this schema."""

    def register(self, subject: str, schema_type: str, schema: str) -> int:
        """Register (idempotently) under `subject`; return the global id."""

    def latest(self, subject: str) -> SubjectVersion | None:
        """The newest version of `subject`."""


class HttpSchemaSource:
    """Talks to any Confluent-compatible Schema Registry (tote's, Confluent's, Karapace)."""

    _NOT_FOUND = frozenset({40401, 40402, 40403, 404})

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._client = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            headers={"Content-Type": "application/vnd.schemaregistry.v1+json"},
        )

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """JSON of a 2xx answer, None for "not found"; raise for anything else."""
        try:
            response = self._client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise SchemaRetrievalFailed(
                f"Schema registry at {self.url} could not be reached: {exc}"
            ) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.is_success:
            return payload
        code = payload.get("error_code") if isinstance(payload, dict) else None
        message = payload.get("message") if isinstance(payload, dict) else None
        if response.status_code == 404 and (code is None or code in self._NOT_FOUND):
            return None
        if response.status_code >= 500:
            raise SchemaRetrievalFailed(
                f"Schema registry at {self.url} failed: {message or response.text}"
            )
        raise RegistryRejected(
            f"{message or response.text}; error code: {code or response.status_code}",
            error_code=int(code) if isinstance(code, int) else response.status_code,
        )

    def by_id(self, schema_id: int) -> StoredSchema | None:
        payload = self._call("GET", f"/schemas/ids/{schema_id}")
        if payload is None:
            return None
        return StoredSchema(schema_id, payload.get("schemaType", "AVRO"), payload["schema"])

    def lookup(self, subject: str, schema_type: str, schema: str) -> SubjectVersion | None:
        payload = self._call(
            "POST", f"/subjects/{_quote(subject)}", {"schema": schema, "schemaType": schema_type}
        )
        if payload is None:
            return None
        return SubjectVersion(subject, int(payload["version"]), int(payload["id"]),
                              payload.get("schemaType", "AVRO"), payload.get("schema", schema))

    def register(self, subject: str, schema_type: str, schema: str) -> int:
        payload = self._call("POST", f"/subjects/{_quote(subject)}/versions",
                             {"schema": schema, "schemaType": schema_type})
        if payload is None:
            raise RegistryRejected(f"Subject '{subject}' not found.", error_code=40401)
        return int(payload["id"])

    def latest(self, subject: str) -> SubjectVersion | None:
        payload = self._call("GET", f"/subjects/{_quote(subject)}/versions/latest")
        if payload is None:
            return None
        return SubjectVersion(subject, int(payload["version"]), int(payload["id"]),
                              payload.get("schemaType", "AVRO"), payload["schema"])


def _quote(subject: str) -> str:
    return quote(subject, safe="")


def _rejected(exc: RegistryError) -> RegistryRejected:
    return RegistryRejected(f"{exc.message}; error code: {exc.error_code}",
                            error_code=exc.error_code)


class RegistrySchemaSource:
    """A `Registry` in this process (the caller starts and closes it)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    @staticmethod
    def _version(found: SchemaVersion) -> SubjectVersion:
        return SubjectVersion(found.subject, found.version, found.id,
                              found.schema_type.value, found.schema)

    def by_id(self, schema_id: int) -> StoredSchema | None:
        try:
            found = self.registry.get_schema(schema_id)
        except SchemaNotFound:
            return None
        except RegistryError as exc:
            raise _rejected(exc) from None
        return StoredSchema(found.id, found.schema_type.value, found.schema)

    def lookup(self, subject: str, schema_type: str, schema: str) -> SubjectVersion | None:
        request = SchemaRequest(schema, schema_type_of(schema_type))
        try:
            return self._version(self.registry.lookup(subject, request))
        except (SchemaNotFound, SubjectNotFound):
            return None
        except RegistryError as exc:
            raise _rejected(exc) from None

    def register(self, subject: str, schema_type: str, schema: str) -> int:
        request = SchemaRequest(schema, schema_type_of(schema_type))
        try:
            return self.registry.register(subject, request).id
        except RegistryError as exc:
            raise _rejected(exc) from None

    def latest(self, subject: str) -> SubjectVersion | None:
        try:
            return self._version(self.registry.get_version(subject, "latest"))
        except (SubjectNotFound, VersionNotFound):
            return None
        except RegistryError as exc:
            raise _rejected(exc) from None


@contextmanager
def schema_source_for(log: Log, registry_url: str | None) -> Iterator[SchemaSource]:
    """Schemas from the registry at `registry_url`, or from a `Registry` on the same log.

    The in-process registry shares the `_schemas` topic with every other registry on the
    log, so a schema registered through it is visible to `tote serve schema-registry` too.
    """
    if registry_url:
        source = HttpSchemaSource(registry_url)
        try:
            yield source
        finally:
            source.close()
        return
    with Registry(log) as registry:
        yield RegistrySchemaSource(registry)
