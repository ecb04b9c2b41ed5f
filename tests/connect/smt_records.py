"""Sink records and configured transforms for the single-message-transform unit tests."""

from __future__ import annotations

from typing import Any

from tote.connect.data import Schema, SinkRecord
from tote.connect.transforms.base import Transformation
from tote.core.records import LogRecord, TimestampType


def record(value_schema: Schema | None, value: Any, key_schema: Schema | None = None,
           key: Any = None, *, topic: str = "t", partition: int = 0, offset: int = 0,
           timestamp: int = 0, headers: Any = ()) -> SinkRecord:
    raw = LogRecord(topic, partition, offset, None, None, headers, timestamp,
                    TimestampType.CREATE_TIME)
    return SinkRecord(topic, partition, offset, key_schema, key, value_schema, value,
                      timestamp, headers, raw)


def configure(cls: type[Transformation], props: dict[str, Any]) -> Transformation:
    """As the worker does: parse with the class's ConfigDef, then construct."""
    return cls(cls.config_def.parse(props))


def applied(transform: Transformation, rec: SinkRecord) -> SinkRecord:
    out = transform.apply(rec)
    assert out is not None
    return out
