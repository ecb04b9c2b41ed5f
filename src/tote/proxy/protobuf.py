"""The PROTOBUF embedded format: JSON <-> protobuf messages for a registered `.proto` schema.

kafka-rest converts with protobuf's `JsonFormat` (the proto3 JSON mapping: lowerCamelCase
names on output, either name accepted on input, 64-bit integers as strings, default
values printed) against the schema's first message, and frames the bytes with the
message-index array `[0]`. tote does the same with the `protobuf` runtime: the schema
parsed by `tote.serde` is turned into a `FileDescriptorProto` by
`tote.serde.protobuf_descriptors`, loaded into a private descriptor pool, and messages are
built from that. Imports other than protobuf's well-known types would need schema
references, which the proxy does not resolve.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pool, json_format, message_factory
from google.protobuf.message import DecodeError, EncodeError, Message

from tote.proxy.errors import InvalidSchema, JsonConversionFailed, NotSupported
from tote.serde.errors import SerializationError
from tote.serde.protobuf_descriptors import file_descriptor, well_known_file
from tote.serde.protobuf_schema import ProtobufSchema
from tote.serde.wire import decode_message_indexes, encode_message_indexes

_FILE_NAME = "tote_rest_proxy.proto"


def _well_known(pool: descriptor_pool.DescriptorPool, path: str) -> None:
    """Load `google/protobuf/<x>.proto` (and its own dependencies) into `pool`."""
    if not path.startswith("google/protobuf/"):
        raise NotSupported(
            f"The schema imports {path}; schema references are not supported by the proxy."
        )
    proto = well_known_file(path)
    for dependency in proto.dependency:
        _well_known(pool, dependency)
    pool.Add(proto)


class ProtobufCodec:
    """Converts between JSON and one schema's messages (the first message, like kafka-rest)."""

    def __init__(self, schema: ProtobufSchema) -> None:
        if not schema.proto.messages:
            raise InvalidSchema("The protobuf schema defines no message.")
        self._pool = descriptor_pool.DescriptorPool()
        descriptor = file_descriptor(schema.proto, _FILE_NAME)
        try:
            for dependency in descriptor.dependency:
                _well_known(self._pool, dependency)
            self._pool.Add(descriptor)
            self._file = self._pool.FindFileByName(descriptor.name)
        except (TypeError, KeyError, ValueError) as exc:
            raise InvalidSchema(f"The protobuf schema cannot be loaded: {exc}") from None

    def _class(self, indexes: list[int]) -> type[Message]:
        types = self._file.message_types_by_name
        descriptor = list(types.values())[indexes[0]]
        for index in indexes[1:]:
            descriptor = descriptor.nested_types[index]
        return message_factory.GetMessageClass(descriptor)

    def encode(self, value: Any) -> bytes:
        """JSON -> message-index array `[0]` + protobuf bytes (the part after the id)."""
        message = self._class([0])()
        try:
            json_format.ParseDict(value, message)
            payload = message.SerializeToString()
        except (json_format.ParseError, EncodeError, TypeError, ValueError) as exc:
            raise JsonConversionFailed(str(exc)) from None
        return encode_message_indexes([0]) + payload

    def decode(self, data: bytes) -> Any:
        """Message-index array + protobuf bytes -> JSON in JsonFormat's shape."""
        indexes, payload = decode_message_indexes(data)
        try:
            message = self._class(indexes)()
            message.ParseFromString(payload)
        except (DecodeError, IndexError) as exc:
            raise SerializationError(f"Error deserializing Protobuf message: {exc}") from None
        return json_format.MessageToDict(message, always_print_fields_with_no_presence=True)
