"""Query answers in `application/vnd.ksql.v1+protobuf`, as ksqlDB writes them.

The shape is the legacy JSON array (`ksql_streams.legacy`), with two differences: the
header also carries `protoSchema`, the `.proto` text of one message with a field per
column (ksqlDB's Connect-derived schema: `ConnectDefault1`, nested `ConnectDefault2`...),
and each row is `{"row":{"protobufBytes":"<base64>"}}`, the row serialised as that
message without a schema-registry frame. Clients that know the columns' types decode
rows without the JSON number and text ambiguities.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import AsyncIterator, Sequence
from typing import Any

from tote.core.types import Base, Column, SqlType
from tote.http.common import utf8_json
from tote.http.ksql_streams import Pollers, header, legacy
from tote.serde.json_format import dumps
from tote.serde.ksql_protobuf import KsqlProtobufCodec
from tote.serde.ksql_protobuf_schemas import protobuf_schema_text
from tote.serde.protobuf_descriptors import ProtoPool
from tote.serde.protobuf_model import parse_proto
from tote.sql.transient import PullResult, Row, TransientQueries, TransientQuery

KSQL_V1_PROTOBUF = "application/vnd.ksql.v1+protobuf"


class ProtobufRows:
    """The header and rows of one query in the protobuf shape."""

    def __init__(self, query: TransientQuery) -> None:
        columns: Sequence[Column] = [Column(c.name, c.type) for c in query.columns]
        self.schema = protobuf_schema_text(columns)
        self._codec = KsqlProtobufCodec(columns, ProtoPool(parse_proto(self.schema)))
        self._header = header(query)
        self._header["header"]["protoSchema"] = self.schema

    def header(self) -> dict[str, Any]:
        return self._header

    def row(self, row: Row) -> dict[str, Any]:
        if row.tombstone:  # a deletion has no message: its key columns, as in JSON
            return {"row": {"columns": list(row.columns), "tombstone": True}}
        data = self._codec.encode(tuple(
            _runtime(c.type, v) for c, v in zip(self._codec.columns, row.columns, strict=True)))
        return {"row": {"protobufBytes": base64.b64encode(data).decode("ascii")}}


def _runtime(sql: SqlType, value: Any) -> Any:
    """A row value back from its JSON-ready form (`rows.json_value`) to the SQL value
    the protobuf serialiser writes."""
    if value is None:
        return None
    base = sql.base
    if base is Base.BYTES and isinstance(value, str):
        return base64.b64decode(value)
    if base is Base.DATE and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    if base is Base.TIME and isinstance(value, str):
        return datetime.time.fromisoformat(value)
    if base is Base.TIMESTAMP and isinstance(value, str):
        return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
    if base is Base.ARRAY and sql.element is not None:
        return [_runtime(sql.element, v) for v in value]
    if base is Base.MAP and sql.value is not None:
        return {k: _runtime(sql.value, v) for k, v in value.items()}
    if base is Base.STRUCT:
        return {f.name: _runtime(f.type, value.get(f.name)) for f in sql.fields}
    return value


def protobuf_pull_body(query: PullResult) -> bytes:
    """A table's pull query answer, whole: the header and its rows, no final message."""
    shape = ProtobufRows(query)
    return utf8_json("".join(["[", dumps(shape.header()),
                              *(",\n" + dumps(shape.row(r)) for r in query.rows), "]\n"]))


def protobuf_stream(queries: TransientQueries, query: TransientQuery,
                    pollers: Pollers) -> AsyncIterator[bytes]:
    """A streamed query's answer: the legacy array with this shape's header and rows."""
    shape = ProtobufRows(query)
    return legacy(queries, query, pollers, shape.header(), shape.row)
