"""`io.confluent.connect.avro.AvroConverter`: Confluent-framed Avro via a Schema Registry.

Each record is magic byte + schema id + Avro binary (spec §1.1). Writer schemas are
fetched by id once and cached with their Connect mapping and a batch decoder, so a poll
of records of one schema decodes in a single fastavro call; for a flat record schema
also with a generated row decoder (`tote.serde.avro_rows`), so a poll becomes
`StructRows` without a `Struct` per record. A registry that cannot be
reached is a RetriableException (the task retries the poll), not a bad record: sending
good records to the dead letter queue because the registry blinked would lose them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

from tote.connect.batch import StructRows
from tote.connect.converters.avro_data import Mapped, map_schema
from tote.connect.converters.base import (
    NOTHING,
    Converted,
    Converter,
    ConverterContext,
    Failures,
)
from tote.connect.errors import ConfigException, DataException, RetriableException
from tote.registry.source import RegistryRejected, SchemaRetrievalFailed, SchemaSource
from tote.serde.avro import AvroCodec
from tote.serde.avro_batch import AvroBatchDecoder
from tote.serde.avro_rows import AvroRowDecoder
from tote.serde.errors import InvalidSchema, SerializationError

REGISTRY_URL = "schema.registry.url"
_HEADER = 5


@dataclass(frozen=True)
class _Writer:
    mapped: Mapped
    decoder: AvroBatchDecoder
    rows: AvroRowDecoder | None  # flat record schemas only


class AvroConverter(Converter):
    """Avro values (or keys) whose writer schemas live in a Schema Registry."""

    def configure(self, configs: Mapping[str, str], is_key: bool,
                  context: ConverterContext) -> None:
        super().configure(configs, is_key, context)
        url = str(configs.get(REGISTRY_URL) or "").strip()
        if not url:
            raise ConfigException(
                f"Missing required configuration \"{REGISTRY_URL}\" which has no default value.")
        self.url = url.split(",")[0].strip()
        self._source: SchemaSource = context.schemas_for(self.url)
        self._writers: dict[int, _Writer] = {}

    def _failure(self, topic: str, detail: str) -> DataException:
        return DataException(f"Failed to deserialize data for topic {topic} to Avro: {detail}")

    def _writer(self, topic: str, schema_id: int) -> _Writer:
        found = self._writers.get(schema_id)
        if found is not None:
            return found
        try:
            stored = self._source.by_id(schema_id)
        except SchemaRetrievalFailed as exc:
            raise RetriableException(
                f"Error retrieving Avro schema for id {schema_id}: {exc.message}") from None
        except RegistryRejected as exc:
            raise self._failure(topic, f"Error retrieving Avro schema for id {schema_id}: "
                                       f"{exc.message}") from None
        if stored is None:
            raise self._failure(topic, f"Error retrieving Avro schema for id {schema_id}: "
                                       f"Schema not found; error code: 40403")
        if stored.schema_type != "AVRO":
            raise self._failure(topic, f"Schema id {schema_id} is a {stored.schema_type} "
                                       "schema, not AVRO")
        try:
            codec = AvroCodec(stored.schema)
        except InvalidSchema as exc:
            raise self._failure(topic, f"Invalid schema id {schema_id}: {exc}") from None
        mapped = map_schema(codec.schema.node)
        rows = AvroRowDecoder.compile(codec.schema.node) if not codec.schema.external else None
        writer = _Writer(mapped, AvroBatchDecoder(codec), rows)
        self._writers[schema_id] = writer
        return writer

    def _split_error(self, topic: str, data: bytes) -> DataException:
        if len(data) < _HEADER:
            return self._failure(topic, "Expecting data framing of length 5 bytes or more but "
                                        f"total data size is {len(data)} bytes")
        return self._failure(topic, "Unknown magic byte!")

    def to_connect(self, topic: str, data: bytes | None) -> Converted:
        results, failures = self.to_connect_many(topic, [data])
        if failures:
            raise failures[0]
        return results[0]

    def to_connect_many(self, topic: str, datas: Sequence[bytes | None]
                        ) -> tuple[list[Converted], Failures]:
        """Runs of records with the same 5-byte header are decoded together."""
        fast = self._one_schema(topic, datas)
        if fast is not None:
            return fast, {}
        out: list[Converted] = [NOTHING] * len(datas)
        failures: Failures = {}
        header = b""
        group: list[tuple[int, bytes]] = []
        for index, data in enumerate(datas):
            if data is None:
                continue
            if data[:5] != header:
                if len(data) < _HEADER or data[0] != 0:
                    failures[index] = self._split_error(topic, data)
                    continue
                if group:
                    self._decode(topic, header, group, out, failures)
                    group = []
                header = data[:5]
            group.append((index, data[5:]))
        if group:
            self._decode(topic, header, group, out, failures)
        return out, failures

    def _one_schema(self, topic: str, datas: Sequence[bytes | None]) -> list[Converted] | None:
        """The common case, without per-record bookkeeping: every record is framed with the
        same known schema id and decodes. None: take the general path."""
        if not datas or None in datas:
            return None
        headers = {d[:5] for d in datas}  # type: ignore[index]
        if len(headers) != 1:
            return None
        header = headers.pop()
        if len(header) < _HEADER or header[0] != 0:
            return None
        writer = self._writers.get(int.from_bytes(header[1:5], "big"))
        if writer is None:
            return None
        values = writer.decoder.decode_all([d[5:] for d in datas])  # type: ignore[index]
        if values is None:
            return None
        schema, wrap = writer.mapped.schema, writer.mapped.wrap
        if wrap is None:
            return [(schema, v) for v in values]
        return [(schema, wrap(v)) for v in values]

    def to_connect_rows(self, topic: str, datas: Sequence[bytes | None]) -> StructRows | None:
        """The common case as rows: every item framed with the same known flat record
        schema, and every item decodes. None: take `to_connect_many`."""
        if not datas or None in datas:
            return None
        header = datas[0][:_HEADER]  # type: ignore[index]
        if len(header) < _HEADER or header[0] != 0 \
                or not all(map(bytes.startswith, datas, repeat(header))):  # type: ignore[arg-type]
            return None
        writer = self._writers.get(int.from_bytes(header[1:], "big"))
        if writer is None or writer.rows is None:
            return None
        rows = writer.rows.decode(datas, _HEADER)  # type: ignore[arg-type]
        if rows is None:
            return None
        return StructRows(writer.mapped.schema, writer.rows.names, rows)

    def _decode(self, topic: str, header: bytes, group: list[tuple[int, bytes]],
                out: list[Converted], failures: Failures) -> None:
        schema_id = int.from_bytes(header[1:5], "big")
        try:
            writer = self._writer(topic, schema_id)
        except DataException as exc:
            for index, _ in group:
                failures[index] = exc
            return
        values = writer.decoder.decode_each([payload for _, payload in group])
        schema, wrap = writer.mapped.schema, writer.mapped.wrap
        for (index, _), value in zip(group, values, strict=True):
            if isinstance(value, SerializationError):
                failures[index] = self._failure(topic, str(value))
            else:
                out[index] = (schema, value if wrap is None else wrap(value))

    def close(self) -> None:
        self._writers.clear()
