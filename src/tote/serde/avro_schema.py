"""AVRO `ParsedSchema`: parse with fastavro and our tree, serve Avro Java's text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import fastavro

from tote.serde.avro_model import Node, Parser
from tote.serde.avro_render import dumps, normalized_json, render, to_json
from tote.serde.errors import InvalidSchema
from tote.serde.schemas import ParsedSchema, SchemaType

# fastavro signals bad schemas with several exception types; all mean "invalid schema".
_FASTAVRO_SCHEMA_ERRORS = (fastavro.schema.SchemaParseException, fastavro.schema.UnknownType,
                           ValueError, TypeError, KeyError, AttributeError)


def load_json(text: str) -> Any:
    """JSON text → value; Avro also accepts a bare primitive name such as `string`."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        stripped = text.strip()
        if stripped.isidentifier():
            return stripped
        raise InvalidSchema(f"{text}, details: {exc.msg} at line {exc.lineno} "
                            f"column {exc.colno}") from None


class AvroSchema(ParsedSchema):
    """An Avro schema with its referenced schemas resolved."""

    schema_type = SchemaType.AVRO

    def __init__(self, raw: Any, node: Node, external: frozenset[str],
                 fastavro_schema: Any) -> None:
        self.raw = raw
        self.node = node
        self.external = external  # full names defined by referenced schemas
        self._fastavro = fastavro_schema

    @classmethod
    def parse(cls, text: str, references: Mapping[str, str] | None = None) -> AvroSchema:
        raw = load_json(text)
        parser = Parser()
        named_fastavro: dict[str, Any] = {}
        _parse_references(references or {}, parser, named_fastavro)
        external = frozenset(parser.named)
        try:
            node = parser.parse(raw)
        except InvalidSchema as exc:
            raise InvalidSchema(f"{text}, details: {exc.detail}") from None
        except RecursionError:
            raise InvalidSchema(f"{text}, details: schema nested too deeply") from None
        try:
            parsed = fastavro.parse_schema(raw, named_schemas=named_fastavro)
        except _FASTAVRO_SCHEMA_ERRORS as exc:
            raise InvalidSchema(f"{text}, details: {exc}") from None
        return cls(raw, node, external, parsed)

    @classmethod
    def of(cls, schema: ParsedSchema | str | Any) -> AvroSchema:
        """An `AvroSchema` from a parsed schema, schema text, or schema JSON value."""
        if isinstance(schema, AvroSchema):
            return schema
        if isinstance(schema, ParsedSchema):
            raise InvalidSchema(f"expected an AVRO schema, got {schema.schema_type}")
        text = schema if isinstance(schema, str) else dumps(schema)
        return cls.parse(text)

    @cached_property
    def _canonical(self) -> str:
        return render_with(self.node, self.external)

    def canonical(self) -> str:
        return self._canonical

    def normalized(self) -> str:
        return dumps(normalized_json(self.node, set(self.external)))

    @property
    def fastavro_schema(self) -> Any:
        """fastavro's parsed schema (includes named types from references)."""
        return self._fastavro

    @property
    def name(self) -> str | None:
        """Full name of the top-level named type, if any."""
        return self.node.name

    def compatibility_errors(self, reader: ParsedSchema, writer: ParsedSchema,
                             reader_label: str, writer_label: str) -> list[str]:
        from tote.serde.avro_compat import reader_writer_errors

        assert isinstance(reader, AvroSchema) and isinstance(writer, AvroSchema)
        return reader_writer_errors(reader.node, writer.node, reader_label, writer_label)


def render_with(node: Node, external: frozenset[str]) -> str:
    """Java's text of `node`, writing types from references by name only."""
    if not external:
        return render(node)
    return dumps(to_json(node, None, set(external)))


def _parse_references(references: Mapping[str, str], parser: Parser,
                      named_fastavro: dict[str, Any]) -> None:
    """Parse referenced schemas in dependency order (a reference may use an earlier one)."""
    pending = dict(references)
    while pending:
        progressed = False
        last_error = ""
        for name, text in list(pending.items()):
            raw = load_json(text)
            trial = Parser(dict(parser.named))
            try:
                trial.parse(raw)
            except InvalidSchema as exc:
                last_error = f"reference {name}: {exc.detail}"
                continue
            except RecursionError:
                last_error = f"reference {name}: nested too deeply"
                continue
            try:
                fastavro.parse_schema(raw, named_schemas=named_fastavro)
            except _FASTAVRO_SCHEMA_ERRORS as exc:
                raise InvalidSchema(f"reference {name}: {exc}") from None
            parser.named.update(trial.named)
            del pending[name]
            progressed = True
        if not progressed:
            raise InvalidSchema(f"Could not resolve references: {last_error}")
