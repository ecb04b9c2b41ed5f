"""`tote.core.java.regex`: Java patterns on `re`, with Java's error messages (each checked
against JDK 17's `Pattern.compile` / `Matcher.replaceAll`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# Each expectation below is what JDK 17's `Matcher.find()` loop gives.
@pytest.mark.parametrize(("pattern", "text", "found"), [
    ("[a-z&&[^aeiou]]", "hello world AEIOU", ["h", "l", "l", "w", "r", "l", "d"]),
    ("[\\w&&\\D]", "a1_b2 C3", ["a", "_", "b", "C"]),
    ("[a-c[x-z]]", "abcdwxyz", ["a", "b", "c", "x", "y", "z"]),
    ("[^a-c[x-z]]", "abcdwxyz", ["d", "w"]),  # `^` negates the nested class too
    ("[a-z&&def]", "abcdefg", ["d", "e", "f"]),
    ("[a-z&&[def]&&[e-z]]", "abcdefg", ["e", "f"]),
    ("[a-c[x-z]&&[b-y]]", "abcxyz", ["b", "c", "x", "y"]),  # `&&` binds loosest
    ("[a-z&&[def]x]", "dxa", ["d", "x"]),
    ("[^a-c&&b]", "abcd", ["a", "c", "d"]),
    ("[&&a]", "a&b", ["a"]),
    ("[a&&]", "a&b", ["a"]),
    ("[a&b]", "a&b", ["a", "&", "b"]),
    ("[a&&&b]", "a&b", ["a", "&", "b"]),  # Java's single-character set keeps growing
    ("[]a]", "a]b", ["a", "]"]),
    ("[^]a]", "a]b", ["b"]),
    ("[a-[b]]", "a-b", ["a", "-", "b"]),
    ("[\\p{Alpha}&&[^a-d]]", "abcdeF1", ["e", "F"]),
    ("[\\P{Alpha}x]", "ab1x", ["1", "x"]),
    ("[^\\P{Lower}]", "aB1", ["a"]),
    ("[\\u0041-\\u0043&&[^B]]", "ABCD", ["A", "C"]),
    ("[\\Q-]\\E]", "a-]", ["-", "]"]),
    ("(?i)[a-c&&[^b]]", "ABCabc", ["A", "C", "a", "c"]),
    ("[\\p{L}]+", "h\u00e9llo 123 \u03a9mega", ["h\u00e9llo", "\u03a9mega"]),
    ("\\p{Lu}", "aBc\u00c9", ["B", "\u00c9"]),
    ("\\p{IsLu}", "aBc\u00c9", ["B", "\u00c9"]),
    ("\\pL+", "ab1cd", ["ab", "cd"]),
    ("\\PL+", "ab1cd", ["1"]),
    ("\\p{gc=Nd}", "a1\u0663", ["1", "\u0663"]),
    ("\\p{javaLowerCase}", "aB", ["a"]),
    # An inline flag holds to the end of its enclosing group, across `|`.
    ("a(?i)b", "aB Ab AB ab", ["aB", "ab"]),
    ("a(?i)b|c", "C ab aB Ac", ["C", "ab", "aB", "c"]),
    ("(a(?i)b|c)d", "cd Cd aBd abD", ["cd", "Cd", "aBd"]),
    ("((?i)a)b", "Ab AB", ["Ab"]),
    ("x(?i)y(?-i)z", "xYz xYZ XYz", ["xYz"]),
    ("(?i)a(?-i)b", "AB Ab", ["Ab"]),
    ("a(?i)b(?-i)c|d", "ABC aBc D d", ["aBc", "d"]),
    ("(a|b(?i)c|d)", "BC bc D d", ["bc", "D", "d"]),
    ("a(?x) b c", "abc", ["abc"]),
])
def test_classes_and_inline_flags_match_as_javas(pattern: str, text: str,
                                                 found: list[str]) -> None:
    assert [m.group() for m in compile_java(pattern).finditer(text)] == found


@pytest.mark.parametrize(("pattern", "description", "index"), [
    ("[&&]", "Bad class syntax", 2),
    ("[a-\\d]", "Illegal character range", 4),
    ("[\\y]", "Illegal/unsupported escape sequence", 2),
    ("[\\p{Foo}]", "Unknown character property name {Foo}", 7),
    ("\\pX", "Unknown character property name {X}", 2),
    ("[^]", "Unclosed character class", 2),
    ("[]", "Unclosed character class", 1),
])
def test_class_errors_read_as_javas(pattern: str, description: str, index: int) -> None:
    with pytest.raises(PatternSyntaxError) as caught:
        compile_java(pattern)
    assert (caught.value.description, caught.value.index) == (description, index)


_MEMBERS = st.sampled_from(["a", "b-d", "x", "\\d", "\\W", "[^a]", "[b[y]]", "\\p{Upper}"])
_CLASS_TEXT = "abcdexyzAB09 _-!"


@given(st.lists(_MEMBERS, min_size=1, max_size=3), st.lists(_MEMBERS, min_size=1, max_size=3))
def test_a_nested_class_is_a_union_and_and_and_an_intersection(
        left: list[str], right: list[str]) -> None:
    first, second = compile_java(f"[{''.join(left)}]"), compile_java(f"[{''.join(right)}]")
    union = compile_java(f"[{''.join(left)}[{''.join(right)}]]")
    both = compile_java(f"[{''.join(left)}&&[{''.join(right)}]]")
    for ch in _CLASS_TEXT:
        in_first, in_second = bool(first.fullmatch(ch)), bool(second.fullmatch(ch))
        assert bool(union.fullmatch(ch)) == (in_first or in_second), ch
        assert bool(both.fullmatch(ch)) == (in_first and in_second), ch


# After an empty match Java's `find()` searches again one character on, where Python's
# `finditer` / `sub` would still take a non-empty match at the same place.
@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("|x*", "x", "<>x<>"),
    ("|x*", "xx", "<>x<>x<>"),
    ("|a", "bab", "<>b<>a<>b<>"),
    ("a??", "aa", "<>a<>a<>"),
    ("\\b|a", "a", "<>a<>"),
    ("(?=a)|a", "aa", "<>a<>a"),
    ("x*", "xax", "<x><>a<x><>"),
    ("a?", "bab", "<>b<a><>b<>"),
    ("a*", "baaa", "<>b<aaa><>"),
])
def test_replace_all_moves_on_after_an_empty_match_as_java(pattern: str, text: str,
                                                           expected: str) -> None:
    assert replace_all(compile_java(pattern), text, "<$0>") == expected


# Java's line terminators are `\n`, `\r\n`, `\r`, `\u0085`, `\u2028`, `\u2029` (only `\n`
# under `d`); MULTILINE `^` never matches at the end; `\b` takes any script's letters;
# COMMENTS mode (`x`) skips whitespace and comments inside classes too.
@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("(?m)^", "a\n", "<>a\n"),
    ("(?m)^", "a\r\nb", "<>a\r\n<>b"),
    ("$", "a\r\n", "a<>\r\n<>"),
    ("\\Z", "a\r\n", "a<>\r\n<>"),
    ("(?m)$", "a\rb\r\nc", "a<>\rb<>\r\nc<>"),
    (".", "a\rb\u2028", "<a>\r<b>\u2028"),
    ("(?s).", "a\r", "<a><\r>"),
    ("(?d).", "a\rb\n", "<a><\r><b>\n"),
    ("\\bcaf\u00e9\\b", "un caf\u00e9 au", "un <caf\u00e9> au"),
    ("\\b\u0436", "a\u0436 \u0436", "a\u0436 <\u0436>"),
    ("\\B", "", "<>"),
    ("(?x)[a b]", "a b", "<a> <b>"),
    ("(?x)[ ^a]", "a^b", "<a><^>b"),  # `^` negates only right after the `[`
    ("(?x)[a#b\n]", "ab]", "<a>b]"),
    ("(?x)[a-c &&[^b]]", "abc ", "<a>b<c> "),
    ("(?x)[\\ a]", "a b", "<a>< >b"),
    ("(?x)[\\Q \\E]", "a b", "a< >b"),
    ("(?x)a # (unclosed {\nb", "ab", "<ab>"),
    ("(?mx)^ a", "a\na", "<a>\n<a>"),
])
def test_anchors_dots_boundaries_and_comments_read_as_javas(pattern: str, text: str,
                                                            expected: str) -> None:
    assert replace_all(compile_java(pattern), text, "<$0>") == expected


# Blocks, scripts and binary properties, whose data Python's stdlib lacks.
@pytest.mark.parametrize(("pattern", "text", "found"), [
    ("\\p{InGreek}+", "a\u03a9\u03b21", ["\u03a9\u03b2"]),
    ("\\P{InBasic_Latin}", "a\u00e9", ["\u00e9"]),
    ("\\p{block=BasicLatin}", "\u0436a", ["a"]),
    ("\\p{IsLatin}+", "a\u00e9 \u03a9", ["a\u00e9"]),
    ("\\p{sc=Cyrillic}", "\u0436a", ["\u0436"]),
    ("\\p{IsHan}", "\u4e2da", ["\u4e2d"]),
    ("[\\p{IsGreek}&&\\p{Lu}]", "\u03a9\u03c9A", ["\u03a9"]),
    ("\\p{IsAlphabetic}+", "a1\u216b", ["a", "\u216b"]),
    ("\\p{Isalphabetic}+", "a1\u216b", ["a", "\u216b"]),
    ("\\p{IsWhite_Space}", "a\u00a0\u2003b\x1c", ["\u00a0", "\u2003"]),
    # After `Is` a POSIX name means its Unicode property.
    ("\\p{IsPunct}", "a-\u00bf", ["-", "\u00bf"]),
    ("\\p{IsAlpha}+", "a1\u00e9", ["a", "\u00e9"]),
])
def test_blocks_scripts_and_binary_properties_match_as_javas(pattern: str, text: str,
                                                             found: list[str]) -> None:
    assert [m.group() for m in compile_java(pattern).finditer(text)] == found


@pytest.mark.parametrize(("pattern", "index"), [
    ("\\p{InNoSuchBlock}", 16),
    ("\\p{IsNoSuchScript}", 17),
])
def test_an_unknown_block_or_script_is_refused_as_java_does(pattern: str, index: int) -> None:
    with pytest.raises(PatternSyntaxError) as caught:
        compile_java(pattern)
    name = pattern[3:-1]
    assert (caught.value.description, caught.value.index) == (
        f"Unknown character property name {{{name}}}", index)
