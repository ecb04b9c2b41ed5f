"""`tote.core.java.regex`: Java patterns on `re`, with Java's error messages (each checked
against JDK 17's `Pattern.compile` / `Matcher.replaceAll`)."""

from __future__ import annotations

import pytest

from tote.core.java.regex import PatternSyntaxError, ReplacementError, compile_java, replace_all


@pytest.mark.parametrize(("pattern", "description", "index"), [
    ("(abc", "Unclosed group", 4),
    ("abc)", "Unmatched closing ')'", 2),
    ("a**", "Dangling meta character '*'", 2),
    ("(*)", "Dangling meta character '*'", 1),
    ("[abc", "Unclosed character class", 3),
    ("a{2,1}", "Illegal repetition range", 5),
    ("\\y", "Illegal/unsupported escape sequence", 1),
    ("a\\", "Unexpected internal error", 2),
    ("(?<1a>x)", "capturing group name does not start with a Latin letter", 3),
    ("(?<g>a)(?<g>b)", "Named capturing group <g> is already defined", 11),
    ("ab(?<g", "named capturing group is missing trailing '>'", 6),
    ("\\p{Foo}", "Unknown character property name {Foo}", 6),
    ("[b-a]", "Illegal character range", 3),
    ("(?z)", "Unknown inline modifier", 2),
    ("\\k", "\\k is not followed by '<' for named capturing group", 2),
    # Java reads every `{` as a count, where Python takes a malformed one literally.
    ("x{y", "Illegal repetition", 2),
    ("a{,2}", "Illegal repetition", 2),
    ("a{1,2", "Unclosed counted closure", 5),
])
def test_syntax_errors_read_as_javas(pattern: str, description: str, index: int) -> None:
    with pytest.raises(PatternSyntaxError) as caught:
        compile_java(pattern)
    assert (caught.value.description, caught.value.index) == (description, index)


def test_the_message_points_at_the_index_as_javas_does() -> None:
    with pytest.raises(PatternSyntaxError) as caught:
        compile_java("abc)")
    assert str(caught.value) == "Unmatched closing ')' near index 2\nabc)\n  ^"
    with pytest.raises(PatternSyntaxError) as caught:
        compile_java("(abc")
    assert str(caught.value) == "Unclosed group near index 4\n(abc"


@pytest.mark.parametrize(("text", "pattern", "replacement", "expected"), [
    ("ab", "(?<g>a)", "[${g}]", "[a]b"),
    ("ab", "(a)|(z)", "[$2]", "[]b"),
    ("ab", "(a)", "\\$1\\\\", "$1\\b"),
    ("ab", "(a)", "\\n", "nb"),
    ("abxd", "x*", "-", "-a-b--d-"),
    ("ab\n", "b\\Z", "!", "a!\n"),
    ("ab\n", "b\\z", "!", "ab\n"),
    ("aZ", "\\P{Lower}", ".", "a."),
    ("a\u00a0b", "\\s", "_", "a\u00a0b"),
    ("\u00c9\u00e9", "(?i)\u00e9", "_", "\u00c9_"),
    ("xAAy", "\\x{41}+", "-", "x-y"),
    ("a{b}", "\\{b}", "-", "a-"),
])
def test_replace_all_as_javas(text: str, pattern: str, replacement: str, expected: str) -> None:
    assert replace_all(compile_java(pattern), text, replacement) == expected


@pytest.mark.parametrize(("replacement", "message"), [
    ("${1}", "capturing group name {1} starts with digit character"),
    ("${}", "named capturing group has 0 length name"),
    ("$2", "No group 2"),
])
def test_bad_replacements_raise_javas_message(replacement: str, message: str) -> None:
    with pytest.raises(ReplacementError, match=f"^{message}$".replace("{", r"\{")):
        replace_all(compile_java("(a)"), "ab", replacement)
