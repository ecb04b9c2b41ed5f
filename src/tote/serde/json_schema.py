"""JSON `ParsedSchema`: a JSON Schema document checked with `jsonschema`, served compactly."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

import jsonschema
import jsonschema.exceptions
import jsonschema.validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tote.serde.errors import InvalidSchema
from tote.serde.schemas import ParsedSchema, SchemaType


def _dumps(value: Any, sort: bool = False) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=sort)


class JsonSchema(ParsedSchema):
    """A JSON Schema (draft-07 unless `$schema` says otherwise) and its references."""

    schema_type = SchemaType.JSON

    def __init__(self, raw: Any, references: Mapping[str, Any]) -> None:
        self.raw = raw
        self.references = dict(references)  # reference name -> parsed document

    @classmethod
    def parse(cls, text: str, references: Mapping[str, str] | None = None) -> JsonSchema:
        raw = _load(text, "")
        refs = {name: _load(ref_text, f"reference {name}: ")
                for name, ref_text in (references or {}).items()}
        for name, doc in refs.items():
            _check(doc, f"reference {name}: ")
        _check(raw, "")
        schema = cls(raw, refs)
        for ref in _refs(raw):
            if "://" not in ref and schema.resolve(ref, raw) is None:
                raise InvalidSchema(f"{text}, details: unresolved reference {ref!r}")
        return schema

    def canonical(self) -> str:
        return self._canonical

    @cached_property
    def _canonical(self) -> str:
        return _dumps(self.raw)

    def normalized(self) -> str:
        return _dumps(self.raw, sort=True)

    def resolve(self, ref: str, base: Any) -> Any:
        """The schema a `$ref` points at: a local JSON pointer or a named reference."""
        target, _, fragment = ref.partition("#")
        if target:
            if target not in self.references:
                return None
            doc = self.references[target]
        else:
            doc = base
        node = doc
        for part in (p for p in fragment.split("/") if p):
            key = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return None
        return node

    @cached_property
    def validator(self) -> Any:
        """A `jsonschema` validator for data, with the references registered by name."""
        registry: Registry[Any] = Registry().with_resources(
            (name, Resource.from_contents(doc, default_specification=DRAFT7))
            for name, doc in self.references.items())
        cls = jsonschema.validators.validator_for(self.raw, default=jsonschema.Draft7Validator)
        return cls(self.raw, registry=registry)

    def compatibility_errors(self, reader: ParsedSchema, writer: ParsedSchema,
                             reader_label: str, writer_label: str) -> list[str]:
        from tote.serde.json_compat import incompatibilities

        assert isinstance(reader, JsonSchema) and isinstance(writer, JsonSchema)
        return incompatibilities(writer, reader, reader_label, writer_label)


def _load(text: str, prefix: str) -> Any:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidSchema(f"{prefix}{text}, details: {exc.msg} at line {exc.lineno} "
                            f"column {exc.colno}") from None
    if not isinstance(raw, (dict, bool)):
        raise InvalidSchema(f"{prefix}{text}, details: a JSON Schema must be an object or "
                            "a boolean")
    return raw


def _check(raw: Any, prefix: str) -> None:
    cls = jsonschema.validators.validator_for(raw, default=jsonschema.Draft7Validator)
    try:
        cls.check_schema(raw)
    except jsonschema.exceptions.SchemaError as exc:
        where = "/".join(str(p) for p in exc.path)
        raise InvalidSchema(f"{prefix}{_dumps(raw)}, details: {exc.message}"
                            + (f" at #/{where}" if where else "")) from None


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            elif key not in ("enum", "const", "default", "examples"):
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)
