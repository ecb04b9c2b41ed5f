"""The Java syntax inside SMT configs — RegexRouter / TopicNameMatches regular expressions
and replacements, TimestampConverter's SimpleDateFormat — read as the JVM reads it (each
expected value checked against JDK 17's java.util.regex and java.text.SimpleDateFormat)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from tests.connect.smt_records import applied, configure, record

from tote.connect.errors import ConfigException
from tote.connect.transforms.base import PREDICATES, TRANSFORMS

T = "org.apache.kafka.connect.transforms."
UTC = datetime.UTC


def routed(topic: str, regex: str, replacement: str) -> str:
    router = configure(TRANSFORMS[T + "RegexRouter"], {"regex": regex,
                                                       "replacement": replacement})
    return applied(router, record(None, "v", topic=topic)).topic


@pytest.mark.parametrize(("regex", "replacement", "topic", "expected"), [
    # POSIX classes are Java syntax Python's `re` lacks, also inside a class.
    (r"\p{Alpha}+-(\d)", "$1x", "bets-1", "1x"),
    (r"[\p{Lower}_]+", "all", "my_bets", "all"),
    # `$12` with one group is group 1 then "2": digits extend a reference only to a group.
    ("(bets)", "$12", "bets", "bets2"),
    # Java's `\w` is ASCII only.
    (r"caf\w", "x", "café", "café"),
    # A bad replacement is only read when there is a match to replace.
    ("(bets)", "x$", "other", "other"),
])
def test_regex_router_reads_java_syntax(regex: str, replacement: str, topic: str,
                                        expected: str) -> None:
    assert routed(topic, regex, replacement) == expected


@pytest.mark.parametrize(("replacement", "message"), [
    ("x$", "Illegal group reference: group index is missing"),
    ("${nope}", "No group with name {nope}"),
    ("x${", "named capturing group has 0 length name"),
    ("x${g", "named capturing group is missing trailing '}'"),
    ("$x", "Illegal group reference"),
    ("x\\", "character to be escaped is missing"),
])
def test_regex_router_refuses_a_bad_replacement_as_java_does(replacement: str,
                                                             message: str) -> None:
    with pytest.raises(ValueError) as caught:  # Java's IllegalArgumentException
        routed("bets", "(bets)", replacement)
    assert str(caught.value) == message


@pytest.mark.parametrize(("pattern", "message"), [
    ("bets(", "Unclosed group near index 5\nbets("),
    ("*bets", "Dangling meta character '*' near index 0\n*bets\n^"),
])
def test_topic_name_matches_reports_regex_errors_as_java_does(pattern: str,
                                                              message: str) -> None:
    cls = PREDICATES[T + "predicates.TopicNameMatches"]
    with pytest.raises(ConfigException) as caught:
        cls(cls.config_def.parse({"pattern": pattern}))
    assert str(caught.value) == (f"Invalid value {pattern} for configuration pattern: "
                                 f"Invalid regex: {message}")


def converted(pattern: str, value: Any, target: str) -> Any:
    cls = TRANSFORMS[T + "TimestampConverter$Value"]
    transform = configure(cls, {"target.type": target, "format": pattern})
    return applied(transform, record(None, value)).value


@pytest.mark.parametrize(("pattern", "text", "millis"), [
    # Before 1582-10-15 the calendar is Julian.
    ("yyyy-MM-dd", "1500-03-01", -14_825_808_000_000),
    # Spaces before a number are skipped.
    ("yyyy-MM-dd", "2021- 2- 3", 1_612_310_400_000),
    # Only `GMT+hh:mm` and RFC 822 offsets are read: after `UTC` the text is ignored.
    ("yyyy-MM-dd HH:mm z", "2021-02-03 10:00 UTC+05:00", 1_612_346_400_000),
    # The day of year, set last, wins over the day of month.
    ("yyyy-MM-dd D", "2021-02-03 100", 1_618_012_800_000),
    # A weekday without a day of month is the first such day of the month.
    ("yyyy-MM EEE", "2024-05 Fri", 1_714_694_400_000),
])
def test_timestamp_converter_parses_as_simple_date_format(pattern: str, text: str,
                                                          millis: int) -> None:
    assert converted(pattern, text, "unix") == millis


def test_timestamp_converter_refuses_an_offset_simple_date_format_cannot_read() -> None:
    with pytest.raises(Exception, match=r"Could not parse timestamp: value \(2021-02-03 10:00 "
                                        r"\+05:00\) does not match pattern"):
        converted("yyyy-MM-dd HH:mm Z", "2021-02-03 10:00 +05:00", "unix")


@pytest.mark.parametrize(("pattern", "millis", "text"), [
    # The week year and week of a Locale.US calendar: 2020-12-31 is in week 1 of 2021.
    ("YYYY-ww", 1_609_372_800_000, "2021-01"),
    ("yyyy-MM-dd G", -14_830_000_000_000, "1500-01-12 AD"),
    ("yyyy-MM-dd G", -62_135_596_800_001, "0001-01-02 AD"),
])
def test_timestamp_converter_formats_as_simple_date_format(pattern: str, millis: int,
                                                           text: str) -> None:
    assert converted(pattern, millis, "string") == text
