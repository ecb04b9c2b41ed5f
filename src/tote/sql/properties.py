"""Which property overrides ksqlDB accepts: one rule for SET/UNSET, a request's
`streamsProperties`/`properties` and `GET /is_valid_property`.

    check_set(name, value, server)      # SET: StatementError as ksqlDB's PropertyOverrider
    check_unset(name)                   # UNSET: the name must be known
    check_overrides(props, server)      # a request's properties (PropertyNotFound/Rejected)
    check_name(name, server)            # /is_valid_property

A name is recognised as ksqlDB's KsqlConfigResolver does in strict mode: a declared
`ksql.*` config (any `ksql.functions.*` name), a declared `request.ksql.*` one, or a
Kafka consumer, producer or Streams config, bare or behind `ksql.streams.`, `consumer.`
or `producer.` (and `topic.<topic config>`). Unknown names are refused, not guessed. The
server's override policy (`ksql.properties.overrides.validation.mode`: a deny list that
always holds `ksql.service.id`, or an allow list) applies to SET and request properties.
Values are checked against the config's type and its declared values or range (the
hidden and read-only topic lists: one Java regex, as ksqlDB's validRegex).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tote.core.errors import ToteError
from tote.core.java.regex import PatternSyntaxError, compile_java
from tote.sql.errors import StatementError
from tote.sql.property_catalog import (
    CHECKS,
    CONSUMER,
    KSQL,
    PRODUCER,
    REQUEST,
    SSL,
    STREAMS,
    TOPIC,
    OneOf,
    Regexes,
)

SERVICE_ID = "ksql.service.id"
DENYLIST = "ksql.properties.overrides.denylist"
ALLOWLIST = "ksql.properties.overrides.allowlist"
MODE = "ksql.properties.overrides.validation.mode"
RUN_SCRIPT = "ksql.run.script.statements"
AUTO_OFFSET_RESET = "auto.offset.reset"
_STREAMS_PREFIX = "ksql.streams."
_INTERNAL_STREAMS = frozenset({
    "__emit.interval.ms.kstreams.outer.join.spurious.results.fix__",
    "__emit.interval.ms.kstreams.windowed.aggregation__"})
# Names no request may override (ksqlDB's ImmutableProperties); SET may.
_IMMUTABLE = frozenset({
    "bootstrap.servers", "ksql.extension.dir", "ksql.query.persistent.active.limit",
    "ksql.pull.queries.enable", "ksql.hidden.topics", "ksql.readonly.topics",
    "ksql.source.table.materialization.enabled", "ksql.headers.columns.enabled"}) | SSL
_ALWAYS_DENIED = (SERVICE_ID, DENYLIST, ALLOWLIST, MODE, "ksql.properties.overrides.log")
_INT_BITS = {"SHORT": 16, "INT": 32, "LONG": 64}
_LIST_SEPARATOR = re.compile(r"[ \t\n\x0b\f\r]*,[ \t\n\x0b\f\r]*")  # ConfigDef's


class PropertyNotFound(ToteError):
    """A request property that is no ksql, streams, consumer or producer config."""

    error_code = 40000

    def __init__(self, name: str) -> None:
        super().__init__("Not recognizable as ksql, streams, consumer, or producer "
                         f"property: '{name}'")


class PropertyRejected(ToteError):
    """A request property refused for its value or by the server's policy. `detail` is
    the message with its cause, as ksqlDB renders the whole exception chain."""

    error_code = 40000

    def __init__(self, message: str, cause: str | None = None) -> None:
        super().__init__(message)
        self.detail = message if cause is None else f"{message}\n{_wrap('Caused by: ' + cause)}"


@dataclass(frozen=True)
class Item:
    """A recognised property: its config name and type (None: not checked)."""

    name: str
    kind: str | None


def resolve(name: str) -> Item | None:
    """The config `name` sets, or None if ksqlDB does not recognise it."""
    if name.startswith("request.ksql."):
        kind = REQUEST.get(name)
        return None if kind is None else Item(name, kind)
    if name.startswith("ksql.") and not name.startswith(_STREAMS_PREFIX):
        kind = KSQL.get(name)
        if kind is not None:
            return Item(name, kind)
        return Item(name, None) if name.startswith("ksql.functions.") else None
    key = name.removeprefix(_STREAMS_PREFIX)
    if key in _INTERNAL_STREAMS:
        return Item(key, None)
    for prefix, table in (("consumer.", CONSUMER), ("producer.", PRODUCER), ("", CONSUMER),
                          ("", PRODUCER), ("", STREAMS)):
        if key.startswith(prefix) and (kind := table.get(key[len(prefix):])) is not None:
            return Item(key[len(prefix):], kind)
    if key.startswith("topic.") and key.removeprefix("topic.") in TOPIC:
        return Item(key, None)
    return None


def check_unset(name: str) -> None:
    """UNSET: ksqlDB's `Unknown property` for a name it does not recognise."""
    if resolve(name) is None:
        raise StatementError(f"Unknown property: {name}")


def check_set(name: str, value: object, server: Mapping[str, str]) -> None:
    """SET: a known name, allowed by the server's policy, with a valid value."""
    item = resolve(name)
    if item is None:
        raise StatementError(f"Unknown property: {name}")
    denied = _refused(server, (name,))
    if denied is not None:
        raise StatementError(denied)
    message = _invalid(item, _java_text(value))
    if message is not None:
        raise StatementError(message)


def check_name(name: str, server: Mapping[str, str]) -> None:
    """/is_valid_property: PropertyNotFound or PropertyRejected, as the request would."""
    if resolve(name) is None:
        raise PropertyNotFound(name)
    denied = _refused(server, (name,))
    if denied is not None:
        raise PropertyRejected(denied)


def check_overrides(properties: Mapping[str, object], server: Mapping[str, str]) -> None:
    """A request's properties: each coerced to its config's type (PropertyNotFound for an
    unknown name, PropertyRejected for a bad or unoverridable value), then the policy."""
    for name, value in properties.items():
        if name == RUN_SCRIPT:
            continue
        item = resolve(name)
        if item is None:
            raise PropertyNotFound(name)
        text = _java_text(value)
        cause = _invalid(item, text)
        if cause is None and item.name in _IMMUTABLE:
            cause = f"Cannot override property '{item.name}'"
        if cause is None and item.name == AUTO_OFFSET_RESET and (text or "").lower() == "none":
            cause = "'none' is not valid for this property within KSQL"
        if cause is not None:
            raise PropertyRejected(f"Failed to coerce type of value '{_java_str(value)}' "
                                   f"for key '{name}'", cause)
    denied = _refused(server, properties)
    if denied is not None:
        raise PropertyRejected(denied)


def value_error(item: Item, text: str) -> str | None:
    """Why `text` is no value of `item` (ConfigDef's message), or None: the check a
    server's own properties get when it starts."""
    return _invalid(item, text)


def _listed(server: Mapping[str, str], name: str) -> list[str]:
    return [n.strip() for n in (server.get(name) or "").split(",") if n.strip()]


def _refused(server: Mapping[str, str], names: Iterable[str]) -> str | None:
    """The server policy's refusal of `names`, if any (ksqlDB's Deny/AllowList validator)."""
    wanted = list(dict.fromkeys(names))
    if (server.get(MODE) or "denylist").strip() == "allowlist":
        allowed = set(_listed(server, ALLOWLIST)) - set(_ALWAYS_DENIED)
        refused = [n for n in wanted if n not in allowed]
        if refused:
            return ("One or more property overrides set locally are not permitted by the "
                    "KSQL server allowlist (use UNSET to reset their default value): "
                    f"[{', '.join(refused)}]")
        return None
    deny = list(dict.fromkeys([*_listed(server, DENYLIST), SERVICE_ID]))
    refused = [n for n in deny if n in wanted]
    if refused:
        return ("One or more properties overrides set locally are prohibited by the KSQL "
                "server denylist (use UNSET to reset their default value): "
                f"[{', '.join(refused)}]")
    return None


def _invalid(item: Item, text: str | None) -> str | None:
    """Why `text` is no value of `item` (ConfigDef's message), or None."""
    if item.kind is None or text is None:
        return None
    value = text.strip()
    prefix = f"Invalid value {text} for configuration {item.name}: "
    number: float | None = None
    if item.kind == "BOOLEAN" and value.lower() not in ("true", "false"):
        return prefix + "Expected value to be either true or false"
    if item.kind in _INT_BITS:
        bits = _INT_BITS[item.kind]
        try:
            number = int(value, 10)
        except ValueError:
            return prefix + f"Not a number of type {item.kind}"
        if not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1) or "_" in value:
            return prefix + f"Not a number of type {item.kind}"
    if item.kind == "DOUBLE":
        try:
            number = float(value)
        except ValueError:
            return prefix + "Not a number of type DOUBLE"
    return _checked(item.name, value, number, prefix)


def _checked(name: str, value: str, number: float | None, prefix: str) -> str | None:
    if name == AUTO_OFFSET_RESET:
        if value.lower() not in ("latest", "earliest", "none"):
            return prefix + "String must be one of: latest, earliest, none"
        return None
    check = CHECKS.get(name)
    if isinstance(check, Regexes):
        return _regex_error(name, value)
    if isinstance(check, OneOf):
        if value not in check.values:
            return prefix + "String must be one of: " + ", ".join(check.values)
    elif check is not None and number is not None:
        if number < check.low:
            return prefix + f"Value must be at least {check.low}"
        if check.high is not None and number > check.high:
            return prefix + f"Value must be no more than {check.high}"
    return None


def parse_list(text: str) -> list[str]:
    """A LIST config's value as Kafka's ConfigDef parses it: trimmed, then split at the
    commas with the whitespace around them; a blank value is the empty list."""
    trimmed = text.strip()
    return _LIST_SEPARATOR.split(trimmed) if trimmed else []


def _regex_error(name: str, value: str) -> str | None:
    """validRegex's refusal of a LIST value: the list as Java prints it, then the
    PatternSyntaxException's message (several lines: the pattern and a caret)."""
    items = parse_list(value)
    try:
        compile_java("|".join(items))
    except PatternSyntaxError as exc:
        return (f"Invalid value [{', '.join(items)}] for configuration {name}: "
                f"Not valid regular expression: {exc}")
    return None


def _java_text(value: object) -> str | None:
    """The string ksqlDB parses a JSON value from (lists joined with commas)."""
    if value is None:
        return None
    if isinstance(value, list):
        return ",".join("null" if e is None else _java_str(e) for e in value)
    return _java_str(value)


def _java_str(value: object) -> str:
    """Java's `String.valueOf` of a JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if "e" not in repr(value) else repr(value).replace("e", "E")
    if isinstance(value, list):
        return "[" + ", ".join(_java_str(e) for e in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_str(v)}" for k, v in value.items()) + "}"
    return str(value)


def _wrap(text: str, width: int = 80) -> str:
    """Commons-lang's `WordUtils.wrap(text, 80, "\\n\\t", true)`, as ksqlDB wraps causes."""
    lines: list[str] = []
    offset = 0
    while len(text) - offset > width:
        if text[offset] == " ":
            offset += 1
            continue
        space = text.rfind(" ", offset, offset + width + 1)
        if space > offset:
            lines.append(text[offset:space])
            offset = space + 1
        else:
            lines.append(text[offset:offset + width])
            offset += width
    lines.append(text[offset:])
    return "\n\t".join(lines)
