"""Converters by Connect class name, and building one from a connector's config.

A connector may name its own `key.converter` / `value.converter`; otherwise the worker's
defaults apply. Converter settings are the keys under that prefix
(`value.converter.schema.registry.url`); the connector's own override the worker's, so a
connector that only sets `value.converter.schema.registry.url` still gets the worker's
converter class, configured with its URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tote.connect.converters.avro import AvroConverter
from tote.connect.converters.base import (
    ByteArrayConverter,
    Converter,
    ConverterContext,
    StringConverter,
    number_converters,
)
from tote.connect.converters.json import JsonConverter
from tote.connect.errors import ConfigException

STRING = "org.apache.kafka.connect.storage.StringConverter"
BYTE_ARRAY = "org.apache.kafka.connect.converters.ByteArrayConverter"
JSON = "org.apache.kafka.connect.json.JsonConverter"
AVRO = "io.confluent.connect.avro.AvroConverter"


def catalogue() -> dict[str, Callable[[], Converter]]:
    """Every converter class tote knows, by fully qualified Connect name."""
    known: dict[str, Callable[[], Converter]] = {
        STRING: StringConverter, BYTE_ARRAY: ByteArrayConverter, JSON: JsonConverter,
        AVRO: AvroConverter,
    }
    known.update(number_converters())
    return known


def resolve_class(name: str) -> str | None:
    """The full class name for a class name or its simple-name alias, or None."""
    known = catalogue()
    if name in known:
        return name
    matches = [full for full in known if full.rpartition(".")[2] == name]
    return matches[0] if len(matches) == 1 else None


def converter_configs(prefix: str, *layers: Mapping[str, str]) -> dict[str, str]:
    """Keys under `prefix.` from each layer, later layers winning."""
    out: dict[str, str] = {}
    start = prefix + "."
    for layer in layers:
        out.update({k[len(start):]: v for k, v in layer.items() if k.startswith(start)})
    return out


def build_converter(prefix: str, connector: Mapping[str, str], worker: Mapping[str, str],
                    context: ConverterContext) -> Converter:
    """The `key.converter` or `value.converter` of a connector, configured."""
    name = connector.get(prefix) or worker.get(prefix)
    if not name:
        raise ConfigException(f"Missing required configuration \"{prefix}\" which has no "
                              "default value.")
    full = resolve_class(name)
    if full is None:
        raise ConfigException(
            f"Invalid value {name} for configuration {prefix}: Class {name} could not be found.")
    converter = catalogue()[full]()
    converter.configure(converter_configs(prefix, worker, connector), prefix == "key.converter",
                        context)
    return converter


__all__ = ["AVRO", "BYTE_ARRAY", "JSON", "STRING", "Converter", "ConverterContext",
           "build_converter", "catalogue", "converter_configs", "resolve_class"]
