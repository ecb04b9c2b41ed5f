"""The v2 produce response, written by format strings, is the compact JSON of its fields."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from tote.core.records import Position
from tote.http.common import dumps
from tote.http.proxy_api import produce_response_body
from tote.proxy.produce import ProduceResult

IDS = st.none() | st.integers(0, 2**31 - 1)
POSITIONS = st.lists(
    st.builds(Position, st.integers(0, 1000), st.integers(0, 2**63 - 1), st.integers(0, 2**41)),
    max_size=20,
)


@given(IDS, IDS, POSITIONS)
def test_same_bytes_as_the_json_of_the_response(
    key_id: int | None, value_id: int | None, positions: list[Position]
) -> None:
    body = produce_response_body(ProduceResult(key_id, value_id, tuple(positions)))
    expected = {
        "key_schema_id": key_id,
        "value_schema_id": value_id,
        "offsets": [
            {"partition": p.partition, "offset": p.offset, "error_code": None, "error": None}
            for p in positions
        ],
    }
    assert body == dumps(expected)
    assert json.loads(body) == expected


ONE_PARTITION = st.integers(0, 1000).flatmap(
    lambda partition: st.lists(
        st.builds(Position, st.just(partition), st.integers(0, 2**63 - 1), st.integers(0, 2**41)),
        min_size=1, max_size=20,
    )
)


@given(IDS, ONE_PARTITION | st.lists(
    st.builds(Position, st.integers(0, 1), st.integers(0, 2**63 - 1), st.integers(0, 2**41)),
    max_size=5,
))
def test_batches_in_one_partition_or_a_few(
    value_id: int | None, positions: list[Position]
) -> None:
    """A batch that landed in one partition (its offsets filled into one format string) and one
    spread over two partitions give the same bytes as the JSON of their offsets."""
    body = produce_response_body(ProduceResult(None, value_id, tuple(positions)))
    assert body == dumps({
        "key_schema_id": None,
        "value_schema_id": value_id,
        "offsets": [
            {"partition": p.partition, "offset": p.offset, "error_code": None, "error": None}
            for p in positions
        ],
    })
