"""Sink records and configured transforms for the single-message-transform unit tests."""

from __future__ import annotations

from typing import Any

from tote.connect.data import Schema, SinkRecord
from tote.connect.transforms.base import Transformation
from tote.core.records import LogRecord, TimestampType

_RAW = LogRecord("t", 0, 0, None, None, (), 0, TimestampType.CREATE_TIME)


def record(value_schema: Schema | None, value: Any, key_schema: Schema | None = None,
           key: Any = None) -> SinkRecord:
    return SinkRecord("t", 0, 0, key_schema, key, value_schema, value, 0, (), _RAW)


def configure(cls: type[Transformation], props: dict[str, Any]) -> Transformation:
    """As the worker does: parse with the class's ConfigDef, then construct."""
    return cls(cls.config_def.parse(props))


def applied(transform: Transformation, rec: SinkRecord) -> SinkRecord:
    out = transform.apply(rec)
    assert out is not None
    return out
