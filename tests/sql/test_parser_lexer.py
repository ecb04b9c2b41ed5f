"""The lexer classifies tokens as ksqlDB's lexer does and records exact positions."""

from __future__ import annotations

import pytest

from tote.sql.lexer import Token, display_name, is_reserved_word, tokenize


def kinds(sql: str) -> list[tuple[str, str]]:
    return [(t.type, t.text) for t in tokenize(sql)][:-1]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select From", [("SELECT", "select"), ("FROM", "From")]),
        ("string STRING", [("STRING_KW", "string"), ("STRING_KW", "STRING")]),
        ("'it''s'", [("STRING", "'it''s'")]),
        (
            "12 12. 1.5 .5",
            [
                ("INTEGER_VALUE", "12"),
                ("DECIMAL_VALUE", "12."),
                ("DECIMAL_VALUE", "1.5"),
                ("DECIMAL_VALUE", ".5"),
            ],
        ),
        (
            "1e5 1.5E-3 1abc",
            [
                ("FLOATING_POINT_VALUE", "1e5"),
                ("FLOATING_POINT_VALUE", "1.5E-3"),
                ("DIGIT_IDENTIFIER", "1abc"),
            ],
        ),
        (
            'a_b@c `x y` "Q"',
            [
                ("IDENTIFIER", "a_b@c"),
                ("BACKQUOTED_IDENTIFIER", "`x y`"),
                ("QUOTED_IDENTIFIER", '"Q"'),
            ],
        ),
        ("${var} $x", [("VARIABLE", "${var}"), ("UNRECOGNIZED", "$"), ("IDENTIFIER", "x")]),
        (
            "<> != <= >= || := -> =>",
            [
                ("NEQ", "<>"),
                ("NEQ", "!="),
                ("LTE", "<="),
                ("GTE", ">="),
                ("CONCAT", "||"),
                ("ASSIGN", ":="),
                ("STRUCT_FIELD_REF", "->"),
                ("LAMBDA_EXPRESSION", "=>"),
            ],
        ),
        (
            "a-- comment\nb /* x\ny */ c",
            [("IDENTIFIER", "a"), ("IDENTIFIER", "b"), ("IDENTIFIER", "c")],
        ),
        ("/* open", [("SLASH", "/"), ("ASTERISK", "*"), ("IDENTIFIER", "open")]),
        ("'open", [("UNRECOGNIZED", "'"), ("IDENTIFIER", "open")]),
        ("café", [("IDENTIFIER", "caf"), ("UNRECOGNIZED", "é")]),
    ],
)
def test_token_classes(sql: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(sql) == expected


def test_positions_and_end_of_input() -> None:
    tokens = list(tokenize("SELECT a\n  FROM t;\n"))

    assert tokens == [
        Token("SELECT", "SELECT", 1, 1, 0, 6),
        Token("IDENTIFIER", "a", 1, 8, 7, 8),
        Token("FROM", "FROM", 2, 3, 11, 15),
        Token("IDENTIFIER", "t", 2, 8, 16, 17),
        Token("SEMICOLON", ";", 2, 9, 17, 18),
        Token("$END", "<EOF>", 3, 1, 19, 19),
    ]


def test_display_names_and_reserved_words() -> None:
    assert [display_name(k) for k in ("SELECT", "STRING_KW", "STRING", "COMMA", "NEQ", "$END")] == [
        "'SELECT'",
        "'STRING'",
        "STRING",
        "','",
        "NEQ",
        "<EOF>",
    ]
    assert is_reserved_word("size") and is_reserved_word("Load")
    assert not is_reserved_word("key") and not is_reserved_word("bets")
