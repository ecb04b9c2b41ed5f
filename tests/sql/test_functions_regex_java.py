"""REGEXP_* read Java's regular expressions and `Matcher` replacement strings: ksqlDB
hands them to `java.util.regex` (each expected value checked against JDK 17)."""

from __future__ import annotations

import pytest
from tests.sql.exprkit import evaluate, evaluate_logged


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # `$12` with one group is group 1 then "2": digits extend a reference only to a group.
        ("REGEXP_REPLACE('ab', '(a)', '$12')", "a2b"),
        # A bad replacement is only read when there is a match to replace.
        ("REGEXP_REPLACE('zz', '(a)', '$x')", "zz"),
        # Java's `\w` and `\d` are ASCII only.
        ("REGEXP_REPLACE('café', '\\w', '_')", "___é"),
        # A POSIX class inside a character class.
        ("REGEXP_REPLACE('a_b-c', '[\\p{Alpha}_]', '.')", "...-."),
        # `\Q...\E` quotes.
        ("REGEXP_REPLACE('a.b', '\\Q.\\E', '!')", "a!b"),
        ("REGEXP_EXTRACT('\\p{Punct}+', 'ab-!c')", "-!"),
    ],
)
def test_regexp_functions_read_java_syntax(sql: str, expected: object) -> None:
    assert evaluate(sql) == expected


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        ("x\\", "character to be escaped is missing"),
        ("x${", "named capturing group has 0 length name"),
        ("$2", "No group 2"),
    ],
)
def test_regexp_replace_refuses_a_bad_replacement_as_java_does(replacement: str,
                                                               message: str) -> None:
    value, errors = evaluate_logged(f"REGEXP_REPLACE('ab', '(a)', '{replacement}')")
    assert value is None
    assert len(errors) == 1 and errors[0].message.endswith(message)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # After an empty match Java searches again one character on.
        ("REGEXP_EXTRACT_ALL('|x*', 'xx')", ["", "", ""]),
        ("REGEXP_EXTRACT_ALL('a?', 'bab')", ["", "a", "", ""]),
        ("REGEXP_REPLACE('x', '|x*', '-')", "-x-"),
        # A pattern matching "" splits as `Pattern.split`: trailing empty pieces dropped,
        # the whole input when nothing matched.
        ("REGEXP_SPLIT_TO_ARRAY('ab', 'x*')", ["a", "b"]),
        ("REGEXP_SPLIT_TO_ARRAY('xax', 'x*')", ["", "", "a"]),
        ("REGEXP_SPLIT_TO_ARRAY('', '')", [""]),
        ("REGEXP_SPLIT_TO_ARRAY('ab', '')", ["a", "b"]),
        # Any other splits as Guava's `Splitter.on(pattern)`: trailing empty pieces kept, an
        # empty match where a piece starts skipped, nothing after a match at the end.
        ("REGEXP_SPLIT_TO_ARRAY('a,b,', ',')", ["a", "b", ""]),
        ("REGEXP_SPLIT_TO_ARRAY('ab cd', '\\b')", ["ab", " ", "cd"]),
        ("REGEXP_SPLIT_TO_ARRAY('aXbX', '(?=X)')", ["a", "Xb", "X"]),
    ],
)
def test_regexp_functions_iterate_matches_as_java(sql: str, expected: object) -> None:
    assert evaluate(sql) == expected
