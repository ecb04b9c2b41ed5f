"""ksqlDB rows ↔ Avro datums for the AVRO format (wrapped records or unwrapped singles).

Rows are dicts keyed by column name holding the values of `sql_values`. The writer
schema may be ksqlDB's own (maps as MapEntry arrays) or any registered schema the
columns were inferred from (Avro maps, enums, floats, other field-name case), so
conversion walks the SQL type and the Avro type together.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from tote.core.types import Base, Column, SqlType
from tote.serde import sql_values as sv
from tote.serde.avro import AvroCodec
from tote.serde.avro_model import Node
from tote.serde.avro_schema import AvroSchema
from tote.serde.errors import SerializationError
from tote.serde.schemas import ParsedSchema
from tote.serde.wire import frame, unframe


class KsqlAvroCodec:
    """Encode/decode rows of `columns` with `schema` (the registered writer schema)."""

    def __init__(self, columns: Sequence[Column], schema: ParsedSchema | str,
                 unwrap: bool = False, schema_id: int | None = None) -> None:
        self.columns = list(columns)
        self.codec = AvroCodec(schema)
        self.unwrap = unwrap
        self.schema_id = schema_id
        if unwrap and len(self.columns) != 1:
            raise SerializationError("Only a single column can be unwrapped")

    @property
    def schema(self) -> AvroSchema:
        return self.codec.schema

    def to_datum(self, row: dict[str, Any]) -> Any:
        node = self.codec.schema.node
        if self.unwrap:
            col = self.columns[0]
            return to_avro(col.type, _find(row, col.name), node)
        return to_avro(_row_type(self.columns), row, node)

    def from_datum(self, datum: Any) -> dict[str, Any]:
        node = self.codec.schema.node
        if self.unwrap:
            col = self.columns[0]
            return {col.name: from_avro(col.type, datum, node)}
        value = from_avro(_row_type(self.columns), datum, node)
        assert isinstance(value, dict)
        return value

    def encode(self, row: dict[str, Any] | None) -> bytes | None:
        if row is None:
            return None
        payload = self.codec.encode(self.to_datum(row))
        return frame(self.schema_id, payload) if self.schema_id is not None else payload

    def decode(self, data: bytes | None) -> dict[str, Any] | None:
        if data is None:
            return None
        _, payload = unframe(data)
        return self.from_datum(self.codec.decode(payload))


def _row_type(columns: Sequence[Column]) -> SqlType:
    from tote.core.types import Field

    return SqlType(Base.STRUCT, fields=tuple(Field(c.name, c.type) for c in columns))


def _find(obj: dict[str, Any], name: str) -> Any:
    if name in obj:
        return obj[name]
    upper = name.upper()
    for key, value in obj.items():
        if key.upper() == upper:
            return value
    return None


def _non_null(node: Node) -> Node:
    if node.type == "union":
        branches = [b for b in node.branches if b.type != "null"]
        if len(branches) == 1:
            return branches[0]
    return node


def to_avro(sql: SqlType, value: Any, node: Node) -> Any:
    """A SQL value as the datum fastavro writes for `node`."""
    if value is None:
        return None
    target = _non_null(node)
    base = sql.base
    logical = target.props.get("logicalType")
    if base is Base.DECIMAL:
        return sv.to_decimal(value, sql)
    if base is Base.DOUBLE:
        return float(value)
    if base is Base.DATE and logical != "date" and isinstance(value, datetime.date):
        return sv.date_to_days(value)
    if base is Base.TIME and logical != "time-millis" and isinstance(value, datetime.time):
        return sv.time_to_millis(value)
    if base is Base.TIMESTAMP and logical != "timestamp-millis" \
            and isinstance(value, datetime.datetime):
        return sv.timestamp_to_millis(value)
    if base is Base.ARRAY:
        assert sql.element is not None and target.items is not None
        return [to_avro(sql.element, v, target.items) for v in value]
    if base is Base.MAP:
        assert sql.value is not None
        if target.type == "array":
            assert target.items is not None
            entry = _non_null(target.items)
            value_node = entry.fields[1].type
            return [{"key": k, "value": to_avro(sql.value, v, value_node)}
                    for k, v in value.items()]
        assert target.values is not None
        return {k: to_avro(sql.value, v, target.values) for k, v in value.items()}
    if base is Base.STRUCT:
        if target.type != "record":
            raise SerializationError(f"Cannot write {sql} as Avro {target.type}")
        out: dict[str, Any] = {}
        for fld in target.fields:
            member = sql.field(fld.name) or next(
                (f for f in sql.fields if f.name.upper() == fld.name.upper()), None)
            out[fld.name] = None if member is None else to_avro(
                member.type, _find(value, member.name), fld.type)
        return out
    return value


def from_avro(sql: SqlType, datum: Any, node: Node) -> Any:
    """The SQL value of a datum fastavro read with `node`."""
    if datum is None:
        return None
    target = _non_null(node)
    base = sql.base
    if base is Base.DECIMAL:
        return sv.to_decimal(datum, sql)
    if base is Base.DOUBLE:
        return float(datum)
    if base is Base.DATE and isinstance(datum, int):
        return sv.days_to_date(datum)
    if base is Base.TIME and isinstance(datum, int):
        return sv.millis_to_time(datum)
    if base is Base.TIMESTAMP and isinstance(datum, int):
        return sv.millis_to_timestamp(datum)
    if base is Base.ARRAY:
        assert sql.element is not None and target.items is not None
        return [from_avro(sql.element, v, target.items) for v in datum]
    if base is Base.MAP:
        assert sql.value is not None
        if isinstance(datum, list):
            assert target.items is not None
            value_node = _non_null(target.items).fields[1].type
            return {e["key"]: from_avro(sql.value, e["value"], value_node) for e in datum}
        assert target.values is not None
        return {k: from_avro(sql.value, v, target.values) for k, v in datum.items()}
    if base is Base.STRUCT:
        by_upper = {f.name.upper(): f for f in target.fields} if target.type == "record" else {}
        out: dict[str, Any] = {}
        for member in sql.fields:
            fld = by_upper.get(member.name.upper())
            out[member.name] = None if fld is None else from_avro(
                member.type, datum.get(fld.name), fld.type)
        return out
    if base is Base.BYTES:
        return bytes(datum)
    return datum
