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


def kinds(new: Any, old: Any, level: str = "BACKWARD") -> list[str]:
    return [m.split('"')[1] for m in check_compatibility(level, js(new), [js(old)])]


LEGS = {"type": "array", "items": [{"type": "integer"}], "additionalItems": False}


def test_tuple_item_added_to_closed_array() -> None:
    # Old data has at most one item, so a reader that knows a second position still accepts it.
    longer = {**LEGS, "items": [{"type": "integer"}, {"type": "string"}]}
    assert kinds(longer, LEGS) == []
    assert kinds(longer, LEGS, "FORWARD") == ["ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL"]
    assert check_compatibility("FORWARD", js(longer), [js(LEGS)]) == [msg(
        "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "The old has a closed content model and is missing a property or item present at "
        "path '#/items/1' in the new schema")]


def test_tuple_item_checked_against_additional_items() -> None:
    old = {"type": "array", "items": [{"type": "integer"}], "additionalItems": {"type": "string"}}
    covered = {**old, "items": [{"type": "integer"}, {"type": "string", "maxLength": 9}]}
    assert kinds(covered, old) == ["MAX_LENGTH_ADDED", "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN"
                                   "_CONTENT_MODEL"]
    widened = {**old, "items": [{"type": "integer"}, {"type": ["string", "null"]}]}
    assert kinds(widened, old) == []
    assert kinds({**old, "items": [{"type": "integer"}, {"type": "number"}]}, old) == [
        "TYPE_CHANGED", "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"]


def test_additional_items_closed() -> None:
    assert kinds({"type": "array", "additionalItems": False},
                 {"type": "array", "additionalItems": True}) == ["ADDITIONAL_ITEMS_REMOVED"]
    assert kinds({"type": "array", "additionalItems": True},
                 {"type": "array", "additionalItems": False}) == []


def test_prefix_items_are_the_tuple_in_2020_12() -> None:
    draft = "https://json-schema.org/draft/2020-12/schema"
    old = {"$schema": draft, "type": "array", "prefixItems": [{"type": "string"}],
           "items": False}
    assert kinds({**old, "prefixItems": [{"type": "boolean"}]}, old) == ["TYPE_CHANGED"]
    assert kinds({**old, "prefixItems": [{"type": "string"}, {"type": "integer"}]}, old) == []
    assert kinds(old, {**old, "minContains": 1, "contains": {"type": "string"}}) == []
    assert kinds({**old, "minContains": 2, "contains": {"type": "string"}},
                 {**old, "minContains": 1, "contains": {"type": "string"}}) == [
        "MIN_CONTAINS_INCREASED"]


@pytest.mark.parametrize("keyword", ["dependencies", "dependentRequired"])
def test_property_dependencies(keyword: str) -> None:
    props = {"card": {"type": "string"}, "expiry": {"type": "string"}}
    plain = {"type": "object", "properties": props}
    dependent = {**plain, keyword: {"card": ["expiry"]}}
    assert kinds(dependent, plain) == ["DEPENDENCY_ARRAY_ADDED"]
    assert kinds(plain, dependent) == []
    loose = {**plain, keyword: {"card": []}}
    assert kinds(dependent, loose) == ["DEPENDENCY_ARRAY_EXTENDED"]
    assert kinds(loose, dependent) == []


def test_schema_dependencies() -> None:
    props = {"card": {"type": "string"}}
    plain = {"type": "object", "properties": props}
    dependent = {**plain, "dependencies": {"card": {"required": ["expiry"]}}}
    assert kinds(dependent, plain) == ["DEPENDENCY_SCHEMA_ADDED"]
    assert kinds(plain, dependent) == []
    stricter = {**plain, "dependencies": {"card": {"properties": {"expiry": {"type": "string"}},
                                                   "additionalProperties": False}}}
    looser = {**plain, "dependencies": {"card": {"properties": {"expiry": {"type": "string"}}}}}
    assert kinds(stricter, looser) == ["ADDITIONAL_PROPERTIES_REMOVED"]


def test_unevaluated_properties_false_is_a_closed_model() -> None:
    old = {"type": "object", "properties": {"stake": {"type": "number"}},
           "unevaluatedProperties": False}
    added = {**old, "properties": {"stake": {"type": "number"}, "note": {"type": "string"}}}
    assert kinds(added, old) == []
    assert kinds(added, old, "FORWARD") == ["PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"]
    opened = {k: v for k, v in old.items() if k != "unevaluatedProperties"}
    assert kinds(old, opened) == ["UNEVALUATED_PROPERTIES_REMOVED"]
    assert kinds(opened, old) == []


def test_type_with_enum_is_a_conjunction() -> None:
    # Dropping the enum only drops a restriction; changing the type still breaks.
    old = {"type": "string", "enum": ["WIN", "PLACE"]}
    assert kinds({"type": "string"}, old) == []
    assert kinds({"type": "integer"}, old) == ["TYPE_CHANGED"]
    assert kinds({"type": "string", "enum": ["WIN", "PLACE", "SHOW"]}, old) == []
    assert kinds({"type": "string", "enum": ["WIN"]}, old) == [
        "COMBINED_TYPE_SUBSCHEMAS_CHANGED"]


def test_repeated_subschemas_count_once() -> None:
    old = obj({"odds": {"allOf": [{"type": "number"}]}})
    repeated = obj({"odds": {"allOf": [{"type": "number"}, {"type": "number"}]}})
    assert check_compatibility("FULL", repeated, [old]) == []
    assert kinds({"type": "object", "properties": {"odds": {"allOf": [
        {"type": "number"}, {"type": "number", "minimum": 1}]}}},
        {"type": "object", "properties": {"odds": {"allOf": [{"type": "number"}]}}}) == [
        "PRODUCT_TYPE_EXTENDED"]
