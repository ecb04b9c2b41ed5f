"""STRING and REGULAR EXPRESSION functions, exact values as ksqlDB returns them."""

from __future__ import annotations

import math
import re

import pytest
from tests.sql.exprkit import evaluate

from tote.core import types as t


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("CONCAT('a', 'b', 'c')", "abc"),
        ("CONCAT('a', CAST(NULL AS STRING), 'c')", "ac"),
        ("'a' || 'b'", "ab"),
        ("CONCAT_WS('-', 'a', NULL, 'b')", "a-b"),
        ("CONCAT_WS(CAST(NULL AS STRING), 'a', 'b')", None),
        ("UCASE('abc')", "ABC"),
        ("LCASE('ABC')", "abc"),
        ("TRIM('  a b \t')", "a b"),
        ("LTRIM('  ab ')", "ab "),
        ("RTRIM('  ab ')", "  ab"),
        ("LEN('hello')", 5),
        ("SUBSTRING('hello', 2)", "ello"),
        ("SUBSTRING('hello', 2, 3)", "ell"),
        ("SUBSTRING('hello', -3)", "llo"),
        ("SUBSTRING('hello', -3, 2)", "ll"),
        ("SUBSTRING('hello', 0, 1)", "h"),
        ("SUBSTRING('hello', 10)", ""),
        ("SUBSTRING('hello', 2, -1)", ""),
        ("REPLACE('a.b.c', '.', '-')", "a-b-c"),
        ("SPLIT('a,b,,c', ',')", ["a", "b", "", "c"]),
        ("SPLIT('a.b', '.')", ["a", "b"]),
        ("SPLIT('abc', '')", ["a", "b", "c"]),
        ("SPLIT_TO_MAP('a=1;b=2', ';', '=')", {"a": "1", "b": "2"}),
        ("INSTR('CORPORATE FLOOR', 'OR')", 2),
        ("INSTR('CORPORATE FLOOR', 'OR', 3)", 5),
        ("INSTR('CORPORATE FLOOR', 'OR', 3, 2)", 14),
        ("INSTR('CORPORATE FLOOR', 'OR', -3, 2)", 2),
        ("INSTR('CORPORATE FLOOR', 'MISSING')", 0),
        ("LPAD('ab', 5, 'xy')", "xyxab"),
        ("LPAD('abcdef', 3, 'x')", "abc"),
        ("RPAD('ab', 5, 'xy')", "abxyx"),
        ("LPAD('ab', 5, '')", None),
        ("INITCAP('the   quick bROWN fox')", "The   Quick Brown Fox"),
        ("MASK('AbC-12 z')", "XxX-nn-x"),
        ("MASK('AbC-12', '*', NULL, '#', NULL)", "*b*-##"),
        ("MASK_LEFT('AbC-12', 2)", "XxC-12"),
        ("MASK_RIGHT('AbC-12', 2)", "AbC-nn"),
        ("MASK_KEEP_LEFT('AbC-12', 2)", "AbX-nn"),
        ("MASK_KEEP_RIGHT('AbC-12', 2)", "XxX-12"),
        ("CHR(75)", "K"),
        ("CHR('\\u004b')", "K"),
        ("ELT(2, 'a', 'b')", "b"),
        ("ELT(3, 'a', 'b')", None),
        ("FIELD('b', 'a', 'b')", 2),
        ("FIELD('z', 'a', 'b')", 0),
        ("ENCODE('hello', 'utf8', 'hex')", "68656c6c6f"),
        ("ENCODE('68656c6c6f', 'hex', 'base64')", "aGVsbG8="),
        ("ENCODE('aGVsbG8=', 'base64', 'utf8')", "hello"),
        ("UCASE(CAST(NULL AS STRING))", None),
        ("LEN(TO_BYTES('hello', 'utf8'))", 5),
        ("FROM_BYTES(TO_BYTES('6869', 'hex'), 'utf8')", "hi"),
    ],
)
def test_string_functions(sql: str, expected: object) -> None:
    assert evaluate(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # ENCODE writes lower-case hex, FROM_BYTES upper-case, as ksqlDB does.
        ("ENCODE('Zz', 'utf8', 'hex')", "5a7a"),
        ("FROM_BYTES(TO_BYTES('5a7a0f', 'hex'), 'hex')", "5A7A0F"),
        # A character ASCII cannot hold becomes '?', an undecodable byte U+FFFD.
        ("ENCODE('n\u00e9', 'ascii', 'utf8')", "n?"),
        ("ENCODE('6eff', 'hex', 'ascii')", "n\ufffd"),
        # '0x' pads an odd digit count; bare odd digits and a lone X' are errors (null).
        ("ENCODE('0x161', 'hex', 'base64')", "AWE="),
        ("ENCODE('161', 'hex', 'base64')", None),
        ("ENCODE('X''', 'hex', 'utf8')", None),
        ("ENCODE('x''''', 'hex', 'utf8')", ""),
        # Base64 input to ENCODE is lenient about padding.
        ("ENCODE('YWI', 'base64', 'utf8')", "ab"),
        # Only conversions between two different encodings exist.
        ("ENCODE('ab', 'utf8', 'UTF8')", None),
        # TO_BYTES takes bare hex digits only.
        ("TO_BYTES('0x61', 'hex')", None),
    ],
)
def test_byte_encodings(sql: str, expected: object) -> None:
    assert evaluate(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("REGEXP_EXTRACT('(\\d+)', 'abc 123 456')", "123"),
        ("REGEXP_EXTRACT('(\\w+) (\\d+)', 'abc 123', 2)", "123"),
        ("REGEXP_EXTRACT('x(\\d)', 'abc', 1)", None),
        ("REGEXP_EXTRACT_ALL('\\d+', 'a1b22c333')", ["1", "22", "333"]),
        ("REGEXP_EXTRACT_ALL('(\\w)(\\d)', 'a1 b2', 2)", ["1", "2"]),
        ("REGEXP_REPLACE('abc123', '(\\d+)', '<$1>')", "abc<123>"),
        ("REGEXP_REPLACE('a b  c', '\\s+', '_')", "a_b_c"),
        ("REGEXP_REPLACE('ab12', '(?<num>\\d+)', '[${num}]')", "ab[12]"),
        ("REGEXP_EXTRACT('(?<=a)b+', 'abbb')", "bbb"),
        ("REGEXP_SPLIT_TO_ARRAY('a1b22c', '\\d+')", ["a", "b", "c"]),
        ("REGEXP_SPLIT_TO_ARRAY('a1b2', '(\\d)')", ["a", "b", ""]),
    ],
)
def test_regular_expressions(sql: str, expected: object) -> None:
    assert evaluate(sql) == expected


def test_uuid_is_random_and_well_formed() -> None:
    first, second = evaluate("UUID()"), evaluate("UUID()")
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first
    )
    assert first != second
    raw = bytes(range(16))
    assert evaluate("UUID(B)", [("B", t.BYTES)], (raw,)) == "00010203-0405-0607-0809-0a0b0c0d0e0f"


def test_len_counts_bytes_and_substring_slices_bytes() -> None:
    assert evaluate("SUBSTRING(B, 2, 2)", [("B", t.BYTES)], (b"abcd",)) == b"bc"
    assert evaluate("CONCAT(B, B)", [("B", t.BYTES)], (b"ab",)) == b"abab"


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("URL_ENCODE_PARAM('a b&c=d')", "a+b%26c%3Dd"),
        ("URL_DECODE_PARAM('a+b%26c%3Dd')", "a b&c=d"),
        ("URL_EXTRACT_HOST('https://docs.example.com:8080/a/b?x=1&y=2#frag')", "docs.example.com"),
        ("URL_EXTRACT_PORT('https://docs.example.com:8080/a/b?x=1&y=2#frag')", 8080),
        ("URL_EXTRACT_PORT('https://docs.example.com/a')", None),
        ("URL_EXTRACT_PATH('https://docs.example.com:8080/a/b?x=1&y=2#frag')", "/a/b"),
        ("URL_EXTRACT_QUERY('https://docs.example.com:8080/a/b?x=1&y=2#frag')", "x=1&y=2"),
        ("URL_EXTRACT_FRAGMENT('https://docs.example.com:8080/a/b?x=1&y=2#frag')", "frag"),
        ("URL_EXTRACT_PROTOCOL('https://docs.example.com')", "https"),
        ("URL_EXTRACT_PARAMETER('https://e.com/?x=1&y=2', 'y')", "2"),
        ("URL_EXTRACT_PARAMETER('https://e.com/?x=1', 'z')", None),
        ("MD5('hello')", "5d41402abc4b2a76b9719d911017c592"),
    ],
)
def test_url_and_digest_functions(sql: str, expected: object) -> None:
    assert evaluate(sql) == expected


def test_geo_distance() -> None:
    km = evaluate("GEO_DISTANCE(37.4439, -122.1663, 51.5257, -0.1122)")
    miles = evaluate("GEO_DISTANCE(37.4439, -122.1663, 51.5257, -0.1122, 'MI')")
    lat1, lon1, lat2, lon2 = map(math.radians, (37.4439, -122.1663, 51.5257, -0.1122))
    cosines = math.acos(
        math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    )
    assert km == pytest.approx(6371 * cosines)
    assert miles == pytest.approx(km * 3959 / 6371)
    assert evaluate("GEO_DISTANCE(91.0, 0.0, 0.0, 0.0)") is None
