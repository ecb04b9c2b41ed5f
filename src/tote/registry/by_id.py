"""What `GET /schemas/ids/{id}` adds on request: the subject version holding the id
(`?subject=`) and the schema text in another format (`?format=`)."""

from __future__ import annotations

import base64

from tote.registry.state import RegistryState
from tote.serde.avro_render import render
from tote.serde.avro_schema import AvroSchema
from tote.serde.protobuf_descriptors import file_descriptor
from tote.serde.protobuf_schema import ProtobufSchema
from tote.serde.schemas import ParsedSchema

PROTOBUF_FILE_NAME = "default"


def holder_of(state: RegistryState, schema_id: int, subject: str) -> tuple[str, int] | None:
    """(subject, version) holding `schema_id` for a lookup within `subject`: its newest
    version with the id (soft-deleted ones count: Confluent's id index keeps them), else
    the first other subject's; None when no version holds the id.

    Confluent looks the id up in the subject's context and, not finding it under that
    subject, in the whole context; tote has one context, so that is every subject."""
    usages = state.usages.get(schema_id, set())
    own = [version for name, version in usages if name == subject]
    if own:
        return subject, max(own)
    if not usages:
        return None
    first = min(name for name, _ in usages)
    return first, max(version for name, version in usages if name == first)


def formatted(parsed: ParsedSchema, fmt: str) -> str:
    """The schema text for `?format=`, as Confluent's providers write it: Avro `resolved`
    is the schema with referenced named types written out in full (Avro's own
    `toString`), Protobuf `serialized` the base64 `FileDescriptorProto` (file name
    `default`, as Confluent names it); any other format, known or not, is the canonical
    text. (Protobuf `ignore_extensions` is served as canonical text: tote keeps no
    extensions apart.)"""
    fmt = fmt.strip().lower()
    if isinstance(parsed, AvroSchema) and fmt == "resolved":
        return render(parsed.node)
    if isinstance(parsed, ProtobufSchema) and fmt == "serialized":
        descriptor = file_descriptor(parsed.proto, PROTOBUF_FILE_NAME)
        return base64.b64encode(descriptor.SerializeToString()).decode("ascii")
    return parsed.canonical()
