"""Matching a query's protobuf answer against a case's `queryProto` expectation.

A case with `testPullWithProtoFormat` runs each query a second time asking for
`application/vnd.ksql.v1+protobuf`. The header's `protoSchema` must equal the expected
text; each row's `protobufBytes` is decoded with that schema and printed in protobuf's
text format (fields that hold their default are not printed), which is what the case
lists; rows are compared as a multiset unless the case asks for order. Final messages
must match.
"""

from __future__ import annotations

import base64
from collections import Counter
from typing import Any

from google.protobuf import text_format

from tote.core.errors import ToteError
from tote.serde.errors import SerializationError
from tote.serde.protobuf_descriptors import ProtoPool
from tote.serde.protobuf_model import parse_proto
from tote.sql.qtt_rest.matching import Mismatch

MEDIA_TYPE = "application/vnd.ksql.v1+protobuf"


def _schema(messages: list[Any]) -> str | None:
    for message in messages:
        if isinstance(message, dict) and isinstance(message.get("header"), dict):
            schema = message["header"].get("protoSchema")
            if isinstance(schema, str):
                return schema
    return None


def _finals(messages: list[Any]) -> list[Any]:
    return [m["finalMessage"] for m in messages if isinstance(m, dict) and "finalMessage" in m]


def _printed_rows(messages: list[Any], schema: str, where: str) -> list[str]:
    try:
        message_class = ProtoPool.message_class(ProtoPool(parse_proto(schema)).descriptor([0]))
    except (ToteError, SerializationError, ValueError) as exc:
        raise Mismatch(f"{where}: cannot read protoSchema: {exc}") from None
    rows: list[str] = []
    for message in messages:
        if not isinstance(message, dict) or "row" not in message:
            continue
        data = message["row"].get("protobufBytes") if isinstance(message["row"], dict) else None
        if not isinstance(data, str):
            raise Mismatch(f"{where}: row without protobufBytes: {message!r}")
        decoded = message_class()
        decoded.ParseFromString(base64.b64decode(data))
        rows.append(text_format.MessageToString(decoded))
    return rows


def proto_messages(expected: list[Any], actual: Any, ordered: bool, where: str) -> None:
    """Raise Mismatch unless the protobuf answer `actual` is what `expected` lists."""
    if not isinstance(actual, list):
        raise Mismatch(f"{where}: expected a list of messages, got {actual!r}")
    if len(expected) != len(actual):
        raise Mismatch(f"{where}: expected {len(expected)} messages, got {len(actual)}: "
                       f"{actual!r}")
    want_schema, got_schema = _schema(expected), _schema(actual)
    if want_schema != got_schema:
        raise Mismatch(f"{where}: protoSchema {got_schema!r}, expected {want_schema!r}")
    if _finals(expected) != _finals(actual):
        raise Mismatch(f"{where}: final messages {_finals(actual)!r}, "
                       f"expected {_finals(expected)!r}")
    want = [m["row"] for m in expected if isinstance(m, dict) and "row" in m]
    got = _printed_rows(actual, got_schema, where) if got_schema is not None else []
    if (want if ordered else Counter(want)) != (got if ordered else Counter(got)):
        raise Mismatch(f"{where}: rows differ: expected {want!r}, got {got!r}")
