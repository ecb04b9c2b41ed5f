"""ksqlDB rows ↔ Avro datums for the AVRO format (wrapped records or unwrapped singles).

Rows are dicts keyed by column name holding the values of `sql_values`. The writer
schema may be ksqlDB's own (maps as MapEntry arrays) or any registered schema the
columns were inferred from (Avro maps, enums, floats, other field-name case), so
conversion walks the SQL type and the Avro type together.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from tote.core import bases
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
        node = self.codec.schema.node
        sql = self.columns[0].type if unwrap else _row_type(self.columns)
        self._to = _converter(sql, node, to_avro, _to_compiled)
        self._from = _converter(sql, node, from_avro, _from_compiled)

    @property
    def schema(self) -> AvroSchema:
        return self.codec.schema

    def to_datum(self, row: dict[str, Any]) -> Any:
        if self.unwrap:
            value = _find(row, self.columns[0].name)
            return None if value is None else self._to(value)
        return None if row is None else self._to(row)

    def from_datum(self, datum: Any) -> dict[str, Any]:
        if self.unwrap:
            col = self.columns[0]
            return {col.name: None if datum is None else self._from(datum)}
        value = self._from(datum) if datum is not None else None
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
    if base is bases.DECIMAL:
        return sv.to_decimal(value, sql)
    if base is bases.DOUBLE:
        return float(value)
    if base is bases.DATE and logical != "date" and isinstance(value, datetime.date):
        return sv.date_to_days(value)
    if base is bases.TIME and logical != "time-millis" and isinstance(value, datetime.time):
        return sv.time_to_millis(value)
    if base is bases.TIMESTAMP and logical != "timestamp-millis" \
            and isinstance(value, datetime.datetime):
        return sv.timestamp_to_millis(value)
    if base is bases.ARRAY:
        assert sql.element is not None and target.items is not None
        return [to_avro(sql.element, v, target.items) for v in value]
    if base is bases.MAP:
        assert sql.value is not None
        if target.type == "array":
            assert target.items is not None
            entry = _non_null(target.items)
            value_node = entry.fields[1].type
            return [{"key": k, "value": to_avro(sql.value, v, value_node)}
                    for k, v in value.items()]
        assert target.values is not None
        return {k: to_avro(sql.value, v, target.values) for k, v in value.items()}
    if base is bases.STRUCT:
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
    if base is bases.DECIMAL:
        return sv.to_decimal(datum, sql)
    if base is bases.DOUBLE:
        return float(datum)
    if base is bases.DATE and isinstance(datum, int):
        return sv.days_to_date(datum)
    if base is bases.TIME and isinstance(datum, int):
        return sv.millis_to_time(datum)
    if base is bases.TIMESTAMP and isinstance(datum, int):
        return sv.millis_to_timestamp(datum)
    if base is bases.ARRAY:
        assert sql.element is not None and target.items is not None
        return [from_avro(sql.element, v, target.items) for v in datum]
    if base is bases.MAP:
        assert sql.value is not None
        if isinstance(datum, list):
            assert target.items is not None
            value_node = _non_null(target.items).fields[1].type
            return {e["key"]: from_avro(sql.value, e["value"], value_node) for e in datum}
        assert target.values is not None
        return {k: from_avro(sql.value, v, target.values) for k, v in datum.items()}
    if base is bases.STRUCT:
        by_upper = {f.name.upper(): f for f in target.fields} if target.type == "record" else {}
        out: dict[str, Any] = {}
        for member in sql.fields:
            fld = by_upper.get(member.name.upper())
            out[member.name] = None if fld is None else from_avro(
                member.type, datum.get(fld.name), fld.type)
        return out
    if base is bases.BYTES:
        return bytes(datum)
    return datum


# -- compiled conversions --------------------------------------------------------------
#
# `to_avro` / `from_avro` walk the SQL type and the Avro node for every value; a codec
# converts values of one (type, node) pair again and again, so it compiles the walk once
# into nested functions: values that need no conversion (strings, integers, booleans and
# arrays or maps of them) pass as they are, records and containers convert member by
# member, and anything else calls the walking function itself, so the results are
# exactly the walk's. A compiled function takes a value that is not None.

Convert = Callable[[Any], Any]
_PLAIN = {Base.STRING: ("string", "enum"), Base.INTEGER: ("int", "long"),
          Base.BIGINT: ("int", "long"), Base.BOOLEAN: ("boolean",)}


def _identity(value: Any) -> Any:
    return value


def _converter(sql: SqlType, node: Node, walk: Callable[[SqlType, Any, Node], Any],
               compiled: Callable[[SqlType, Node], Convert | None]) -> Convert:
    found = compiled(sql, node)
    if found is not None:
        return found
    return lambda value: walk(sql, value, node)


def _plain(sql: SqlType, target: Node) -> bool:
    return "logicalType" not in target.props and target.type in _PLAIN.get(sql.base, ())


def _nullable(convert: Convert) -> Convert:
    if convert is _identity:
        return convert
    return lambda value: None if value is None else convert(value)


def _to_compiled(sql: SqlType, node: Node) -> Convert | None:
    """`to_avro(sql, ·, node)` for values that are not None, or None (walk instead)."""
    target = _non_null(node)
    if _plain(sql, target):
        return _identity
    if sql.base is Base.ARRAY and target.type == "array" and sql.element is not None \
            and target.items is not None:
        item = _nullable(_to_compiled(sql.element, target.items)
                         or _walking(to_avro, sql.element, target.items))
        if item is _identity:
            return _identity  # fastavro only reads the list
        return lambda value: [item(v) for v in value]
    if sql.base is Base.STRUCT and target.type == "record":
        members = []
        for fld in target.fields:
            member = sql.field(fld.name) or next(
                (f for f in sql.fields if f.name.upper() == fld.name.upper()), None)
            convert = None if member is None else _nullable(
                _to_compiled(member.type, fld.type) or _walking(to_avro, member.type, fld.type))
            members.append((fld.name, None if member is None else member.name, convert))

        def record(value: Any) -> Any:
            out: dict[str, Any] = {}
            for avro_name, name, convert in members:
                if name is None or convert is None:
                    out[avro_name] = None
                else:
                    out[avro_name] = convert(value[name] if name in value
                                             else _find(value, name))
            return out
        return record
    return None


def _from_compiled(sql: SqlType, node: Node) -> Convert | None:
    """`from_avro(sql, ·, node)` for datums that are not None, or None (walk instead)."""
    target = _non_null(node)
    if _plain(sql, target):
        return _identity
    if sql.base is Base.ARRAY and target.type == "array" and sql.element is not None \
            and target.items is not None:
        item = _nullable(_from_compiled(sql.element, target.items)
                         or _walking(from_avro, sql.element, target.items))
        if item is _identity:
            return _identity  # fastavro's list is new for every datum
        return lambda datum: [item(v) for v in datum]
    if sql.base is Base.STRUCT and target.type == "record":
        by_upper = {f.name.upper(): f for f in target.fields}
        members = []
        for member in sql.fields:
            fld = by_upper.get(member.name.upper())
            convert = None if fld is None else _nullable(
                _from_compiled(member.type, fld.type)
                or _walking(from_avro, member.type, fld.type))
            members.append((member.name, None if fld is None else fld.name, convert))

        def record(datum: Any) -> Any:
            return {name: None if convert is None else convert(datum.get(avro_name))
                    for name, avro_name, convert in members}
        return record
    return None


def _walking(walk: Callable[[SqlType, Any, Node], Any], sql: SqlType, node: Node) -> Convert:
    return lambda value: walk(sql, value, node)
