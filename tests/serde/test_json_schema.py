"""JSON Schema: parsing, identity text and the Registry's compatibility rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tote.serde.errors import InvalidSchema
from tote.serde.json_schema import JsonSchema
from tote.serde.schemas import ParsedSchema, check_compatibility, parse_schema


def js(value: Any) -> ParsedSchema:
    return parse_schema("JSON", json.dumps(value, indent=2))


def obj(props: dict[str, Any], **extra: Any) -> ParsedSchema:
    return js({"type": "object", "properties": props, **extra})


def msg(kind: str, text: str) -> str:
    return f'{{errorType:"{kind}", description:"{text}\'}}'


def test_canonical_is_compact_in_given_order_normalized_sorts() -> None:
    schema = js({"type": "object", "properties": {"b": {"type": "string"}, "a": {}}})
    assert schema.canonical() == '{"type":"object","properties":{"b":{"type":"string"},"a":{}}}'
    assert schema.normalized() == '{"properties":{"a":{},"b":{"type":"string"}},"type":"object"}'


@pytest.mark.parametrize(("text", "detail"), [
    ('{"type": 5}', "5 is not valid under any of the given schemas at #/type"),
    ('[1]', "a JSON Schema must be an object or a boolean"),
    ('{"$ref": "#/definitions/missing"}', "unresolved reference '#/definitions/missing'"),
])
def test_invalid(text: str, detail: str) -> None:
    with pytest.raises(InvalidSchema) as info:
        parse_schema("JSON", text)
    assert info.value.error_code == 42201
    assert info.value.message.endswith(f"details: {detail}")


def test_references_by_name() -> None:
    address = '{"type":"object","properties":{"street":{"type":"string"}}}'
    schema = parse_schema("JSON", '{"type":"object","properties":{"home":'
                                  '{"$ref":"address.json"}}}', {"address.json": address})
    assert isinstance(schema, JsonSchema)
    assert next(iter(schema.validator.iter_errors({"home": {"street": 5}}))).message == \
        "5 is not of type 'string'"
    with pytest.raises(InvalidSchema, match=r"unresolved reference 'address\.json'"):
        parse_schema("JSON", '{"$ref":"address.json"}')


def test_type_change() -> None:
    old, new = obj({"a": {"type": "string"}}), obj({"a": {"type": "integer"}})
    assert check_compatibility("BACKWARD", new, [old]) == [msg(
        "TYPE_CHANGED", "A type at path '#/properties/a' is different between the new schema "
                        "and the old schema")]


def test_integer_to_number_is_backward_not_forward() -> None:
    old, new = obj({"a": {"type": "integer"}}), obj({"a": {"type": "number"}})
    assert check_compatibility("BACKWARD", new, [old]) == []
    assert check_compatibility("FORWARD", new, [old]) == [msg(
        "TYPE_NARROWED", "A type at path '#/properties/a' is different between the old schema "
                         "and the new schema")]


def test_open_content_model() -> None:
    old = obj({"a": {"type": "string"}})
    added = obj({"a": {"type": "string"}, "b": {"type": "string"}})
    assert check_compatibility("BACKWARD", added, [old]) == [msg(
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "The new schema has an open content model and has a property or item at path "
        "'#/properties/b' which is missing in the old schema")]
    assert check_compatibility("FORWARD", added, [old]) == []  # removal from an open model


def test_closed_content_model() -> None:
    old = obj({"a": {"type": "string"}}, additionalProperties=False)
    added = obj({"a": {"type": "string"}, "b": {"type": "string"}}, additionalProperties=False)
    assert check_compatibility("BACKWARD", added, [old]) == []
    assert check_compatibility("FORWARD", added, [old]) == [msg(
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "The old has a closed content model and is missing a property or item present at path "
        "'#/properties/b' in the new schema")]
    assert check_compatibility("FULL", added, [old]) != []


def test_required_added() -> None:
    old = obj({"a": {"type": "string"}})
    new = obj({"a": {"type": "string"}}, required=["a"])
    assert check_compatibility("BACKWARD", new, [old]) == [msg(
        "REQUIRED_ATTRIBUTE_ADDED", "The keyword at path '#/required/a' in the new schema is not "
                                    "present in the old schema")]
    with_default = obj({"a": {"type": "string", "default": "x"}}, required=["a"])
    assert check_compatibility("BACKWARD", with_default, [old]) == []


def test_enum_narrowing_and_extending() -> None:
    old = js({"enum": ["A", "B"]})
    assert check_compatibility("BACKWARD", js({"enum": ["A", "B", "C"]}), [old]) == []
    assert check_compatibility("BACKWARD", js({"enum": ["A"]}), [old]) == [msg(
        "ENUM_ARRAY_NARROWED", "An array or combined type at path '#/enum' has fewer elements "
                               "in the new schema than the old schema")]


@pytest.mark.parametrize(("old", "new", "kind"), [
    ({"type": "string", "maxLength": 10}, {"type": "string", "maxLength": 5},
     "MAX_LENGTH_DECREASED"),
    ({"type": "string"}, {"type": "string", "minLength": 1}, "MIN_LENGTH_ADDED"),
    ({"type": "number", "minimum": 0}, {"type": "number", "minimum": 1}, "MINIMUM_INCREASED"),
    ({"type": "number", "maximum": 9}, {"type": "number", "maximum": 8}, "MAXIMUM_DECREASED"),
    ({"type": "array", "items": {"type": "integer"}},
     {"type": "array", "items": {"type": "integer"}, "maxItems": 3}, "MAX_ITEMS_ADDED"),
])
def test_narrowing_limits_is_not_backward(old: Any, new: Any, kind: str) -> None:
    messages = check_compatibility("BACKWARD", js(new), [js(old)])
    assert [m.split('"')[1] for m in messages] == [kind]
    assert check_compatibility("FORWARD", js(new), [js(old)]) == []


def test_nullable_union_widening() -> None:
    old = obj({"a": {"type": "string"}})
    new = obj({"a": {"oneOf": [{"type": "null"}, {"type": "string"}]}})
    assert check_compatibility("BACKWARD", new, [old]) == []
    assert check_compatibility("FORWARD", new, [old]) != []


def test_refs_are_followed() -> None:
    old = js({"definitions": {"s": {"type": "string"}}, "type": "object",
              "properties": {"a": {"$ref": "#/definitions/s"}}})
    new = obj({"a": {"type": "integer"}})
    assert [m.split('"')[1] for m in check_compatibility("BACKWARD", new, [old])] == [
        "TYPE_CHANGED"]


def test_identical_is_compatible_at_every_level() -> None:
    schema = obj({"a": {"type": "string"}, "b": {"type": "array", "items": {"type": "number"}}},
                 required=["a"], additionalProperties=False)
    for level in ("BACKWARD", "FORWARD", "FULL_TRANSITIVE"):
        assert check_compatibility(level, schema, [schema]) == []
