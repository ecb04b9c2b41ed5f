"""SHOW PROPERTIES as ksqlDB 8's ListPropertiesExecutor answers it.

Listed: every config ksqlDB's KsqlConfig declares (the server's value, else its declared
default; None where neither is set), every `ksql.functions.*` config (`[hidden]`: it may
hold a credential) and every Kafka client or Streams config, ksqlDB's own Streams
defaults included, under `ksql.streams.` (so a bare `auto.offset.reset` is listed as
`ksql.streams.auto.offset.reset`, PASSWORD-typed ones `[hidden]`). Names ksqlDB does not
recognise and undeclared `ksql.*` ones are not listed. Every config is scoped KSQL, at
level QUERY if its listed name is a query-level config, editable if the config it
resolves to is query-level or one ALTER SYSTEM may change. `overwritten` names the
configs whose value with the session's overrides differs from the server's alone;
`defaults` those at their declared default (ksqlDB's own configs: tote does not carry
the Kafka clients' defaults).
"""

from __future__ import annotations

from collections.abc import Mapping

from tote.sql.config import DEFAULTS, Config
from tote.sql.properties import parse_list, resolve
from tote.sql.property_catalog import (
    DESERIALIZATION_HANDLER,
    KSQL,
    KSQL_DEFAULTS,
    MUTABLE_SYSTEM,
    PRODUCTION_HANDLERS,
    QUERY_LEVEL,
    STREAMS_DEFAULTS,
)
from tote.sql.results import PropertyInfo, PropertyList

STREAMS_PREFIX = "ksql.streams."
FUNCTIONS_PREFIX = "ksql.functions."
HIDDEN = "[hidden]"
FAIL_ON_DESERIALIZATION = "ksql.fail.on.deserialization.error"
FAIL_ON_PRODUCTION = "ksql.fail.on.production.error"

Listing = dict[str, str | None]


def list_properties(text: str, config: Config) -> PropertyList:
    merged = _listing(config)
    engine = _listing(Config(dict(config.server)))
    names = sorted(merged)
    return PropertyList(
        text, tuple(_info(name, merged[name]) for name in names),
        overwritten=tuple(n for n in names if engine.get(n) != merged[n]),
        defaults=tuple(n for n in names
                       if n in KSQL_DEFAULTS and merged[n] == KSQL_DEFAULTS[n]))


def _info(name: str, value: str | None) -> PropertyInfo:
    item = resolve(name)
    editable = item is not None and (item.name in MUTABLE_SYSTEM or item.name in QUERY_LEVEL)
    return PropertyInfo(name, value, editable, "QUERY" if name in QUERY_LEVEL else "SERVER")


def _listing(config: Config) -> Listing:
    """Listed name -> value, for the server's properties plus `config`'s overrides."""
    listed: Listing = {}
    for name, default in KSQL_DEFAULTS.items():
        value = config.get(name)
        listed[name] = default if value is None else _rendered(KSQL[name], value)
    for layer in (_streams_defaults(config), DEFAULTS, config.server, config.overrides):
        _add_layer(listed, layer)
    return listed


def _streams_defaults(config: Config) -> dict[str, str]:
    """The Streams configs ksqlDB's KsqlConfig sets below the server's, as bare names."""
    defaults = dict(STREAMS_DEFAULTS)
    if not _flag(config.server.get(FAIL_ON_DESERIALIZATION), False):
        defaults["default.deserialization.exception.handler"] = DESERIALIZATION_HANDLER
    defaults["default.production.exception.handler"] = PRODUCTION_HANDLERS[
        _flag(config.server.get(FAIL_ON_PRODUCTION), True)]
    return defaults


def _flag(text: str | None, default: bool) -> bool:
    """Java's `Boolean.parseBoolean` of a property that may be unset."""
    return default if text is None else text.strip().lower() == "true"


def _add_layer(listed: Listing, layer: Mapping[str, str]) -> None:
    """One map of properties: bare Kafka names first, `ksql.streams.` ones over them (as
    ksqlDB's `originalsWithPrefixOverride`)."""
    for name in sorted(layer, key=lambda n: n.startswith(STREAMS_PREFIX)):
        if name.startswith(FUNCTIONS_PREFIX):
            listed[name] = HIDDEN
            continue
        key = name.removeprefix(STREAMS_PREFIX)
        if key.startswith("ksql."):
            continue
        item = resolve(name)
        if item is None:
            continue
        if key.startswith("topic."):  # a topic config: only behind `ksql.streams.`
            if name.startswith(STREAMS_PREFIX):
                listed[name] = layer[name]
        elif item.kind is not None:
            listed[STREAMS_PREFIX + key] = _rendered(item.kind, layer[name])


def _rendered(kind: str, text: str) -> str:
    """A value as ksqlDB's ConfigDef prints it once parsed as its type."""
    if kind == "PASSWORD":
        return HIDDEN
    stripped = text.strip()
    if kind == "BOOLEAN" and stripped.lower() in ("true", "false"):
        return stripped.lower()
    if kind in ("SHORT", "INT", "LONG"):
        try:
            return str(int(stripped))
        except ValueError:
            return text
    if kind == "LIST":
        return ",".join(parse_list(text))
    return text
