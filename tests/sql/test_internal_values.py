"""The engine's internal encoding of keys: the same JSON bytes for the same value, always
(stored state keys and repartition keys are looked up by them), and back again."""

from __future__ import annotations

import datetime
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


# Every kind of SQL value a state store holds: each must come back equal and of the
# same types (bool is not int, int is not float, a tuple is not a list).
_SQL_VALUES: list[Any] = [
    None, True, False, 0, -7, 2**63 - 1, -(2**80), 1.5, -0.0, float("inf"), float("-inf"),
    "", "é\ud800", b"", b"\x00\x80\xff", [], (), {},
    [None, True, 1, 1.0, "a", b"b"], (("row", 1, 2.5, None), 1_700_000_000_123),
    {"k": [1, 2], 3: None, (1, "x"): {"nested": (True,)}},
    Decimal("1.20"), datetime.datetime(2024, 5, 6, 7, 8, 9, 123000, datetime.UTC),
    datetime.datetime(2024, 5, 6, 7, 8, 9), datetime.date(2024, 5, 6), datetime.time(7, 8, 9),
    [Decimal("-0.5"), datetime.date(1970, 1, 1), "mixed", 3],
]


def _typed(value: Any) -> Any:
    """The value with every part's type beside it (== alone takes 1 == 1.0 == True)."""
    if isinstance(value, (list, tuple)):
        return type(value), [_typed(v) for v in value]
    if isinstance(value, dict):
        return dict, [(_typed(k), _typed(v)) for k, v in value.items()]
    return type(value), repr(value)


@pytest.mark.parametrize("value", _SQL_VALUES, ids=repr)
def test_a_state_value_comes_back_exactly(value: Any) -> None:
    data = values.pack_state(value)
    assert _typed(values.unpack_state(data)) == _typed(value)
    assert values.pack_state(value) == data  # the same value, the same bytes


class _Text(str):
    """A subclass marshal refuses (it would come back as a plain str)."""


def test_plain_data_is_marshalled_and_anything_else_pickled() -> None:
    assert values.pack_state([1, "a", 2.5, None, b"x", (True,)])[:1] == b"\x01"
    assert values.pack_state([1, Decimal("2")])[:1] == b"\x80"  # pickle's first byte
    assert values.pack_state(datetime.date(2024, 1, 1))[:1] == b"\x80"
    with pytest.raises(ValueError, match="not a SQL value"):  # (as with pickle alone)
        values.unpack_state(values.pack_state([_Text("t")]))


def test_shared_parts_make_the_same_bytes_as_copies() -> None:
    """marshal's back-references (versions 3+) would make the bytes depend on sharing."""
    part = ["x", 1.5]
    assert values.pack_state([part, part]) == values.pack_state([["x", 1.5], ["x", 1.5]])


def test_state_values_written_before_still_load() -> None:
    """Stores written by earlier versions hold pickle (and before that JSON) bytes."""
    pickled = (b"\x80\x05\x95\x1d\x00\x00\x00\x00\x00\x00\x00]\x94(]\x94(\x8c\x02c1\x94K\n"
               b"G?\xf8\x00\x00\x00\x00\x00\x00N\x88eK\ne.")
    assert _typed(values.unpack_state(pickled)) == _typed([["c1", 10, 1.5, None, True], 10])
    with_decimal = (b"\x80\x05\x95*\x00\x00\x00\x00\x00\x00\x00]\x94(\x8c\x07decimal\x94"
                    b"\x8c\x07Decimal\x94\x93\x94\x8c\x041.20\x94\x85\x94R\x94C\x01\x00\x94e.")
    assert _typed(values.unpack_state(with_decimal)) == _typed([Decimal("1.20"), b"\x00"])
    assert values.unpack_state(b'[["c1",10],10]') == [["c1", 10], 10]
    assert values.unpack_state(b'[{"$d":"1.20"},{"$b":"AA=="}]') == [Decimal("1.20"), b"\x00"]


def test_a_broken_marshalled_value_is_reported() -> None:
    with pytest.raises(ValueError, match="Not an internal value"):
        values.unpack_state(values.pack_state([1, "abc"])[:-2])
