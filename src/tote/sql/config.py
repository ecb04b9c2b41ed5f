"""ksqlDB configuration: server defaults, session overrides (SET/UNSET), typed lookups.

Only the properties that change tote's behaviour are interpreted; any other property
ksqlDB recognises is kept and reported by SHOW PROPERTIES as ksqlDB does, so scripts
written for ksqlDB run unchanged. Which names and values SET and requests may use is
`tote.sql.properties`' rule, checked before a value gets here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tote.sql.errors import StatementError

AUTO_OFFSET_RESET = "auto.offset.reset"
SERVICE_ID = "ksql.service.id"
DEFAULT_KEY_FORMAT = "ksql.persistence.default.format.key"
DEFAULT_VALUE_FORMAT = "ksql.persistence.default.format.value"
WRAP_SINGLE_VALUES = "ksql.persistence.wrap.single.values"
OUTPUT_TOPIC_PREFIX = "ksql.output.topic.name.prefix"
# Legacy sink defaults ksqlDB 8 no longer declares (a config file or SET cannot set them);
# only properties handed to the engine directly (a QTT case's, as its legacy cases expect).
SINK_PARTITIONS = "ksql.sink.partitions"
SINK_REPLICAS = "ksql.sink.replicas"
NEW_QUERY_PLANNER = "ksql.new.query.planner.enabled"
PERSISTENT_PREFIX = "ksql.persistent.prefix"
HEADERS_COLUMNS = "ksql.headers.columns.enabled"
TIMESTAMP_THROW_ON_INVALID = "ksql.timestamp.throw.on.invalid"
QUERY_ID_PREFIX_TRANSIENT = "transient_"
FUNCTIONS_PREFIX = "ksql.functions."  # config handed to the functions (UDF/UDAF settings)

DEFAULTS: dict[str, str] = {
    AUTO_OFFSET_RESET: "latest",
    SERVICE_ID: "default_",
    DEFAULT_KEY_FORMAT: "KAFKA",
    OUTPUT_TOPIC_PREFIX: "",
    NEW_QUERY_PLANNER: "false",
    PERSISTENT_PREFIX: "query_",
    HEADERS_COLUMNS: "true",
    "ksql.streams.auto.offset.reset": "latest",
    "ksql.streams.processing.guarantee": "exactly_once_v2",
    "ksql.streams.cache.max.bytes.buffering": "0",
    "ksql.streams.commit.interval.ms": "2000",
    "ksql.internal.topic.replicas": "1",
    "ksql.schema.registry.url": "http://localhost:8081",
    "ksql.extension.dir": "ext",
}

_ALLOWED_RESET = ("earliest", "latest", "none")


def _check(name: str, value: str) -> None:
    if name in (AUTO_OFFSET_RESET, "ksql.streams.auto.offset.reset") \
            and value.lower() not in _ALLOWED_RESET:
        raise StatementError(
            f"Invalid value {value} for configuration {name}: String must be one of: "
            "latest, earliest, none")


@dataclass
class Config:
    """Server properties plus session overrides, looked up with defaults."""

    server: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, properties: Mapping[str, object] | None = None) -> Config:
        return cls({k: _text(v) for k, v in (properties or {}).items()})

    def get(self, name: str) -> str | None:
        if name in self.overrides:
            return self.overrides[name]
        if name in self.server:
            return self.server[name]
        return DEFAULTS.get(name)

    def flag(self, name: str) -> bool:
        return (self.get(name) or "false").strip().lower() == "true"

    def enabled(self, name: str) -> bool:
        """A switch that is on unless set to false (ksqlDB's default-true settings)."""
        return (self.get(name) or "true").strip().lower() != "false"

    def optional_flag(self, name: str) -> bool | None:
        value = self.get(name)
        return None if value is None else value.strip().lower() == "true"

    def integer(self, name: str) -> int | None:
        value = self.get(name)
        return None if value is None else int(value)

    def with_prefix(self, prefix: str) -> dict[str, str]:
        """Every property set under `prefix` (a session override wins over the server's)."""
        found = {k: v for k, v in self.server.items() if k.startswith(prefix)}
        found.update((k, v) for k, v in self.overrides.items() if k.startswith(prefix))
        return found

    def set(self, name: str, value: object) -> None:
        text = _text(value)
        _check(name, text)
        self.overrides[name] = text

    def unset(self, name: str) -> None:
        self.overrides.pop(name, None)

    def with_overrides(self, overrides: Mapping[str, object]) -> Config:
        """A copy with extra overrides (a request's `streamsProperties`)."""
        merged = dict(self.overrides)
        for name, value in overrides.items():
            text = _text(value)
            _check(name, text)
            merged[name] = text
        return Config(dict(self.server), merged)

    @property
    def service_id(self) -> str:
        return self.get(SERVICE_ID) or "default_"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
