"""The fast encoders of the plain event schemas write exactly fastavro's bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tote.log.sqlite import SqliteLog
from tote.pools.event_encoders import PlainEncodeError, plain_encoder
from tote.pools.events import SCHEMAS, EventCodecs
from tote.pools.topics import BETS, BETS_REJECTED, POOLS_DEFINED, RACE_EVENTS
from tote.registry import Registry
from tote.serde.avro import AvroCodec
from tote.serde.errors import SerializationError

LONGS = st.integers(min_value=-(2**63), max_value=2**63 - 1)
TEXT = st.text(max_size=300)  # past one length byte, and any unicode

BET_PLACED = st.fixed_dictionaries(
    {
        "bet_id": TEXT,
        "idempotency_key": TEXT,
        "race_id": TEXT,
        "pool": TEXT,
        "pool_id": TEXT,
        "combinations": st.lists(TEXT, max_size=80),
        "stake_cents": LONGS,
        "placed_at": LONGS,
    }
)
BET_REJECTED = st.fixed_dictionaries(
    {
        "idempotency_key": TEXT,
        "race_id": TEXT,
        "pool": TEXT,
        "reason": TEXT,
        "detail": TEXT,
        "occurred_at": LONGS,
    }
)


def _fastavro(topic: str) -> AvroCodec:
    return AvroCodec(json.dumps(SCHEMAS[topic]))


@settings(max_examples=300)
@given(BET_PLACED)
def test_bet_placed_bytes_are_fastavros(value: dict[str, Any]) -> None:
    encode = plain_encoder(SCHEMAS[BETS])
    assert encode is not None
    assert encode(value) == _fastavro(BETS).encode(value)
    assert encode(value) == encode(value)  # the second time from the remembered parts


@settings(max_examples=200)
@given(BET_REJECTED)
def test_bet_rejected_bytes_are_fastavros(value: dict[str, Any]) -> None:
    encode = plain_encoder(SCHEMAS[BETS_REJECTED])
    assert encode is not None
    assert encode(value) == _fastavro(BETS_REJECTED).encode(value)


def test_schemas_with_unions_are_left_to_the_general_codec() -> None:
    assert plain_encoder(SCHEMAS[RACE_EVENTS]) is None
    assert plain_encoder(SCHEMAS[POOLS_DEFINED]) is None


@pytest.mark.parametrize(
    "change",
    [
        {"stake_cents": "500"},
        {"stake_cents": 2**63},
        {"stake_cents": True},
        {"bet_id": None},
        {"combinations": "1-2"},
        {"combinations": [1, 2]},
        {"combinations": [["1"]]},
    ],
)
def test_a_value_the_fast_path_does_not_take_is_refused(change: dict[str, Any]) -> None:
    encode = plain_encoder(SCHEMAS[BETS])
    assert encode is not None
    value = {**_placed(), **change}
    with pytest.raises(PlainEncodeError):
        encode(value)


def test_the_codecs_fall_back_to_fastavro_and_its_error(tmp_path: Path) -> None:
    log = SqliteLog(tmp_path / "log.db")
    try:
        with Registry(log) as registry:
            codecs = EventCodecs(registry)
            framed = codecs.encode(BETS, {**_placed(), "status": "ACCEPTED"})  # extra keys ignored
            schema_id, decoded = _fastavro(BETS).decode_framed(framed)
            assert (schema_id, decoded) == (codecs.schema_id(BETS), _placed())
            missing = {k: v for k, v in _placed().items() if k != "pool_id"}
            with pytest.raises(SerializationError):
                codecs.encode(BETS, missing)
    finally:
        log.close()


def _placed() -> dict[str, Any]:
    return {
        "bet_id": "R5:1:7",
        "idempotency_key": "k-1",
        "race_id": "R5",
        "pool": "TRIFECTA",
        "pool_id": "R5/TRIFECTA",
        "combinations": ["1-3-7", "1-7-3"],
        "stake_cents": 1200,
        "placed_at": 1795650299206,
    }
