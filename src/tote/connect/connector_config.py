"""The keys every sink connector has (Connect's `ConnectorConfig` + `SinkConnectorConfig`).

`name`, `connector.class`, `tasks.max`, converters, `topics` / `topics.regex`, transforms
and the error-handling keys (`errors.tolerance`, the dead letter queue). The sink rules
span keys: exactly one of `topics` and `topics.regex`, and the DLQ topic may not be one
of the consumed topics. The keys each `transforms` / `predicates` alias adds are checked
by `transforms/chain_config.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tote.connect.configdef import (
    NO_DEFAULT,
    ConfigDef,
    ConfigKey,
    ConfigType,
    ConfigValue,
    Importance,
    Width,
    at_least,
    invalid,
    one_of,
)
from tote.connect.converters import resolve_class
from tote.core.java.regex import PatternSyntaxError, compile_java

COMMON, TRANSFORMS, PREDICATES, ERRORS = "Common", "Transforms", "Predicates", "Error Handling"
_CONVERTER_DOC = (
    "Converter class used to convert between Kafka Connect format and the serialized form that "
    "is written to Kafka. This controls the format of the {} in messages written to or read "
    "from Kafka, and since this is independent of connectors it allows any connector to work "
    "with any serialization format. Examples of common formats include JSON and Avro.")


def _name(name: str, value: Any) -> None:
    text = str(value or "")
    if not text.strip():
        raise invalid(name, value, "String must be non-empty")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
        raise invalid(name, value, "String may not contain control sequences")


def _converter(name: str, value: Any) -> None:
    if value is not None and resolve_class(str(value)) is None:
        raise invalid(name, value, f"Class {value} could not be found.")


def _regex(name: str, value: Any) -> None:
    try:
        compile_java(str(value or ""))
    except PatternSyntaxError as exc:
        raise invalid(name, value, f"Invalid regex: {exc}") from None


def _aliases(name: str, value: Any) -> None:
    aliases = [a for a in value or [] if a]
    if len(set(aliases)) != len(aliases):
        raise invalid(name, value, "Duplicate alias provided.")


K = ConfigKey
COMMON_DEF = ConfigDef([
    K("name", ConfigType.STRING, NO_DEFAULT, Importance.HIGH,
      "Globally unique name to use for this connector.", COMMON, 1, Width.MEDIUM,
      "Connector name", _name),
    K("connector.class", ConfigType.STRING, NO_DEFAULT, Importance.HIGH,
      "Name or alias of the class for this connector. Must be a subclass of "
      "org.apache.kafka.connect.connector.Connector.", COMMON, 2, Width.LONG,
      "Connector class"),
    K("tasks.max", ConfigType.INT, 1, Importance.HIGH,
      "Maximum number of tasks to use for this connector.", COMMON, 3, Width.SHORT,
      "Tasks max", at_least(1)),
    K("topics", ConfigType.LIST, [], Importance.HIGH,
      "List of topics to consume, separated by commas", COMMON, 4, Width.LONG, "Topics"),
    K("topics.regex", ConfigType.STRING, "", Importance.HIGH,
      "Regular expression giving topics to consume. Only one of topics or topics.regex should "
      "be specified.", COMMON, 4, Width.LONG, "Topics regex", _regex),
    K("key.converter", ConfigType.CLASS, None, Importance.LOW, _CONVERTER_DOC.format("keys"),
      COMMON, 5, Width.SHORT, "Key converter class", _converter),
    K("value.converter", ConfigType.CLASS, None, Importance.LOW,
      _CONVERTER_DOC.format("values"), COMMON, 6, Width.SHORT, "Value converter class",
      _converter),
    K("header.converter", ConfigType.CLASS, None, Importance.LOW,
      "HeaderConverter class used to convert between Kafka Connect format and the serialized "
      "form that is written to Kafka.", COMMON, 7, Width.SHORT, "Header converter class"),
    K("transforms", ConfigType.LIST, [], Importance.LOW,
      "Aliases for the transformations to be applied to records.", TRANSFORMS, 8, Width.LONG,
      "Transforms", _aliases),
    K("predicates", ConfigType.LIST, [], Importance.LOW,
      "Aliases for the predicates used by transformations.", PREDICATES, 9, Width.LONG,
      "Predicates", _aliases),
    K("config.action.reload", ConfigType.STRING, "restart", Importance.LOW,
      "The action that Connect should take on the connector when changes in external "
      "configuration providers result in a change in the connector's configuration "
      "properties.", COMMON, 10, Width.MEDIUM, "Reload Action", one_of("none", "restart")),
    K("errors.retry.timeout", ConfigType.LONG, 0, Importance.MEDIUM,
      "The maximum duration in milliseconds that a failed operation will be reattempted. The "
      "default is 0, which means no retries will be attempted. Use -1 for infinite retries.",
      ERRORS, 1, Width.MEDIUM, "Retry Timeout for Errors"),
    K("errors.retry.delay.max.ms", ConfigType.LONG, 60000, Importance.MEDIUM,
      "The maximum duration in milliseconds between consecutive retry attempts.", ERRORS, 2,
      Width.MEDIUM, "Maximum Delay Between Retries for Errors"),
    K("errors.tolerance", ConfigType.STRING, "none", Importance.MEDIUM,
      "Behavior for tolerating errors during connector operation. 'none' is the default value "
      "and signals that any error will result in an immediate connector task failure; 'all' "
      "changes the behavior to skip over problematic records.", ERRORS, 3, Width.SHORT,
      "Error Tolerance", one_of("none", "all")),
    K("errors.log.enable", ConfigType.BOOLEAN, False, Importance.MEDIUM,
      "If true, write each error and the details of the failed operation and problematic "
      "record to the Connect application log.", ERRORS, 4, Width.SHORT, "Log Errors"),
    K("errors.log.include.messages", ConfigType.BOOLEAN, False, Importance.MEDIUM,
      "Whether to include in the log the Connect record that resulted in a failure.", ERRORS,
      5, Width.SHORT, "Log Error Details"),
    K("errors.deadletterqueue.topic.name", ConfigType.STRING, "", Importance.MEDIUM,
      "The name of the topic to be used as the dead letter queue (DLQ) for messages that "
      "result in an error when processed by this sink connector, or its transformations or "
      "converters. The topic name is blank by default, which means that no messages are to be "
      "recorded in the DLQ.", ERRORS, 6, Width.MEDIUM, "Dead Letter Queue Topic Name"),
    K("errors.deadletterqueue.topic.replication.factor", ConfigType.SHORT, 3,
      Importance.MEDIUM, "Replication factor used to create the dead letter queue topic when "
      "it doesn't already exist.", ERRORS, 7, Width.MEDIUM,
      "Dead Letter Queue Topic Replication Factor"),
    K("errors.deadletterqueue.context.headers.enable", ConfigType.BOOLEAN, False,
      Importance.MEDIUM, "If true, add headers containing error context to the messages "
      "written to the dead letter queue. To avoid clashing with headers from the original "
      "record, all error context header keys will start with __connect.errors.", ERRORS, 8,
      Width.MEDIUM, "Enable Error Context Headers"),
])


def topics_list(props: Mapping[str, str]) -> list[str]:
    raw = props.get("topics") or ""
    seen: list[str] = []
    for topic in (t.strip() for t in raw.split(",")):
        if topic and topic not in seen:
            seen.append(topic)
    return seen


def validate_common(props: Mapping[str, str]) -> dict[str, ConfigValue]:
    """The common keys' values and errors, with the sink rules applied."""
    values = COMMON_DEF.validate(props)
    topics, regex = topics_list(props), (props.get("topics.regex") or "").strip()
    dlq = (props.get("errors.deadletterqueue.topic.name") or "").strip()
    if topics and regex:
        message = "topics and topics.regex are mutually exclusive options, but both are set."
        values["topics"].errors.append(message)
        values["topics.regex"].errors.append(message)
    if not topics and not regex:
        message = "Must configure one of topics or topics.regex"
        values["topics"].errors.append(message)
        values["topics.regex"].errors.append(message)
    if dlq and dlq in topics:
        values["topics"].errors.append(
            f"The DLQ topic '{dlq}' may not be included in the list of topics "
            f"('topics=[{', '.join(topics)}]') consumed by the connector")
    if dlq and regex and not values["topics.regex"].errors and compile_java(regex).fullmatch(dlq):
        values["topics.regex"].errors.append(
            f"The DLQ topic '{dlq}' may not be matched by the regex for the topics "
            f"('topics.regex={regex}') consumed by the connector")
    return values


@dataclass(frozen=True)
class SinkSettings:
    """The common keys of a sink, parsed (the runtime's view of a connector config)."""

    name: str
    tasks_max: int
    topics: tuple[str, ...]
    topics_regex: str
    tolerate_all: bool
    log_errors: bool
    log_messages: bool
    dlq_topic: str
    dlq_replication_factor: int
    dlq_headers: bool

    @classmethod
    def parse(cls, props: Mapping[str, str]) -> SinkSettings:
        values = COMMON_DEF.parse(props)
        return cls(
            name=values["name"], tasks_max=values["tasks.max"],
            topics=tuple(topics_list(props)), topics_regex=values["topics.regex"].strip(),
            tolerate_all=values["errors.tolerance"].lower() == "all",
            log_errors=values["errors.log.enable"],
            log_messages=values["errors.log.include.messages"],
            dlq_topic=values["errors.deadletterqueue.topic.name"].strip(),
            dlq_replication_factor=values["errors.deadletterqueue.topic.replication.factor"],
            dlq_headers=values["errors.deadletterqueue.context.headers.enable"],
        )
