"""REST Proxy errors, with the codes and messages Confluent's kafka-rest answers with (spec §3.5).

Codes follow the usual rule (first three digits are the HTTP status). Where kafka-rest
prefixes a message (`"Conversion of JSON to Object failed: "`, `"Bad Request: "`), so do we,
because scripts sometimes match on those prefixes.
"""

from __future__ import annotations

from tote.core.errors import BadRequest, Conflict, NotFound, ToteError, Unprocessable
from tote.registry.source import SchemaRetrievalFailed as _SchemaRetrievalFailed


class ConsumerInstanceNotFound(NotFound):
    error_code = 40403

    def __init__(self) -> None:
        super().__init__("Consumer instance not found.")


class V2TopicNotFound(NotFound):
    """kafka-rest v2's unknown topic; unlike the log's TopicNotFound it names no topic."""

    error_code = 40401

    def __init__(self) -> None:
        super().__init__("Topic not found.")


class V2PartitionNotFound(NotFound):
    """kafka-rest v2's unknown partition (also its answer to GET .../offsets without a body)."""

    error_code = 40402

    def __init__(self) -> None:
        super().__init__("Partition not found.")


class ConsumerFormatMismatch(ToteError):
    error_code = 40601

    def __init__(self) -> None:
        super().__init__(
            "The requested embedded data format does not match the deserializer for this "
            "consumer instance"
        )


class ConsumerAlreadyExists(Conflict):
    error_code = 40902

    def __init__(self) -> None:
        super().__init__(
            "Consumer with specified consumer ID already exists in the specified consumer group."
        )


class IllegalConsumerState(Conflict):
    error_code = 40903

    def __init__(self, detail: str) -> None:
        super().__init__(f"Illegal state: {detail}")


class KeySchemaMissing(Unprocessable):
    error_code = 42201

    def __init__(self) -> None:
        super().__init__("Request includes keys but does not include key schema")


class ValueSchemaMissing(Unprocessable):
    error_code = 42202

    def __init__(self) -> None:
        super().__init__("Request includes values but does not include value schema")


class JsonConversionFailed(Unprocessable):
    """A key or value does not match its schema (Avro JSON decoding or JSON Schema validation)."""

    error_code = 42203

    def __init__(self, detail: str) -> None:
        super().__init__(f"Conversion of JSON to Object failed: {detail}")

    @classmethod
    def because(cls, message: str) -> JsonConversionFailed:
        """Keep a serde message that already says "Conversion of JSON to ... failed"."""
        error = cls("")
        if message.startswith("Conversion of JSON to"):
            error.message = message
            error.args = (message,)
            return error
        return cls(message)


class InvalidConsumerConfig(Unprocessable):
    error_code = 42204

    def __init__(self, detail: str) -> None:
        super().__init__(f"Invalid consumer configuration: {detail}")


class ConsumerConfigConstraint(BadRequest):
    error_code = 40001

    def __init__(self, detail: str) -> None:
        super().__init__(
            "Invalid consumer configuration. It does not abide by the constraints: " + detail
        )


class InvalidSchema(Unprocessable):
    error_code = 42205

    def __init__(self, detail: str) -> None:
        super().__init__(f"Invalid schema: {detail}")


class SerializationFailed(Unprocessable):
    """The registry could not resolve a schema id, version or registration for the request."""

    error_code = 42207

    def __init__(self, detail: str) -> None:
        super().__init__(f"Error serializing message. {detail}")


# The registry could not be reached (40801): one class, shared with Connect.
SchemaRetrievalFailed = _SchemaRetrievalFailed


class InvalidRequest(BadRequest):
    """kafka-rest's generic 400 (`"Bad Request: ..."`), e.g. a binary field that is not base64."""

    error_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(f"Bad Request: {detail}")


class MalformedJson(BadRequest):
    """The body is not JSON at all (Jackson's JsonParseException in kafka-rest)."""

    error_code = 400


class UnprocessableEntity(Unprocessable):
    """A body that parses but breaks a constraint, e.g. an empty `records` list."""

    error_code = 422


class UnsupportedMediaType(ToteError):
    error_code = 415

    def __init__(self) -> None:
        super().__init__("HTTP 415 Unsupported Media Type")


class NotAcceptable(ToteError):
    error_code = 406

    def __init__(self) -> None:
        super().__init__("HTTP 406 Not Acceptable")


class KafkaBadRequest(BadRequest):
    """What Kafka rejects as a bad request (existing topic, bad config): 400 / 40002."""

    error_code = 40002


class NotSupported(KafkaBadRequest):
    """A format or feature this proxy does not offer."""


def no_registry() -> NotSupported:
    return NotSupported(
        "This REST Proxy has no schema registry configured (--schema-registry-url)."
    )
