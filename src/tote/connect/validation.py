"""`config/validate` and the checks behind create: Connect's `ConfigInfos`, per key.

The common sink keys (`connector_config.py`), the keys of each transform and predicate
(`transforms/chain_config.py`) and the connector's own keys are validated together;
converters add what they require (Avro needs `schema.registry.url`, from the connector
or the worker). JSON bodies may carry booleans and numbers where Connect's
Jackson reads strings: they are coerced the same way; a null value is an error, as in
Connect.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tote.connect.api import SinkConnector
from tote.connect.configdef import ConfigValue, config_infos
from tote.connect.connector_config import COMMON_DEF, validate_common
from tote.connect.converters import AVRO, converter_configs, resolve_class
from tote.connect.errors import BadRequest, ConnectRestError
from tote.connect.plugins import find_connector, find_smt, require_connector
from tote.connect.transforms.chain_config import enrich

NULL_VALUE = "Null value can not be supplied as the configuration value."


def normalize_config(raw: Any) -> dict[str, str | None]:
    """A JSON object as Connect's `Map<String, String>`: scalars to strings, null kept."""
    if not isinstance(raw, dict):
        raise BadRequest("Connector configuration must be a JSON object of string values")
    out: dict[str, str | None] = {}
    for key, value in raw.items():
        if value is None or isinstance(value, str):
            out[str(key)] = value
        elif isinstance(value, bool):
            out[str(key)] = "true" if value else "false"
        elif isinstance(value, (int, float)):
            out[str(key)] = json.dumps(value)
        else:
            kind = "Object" if isinstance(value, dict) else "Array"
            raise BadRequest(f"Cannot deserialize value of type `java.lang.String` from {kind} "
                             f"value for configuration {key}")
    return out


def _converter_errors(props: Mapping[str, str], worker: Mapping[str, str]
                      ) -> dict[str, ConfigValue]:
    out: dict[str, ConfigValue] = {}
    for prefix in ("key.converter", "value.converter"):
        name = props.get(prefix) or worker.get(prefix) or ""
        if resolve_class(name) == AVRO:
            url = converter_configs(prefix, worker, props).get("schema.registry.url")
            if not url:
                key = f"{prefix}.schema.registry.url"
                out[key] = ConfigValue(key, None, [
                    "Missing required configuration \"schema.registry.url\" which has no "
                    "default value."])
    return out


def validate(props: Mapping[str, str | None], worker: Mapping[str, str]
             ) -> tuple[dict[str, Any], list[str], SinkConnector]:
    """(ConfigInfos body, every error message, the connector class) for a config."""
    class_name = props.get("connector.class")
    if not class_name:
        shown = json.dumps(dict(props), separators=(",", ":"))
        raise BadRequest(f"Connector config {shown} contains no connector type")
    plugin = require_connector(class_name)
    given = {k: v for k, v in props.items() if v is not None}
    values = validate_common(given)
    enriched, transform_values = enrich(given)
    values.update(transform_values)
    own = plugin.validate(given)
    values.update(own)
    values.update(_converter_errors(given, worker))
    for key, value in props.items():
        if value is None:
            found = values.get(key)
            if found is None:
                values[key] = ConfigValue(key, None, [NULL_VALUE])
            else:
                found.errors.append(NULL_VALUE)
    definition = COMMON_DEF.merged(enriched).merged(plugin.config_def())
    body = config_infos(plugin.class_name, definition, values)
    errors = [e for entry in body["configs"] if entry["value"] for e in entry["value"]["errors"]]
    return body, errors, plugin


def plugin_config(plugin_name: str) -> list[dict[str, Any]]:
    """`GET /connector-plugins/<plugin>/config`: every key's definition (of a connector
    with the common keys; of a transform or predicate, its own keys)."""
    smt = find_smt(plugin_name)
    if smt is not None:
        return [key.definition() for key in smt.config_def.keys.values()]
    plugin = find_connector(plugin_name)
    if plugin is None:
        raise ConnectRestError(f"Unknown plugin {plugin_name}.", 404)
    definition = COMMON_DEF.merged(plugin.config_def())
    return [key.definition() for key in definition.keys.values()]
