"""Request bodies are parsed by msgspec with `json` behind it: clients see `json`'s values
and `json`'s error messages, whatever they send."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tote.proxy.bodies import parse_json
from tote.proxy.errors import MalformedJson

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def same(a: Any, b: Any) -> bool:
    """Equal with the same types, key order and sign of zero (`==` ignores all three)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a):
            return math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


@given(JSON_VALUES, st.booleans(), st.sampled_from([None, 1]))
def test_values_are_those_of_json(value: Any, ascii_only: bool, indent: int | None) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    raw = text.encode("utf-8", "surrogatepass")  # st.text() may hold lone surrogates
    assert same(parse_json(raw), json.loads(raw))


# Texts `json` reads and a strict parser may not, or reads differently.
ODD_BUT_ACCEPTED = [
    b"NaN", b"[Infinity, -Infinity]", b"1e400", b"-1e400", b"1" * 400,
    b"18446744073709551616", b"-9223372036854775809", b"123456789012345678901234567890",
    b'"\\ud800"', b'"\xed\xa0\x80"', b"\xef\xbb\xbf{}", '{"a": 1}'.encode("utf-16"),
    '{"a": 1}'.encode("utf-32"), b'{"a": 1, "a": 2}', b"-0", b"-0.0", b"5e-324", b"1e-400",
    b' \t\r\n{"records": [{"value": {"int": 1}}]} \n',
]


@pytest.mark.parametrize("raw", ODD_BUT_ACCEPTED)
def test_what_json_accepts_keeps_its_value(raw: bytes) -> None:
    assert same(parse_json(raw), json.loads(raw))


MALFORMED = [
    b'{"records": [', b"[1,]", b"{'a': 1}", b"\x0c{}", b'"\t"', b"01", b"+1", b".5", b"1.",
    b"tru", b'{"a" 1}', b"[1 2]", b"{}\x00", b'{"a": 1} x', b"// c\n{}", b"\xff\xfe",
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_json_gets_the_message_of_json(raw: bytes) -> None:
    try:
        json.loads(raw)
    except json.JSONDecodeError as exc:
        expected = (f"Unexpected character in request body: {exc.msg} (line {exc.lineno}, "
                    f"column {exc.colno})")
    except UnicodeDecodeError as exc:
        expected = f"Invalid UTF-8 in request body: {exc.reason}"
    with pytest.raises(MalformedJson) as raised:
        parse_json(raw)
    assert raised.value.message == expected


@pytest.mark.parametrize("raw", [b"", b"  ", b"\n\t"])
def test_an_empty_body_is_no_entity(raw: bytes) -> None:
    assert parse_json(raw) is None
