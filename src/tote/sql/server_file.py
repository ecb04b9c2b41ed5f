"""A ksqlDB server's properties file (what `ksql-server-start` takes) as server properties.

    load_server_file(path) -> ServerFile(properties, ignored)

The file is Java `.properties` (ISO-8859-1, `key=value`, `key: value`, continuation
lines, `\\uXXXX` escapes), read with `javaproperties`. As ksqlDB's KsqlConfig sees it:

- a declared `ksql.*` config (or `ksql.functions.*`), or one of the REST server's that
  tote obeys (`ksql.max.push.queries`), keeps its name;
- a Kafka Streams, consumer or producer config, bare or behind `ksql.streams.`,
  `consumer.` or `producer.`, is a streams property, named `ksql.streams.<key>` as
  SHOW PROPERTIES lists it;
- any other key (the REST server's `listeners`, a typo) is no ksqlDB config: ksqlDB starts
  and ignores it with a warning, so it is returned in `ignored`, not as a property.

A recognised config whose value fails its type or value check is a `BadServerFile`, as
ksqlDB refuses to start on a ConfigException; so is a file that cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import javaproperties

from tote.core.errors import ToteError
from tote.sql.properties import Item, resolve, value_error

_STREAMS_PREFIX = "ksql.streams."
# The REST server's own configs (KsqlRestConfig) that tote obeys: not KsqlConfig's, so
# not in the catalogue SET and requests go by.
_REST = {"ksql.max.push.queries": Item("ksql.max.push.queries", "INT")}


class BadServerFile(ToteError):
    """The file cannot be read, or a ksqlDB config in it has an invalid value."""


@dataclass(frozen=True)
class ServerFile:
    """The file's ksqlDB configs (server property name -> value) and the keys it ignores."""

    properties: dict[str, str]
    ignored: tuple[str, ...]


def load_server_file(path: Path) -> ServerFile:
    """Read and check `path`; a BadServerFile names the file and the reason."""
    try:
        with path.open("rb") as handle:  # bytes: decoded as ISO-8859-1, as Java's load
            entries = javaproperties.load(handle)
    except OSError as exc:
        raise BadServerFile(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except ValueError as exc:  # a malformed \\u escape
        raise BadServerFile(f"cannot parse config file {path}: {exc}") from None
    properties: dict[str, str] = {}
    ignored: list[str] = []
    for key, raw in entries.items():
        name = server_name(key)
        item = _REST.get(key) or resolve(key)
        if name is None or item is None:
            ignored.append(key)
            continue
        value = raw.strip()  # ConfigDef trims a value before parsing it
        problem = value_error(item, value)
        if problem is not None:
            raise BadServerFile(f"{path}: {problem}")
        properties[name] = value
    return ServerFile(properties, tuple(ignored))


def server_name(key: str) -> str | None:
    """The name a server property `key` is listed under, or None if ksqlDB ignores it."""
    if key in _REST:
        return key
    if key.startswith("request.ksql.") or resolve(key) is None:
        return None
    if key.startswith("ksql.") and not key.startswith(_STREAMS_PREFIX):
        return key
    return _STREAMS_PREFIX + key.removeprefix(_STREAMS_PREFIX)
