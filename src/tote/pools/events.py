"""Avro value schemas of the domain's event topics, registered as `<topic>-value`.

The schemas follow the issue #10 contract field for field (lower-case names; ksqlDB
upper-cases them when it infers columns, so `CREATE STREAM tote_bets WITH
(kafka_topic='tote_bets', value_format='AVRO')` needs no column list). Nullable fields are
`["null", T]` unions with a null default; the rest are plain types. Values go on the log in
Confluent's wire format with the registered id, so any Confluent deserializer reads them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from tote.pools.event_encoders import PlainEncodeError, plain_encoder
from tote.pools.topics import (
    BETS,
    BETS_CANCELLED,
    BETS_PAID,
    BETS_REFUNDED,
    BETS_REJECTED,
    POOLS_DEFINED,
    RACE_EVENTS,
)
from tote.registry import Registry
from tote.serde.avro import AvroCodec
from tote.serde.wire import frame

NAMESPACE = "io.tote.pools"
_INTS: dict[str, Any] = {"type": "array", "items": "int"}
_STRINGS: dict[str, Any] = {"type": "array", "items": "string"}


def _field(name: str, avro_type: Any) -> dict[str, Any]:
    return {"name": name, "type": avro_type}


def _optional(name: str, avro_type: Any) -> dict[str, Any]:
    return {"name": name, "type": ["null", avro_type], "default": None}


def _record(name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": NAMESPACE, "fields": list(fields)}


def _strings(*names: str) -> list[dict[str, Any]]:
    return [_field(n, "string") for n in names]


_BET_CHANGE = (
    *_strings("bet_id", "race_id", "pool", "pool_id"),
    _field("combinations", _STRINGS),
    _field("stake_cents", "long"),
    _field("reason", "string"),
    _field("occurred_at", "long"),
)

SCHEMAS: dict[str, dict[str, Any]] = {
    RACE_EVENTS: _record(
        "RaceEvent",
        *_strings("race_id", "event_id", "kind"),
        _optional("runners", _INTS),
        _optional("runner", "int"),
        _optional("result", {"type": "array", "items": _INTS}),
        _field("occurred_at", "long"),
        _optional("meeting_id", "string"),
        # POOL_VOIDED only: the pool a scratching left short of starters, and why.
        _optional("pool", "string"),
        _optional("pool_id", "string"),
        _optional("reason", "string"),
        _optional("detail", "string"),
    ),
    POOLS_DEFINED: _record(
        "PoolDefined",
        *_strings("race_id", "pool_id", "pool"),
        _field("takeout_bp", "int"),
        _field("unit_cents", "long"),
        _field("breakage_step_cents", "long"),
        _optional("min_dividend_cents", "long"),
        _field("split", "string"),
        _field("places", "int"),
        _field("unbacked", "string"),
        _optional("part_backed", "string"),
        _optional("min_starters", "int"),
    ),
    BETS: _record(
        "BetPlaced",
        *_strings("bet_id", "idempotency_key", "race_id", "pool", "pool_id"),
        _field("combinations", _STRINGS),
        _field("stake_cents", "long"),
        _field("placed_at", "long"),
    ),
    BETS_REJECTED: _record(
        "BetRejected",
        *_strings("idempotency_key", "race_id", "pool", "reason", "detail"),
        _field("occurred_at", "long"),
    ),
    BETS_CANCELLED: _record("BetCancelled", *_BET_CHANGE),
    BETS_REFUNDED: _record("BetRefunded", *_BET_CHANGE),
    # At the result, one per standing ticket: outcome PAID, REFUNDED or LOST (amount 0).
    BETS_PAID: _record(
        "BetPaid",
        *_strings("bet_id", "race_id", "pool", "pool_id", "outcome"),
        _field("amount_cents", "long"),
        _field("occurred_at", "long"),
    ),
}


def register_event_schemas(registry: Registry) -> dict[str, int]:
    """Register every event topic's value schema (idempotent); the id of each, by topic.

    For whoever needs the subjects before the first event is written, e.g. ksqlDB
    statements that declare the topics without columns on a stack where no race has run.
    """
    return {
        topic: registry.register(f"{topic}-value", json.dumps(schema)).id
        for topic, schema in SCHEMAS.items()
    }


class EventCodecs:
    """Encoders of the event topics, each with the schema id the registry gave it.

    The schemas are registered on the first encode, not before: on a fresh stack the
    seed's own `CREATE STREAM tote_win_bets` must still get schema id 1 (the seed posts
    `value_schema_id: 1`), so the tote service registers nothing until it has something
    to write.
    """

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._codecs: dict[str, tuple[int, AvroCodec]] = {}
        # Framed fast encoders of the plain schemas (BetPlaced, BetRejected): per bet.
        self._fast: dict[str, tuple[bytes, Callable[[Mapping[str, Any]], bytes]]] = {}

    def _codec(self, topic: str) -> tuple[int, AvroCodec]:
        if not self._codecs:
            for name, schema_id in register_event_schemas(self._registry).items():
                self._codecs[name] = (schema_id, AvroCodec(json.dumps(SCHEMAS[name])))
                fast = plain_encoder(SCHEMAS[name])
                if fast is not None:
                    self._fast[name] = (frame(schema_id, b""), fast)
        return self._codecs[topic]

    def schema_id(self, topic: str) -> int:
        return self._codec(topic)[0]

    def encode(self, topic: str, value: dict[str, Any]) -> bytes:
        fast = self._fast.get(topic)
        if fast is not None:
            try:
                return fast[0] + fast[1](value)
            except PlainEncodeError:
                pass  # the general codec explains what is wrong
        schema_id, codec = self._codec(topic)
        return codec.encode_framed(schema_id, value)
