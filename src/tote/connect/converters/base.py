"""The Converter contract and Connect's simple converters (String, ByteArray, numbers).

A converter turns the bytes of a record key or value into a Connect (schema, value)
pair. Sinks convert whole polls, so `to_connect_many` takes a list and returns the pairs
plus, by position, the DataException of each item that failed (its pair is a placeholder):
one bad record must not hide its neighbours (errors.tolerance decides what happens to it).
"""

from __future__ import annotations

import struct
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tote.connect.batch import StructRows
from tote.connect.data import OPTIONAL_BYTES, OPTIONAL_STRING, Schema, Type, primitive
from tote.connect.errors import ConfigException, DataException
from tote.registry.source import SchemaSource

Converted = tuple[Schema | None, Any]
Failures = dict[int, DataException]
NOTHING: Converted = (None, None)


@dataclass(frozen=True)
class ConverterContext:
    """What converters may need from the worker: schema registries by URL."""

    schemas_for: Callable[[str], SchemaSource]


class Converter(ABC):
    """Bytes → Connect data for one side (key or value) of one connector's records."""

    def configure(self, configs: Mapping[str, str], is_key: bool,
                  context: ConverterContext) -> None:
        """Take this converter's prefixed configs (without the prefix)."""
        self.is_key = is_key

    @abstractmethod
    def to_connect(self, topic: str, data: bytes | None) -> Converted:
        """Convert one record's bytes; raise DataException when they do not fit."""

    def to_connect_many(self, topic: str, datas: Sequence[bytes | None]
                        ) -> tuple[list[Converted], Failures]:
        out: list[Converted] = []
        failures: Failures = {}
        for index, data in enumerate(datas):
            try:
                out.append(self.to_connect(topic, data))
            except DataException as exc:
                out.append(NOTHING)
                failures[index] = exc
        return out, failures

    def to_connect_rows(self, topic: str, datas: Sequence[bytes | None]) -> StructRows | None:
        """Every item as one STRUCT schema's row, when this converter can do that cheaply
        and every item converts; None otherwise (use `to_connect_many`)."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients (registry connections)."""


class StringConverter(Converter):
    """`org.apache.kafka.connect.storage.StringConverter`: UTF-8 text, optional string."""

    encoding = "utf-8"

    def configure(self, configs: Mapping[str, str], is_key: bool,
                  context: ConverterContext) -> None:
        super().configure(configs, is_key, context)
        name = configs.get("converter.encoding") or configs.get(
            "deserializer.encoding") or "UTF8"
        try:
            "".encode(name)
        except LookupError:
            raise ConfigException(f"Unsupported encoding {name}") from None
        self.encoding = name

    def to_connect(self, topic: str, data: bytes | None) -> Converted:
        if data is None:
            return OPTIONAL_STRING, None
        return OPTIONAL_STRING, data.decode(self.encoding, errors="replace")

    def to_connect_many(self, topic: str, datas: Sequence[bytes | None]
                        ) -> tuple[list[Converted], Failures]:
        schema, encoding = OPTIONAL_STRING, self.encoding
        if datas.count(None) == len(datas):  # unkeyed records: one shared pair
            return [(schema, None)] * len(datas), {}
        return [(schema, None if d is None else d.decode(encoding, errors="replace"))
                for d in datas], {}


class ByteArrayConverter(Converter):
    """`org.apache.kafka.connect.converters.ByteArrayConverter`: the bytes as they are."""

    def to_connect(self, topic: str, data: bytes | None) -> Converted:
        return OPTIONAL_BYTES, data

    def to_connect_many(self, topic: str, datas: Sequence[bytes | None]
                        ) -> tuple[list[Converted], Failures]:
        schema = OPTIONAL_BYTES
        return [(schema, d) for d in datas], {}


class NumberConverter(Converter):
    """Kafka's Short/Integer/Long/Float/Double converters: big-endian fixed-width numbers."""

    def __init__(self, kind: Type, fmt: str, label: str, deserializer: str) -> None:
        self.schema = primitive(kind, optional=True)
        self.struct = struct.Struct(fmt)
        self.label = label
        self.deserializer = deserializer

    def to_connect(self, topic: str, data: bytes | None) -> Converted:
        if data is None:
            return self.schema, None
        if len(data) != self.struct.size:
            raise DataException(
                f"Failed to deserialize {self.label}: Size of data received by "
                f"{self.deserializer} is not {self.struct.size}")
        value: Any = self.struct.unpack(data)[0]
        return self.schema, value


def number_converters() -> dict[str, Callable[[], Converter]]:
    """Kafka's number converters by class name."""
    prefix = "org.apache.kafka.connect.converters."
    specs = {
        "ShortConverter": (Type.INT16, ">h", "short", "ShortDeserializer"),
        "IntegerConverter": (Type.INT32, ">i", "integer", "IntegerDeserializer"),
        "LongConverter": (Type.INT64, ">q", "long", "LongDeserializer"),
        "FloatConverter": (Type.FLOAT32, ">f", "float", "FloatDeserializer"),
        "DoubleConverter": (Type.FLOAT64, ">d", "double", "DoubleDeserializer"),
    }
    out: dict[str, Callable[[], Converter]] = {}
    for name, (kind, fmt, label, deserializer) in specs.items():
        def make(k: Type = kind, f: str = fmt, lb: str = label, d: str = deserializer
                 ) -> Converter:
            return NumberConverter(k, f, lb, d)
        out[prefix + name] = make
    return out
