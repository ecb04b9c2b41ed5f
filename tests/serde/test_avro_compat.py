"""Avro compatibility levels: Avro's resolution rules with the Registry's messages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tote.serde.schemas import ParsedSchema, check_compatibility, parse_schema


def record(*fields: dict[str, Any], name: str = "R", **extra: Any) -> ParsedSchema:
    return parse_schema("AVRO", json.dumps({"type": "record", "name": name,
                                            "fields": list(fields), **extra}))


A = {"name": "a", "type": "int"}
B_NO_DEFAULT = {"name": "b", "type": "string"}
B_DEFAULT = {"name": "b", "type": "string", "default": "x"}

V1 = record(A)
V2_ADD_NO_DEFAULT = record(A, B_NO_DEFAULT)
V2_ADD_DEFAULT = record(A, B_DEFAULT)

MISSING_B = ("{{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at "
             "path '/fields/1' in the {r} schema has no default value and is missing in the {w} "
             "schema', additionalInfo:'b'}}")


@pytest.mark.parametrize(("level", "new", "compatible"), [
    ("BACKWARD", V2_ADD_NO_DEFAULT, False),
    ("BACKWARD", V2_ADD_DEFAULT, True),
    ("FORWARD", V2_ADD_NO_DEFAULT, True),
    ("FORWARD", V2_ADD_DEFAULT, True),
    ("FULL", V2_ADD_NO_DEFAULT, False),
    ("FULL", V2_ADD_DEFAULT, True),
    ("NONE", V2_ADD_NO_DEFAULT, True),
])
def test_adding_a_field(level: str, new: ParsedSchema, compatible: bool) -> None:
    assert (check_compatibility(level, new, [V1]) == []) is compatible


def test_backward_message_names_new_and_old() -> None:
    assert check_compatibility("BACKWARD", V2_ADD_NO_DEFAULT, [V1]) == [
        MISSING_B.format(r="new", w="old")]


def test_forward_message_when_removing_a_field_without_default() -> None:
    assert check_compatibility("FORWARD", V1, [V2_ADD_NO_DEFAULT]) == [
        MISSING_B.format(r="old", w="new")]
    assert check_compatibility("BACKWARD", V1, [V2_ADD_NO_DEFAULT]) == []


def test_transitive_checks_every_version_non_transitive_only_the_latest() -> None:
    v1 = record(A)
    v2 = record(A, B_DEFAULT)
    v3 = record(A, {"name": "b", "type": "string"})  # default dropped
    assert check_compatibility("BACKWARD", v3, [v2]) == []  # v2 wrote b, v3 reads it
    assert check_compatibility("BACKWARD", v3, [v1, v2]) == []
    assert check_compatibility("BACKWARD_TRANSITIVE", v3, [v1, v2]) == [
        MISSING_B.format(r="new", w="old")]
    assert check_compatibility("FULL_TRANSITIVE", v3, [v1, v2]) != []
    assert check_compatibility("FORWARD_TRANSITIVE", v1, [v2, v3]) == [
        MISSING_B.format(r="old", w="new")]


@pytest.mark.parametrize(("writer", "reader", "ok"), [
    ("int", "long", True), ("int", "float", True), ("int", "double", True),
    ("long", "float", True), ("long", "double", True), ("float", "double", True),
    ("string", "bytes", True), ("bytes", "string", True),
    ("long", "int", False), ("double", "float", False), ("string", "int", False),
    ("boolean", "int", False), ("null", "int", False),
])
def test_promotions(writer: str, reader: str, ok: bool) -> None:
    old, new = parse_schema("AVRO", json.dumps(writer)), parse_schema("AVRO", json.dumps(reader))
    assert (check_compatibility("BACKWARD", new, [old]) == []) is ok


def test_type_mismatch_message() -> None:
    old = record({"name": "a", "type": "string"})
    new = record({"name": "a", "type": "int"})
    assert check_compatibility("BACKWARD", new, [old]) == [
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field "
        "in the new schema does not match with the old schema', additionalInfo:'reader type: "
        "INT not compatible with writer type: STRING'}"]


def test_unions() -> None:
    old = record({"name": "a", "type": ["null", "string", "int"]})
    new = record({"name": "a", "type": ["null", "string"]})
    assert check_compatibility("BACKWARD", new, [old]) == [
        "{errorType:'MISSING_UNION_BRANCH', description:'The new schema is missing a type inside "
        "a union field at path '/fields/0/type/2' in the old schema', additionalInfo:'reader "
        "union lacking writer type: INT'}"]
    assert check_compatibility("FORWARD", new, [old]) == []
    # a plain writer type resolves into a reader union containing it (or a promotion of it)
    plain = record({"name": "a", "type": "int"})
    widened = record({"name": "a", "type": ["null", "long"]})
    assert check_compatibility("BACKWARD", widened, [plain]) == []
    assert check_compatibility("FORWARD", widened, [plain]) != []


def test_enums() -> None:
    old = parse_schema("AVRO", '{"type":"enum","name":"E","symbols":["A","B","C","D"]}')
    new = parse_schema("AVRO", '{"type":"enum","name":"E","symbols":["A","B"]}')
    assert check_compatibility("BACKWARD", new, [old]) == [
        "{errorType:'MISSING_ENUM_SYMBOLS', description:'The new schema is missing enum symbols "
        "'[C, D]' at path '/symbols' in the old schema', additionalInfo:'[C, D]'}"]
    with_default = parse_schema("AVRO", '{"type":"enum","name":"E","symbols":["A","B"],'
                                        '"default":"A"}')
    assert check_compatibility("BACKWARD", with_default, [old]) == []
    assert check_compatibility("FORWARD", new, [old]) == []


def test_fixed_size_and_names() -> None:
    old = parse_schema("AVRO", '{"type":"fixed","name":"F","size":4}')
    new = parse_schema("AVRO", '{"type":"fixed","name":"G","size":8}')
    assert check_compatibility("BACKWARD", new, [old]) == [
        "{errorType:'NAME_MISMATCH', description:'The name of the schema has changed (path "
        "'/name')', additionalInfo:'expected: F'}",
        "{errorType:'FIXED_SIZE_MISMATCH', description:'The size of FIXED type field at path "
        "'/size' in the new schema does not match with the old schema', additionalInfo:"
        "'expected: 4, found: 8'}"]


def test_named_type_alias_and_namespace() -> None:
    old = record(A, name="com.old.Bet")
    renamed = record(A, name="Wager", aliases=["com.old.Bet"])
    moved = record(A, name="com.new.Bet")
    assert check_compatibility("BACKWARD", renamed, [old]) == []
    assert check_compatibility("BACKWARD", moved, [old]) == []  # short names match
    assert check_compatibility("BACKWARD", record(A, name="Wager"), [old]) != []


def test_field_alias() -> None:
    old = record({"name": "amount", "type": "double"})
    new = record({"name": "stake", "type": "double", "aliases": ["amount"]})
    assert check_compatibility("BACKWARD", new, [old]) == []
    assert check_compatibility("FORWARD", new, [old]) != []


def test_arrays_and_maps_recurse() -> None:
    old = parse_schema("AVRO", '{"type":"map","values":{"type":"array","items":"int"}}')
    new = parse_schema("AVRO", '{"type":"map","values":{"type":"array","items":"long"}}')
    assert check_compatibility("FULL", new, [old]) == [
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/values/items') of a field in "
        "the old schema does not match with the new schema', additionalInfo:'reader type: INT "
        "not compatible with writer type: LONG'}"]


def test_recursive_schema_terminates() -> None:
    linked = ('{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},'
              '{"name":"next","type":["null","Node"],"default":null}]}')
    a, b = parse_schema("AVRO", linked), parse_schema("AVRO", linked.replace('"int"', '"long"'))
    assert check_compatibility("FULL", a, [a]) == []
    assert check_compatibility("BACKWARD", b, [a]) == []
    assert check_compatibility("FORWARD", b, [a]) != []


def test_different_schema_types() -> None:
    assert check_compatibility("BACKWARD", parse_schema("JSON", '{"type":"string"}'),
                               [V1]) == ["Incompatible because of different schema type"]


def test_unknown_level() -> None:
    with pytest.raises(ValueError, match="Unknown compatibility level"):
        check_compatibility("SIDEWAYS", V1, [V1])


PRIMS = st.sampled_from(["null", "boolean", "int", "long", "float", "double", "bytes", "string"])


@st.composite
def avro_types(draw: st.DrawFn, depth: int = 0) -> Any:
    kind = draw(st.sampled_from(["prim", "prim", "array", "map", "union"] if depth < 2
                                else ["prim"]))
    if kind == "prim":
        return draw(PRIMS)
    if kind == "array":
        return {"type": "array", "items": draw(avro_types(depth + 1))}
    if kind == "map":
        return {"type": "map", "values": draw(avro_types(depth + 1))}
    return ["null", draw(PRIMS.filter(lambda p: p != "null"))]


@settings(max_examples=60, deadline=None)
@given(avro_types(), avro_types())
def test_every_schema_is_fully_compatible_with_itself(a: Any, b: Any) -> None:
    schema = record({"name": "x", "type": a}, {"name": "y", "type": b})
    assert check_compatibility("FULL_TRANSITIVE", schema, [schema, schema]) == []


@settings(max_examples=60, deadline=None)
@given(avro_types())
def test_adding_an_optional_field_is_full_compatible(extra: Any) -> None:
    base = record(A)
    optional = ["null", extra] if not isinstance(extra, list) and extra != "null" else "null"
    grown = record(A, {"name": "z", "type": optional, "default": None})
    assert check_compatibility("FULL", grown, [base]) == []


def test_field_matching_two_writer_fields_by_name_and_alias_is_incompatible() -> None:
    old = record({"name": "stake", "type": "double"}, {"name": "amount", "type": "double"},
                 name="Bet")
    new = record({"name": "stake", "type": "double", "aliases": ["amount"]}, name="Bet")
    assert check_compatibility("BACKWARD", new, [old]) == [
        "Unexpected exception during compatibility check: Reader record field stake "
        "type:DOUBLE pos:0 matches multiple fields in writer record schema "
        '{"type":"record","name":"Bet","fields":[{"name":"stake","type":"double"},'
        '{"name":"amount","type":"double"}]}']
    assert check_compatibility("FORWARD", new, [old]) != []  # old lacks a default for amount


def test_plain_reader_reports_each_bad_writer_union_branch_as_its_own_error() -> None:
    old = record({"name": "odds", "type": ["int", "string"]}, name="Bet")
    new = record({"name": "odds", "type": "long"}, name="Bet")
    assert check_compatibility("BACKWARD", new, [old]) == [
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type/1') of a field "
        "in the new schema does not match with the old schema', additionalInfo:'reader type: "
        "LONG not compatible with writer type: STRING'}"]


def test_enum_default_does_not_stand_in_for_a_missing_field_default() -> None:
    status = {"type": "enum", "name": "Status", "symbols": ["OPEN", "SETTLED"],
              "default": "OPEN"}
    old = record(A, name="Bet")
    new = record(A, {"name": "status", "type": status}, name="Bet")
    assert check_compatibility("BACKWARD", new, [old]) == [
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/1/type') of a field "
        "in the new schema does not match with the old schema', additionalInfo:'reader type: "
        "ENUM not compatible with writer type: RECORD'}"]
    with_default = record(A, {"name": "status", "type": status, "default": "OPEN"}, name="Bet")
    assert check_compatibility("BACKWARD", with_default, [old]) == []


def _stake(amount_type: str) -> dict[str, Any]:
    return {"type": "record", "name": "Stake", "fields": [{"name": "amount", "type": amount_type}]}


def _type_mismatch_at(path: str) -> str:
    return ("{errorType:'TYPE_MISMATCH', description:'The type (path '" + path + "') of a field "
            "in the new schema does not match with the old schema', additionalInfo:'reader type: "
            "STRING not compatible with writer type: DOUBLE'}")


def test_named_type_reached_twice_repeats_its_first_location_as_avro_java_does() -> None:
    # Avro Java remembers a (reader, writer) pair's result, locations included, so the second
    # field that reuses the named type reports the first field's path again.
    old = record({"name": "back", "type": _stake("double")}, {"name": "lay", "type": "Stake"},
                 name="Bet")
    new = record({"name": "back", "type": _stake("string")}, {"name": "lay", "type": "Stake"},
                 name="Bet")
    first = _type_mismatch_at("/fields/0/type/fields/0/type")
    assert check_compatibility("BACKWARD", new, [old]) == [first, first]


def test_pair_first_met_in_a_union_probe_keeps_its_root_relative_location() -> None:
    # Java probes union branches from the root; a later direct visit reuses that result.
    old = record({"name": "back", "type": _stake("double")}, {"name": "lay", "type": "Stake"},
                 name="Bet")
    new = record({"name": "back", "type": ["null", _stake("string")]},
                 {"name": "lay", "type": "Stake"}, name="Bet")
    assert check_compatibility("BACKWARD", new, [old]) == [
        "{errorType:'MISSING_UNION_BRANCH', description:'The new schema is missing a type inside "
        "a union field at path '/fields/0/type' in the old schema', additionalInfo:'reader union "
        "lacking writer type: RECORD'}",
        _type_mismatch_at("/fields/0/type")]
