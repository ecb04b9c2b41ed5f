"""Typed request bodies of the REST Proxy, checked the way kafka-rest's Jackson entities are.

The HTTP app hands over whatever JSON it parsed; these functions either return a frozen
dataclass or raise the error kafka-rest would (400 for a field of the wrong type, 422 for
a broken constraint such as an empty `records` list). Keeping this here, not in the app,
means the library can be driven and tested without HTTP.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import msgspec

from tote.core.records import Headers, TopicPartition
from tote.proxy.codecs import decode_base64
from tote.proxy.errors import InvalidRequest, MalformedJson, UnprocessableEntity
from tote.proxy.formats import EmbeddedFormat
from tote.proxy.topic_configs import ConfigChange

_INT_MAX = 2**31 - 1
_LONG_MAX = 2**63 - 1


_decode_fast = msgspec.json.Decoder().decode
TOO_DEEP = "Request body is nested too deeply to be parsed"


def parse_json(raw: bytes) -> Any:
    """Decode a request body; an empty body is None (kafka-rest's "no entity").

    msgspec parses a batch in half the time of `json`; whatever it refuses (malformed
    JSON, and the few things `json` accepts and it does not: NaN, numbers beyond a
    double, lone surrogates, UTF-16/32 or a BOM, deep nesting) goes to `json`, which gives
    the value or the error message clients have always had. Where msgspec succeeds its
    value is `json`'s (tests compare them; integers keep their full size)."""
    if not raw.strip():
        return None
    try:
        return _decode_fast(raw)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        pass
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise MalformedJson(f"Invalid UTF-8 in request body: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise MalformedJson(
            f"Unexpected character in request body: {exc.msg} (line {exc.lineno}, "
            f"column {exc.colno})"
        ) from None
    except RecursionError:  # Jackson refuses deep documents too (a 400, not a crash)
        raise MalformedJson(TOO_DEEP) from None


def _object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise MalformedJson(
            f"Cannot deserialize {what} from {_json_kind(body)}: expected an object"
        )
    return body


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def optional_int(obj: dict[str, Any], name: str, *, long: bool = False) -> int | None:
    """An integer field, as Jackson reads it: numbers (integral) or numeric strings."""
    value = obj.get(name)
    if value is None:
        return None
    limit = _LONG_MAX if long else _INT_MAX
    if isinstance(value, bool):
        raise MalformedJson(f"Cannot deserialize value of type `int` from a boolean ({name})")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise MalformedJson(
                f'Cannot deserialize value of type `int` from String "{obj[name]}": '
                f"not a valid `int` value ({name})"
            ) from None
    if not isinstance(value, int) or not -limit - 1 <= value <= limit:
        raise MalformedJson(
            f"Cannot deserialize value of type `int` from {_json_kind(obj[name])} ({name})"
        )
    return value


def optional_str(obj: dict[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return json.dumps(value)  # Jackson coerces scalars to text
    if not isinstance(value, str):
        raise MalformedJson(
            f"Cannot deserialize value of type `String` from {_json_kind(value)} ({name})"
        )
    return value


def _list(obj: dict[str, Any], name: str) -> list[Any] | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise MalformedJson(
            f"Cannot deserialize value of type `List` from {_json_kind(value)} ({name})"
        )
    return value


# -- produce (v2) -------------------------------------------------------------------------


class ProduceRecord(NamedTuple):
    """One entry of `records`: JSON key and value (None = Kafka null), optional partition.

    A NamedTuple: a batch builds a thousand of them, and a tuple is the cheapest object."""

    key: Any
    value: Any
    partition: int | None


_new_tuple = tuple.__new__


@dataclass(frozen=True, slots=True)
class ProduceRequest:
    records: tuple[ProduceRecord, ...]
    key_schema: str | None = None
    key_schema_id: int | None = None
    value_schema: str | None = None
    value_schema_id: int | None = None


def produce_request(body: Any) -> ProduceRequest:
    """`{"records": [...], "key_schema[_id]": .., "value_schema[_id]": ..}`."""
    obj = _object(body, "ProduceRequest")
    raw_records = _list(obj, "records") or []
    if not raw_records:
        raise UnprocessableEntity("records must not be empty")
    records: list[ProduceRecord] = []
    add = records.append
    for entry in raw_records:
        rec = entry if type(entry) is dict else _object(entry, "ProduceRecord")
        partition = rec.get("partition")
        if partition is not None:
            partition = optional_int(rec, "partition")
        # tuple.__new__ directly: the NamedTuple's own __new__ is a Python-level call
        add(_new_tuple(ProduceRecord, (rec.get("key"), rec.get("value"), partition)))
    return ProduceRequest(
        tuple(records),
        key_schema=optional_str(obj, "key_schema"),
        key_schema_id=optional_int(obj, "key_schema_id"),
        value_schema=optional_str(obj, "value_schema"),
        value_schema_id=optional_int(obj, "value_schema_id"),
    )


# -- consumers ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsumerConfig:
    """What `POST /consumers/{group}` may set; None means "the proxy's default"."""

    name: str | None = None
    format: str | None = None
    auto_offset_reset: str | None = None
    auto_commit_enable: str | None = None
    fetch_min_bytes: int | None = None
    request_timeout_ms: int | None = None


def consumer_config(body: Any) -> ConsumerConfig:
    if body is None:
        return ConsumerConfig()
    obj = _object(body, "CreateConsumerInstanceRequest")
    # kafka-rest: an explicit `id` overrides `name` for the instance's URL.
    name = optional_str(obj, "id") or optional_str(obj, "name")
    min_bytes = obj.get("fetch.min.bytes", obj.get("responseMinBytes"))
    wait_ms = obj.get("consumer.request.timeout.ms", obj.get("requestWaitMs"))
    return ConsumerConfig(
        name=name,
        format=optional_str(obj, "format"),
        auto_offset_reset=optional_str(obj, "auto.offset.reset"),
        auto_commit_enable=optional_str(obj, "auto.commit.enable"),
        fetch_min_bytes=optional_int({"fetch.min.bytes": min_bytes}, "fetch.min.bytes"),
        request_timeout_ms=optional_int(
            {"consumer.request.timeout.ms": wait_ms}, "consumer.request.timeout.ms"
        ),
    )


@dataclass(frozen=True, slots=True)
class Subscription:
    topics: tuple[str, ...] | None
    topic_pattern: str | None


def subscription(body: Any) -> Subscription:
    if body is None:
        raise UnprocessableEntity("The request body must not be null.")
    obj = _object(body, "ConsumerSubscriptionRecord")
    topics = _list(obj, "topics")
    pattern = optional_str(obj, "topic_pattern")
    if topics is not None:
        if not all(isinstance(t, str) for t in topics):
            raise MalformedJson("Cannot deserialize value of type `String` in topics")
        return Subscription(tuple(topics), None)
    if pattern is None:
        raise UnprocessableEntity("A subscription needs either topics or topic_pattern.")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InvalidRequest(f"Invalid topic_pattern {pattern!r}: {exc}") from None
    return Subscription(None, pattern)


def _topic_partition(entry: Any) -> TopicPartition:
    obj = _object(entry, "TopicPartition")
    topic = optional_str(obj, "topic")
    partition = optional_int(obj, "partition")
    if not topic:
        raise UnprocessableEntity("topic must not be empty")
    if partition is None or partition < 0:
        raise UnprocessableEntity("partition must be greater than or equal to 0")
    return TopicPartition(topic, partition)


def partitions(body: Any) -> tuple[TopicPartition, ...]:
    """`{"partitions": [{"topic", "partition"}, ...]}` (assignments, seek-to, committed)."""
    if body is None:
        raise UnprocessableEntity("The request body must not be null.")
    obj = _object(body, "partitions request")
    return tuple(_topic_partition(p) for p in _list(obj, "partitions") or [])


@dataclass(frozen=True, slots=True)
class OffsetEntry:
    tp: TopicPartition
    offset: int
    metadata: str | None = None


def offsets(body: Any) -> tuple[OffsetEntry, ...] | None:
    """`{"offsets": [{"topic", "partition", "offset"[, "metadata"]}]}`; None for no body."""
    if body is None:
        return None
    obj = _object(body, "offsets request")
    raw = _list(obj, "offsets")
    if raw is None:
        return None
    entries = []
    for entry in raw:
        tp = _topic_partition(entry)
        offset = optional_int(entry, "offset", long=True)
        if offset is None or offset < 0:
            raise UnprocessableEntity("offset must be greater than or equal to 0")
        entries.append(OffsetEntry(tp, offset, optional_str(entry, "metadata")))
    return tuple(entries)


@dataclass(frozen=True, slots=True)
class TimestampEntry:
    tp: TopicPartition
    timestamp: int  # ms since the epoch
    metadata: str | None = None


def seek_timestamps(body: Any) -> tuple[TimestampEntry, ...]:
    """`{"timestamps": [{"topic", "partition", "timestamp"[, "metadata"]}]}` of a seek, the
    timestamp an ISO-8601 instant as kafka-rest's `Instant` takes it; () when absent."""
    if not isinstance(body, dict):
        return ()
    entries = []
    for entry in _list(body, "timestamps") or []:
        tp = _topic_partition(entry)
        timestamp = _timestamp(entry.get("timestamp"))
        if timestamp is None:
            raise UnprocessableEntity("timestamp must not be null")
        entries.append(TimestampEntry(tp, timestamp, optional_str(entry, "metadata")))
    return tuple(entries)


# -- v3 -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class V3Data:
    """`{"type", "schema_id" | "schema", "data"}`; type None means "from the schema"."""

    format: EmbeddedFormat | None
    data: Any
    schema_id: int | None = None
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class V3ProduceRequest:
    partition_id: int | None
    key: V3Data | None
    value: V3Data | None
    headers: Headers = ()
    timestamp: int | None = None


def _v3_data(raw: Any, side: str) -> V3Data | None:
    if raw is None:
        return None
    obj = _object(raw, f"ProduceRequestData ({side})")
    kind = optional_str(obj, "type")
    fmt: EmbeddedFormat | None = None
    if kind is not None:
        try:
            fmt = EmbeddedFormat(kind.lower())
        except ValueError:
            raise MalformedJson(
                f"Cannot deserialize value of type `EmbeddedFormat` from String \"{kind}\": "
                "not one of the values accepted for Enum class: "
                "[BINARY, JSON, STRING, AVRO, JSONSCHEMA, PROTOBUF]"
            ) from None
    for unsupported in ("schema_version", "subject", "subject_name_strategy"):
        if obj.get(unsupported) is not None:
            raise InvalidRequest(f"{unsupported} is not supported by tote's REST Proxy.")
    schema_id = optional_int(obj, "schema_id")
    schema = optional_str(obj, "schema")
    if fmt is not None and not fmt.requires_schema and (schema_id or schema):
        raise InvalidRequest(f"{fmt.name} does not support schemas.")
    return V3Data(fmt, obj.get("data"), schema_id, schema)


def _timestamp(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedJson("Cannot deserialize value of type `Instant` (timestamp)")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedJson(
            f"Cannot deserialize value of type `Instant` from String \"{value}\""
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def v3_produce_request(body: Any) -> V3ProduceRequest:
    """One record of `POST /v3/clusters/{id}/topics/{t}/records`."""
    obj = _object(body, "ProduceRequest")
    headers: list[tuple[str, bytes | None]] = []
    for entry in _list(obj, "headers") or []:
        header = _object(entry, "ProduceRequestHeader")
        name = optional_str(header, "name")
        if not name:
            raise UnprocessableEntity("headers[].name must not be empty")
        raw = header.get("value")
        headers.append((name, None if raw is None else decode_base64(raw)))
    return V3ProduceRequest(
        partition_id=optional_int(obj, "partition_id"),
        key=_v3_data(obj.get("key"), "key"),
        value=_v3_data(obj.get("value"), "value"),
        headers=tuple(headers),
        timestamp=_timestamp(obj.get("timestamp")),
    )


def json_stream(raw: bytes) -> list[Any]:
    """Concatenated JSON values (v3 produce streams records one object after another)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedJson(f"Invalid UTF-8 in request body: {exc.reason}") from None
    decoder = json.JSONDecoder()
    values = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise MalformedJson(
                f"Error processing JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
        except RecursionError:
            raise MalformedJson(TOO_DEEP) from None
        values.append(value)
    if not values:
        raise UnprocessableEntity("Payload error. Request body is empty. Data is required.")
    return values


@dataclass(frozen=True, slots=True)
class CreateTopic:
    topic_name: str
    partitions_count: int | None
    replication_factor: int | None
    configs: dict[str, str]


def create_topic(body: Any) -> CreateTopic:
    """`{"topic_name", "partitions_count", "replication_factor", "configs": [{name, value}]}`."""
    obj = _object(body, "CreateTopicRequest")
    name = optional_str(obj, "topic_name")
    if not name:
        raise UnprocessableEntity("topic_name must not be empty")
    configs: dict[str, str] = {}
    for entry in _list(obj, "configs") or []:
        item = _object(entry, "ConfigEntry")
        key = optional_str(item, "name")
        if not key:
            raise UnprocessableEntity("configs[].name must not be empty")
        value = optional_str(item, "value")
        if value is not None:
            configs[key] = value
    return CreateTopic(
        name,
        optional_int(obj, "partitions_count"),
        optional_int(obj, "replication_factor"),
        configs,
    )


# -- topic configs (v3) -------------------------------------------------------------------


def update_config(body: Any) -> str | None:
    """`PUT .../configs/{name}` `{"value": "..."}`; a body without a value sets null,
    which Kafka then refuses."""
    if body is None:
        return None
    return optional_str(_object(body, "UpdateTopicConfigRequest"), "value")


def alter_configs(body: Any) -> tuple[list[ConfigChange], bool]:
    """`POST .../configs:alter` `{"data": [{"name", "value", "operation"}], "validate_only"}`:
    the changes in order and whether only to validate them. `operation` is SET (the
    default) or DELETE, as kafka-rest's AlterOperation enum reads it."""
    obj = _batch(body, "AlterConfigBatchRequestData")
    entries = _list(obj, "data")
    if entries is None:
        raise MalformedJson("Null data")
    return _alter_entries(entries), _validate_only(obj)


def alter_topics_configs(body: Any) -> tuple[dict[str, list[ConfigChange]], bool]:
    """`POST .../topics/-/configs:alter` `{"data": [{"topic_name", "configs": [...]}],
    "validate_only"}`: each topic's changes (a topic named twice keeps its first place and
    its last changes, as kafka-rest's LinkedHashMap) and whether only to validate."""
    obj = _batch(body, "AlterMultipleTopicsConfigsBatchRequestData")
    entries = _list(obj, "data")
    if entries is None:
        raise MalformedJson("Null data")
    by_topic: dict[str, list[ConfigChange]] = {}
    for entry in entries:
        item = _object(entry, "TopicAlterEntry")
        topic = optional_str(item, "topic_name")
        if topic is None:
            raise MalformedJson("Null topicName")
        configs = _list(item, "configs")
        if configs is None:
            raise MalformedJson("Null configs")
        by_topic[topic] = _alter_entries(configs)
    return by_topic, _validate_only(obj)


def _batch(body: Any, what: str) -> dict[str, Any]:
    if body is None:
        raise UnprocessableEntity("Payload error. Null input provided. Data is required.", 42206)
    return _object(body, what)


def _alter_entries(entries: list[Any]) -> list[ConfigChange]:
    changes = []
    for entry in entries:
        item = _object(entry, "AlterEntry")
        name = optional_str(item, "name")
        if name is None:
            raise MalformedJson("Null name")
        operation = optional_str(item, "operation") or "SET"
        if operation not in ("SET", "DELETE"):
            raise MalformedJson(
                f'Cannot deserialize value of type `AlterOperation` from String "{operation}": '
                "not one of the values accepted for Enum class: [DELETE, SET]"
            )
        changes.append(ConfigChange(name, optional_str(item, "value"), operation == "DELETE"))
    return changes


def _validate_only(obj: dict[str, Any]) -> bool:
    validate_only = obj.get("validate_only")
    if validate_only is not None and not isinstance(validate_only, bool):
        raise MalformedJson(
            f"Cannot deserialize value of type `boolean` from {_json_kind(validate_only)} "
            "(validate_only)"
        )
    return bool(validate_only)
