"""`RegexRouter`: a new topic name from the old one — and with it, for the JDBC sink
(`table.name.format=${topic}`), a new table. Only a topic the regex matches whole is
renamed; the replacement's `$1` / `${name}` are Java's group references."""

from __future__ import annotations

from typing import Any, ClassVar

from tote.connect.configdef import NO_DEFAULT, ConfigDef, ConfigKey, ConfigType, Importance
from tote.connect.data import SinkRecord
from tote.connect.transforms.base import Transformation, register
from tote.connect.transforms.support import PACKAGE, valid_regex
from tote.core.java.regex import compile_java, replace_first


@register(f"{PACKAGE}.RegexRouter", "RegexRouter")
class RegexRouter(Transformation):
    """Update the record topic using the configured regular expression and replacement."""

    config_def: ClassVar[ConfigDef] = ConfigDef([
        ConfigKey("regex", ConfigType.STRING, NO_DEFAULT, Importance.HIGH,
                  "Regular expression to use for matching.", validator=valid_regex),
        ConfigKey("replacement", ConfigType.STRING, NO_DEFAULT, Importance.HIGH,
                  "Replacement string."),
    ])

    def __init__(self, props: Any) -> None:
        super().__init__(props)
        self.regex = compile_java(str(props["regex"]))
        self.replacement = str(props["replacement"])
        self._routes: dict[str, str] = {}

    def apply(self, record: SinkRecord) -> SinkRecord:
        topic = self._routes.get(record.topic)
        if topic is None:
            # `matches()` then `replaceFirst`: the whole name must match; the first match
            # (the whole name) is replaced.
            if self.regex.fullmatch(record.topic):
                topic = replace_first(self.regex, record.topic, self.replacement)
            else:
                topic = record.topic
            if len(self._routes) < 1024:
                self._routes[record.topic] = topic
        return record if topic == record.topic else record._replace(topic=topic)
