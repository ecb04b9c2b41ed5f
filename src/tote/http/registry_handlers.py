"""One small function per Schema Registry endpoint: parse, call the registry, render.

No handler catches an error: the registry raises Confluent-coded `ToteError`s and the app's
one handler renders them. `ROUTES` is the table `registry_api` dispatches on.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response

from tote.http.registry_bodies import (
    Call,
    page,
    schema_by_id_json,
    schema_request,
    to_int32,
    version_json,
)
from tote.registry.errors import InvalidCompatibilityLevel, InvalidMode, MalformedRequest

# -- schemas ----------------------------------------------------------------------------------


def root(call: Call) -> Response:
    return call.ok({})


def schema_types(call: Call) -> Response:
    return call.ok(call.registry.schema_types())


def contexts(call: Call) -> Response:
    return call.ok(["."])


def _schema_id(call: Call) -> int:
    return to_int32(call.params["id"])


def schema_by_id(call: Call) -> Response:
    found = call.registry.get_schema(_schema_id(call), fetch_max_id=call.flag("fetchMaxId"),
                                     subject=call.query.get("subject"),
                                     fmt=call.query.get("format", ""))
    return call.ok(schema_by_id_json(found))


def schema_text_by_id(call: Call) -> Response:
    found = call.registry.get_schema(_schema_id(call), subject=call.query.get("subject"),
                                     fmt=call.query.get("format", ""))
    return call.raw(found.schema)


def subjects_by_id(call: Call) -> Response:
    found = call.registry.subjects_for_id(_schema_id(call), deleted=call.flag("deleted"))
    return call.ok(page(found, call))


def versions_by_id(call: Call) -> Response:
    found = call.registry.versions_for_id(_schema_id(call), deleted=call.flag("deleted"))
    return call.ok(page([{"subject": v.subject, "version": v.version} for v in found], call))


def list_schemas(call: Call) -> Response:
    found = call.registry.schemas(prefix=call.query.get("subjectPrefix", ""),
                                  deleted=call.flag("deleted"),
                                  latest_only=call.flag("latestOnly"))
    return call.ok(page([version_json(v) for v in found], call))


# -- subjects ---------------------------------------------------------------------------------


def list_subjects(call: Call) -> Response:
    found = call.registry.subjects(deleted=call.flag("deleted"),
                                   deleted_only=call.flag("deletedOnly", "deleted_only"),
                                   prefix=_prefix(call))
    return call.ok(page(found, call))


def _prefix(call: Call) -> str:
    prefix = call.query.get("subjectPrefix", "")
    return "" if prefix == ":*:" else prefix


def list_versions(call: Call) -> Response:
    found = call.registry.versions(call.params["subject"], deleted=call.flag("deleted"),
                                   deleted_only=call.flag("deletedOnly", "deleted_only"))
    return call.ok(page(found, call))


def register(call: Call) -> Response:
    request = schema_request(call.json())
    registered = call.registry.register(call.params["subject"], request,
                                        normalize=call.flag("normalize"),
                                        force=call.flag("force"))
    return call.ok({"id": registered.id})


def lookup(call: Call) -> Response:
    request = schema_request(call.json())
    found = call.registry.lookup(call.params["subject"], request,
                                 normalize=call.flag("normalize"), deleted=call.flag("deleted"))
    return call.ok(version_json(found))


def get_version(call: Call) -> Response:
    found = call.registry.get_version(call.params["subject"], call.params["version"],
                                      deleted=call.flag("deleted"))
    return call.ok(version_json(found))


def get_version_schema(call: Call) -> Response:
    found = call.registry.get_version(call.params["subject"], call.params["version"],
                                      deleted=call.flag("deleted"))
    return call.raw(found.schema)


def referenced_by(call: Call) -> Response:
    found = call.registry.referenced_by(call.params["subject"], call.params["version"],
                                        deleted=call.flag("deleted"))
    return call.ok(page(found, call))


def delete_subject(call: Call) -> Response:
    return call.ok(call.registry.delete_subject(call.params["subject"],
                                                permanent=call.flag("permanent")))


def delete_version(call: Call) -> Response:
    return call.ok(call.registry.delete_version(call.params["subject"], call.params["version"],
                                                permanent=call.flag("permanent")))


def latest_with_metadata(call: Call) -> Response:
    keys, values = call.query.getlist("key"), call.query.getlist("value")
    metadata = dict(zip(keys, values, strict=False))
    found = call.registry.latest_with_metadata(call.params["subject"], metadata,
                                               deleted=call.flag("deleted"))
    return call.ok(version_json(found))


# -- compatibility ----------------------------------------------------------------------------


def _compatibility(call: Call, version: str | None) -> Response:
    request = schema_request(call.json())
    verbose = call.flag("verbose")
    result = call.registry.check_compatibility(call.params["subject"], request, version=version,
                                               normalize=call.flag("normalize"), verbose=verbose)
    body: dict[str, object] = {"is_compatible": result.is_compatible}
    if verbose:
        body["messages"] = list(result.messages)
    return call.ok(body)


def compatibility_with_version(call: Call) -> Response:
    return _compatibility(call, call.params["version"])


def compatibility_with_all(call: Call) -> Response:
    return _compatibility(call, None)


# -- config and mode --------------------------------------------------------------------------


def _subject(call: Call) -> str | None:
    return call.params.get("subject")


def get_config(call: Call) -> Response:
    found = call.registry.get_config(_subject(call),
                                     default_to_global=call.flag("defaultToGlobal"))
    body: dict[str, object] = {"compatibilityLevel": found.compatibility_level.value}
    if found.normalize is not None:
        body["normalize"] = found.normalize
    return call.ok(body)


def put_config(call: Call) -> Response:
    body = call.json()
    level = body.get("compatibility", body.get("compatibilityLevel"))
    normalize = body.get("normalize")
    if level is not None and not isinstance(level, str):
        raise InvalidCompatibilityLevel()
    if normalize is not None and not isinstance(normalize, bool):
        raise MalformedRequest("Cannot deserialize 'normalize': expected a boolean")
    updated = call.registry.set_config(_subject(call), level, normalize=normalize)
    echo: dict[str, object] = {}
    if level is not None:
        echo["compatibility"] = updated.compatibility_level.value
    if normalize is not None:
        echo["normalize"] = normalize
    return call.ok(echo)


def delete_config(call: Call) -> Response:
    previous = call.registry.delete_config(_subject(call))
    return call.ok({"compatibilityLevel": previous.compatibility_level.value})


def get_mode(call: Call) -> Response:
    mode = call.registry.get_mode(_subject(call), default_to_global=call.flag("defaultToGlobal"))
    return call.ok({"mode": mode.value})


def put_mode(call: Call) -> Response:
    mode = call.json().get("mode")
    if not isinstance(mode, str):
        raise InvalidMode()
    updated = call.registry.set_mode(_subject(call), mode, force=call.flag("force"))
    return call.ok({"mode": updated.value})


def delete_mode(call: Call) -> Response:
    return call.ok({"mode": call.registry.delete_mode(call.params["subject"]).value})


S = "{subject}"
V = "{version}"
ROUTES: tuple[tuple[str, tuple[str, ...], Callable[[Call], Response]], ...] = (
    ("GET", (), root),
    ("GET", ("contexts",), contexts),
    ("GET", ("schemas",), list_schemas),
    ("GET", ("schemas", "types"), schema_types),
    ("GET", ("schemas", "ids", "{id}"), schema_by_id),
    ("GET", ("schemas", "ids", "{id}", "schema"), schema_text_by_id),
    ("GET", ("schemas", "ids", "{id}", "subjects"), subjects_by_id),
    ("GET", ("schemas", "ids", "{id}", "versions"), versions_by_id),
    ("GET", ("subjects",), list_subjects),
    ("POST", ("subjects", S), lookup),
    ("DELETE", ("subjects", S), delete_subject),
    ("GET", ("subjects", S, "metadata"), latest_with_metadata),
    ("GET", ("subjects", S, "versions"), list_versions),
    ("POST", ("subjects", S, "versions"), register),
    ("GET", ("subjects", S, "versions", V), get_version),
    ("DELETE", ("subjects", S, "versions", V), delete_version),
    ("GET", ("subjects", S, "versions", V, "schema"), get_version_schema),
    ("GET", ("subjects", S, "versions", V, "referencedby"), referenced_by),
    ("POST", ("compatibility", "subjects", S, "versions"), compatibility_with_all),
    ("POST", ("compatibility", "subjects", S, "versions", V), compatibility_with_version),
    ("GET", ("config",), get_config),
    ("PUT", ("config",), put_config),
    ("DELETE", ("config",), delete_config),
    ("GET", ("config", S), get_config),
    ("PUT", ("config", S), put_config),
    ("DELETE", ("config", S), delete_config),
    ("GET", ("mode",), get_mode),
    ("PUT", ("mode",), put_mode),
    ("GET", ("mode", S), get_mode),
    ("PUT", ("mode", S), put_mode),
    ("DELETE", ("mode", S), delete_mode),
)
