"""The fast flat-record Avro encoder writes exactly fastavro's bytes, and refuses (for the
general encoder to explain) whatever it does not take as is."""

from __future__ import annotations

import io
import json
from typing import Any

import fastavro
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tote.serde.avro_flat import FlatEncodeError, Notes, flat_encoder, flat_statements
from tote.serde.avro_schema import AvroSchema
from tote.serde.codegen import Source

KINDS = {
    "int": st.integers(-(1 << 31), (1 << 31) - 1),
    "long": st.integers(-(1 << 63), (1 << 63) - 1),
    "double": st.floats(allow_nan=False),
    "float": st.floats(width=32, allow_nan=False),
    "string": st.text(),
    "bytes": st.binary(),
    "boolean": st.booleans(),
}


def _schema(fields: list[tuple[str, bool]]) -> dict[str, Any]:
    return {"type": "record", "name": "R", "fields": [
        {"name": f"F{i}", "type": ["null", kind] if null_first else [kind, "null"]}
        for i, (kind, null_first) in enumerate(fields)]}


def _fastavro(schema: dict[str, Any], values: list[Any]) -> bytes:
    out = io.BytesIO()
    datum = {f"F{i}": v for i, v in enumerate(values)}
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), datum)
    return out.getvalue()


@st.composite
def _rows(draw: st.DrawFn) -> tuple[dict[str, Any], list[Any]]:
    fields = draw(st.lists(st.tuples(st.sampled_from(sorted(KINDS)), st.booleans()),
                           min_size=1, max_size=6))
    values = [draw(st.none() | KINDS[kind]) for kind, _ in fields]
    return _schema(fields), values


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rows())
def test_bytes_equal_fastavros(row: tuple[dict[str, Any], list[Any]]) -> None:
    schema, values = row
    encode = flat_encoder(AvroSchema.of(json.dumps(schema)).node)
    assert encode is not None
    assert encode(values) == _fastavro(schema, values)


@st.composite
def _array_rows(draw: st.DrawFn) -> tuple[dict[str, Any], list[Any]]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    nullable_items = draw(st.booleans())
    items: Any = ["null", kind] if nullable_items else kind
    schema = {"type": "record", "name": "R", "fields": [
        {"name": "F0", "type": ["null", {"type": "array", "items": items}]}]}
    element = st.none() | KINDS[kind] if nullable_items else KINDS[kind]
    return schema, [draw(st.none() | st.lists(element, max_size=5))]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_array_rows())
def test_arrays_of_primitives_encode_as_fastavro_does(row: tuple[dict[str, Any], list[Any]]
                                                      ) -> None:
    schema, values = row
    encode = flat_encoder(AvroSchema.of(json.dumps(schema)).node)
    assert encode is not None
    assert encode(values) == _fastavro(schema, values)


def test_a_null_item_of_an_array_of_plain_items_is_refused() -> None:
    schema = {"type": "record", "name": "R", "fields": [
        {"name": "A", "type": ["null", {"type": "array", "items": "long"}]}]}
    encode = flat_encoder(AvroSchema.of(json.dumps(schema)).node)
    assert encode is not None
    with pytest.raises(FlatEncodeError):
        encode([[1, None]])


def test_other_schemas_have_no_fast_encoder() -> None:
    nested = {"type": "record", "name": "R", "fields": [
        {"name": "A", "type": ["null", {"type": "array", "items": {
            "type": "array", "items": "int"}}]}]}
    logical = {"type": "record", "name": "R", "fields": [
        {"name": "D", "type": ["null", {"type": "int", "logicalType": "date"}]}]}
    plain = {"type": "record", "name": "R", "fields": [{"name": "I", "type": "int"}]}
    for schema in (nested, logical, plain):
        assert flat_encoder(AvroSchema.of(json.dumps(schema)).node) is None


@pytest.mark.parametrize("value", [1 << 31, "7", 1.5, True])
def test_values_it_does_not_take_are_refused(value: Any) -> None:
    encode = flat_encoder(AvroSchema.of(json.dumps(_schema([("int", True)]))).node)
    assert encode is not None
    with pytest.raises(FlatEncodeError):
        encode([value])


@pytest.mark.parametrize("kind,value", [
    ("string", "x" * 63), ("string", "é" * 32), ("string", "x" * 64), ("string", "y" * 300),
    ("long", -64), ("long", 63), ("long", 64), ("long", -65), ("int", -64), ("int", 64)])
def test_inlined_strings_and_small_numbers_at_their_edges(kind: str, value: Any) -> None:
    schema = _schema([(kind, True), (kind, False)])
    encode = flat_encoder(AvroSchema.of(json.dumps(schema)).node)
    assert encode is not None
    assert encode([value, value]) == _fastavro(schema, [value, value])


def test_remembered_longs_write_the_same_bytes_and_refuse_what_they_refused() -> None:
    """Long varints are remembered across encoders: a second write of the same values
    gives fastavro's bytes again, and a long remembered from a BIGINT field does not let
    an out-of-range value into an INT field, nor a bool into a long one."""
    schema = _schema([("long", True), ("long", False), ("int", True)])
    encode = flat_encoder(AvroSchema.of(json.dumps(schema)).node)
    assert encode is not None
    for values in ([1_700_000_000_123, -(1 << 63), 5_000], [1_700_000_000_123, (1 << 63) - 1,
                                                               5_000]):
        assert encode(values) == encode(values) == _fastavro(schema, values)
    with pytest.raises(FlatEncodeError):
        encode([1, 1, 1 << 40])
    encode([1 << 40, 1, 1])  # now remembered as a long...
    with pytest.raises(FlatEncodeError):
        encode([1, 1, 1 << 40])  # ...and still not an INT
    with pytest.raises(FlatEncodeError):
        encode([True, 1, 1])
    with pytest.raises(FlatEncodeError):
        encode([1 << 63, 1, 1])


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rows(), st.binary(max_size=5), st.booleans())
def test_a_prefix_and_runs_of_doubles_write_fastavros_bytes(
        row: tuple[dict[str, Any], list[Any]], prefix: bytes, floats_only: bool) -> None:
    """Consecutive doubles are written together; a record of doubles alone with its
    prefix in one go: the bytes are fastavro's after the prefix all the same."""
    schema, values = row
    schema["fields"] = [{"name": f["name"], "type": f["type"] if i % 2 else (
        ["null", "double"] if f["type"][0] == "null" else ["double", "null"])}
        for i, f in enumerate(schema["fields"])]
    values = [v if i % 2 or v is None else float(hash(repr(v)) % 1000) / 8
              for i, v in enumerate(values)]
    encode = flat_encoder(AvroSchema.of(json.dumps(schema)).node, prefix, floats_only)
    assert encode is not None
    assert encode(values) == prefix + _fastavro(schema, values)


@pytest.mark.parametrize("fields,values", [
    ([("double", True)], [3]), ([("double", False), ("double", True)], [2.5, 3]),
    ([("int", True), ("double", True), ("double", False)], [1, 2.5, 3])])
def test_floats_only_refuses_an_int_for_a_double(fields: list[tuple[str, bool]],
                                                 values: list[Any]) -> None:
    """An int written as a double decodes as a float: `floats_only` encoders refuse it
    (for a caller that must know its rows read back as they are), others write it."""
    schema = _schema(fields)
    strict = flat_encoder(AvroSchema.of(json.dumps(schema)).node, b"\x00", True)
    lenient = flat_encoder(AvroSchema.of(json.dumps(schema)).node, b"\x00")
    assert strict is not None and lenient is not None
    with pytest.raises(FlatEncodeError):
        strict(values)
    assert lenient(values) == b"\x00" + _fastavro(schema, values)
    floats = [*values[:-1], float(values[-1])]
    assert strict(floats) == lenient(floats) == b"\x00" + _fastavro(schema, floats)


def test_a_refused_row_goes_to_the_fallback_and_a_written_one_is_noted() -> None:
    """Given a fallback, the encoder returns what the fallback makes of a row it does not
    take; given notes, each datum it writes is noted by its id with the values (the
    notes emptied when full), and nothing is noted for a refused row."""
    schema = _schema([("long", True), ("double", True)])
    rows: dict[int, Any] = {}
    encode = flat_encoder(AvroSchema.of(json.dumps(schema)).node, b"\x00", True,
                          fallback=lambda values: ("fallback", values),
                          notes=Notes(rows, "tag", 2))
    assert encode is not None
    assert encode([1, 2]) == ("fallback", [1, 2])
    assert encode(["1", 2.0]) == ("fallback", ["1", 2.0])
    assert encode([1]) == ("fallback", [1])
    assert rows == {}
    written = [encode(values) for values in ([1, 2.0], [None, None], [3, 0.5])]
    assert written == [b"\x00" + _fastavro(schema, values)
                       for values in ([1, 2.0], [None, None], [3, 0.5])]
    assert rows == {id(written[2]): (written[2], "tag", [3, 0.5], ())}


@st.composite
def _led_rows(draw: st.DrawFn) -> tuple[dict[str, Any], list[Any]]:
    """A record of an int or long, then doubles (written in one pack when the values are
    an int and floats), with values that go either way."""
    lead = draw(st.sampled_from(["int", "long"]))
    doubles = draw(st.integers(1, 4))
    fields = [(lead, draw(st.booleans()))] + [("double", draw(st.booleans()))
                                              for _ in range(doubles)]
    key = st.none() | st.booleans() | st.integers(-(1 << 64), 1 << 64) | st.integers(-70, 70)
    amount = st.none() | st.floats() | st.integers(-(1 << 40), 1 << 40)
    return _schema(fields), [draw(key)] + [draw(amount) for _ in range(doubles)]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_led_rows(), st.binary(max_size=5), st.booleans())
def test_an_int_then_doubles_writes_fastavros_bytes_or_refuses_as_field_by_field(
        row: tuple[dict[str, Any], list[Any]], prefix: bytes, floats_only: bool) -> None:
    """A record led by an int or long then doubles writes fastavro's bytes after the
    prefix, again and again (its head is remembered per value), and refuses exactly the
    values the field-by-field code refuses: a bool or an out-of-range number for the
    int, an int for a double with `floats_only`."""
    schema, values = row
    encode = flat_encoder(AvroSchema.of(json.dumps(schema)).node, prefix, floats_only)
    assert encode is not None
    bits = 31 if "int" in schema["fields"][0]["type"] else 63
    key = values[0]
    refused = (type(key) is bool or (type(key) is int and not -(1 << bits) <= key < 1 << bits)
               or (floats_only and any(type(v) is int for v in values[1:])))
    for _ in range(2):
        if refused:
            with pytest.raises(FlatEncodeError):
                encode(values)
        else:
            assert encode(values) == prefix + _fastavro(schema, values)


def test_remembered_heads_are_bounded_and_still_write_the_same_bytes() -> None:
    """The heads of int-led records are remembered per value up to a bound, then
    forgotten and learnt again: the bytes stay fastavro's throughout."""
    from tote.serde.avro_flat import _LEAD_LIMIT
    schema = _schema([("long", True), ("double", False)])
    encode = flat_encoder(AvroSchema.of(json.dumps(schema)).node, b"\x00\x00\x00\x00\x01")
    assert encode is not None
    for key in [*range(_LEAD_LIMIT + 10), 5, _LEAD_LIMIT + 3, 1 << 40]:
        values = [key, key / 4]
        data = encode(values)
        if key % 997 == 5 or key >= _LEAD_LIMIT:
            assert data == b"\x00\x00\x00\x00\x01" + _fastavro(schema, values)


@st.composite
def _any_rows(draw: st.DrawFn) -> tuple[dict[str, Any], list[Any]]:
    """Records of any flat fields, doubles often (runs of them, a record of doubles
    alone, an int then doubles), with values of any kind for any field."""
    kinds = st.sampled_from(["double", "double", "double", "int", "long", "string",
                             "boolean", "float", "bytes"])
    fields = draw(st.lists(st.tuples(kinds, st.booleans()), min_size=1, max_size=5))
    if draw(st.booleans()):
        fields[0] = (draw(st.sampled_from(["int", "long"])), fields[0][1])
        fields[1:] = [("double", null_first) for _, null_first in fields[1:]]
    other = (st.none() | st.floats() | st.integers(-(1 << 64), 1 << 64)
             | st.integers(-70, 70) | st.text(max_size=3) | st.booleans())
    return _schema(fields), [draw(KINDS[kind] | KINDS[kind] | other) for kind, _ in fields]


def _outcome(encode: Any, values: list[Any]) -> Any:
    try:
        return encode(values)
    except (FlatEncodeError, UnicodeEncodeError) as exc:
        return type(exc)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_any_rows(), st.binary(max_size=5), st.booleans())
def test_the_statements_form_writes_or_refuses_as_the_encoder(
        row: tuple[dict[str, Any], list[Any]], prefix: bytes, floats_only: bool) -> None:
    """`flat_statements` inside code of the caller's (its constants with the caller's,
    its datum left in a variable the code goes on with) writes the encoder's bytes and
    refuses what it refuses, twice over (the heads of int-led records remembered)."""
    schema, values = row
    node = AvroSchema.of(json.dumps(schema)).node
    encode = flat_encoder(node, prefix, floats_only)
    src = Source({"mark": "after"})
    src.emit(0, "def write(row):")
    assert flat_statements(node, src, "row", "out", prefix=prefix, floats_only=floats_only)
    src.emit(1, "return mark, out")
    namespace = dict(src.env)
    exec("\n".join(src.lines), namespace)
    for _ in range(2):
        expected = _outcome(encode, values)
        found = _outcome(namespace["write"], values)
        assert found == (expected if isinstance(expected, type) else ("after", expected))


def test_the_statements_form_refuses_other_schemas_and_names_taken() -> None:
    """Nothing is emitted for a schema the encoder does not take; a caller's constant
    under one of the encoder's names is refused rather than shadowed."""
    src = Source({})
    nested = {"type": "record", "name": "R", "fields": [{"name": "A", "type": "string"}]}
    assert not flat_statements(AvroSchema.of(json.dumps(nested)).node, src, "row", "out")
    assert src.lines == []
    taken = Source({"_join": "".join})
    with pytest.raises(ValueError):
        flat_statements(AvroSchema.of(json.dumps(_schema([("int", True)]))).node, taken,
                        "row", "out")
