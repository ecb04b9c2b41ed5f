"""The topics ksqlDB keeps read-only: INSERT VALUES and `/inserts-stream` refuse them.

As ksqlDB's ReservedInternalTopics: the processing log's topic (named from the service
id alone, `<service id>ksql_processing_log`, because ksqlDB builds that check's
processing-log config from its streams properties, where no `ksql.` name survives),
ksqlDB's own internal topics (`_confluent-ksql-...`) and any topic matching one of
`ksql.readonly.topics`' Java regular expressions (by default Kafka's and Confluent's
system topics). One pattern of all of them, matched against the whole name. ksqlDB's
server compiles it when it starts, so a service id that breaks it (`a(`) stops the start.
"""

from __future__ import annotations

import re

from tote.core.errors import InvalidConfig
from tote.core.java.regex import PatternSyntaxError, compile_java
from tote.sql.config import Config
from tote.sql.properties import parse_list
from tote.sql.property_catalog import KSQL_DEFAULTS

READONLY_TOPICS = "ksql.readonly.topics"
INTERNAL_TOPIC_PREFIX = "_confluent-ksql-"
PROCESSING_LOG_SUFFIX = "ksql_processing_log"


def _listed(config: Config) -> list[str]:
    """`ksql.readonly.topics`, set or its default, as ConfigDef parses a LIST."""
    text = config.get(READONLY_TOPICS)
    return parse_list((KSQL_DEFAULTS[READONLY_TOPICS] or "") if text is None else text)


def is_read_only(topic: str, config: Config) -> bool:
    """Whether ksqlDB, configured as `config`, refuses to write `topic`."""
    return _read_only_pattern(config).fullmatch(topic) is not None


def check_read_only_pattern(config: Config) -> None:
    """Refuse, as ksqlDB's server start does, a configuration whose pattern does not
    compile, with the PatternSyntaxException ksqlDB fails with."""
    try:
        _read_only_pattern(config)
    except PatternSyntaxError as exc:
        raise InvalidConfig(f"Failed to start KSQL: java.util.regex.PatternSyntaxException: "
                            f"{exc}") from None


def _read_only_pattern(config: Config) -> re.Pattern[str]:
    patterns = [config.service_id + PROCESSING_LOG_SUFFIX, INTERNAL_TOPIC_PREFIX + ".*",
                *_listed(config)]
    return compile_java("|".join(patterns))
