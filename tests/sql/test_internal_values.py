"""The engine's internal encoding of keys: the same JSON bytes for the same value, always
(stored state keys and repartition keys are looked up by them), and back again."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import pytest

from tote.sql.runtime import values


@pytest.mark.parametrize("value,expected", [
    (["a", 1, None, True], b'["a",1,null,true]'),
    ("é", '"é"'.encode()),
    (['q"\\\n\t'], b'["q\\"\\\\\\n\\t"]'),
    (["\ud800"], b'["\xed\xa0\x80"]'),  # a lone surrogate is data too
    ([Decimal("1.20"), 2.5, float("nan")], b'[{"$d":"1.20"},2.5,{"$f":"nan"}]'),
    ([[1, "k"], None], b'[[1,"k"],null]'),
    ({"a": [1, 2]}, b'{"$m":[["a",[1,2]]]}'),
])
def test_keys_encode_to_the_same_bytes_and_back(value: Any, expected: bytes) -> None:
    assert values.encode(value) == expected
    assert values.encode(value) == expected
    decoded = values.decode(expected)
    if isinstance(value, list) and value and isinstance(value[-1], float):
        assert decoded[:2] == value[:2]
    elif isinstance(value, dict):
        assert decoded == {"a": [1, 2]}
    else:
        assert decoded == value


def test_a_value_it_cannot_store_is_refused() -> None:
    with pytest.raises(TypeError, match="Cannot store a value of type object"):
        values.encode([object()])


def test_without_cpythons_private_json_encoder_the_bytes_are_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`_json` is CPython's; another Python must still get the very same state bytes."""
    samples = [["a", 1], [None, True, "é\ud800"], (1.5, Decimal("2.50"), [1, 2]),
               {"k": [b"\x00", None]}]
    fast = [values.encode(v) for v in samples]
    monkeypatch.setitem(sys.modules, "_json", None)  # import now raises ImportError
    monkeypatch.setattr(values, "_WRITE", values._writer())
    assert [values.encode(v) for v in samples] == fast
