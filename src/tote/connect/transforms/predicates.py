"""Connect's predicates (`org.apache.kafka.connect.transforms.predicates.*`), which make a
transform apply only to some records (`transforms.<alias>.predicate`, `.negate`)."""

from __future__ import annotations

from typing import Any, ClassVar

from tote.connect.configdef import (
    NO_DEFAULT,
    ConfigDef,
    ConfigKey,
    ConfigType,
    Importance,
    non_empty_string,
)
from tote.connect.data import SinkRecord
from tote.connect.transforms.base import Predicate, register
from tote.connect.transforms.support import config_error, valid_regex
from tote.core.java.regex import PatternSyntaxError, compile_java

PACKAGE = "org.apache.kafka.connect.transforms.predicates"


def _pattern(name: str, value: Any) -> None:
    non_empty_string(name, value)
    valid_regex(name, value)


@register(f"{PACKAGE}.TopicNameMatches", "TopicNameMatches")
class TopicNameMatches(Predicate):
    """True for records with a topic name that matches the configured regular expression."""

    config_def: ClassVar[ConfigDef] = ConfigDef([
        ConfigKey("pattern", ConfigType.STRING, NO_DEFAULT, Importance.MEDIUM,
                  "A Java regular expression for matching against the name of a record's "
                  "topic.", validator=_pattern),
    ])

    def __init__(self, props: Any) -> None:
        super().__init__(props)
        text = str(props["pattern"])
        try:
            self.pattern = compile_java(text)
        except PatternSyntaxError as exc:
            raise config_error("pattern", text, "entry must be a Java-compatible regular "
                               f"expression: {exc}") from None

    def test(self, record: SinkRecord) -> bool:
        return self.pattern.fullmatch(record.topic) is not None


@register(f"{PACKAGE}.RecordIsTombstone", "RecordIsTombstone")
class RecordIsTombstone(Predicate):
    """True for records which are tombstones (i.e. have null value)."""

    config_def: ClassVar[ConfigDef] = ConfigDef()

    def test(self, record: SinkRecord) -> bool:
        return record.value is None


@register(f"{PACKAGE}.HasHeaderKey", "HasHeaderKey")
class HasHeaderKey(Predicate):
    """True for records with at least one header with the configured name."""

    config_def: ClassVar[ConfigDef] = ConfigDef([
        ConfigKey("name", ConfigType.STRING, NO_DEFAULT, Importance.MEDIUM, "The header name.",
                  validator=non_empty_string),
    ])

    def __init__(self, props: Any) -> None:
        super().__init__(props)
        self.name = str(props["name"])

    def test(self, record: SinkRecord) -> bool:
        return any(key == self.name for key, _ in record.headers)
