"""JSON text as ksqlDB's Jackson writes it (UTF8JsonGenerator without
COMBINE_UNICODE_SURROGATES_IN_UTF8): a character beyond the BMP as its UTF-16 surrogate
pair, a lone surrogate as its own escape (UTF-8 cannot hold it: the row is written, not
lost), control characters in upper-case hex; everything else as Python's json writes it.
Each reads back to the very string written."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tote.serde.json_format import dumps


@pytest.mark.parametrize(("text", "written"), [
    ("odds", '"odds"'),
    ("é ü ✓", '"é ü ✓"'),  # the BMP stays raw UTF-8
    ("\U0001F40E win", '"\\uD83D\\uDC0E win"'),  # beyond the BMP: the surrogate pair
    ("\ud800x", '"\\uD800x"'),  # a lone surrogate
    ("a\x1fb\x00", '"a\\u001Fb\\u0000"'),  # control characters, upper-case hex
    ("tab\tnew\nline", '"tab\\tnew\\nline"'),  # the short escapes as before
    ("\\u001f", '"\\\\u001f"'),  # a backslash and text, not an escape: kept as written
    ("\\\x1f é", '"\\\\\\u001F é"'),
])
def test_strings_are_written_as_jackson_writes_them(text: str, written: str) -> None:
    assert dumps(text) == written
    assert dumps({text: text}) == "{" + written + ":" + written + "}"
    assert json.loads(written) == text
    written.encode("utf-8")  # always writable


@given(st.text(st.one_of(st.characters(), st.characters(categories=["Cs"]),
                         st.sampled_from(["\\", "\x1f", "\U0001F40E", "u"]))))
def test_any_string_reads_back_and_encodes(text: str) -> None:
    written = dumps(text)
    assert json.loads(written) == text
    assert written.encode("utf-8").decode("utf-8") == written
