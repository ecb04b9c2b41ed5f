"""A topic config as a Kafka broker's DescribeConfigs reports it (with synonyms), for the
backends whose topics live on a broker: REST Proxy v3 then lists the broker's own answer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConfigSynonym:
    """One place the value may come from: the topic's own setting or a broker config."""

    name: str
    value: str | None
    source: str  # Kafka's ConfigSource name, e.g. DYNAMIC_TOPIC_CONFIG, DEFAULT_CONFIG


@dataclass(frozen=True, slots=True)
class ConfigEntry:
    name: str
    value: str | None
    source: str
    is_default: bool
    is_read_only: bool
    is_sensitive: bool
    synonyms: tuple[ConfigSynonym, ...] = ()
