"""Protobuf schemas: parse, store the text, normalise, and flag wire-breaking changes."""

from __future__ import annotations

import pytest

from tote.serde.errors import InvalidSchema
from tote.serde.protobuf_schema import ProtobufSchema
from tote.serde.schemas import check_compatibility, parse_schema

BET = """syntax = "proto3";
package tote;
// a bet
message Bet { int32 runner_id = 1; int32 race_id = 2; double amount = 3;
  oneof payment { string card = 4; string cash = 5; }
  map<string, string> tags = 6;
  Slip slip = 7;
  message Slip { repeated int64 legs = 1 [packed = true]; }
}
message Other { bool flag = 1; }
"""


def test_canonical_is_the_text_normalized_is_the_wire_layout() -> None:
    schema = parse_schema("PROTOBUF", BET)
    assert isinstance(schema, ProtobufSchema)
    assert schema.canonical() == BET
    assert schema.message_names() == ["Bet", "Other"]
    assert schema.normalized() == """syntax = "proto3";
package tote;

message Bet {
  int32 runner_id = 1;
  int32 race_id = 2;
  double amount = 3;
  map<string, string> tags = 6;
  Slip slip = 7;

  oneof payment {
    string card = 4;
    string cash = 5;
  }

  message Slip {
    repeated int64 legs = 1 [packed = true];
  }
}

message Other {
  bool flag = 1;
}
"""


def test_ksqldb_default_schema_normalizes_to_itself() -> None:
    text = 'syntax = "proto3";\n\nmessage ConfluentDefault1 {\n  bytes b = 1;\n}\n'
    assert parse_schema("PROTOBUF", text).normalized() == text


@pytest.mark.parametrize(("text", "detail"), [
    ("message A { int32 a = 1; string b = 1; }",
     "field number 1 is used by both 'a' and 'b' in message A"),
    ("message A { int32 a = 0; }", "field 'a' has invalid number 0"),
    ("message A { Missing m = 1; }", "field 'm' of message A has unknown type Missing"),
    ('import "other.proto";\nmessage A {}', 'import "other.proto" is not a reference'),
    ("message A { int32 a = 1 }", "expected ';' but found '}'"),
    ('syntax = "proto4";', "unknown syntax 'proto4'"),
])
def test_invalid(text: str, detail: str) -> None:
    with pytest.raises(InvalidSchema) as info:
        parse_schema("PROTOBUF", text)
    assert info.value.error_code == 42201
    assert info.value.message.endswith(f"details: {detail}")


def test_imports_resolve_through_references() -> None:
    other = 'syntax = "proto3";\npackage common;\nmessage Money { int64 pence = 1; }\n'
    text = ('syntax = "proto3";\nimport "money.proto";\nimport "google/protobuf/timestamp.proto";'
            '\nmessage Bet { common.Money stake = 1; google.protobuf.Timestamp at = 2; }\n')
    assert parse_schema("PROTOBUF", text, {"money.proto": other}).canonical() == text


def _messages(new: str, old: str, level: str = "BACKWARD") -> list[str]:
    return check_compatibility(level, parse_schema("PROTOBUF", new),
                               [parse_schema("PROTOBUF", old)])


def test_compatible_evolution() -> None:
    renamed = BET.replace("int32 race_id = 2", "int32 race = 2")
    added = BET.replace("bool flag = 1;", "bool flag = 1; string note = 2;")
    assert _messages(renamed, BET, "FULL") == []
    assert _messages(added, BET, "FULL") == []


def test_scalar_kind_change() -> None:
    changed = BET.replace("int32 race_id = 2", "string race_id = 2")
    assert _messages(changed, BET) == [
        '{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at path '
        "'#/Bet/2' in the new schema does not match its kind in the old schema\"}"]
    same_kind = BET.replace("int32 race_id = 2", "int64 race_id = 2")
    assert _messages(same_kind, BET) == []


def test_kind_and_message_type_changes() -> None:
    to_message = BET.replace("double amount = 3", "Slip amount = 3")
    assert [m.split('"')[1] for m in _messages(to_message, BET)] == ["FIELD_KIND_CHANGED"]
    other_type = BET.replace("Slip slip = 7", "Other slip = 7")
    assert [m.split('"')[1] for m in _messages(other_type, BET)] == ["FIELD_NAMED_TYPE_CHANGED"]


def test_removed_message_and_oneof_field() -> None:
    removed = BET.replace("message Other { bool flag = 1; }\n", "")
    assert _messages(removed, BET) == [
        '{errorType:"MESSAGE_REMOVED", description:"The new schema is missing a MESSAGE type at '
        "path '#/Other' in the old schema\"}"]
    assert _messages(BET, removed) == []
    no_cash = BET.replace(" string cash = 5;", "")
    assert [m.split('"')[1] for m in _messages(no_cash, BET)] == ["ONEOF_FIELD_REMOVED"]


def test_required_fields_proto2() -> None:
    old = 'syntax = "proto2";\nmessage A { required int32 a = 1; optional int32 b = 2; }\n'
    new = 'syntax = "proto2";\nmessage A { optional int32 b = 2; }\n'
    assert [m.split('"')[1] for m in _messages(new, old)] == ["REQUIRED_FIELD_REMOVED"]
    assert [m.split('"')[1] for m in _messages(old, new)] == ["REQUIRED_FIELD_ADDED"]
    label = 'syntax = "proto2";\nmessage A { required int32 a = 1; repeated int32 b = 2; }\n'
    assert [m.split('"')[1] for m in _messages(label, old)] == ["FIELD_NUMERIC_LABEL_CHANGED"]


def test_package_change() -> None:
    moved = BET.replace("package tote;", "package tote.v2;")
    assert [m.split('"')[1] for m in _messages(moved, BET)] == ["PACKAGE_CHANGED"]


def test_nested_message_shadows_outer_enum() -> None:
    # Inside Bet, `Status` names the nested message, not the top-level enum: int32 -> message.
    old = ('syntax = "proto3";\nenum Status { OPEN = 0; SETTLED = 1; }\n'
           'message Bet { int32 id = 1; int32 status = 2; }\n')
    new = ('syntax = "proto3";\nenum Status { OPEN = 0; SETTLED = 1; }\n'
           'message Bet { int32 id = 1; Status status = 2; message Status { bool open = 1; } }\n')
    assert [m.split('"')[1] for m in _messages(new, old)] == ["FIELD_KIND_CHANGED"]
    as_enum = old.replace("int32 status = 2", "Status status = 2")
    assert _messages(as_enum, old, "FULL") == []


MONEY = 'syntax = "proto3";\npackage common;\nmessage Money { int64 pence = 1; }\n'
STAKED = ('syntax = "proto3";\nimport "money.proto";\n'
          'message Bet { common.Money stake = 1; }\n')


def _with_money(new_money: str, level: str = "BACKWARD") -> list[str]:
    return check_compatibility(level, parse_schema("PROTOBUF", STAKED, {"money.proto": new_money}),
                               [parse_schema("PROTOBUF", STAKED, {"money.proto": MONEY})])


def test_imported_message_change_breaks_the_field_using_it() -> None:
    assert _with_money(MONEY.replace("int64 pence", "string pence")) == [
        '{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at path '
        "'#/Money/1' in the new schema does not match its kind in the old schema\"}",
        '{errorType:"FIELD_NAMED_TYPE_CHANGED", description:"The type of a MESSAGE field at path '
        "'#/Bet/1' in the new schema does not match its type in the old schema\"}"]
    added = MONEY.replace("int64 pence = 1;", "int64 pence = 1; string currency = 2;")
    assert _with_money(added, "FULL") == []
