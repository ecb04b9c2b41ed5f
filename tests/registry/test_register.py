"""Registration through the library: ids, versions, idempotency, compatibility, normalize."""

from __future__ import annotations

import json

import pytest
from tests.registry.schemas import JSON_SCHEMA, OTHER, USER_BAD, USER_V1, USER_V2, avro_record

from tote.core.errors import ToteError
from tote.registry import Registry, SchemaRequest, SchemaVersion
from tote.serde.schemas import SchemaType


def error_of(excinfo: pytest.ExceptionInfo[ToteError]) -> tuple[int, str]:
    return excinfo.value.error_code, excinfo.value.message


def test_first_schema_gets_id_1_and_version_1(registry: Registry) -> None:
    assert registry.register("users-value", USER_V1) == SchemaVersion(
        "users-value", 1, 1, USER_V1, SchemaType.AVRO)
    assert registry.get_schema(1).schema == USER_V1
    assert registry.versions("users-value") == [1]
    assert registry.subjects() == ["users-value"]


def test_registration_is_idempotent(registry: Registry) -> None:
    first = registry.register("users-value", USER_V1)
    again = registry.register("users-value", " " + USER_V1.replace(",", ", ") + "\n")
    assert again == first
    assert registry.versions("users-value") == [1]


def test_same_schema_under_another_subject_reuses_the_id(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    registry.register("other-value", OTHER)
    reused = registry.register("people-value", USER_V1)
    assert (reused.id, reused.version) == (1, 1)
    assert registry.subjects_for_id(1) == ["people-value", "users-value"]
    assert [(v.subject, v.version) for v in registry.versions_for_id(1)] == [
        ("people-value", 1), ("users-value", 1)]


def test_new_versions_and_ids_count_up(registry: Registry) -> None:
    assert registry.register("users-value", USER_V1).id == 1
    assert registry.register("other-value", OTHER).id == 2
    v2 = registry.register("users-value", USER_V2)
    assert (v2.id, v2.version) == (3, 2)
    assert registry.get_version("users-value", "latest").schema == USER_V2
    assert registry.get_version("users-value", -1).version == 2
    assert registry.get_version("users-value", 1).schema == USER_V1
    assert registry.get_schema(3, fetch_max_id=True).max_id == 3


def test_incompatible_schema_is_409_with_confluents_message(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    with pytest.raises(ToteError) as excinfo:
        registry.register("users-value", USER_BAD)
    code, message = error_of(excinfo)
    assert code == 409
    assert excinfo.value.http_status == 409
    assert message.startswith('Schema being registered is incompatible with an earlier schema '
                              'for subject "users-value", details: [')
    assert message.endswith("{compatibility: 'BACKWARD'}]")
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in message
    assert registry.versions("users-value") == [1]


def test_compatibility_none_accepts_anything(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    registry.set_config("users-value", "none")
    assert registry.register("users-value", USER_BAD).version == 2


def test_transitive_levels_check_every_live_version(registry: Registry) -> None:
    registry.set_config("r-value", "NONE")
    registry.register("r-value", avro_record("R", ("a", "int")))
    registry.register("r-value", avro_record("R", ("b", "int")))
    v3 = avro_record("R", ("b", "int"), ("c", "int", 0))  # fits v2, cannot read v1 data
    registry.set_config("r-value", "BACKWARD")
    assert registry.check_compatibility("r-value", v3, version=None).is_compatible is True
    registry.set_config("r-value", "backward_transitive")
    assert registry.get_config("r-value").compatibility_level == "BACKWARD_TRANSITIVE"
    assert registry.check_compatibility("r-value", v3, version=None).is_compatible is False
    # Against one named version the level's transitivity does not widen the check.
    assert registry.check_compatibility("r-value", v3, version=2).is_compatible is True
    with pytest.raises(ToteError) as excinfo:
        registry.register("r-value", v3)
    assert excinfo.value.error_code == 409
    assert excinfo.value.message.endswith("{compatibility: 'BACKWARD_TRANSITIVE'}]")


def test_invalid_schema_is_42201(registry: Registry) -> None:
    with pytest.raises(ToteError) as excinfo:
        registry.register("bad-value", '{"type":"record","name":"X","fields":[{"name":"a"}]}')
    code, message = error_of(excinfo)
    assert code == 42201
    assert message == ('Invalid schema {"type":"record","name":"X","fields":[{"name":"a"}]}, '
                       'details: No field type: {"name": "a"}')
    with pytest.raises(ToteError) as empty:
        registry.register("bad-value", "   ")
    assert error_of(empty) == (42201, "Empty schema")
    assert registry.subjects(deleted=True) == []


def test_json_schema_registration(registry: Registry) -> None:
    registered = registry.register("j-value", SchemaRequest(JSON_SCHEMA, SchemaType.JSON))
    assert (registered.id, registered.schema_type) == (1, SchemaType.JSON)
    assert registry.get_schema(1).schema_type is SchemaType.JSON
    # The same text as AVRO is a different schema (and not a valid Avro record).
    with pytest.raises(ToteError) as excinfo:
        registry.register("j2-value", SchemaRequest('{"type":"object"}', SchemaType.AVRO))
    assert excinfo.value.error_code == 42201


def test_normalize_stores_the_normalized_text(registry: Registry) -> None:
    text = '{"type":"record","namespace":"n","name":"User","fields":[{"name":"id","type":"long"}]}'
    registered = registry.register("n-value", text, normalize=True)
    assert registered.schema == ('{"name":"n.User","type":"record",'
                                 '"fields":[{"name":"id","type":"long"}]}')
    # A differently ordered but equivalent text finds it when normalizing.
    other = '{"name":"User","namespace":"n","type":"record","fields":[{"type":"long","name":"id"}]}'
    assert registry.register("n-value", other, normalize=True).version == 1
    assert registry.lookup("n-value", other, normalize=True).id == registered.id


def test_normalize_from_subject_config(registry: Registry) -> None:
    registry.set_config("n-value", normalize=True)
    text = '{"type":"record","namespace":"n","name":"User","fields":[{"name":"id","type":"long"}]}'
    assert registry.register("n-value", text).schema.startswith('{"name":"n.User"')
    assert registry.get_config("n-value").normalize is True


def test_invalid_subject_names_are_42208(registry: Registry) -> None:
    for bad in ("__GLOBAL", "a\x00b", "tab\there", ""):
        with pytest.raises(ToteError) as excinfo:
            registry.register(bad, USER_V1)
        assert error_of(excinfo) == (42208, f"The specified subject '{bad}' is not a valid.")


def test_lookup_finds_the_version_or_says_why_not(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    registry.register("users-value", USER_V2)
    found = registry.lookup("users-value", USER_V1)
    assert (found.subject, found.version, found.id) == ("users-value", 1, 1)
    with pytest.raises(ToteError) as missing_subject:
        registry.lookup("nobody", USER_V1)
    assert error_of(missing_subject) == (40401, "Subject 'nobody' not found.")
    with pytest.raises(ToteError) as missing_schema:
        registry.lookup("users-value", OTHER)
    assert error_of(missing_schema) == (40403, "Schema not found")
    with pytest.raises(ToteError) as invalid:
        registry.lookup("users-value", "{not json")
    assert invalid.value.error_code == 42201


def test_schema_not_found_by_id(registry: Registry) -> None:
    with pytest.raises(ToteError) as excinfo:
        registry.get_schema(7)
    assert error_of(excinfo) == (40403, "Schema 7 not found")
    with pytest.raises(ToteError) as by_subjects:
        registry.subjects_for_id(7)
    assert error_of(by_subjects) == (40403, "Schema not found")


@pytest.mark.parametrize(("version", "shown"), [
    ("0", "0"), (0, "0"), ("-2", "-2"), ("abc", "abc"), ("2147483648", "2147483648"),
    ("1.5", "1.5"), ("", ""), (True, "True"),
])
def test_bad_versions_are_42202(registry: Registry, version: object, shown: str) -> None:
    registry.register("users-value", USER_V1)
    with pytest.raises(ToteError) as excinfo:
        registry.get_version("users-value", version)  # type: ignore[arg-type]
    assert error_of(excinfo) == (
        42202, f"The specified version '{shown}' is not a valid version id. "
               'Allowed values are between [1, 2^31-1] and the string "latest"')


def test_missing_versions_and_subjects(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    with pytest.raises(ToteError) as version:
        registry.get_version("users-value", 2)
    assert error_of(version) == (40402, "Version 2 not found.")
    with pytest.raises(ToteError) as big:
        registry.get_version("users-value", "2147483647")
    assert error_of(big) == (40402, "Version 2147483647 not found.")
    with pytest.raises(ToteError) as subject:
        registry.get_version("nobody", "latest")
    assert error_of(subject) == (40401, "Subject 'nobody' not found.")
    with pytest.raises(ToteError) as versions:
        registry.versions("nobody")
    assert error_of(versions) == (40401, "Subject 'nobody' not found.")


def test_check_compatibility(registry: Registry) -> None:
    assert registry.check_compatibility("nobody", USER_V1).is_compatible is True
    registry.register("users-value", USER_V1)
    assert registry.check_compatibility("users-value", USER_V2).is_compatible is True
    bad = registry.check_compatibility("users-value", USER_BAD, verbose=True)
    assert bad.is_compatible is False
    assert bad.messages[-1] == "{compatibility: 'BACKWARD'}"
    all_versions = registry.check_compatibility("users-value", USER_BAD, version=None)
    assert all_versions.is_compatible is False
    with pytest.raises(ToteError) as missing:
        registry.check_compatibility("users-value", USER_V2, version=5)
    assert error_of(missing) == (40402, "Version 5 not found.")
    invalid = registry.check_compatibility("users-value", "{", verbose=True)
    assert invalid.is_compatible is False
    assert invalid.messages == ("Invalid schema {, details: Expecting property name enclosed in "
                                "double quotes at line 1 column 2",)
    with pytest.raises(ToteError) as not_verbose:
        registry.check_compatibility("users-value", "{")
    assert not_verbose.value.error_code == 42201


def test_schemas_listing_and_types(registry: Registry) -> None:
    registry.register("b-value", USER_V1)
    registry.register("b-value", USER_V2)
    registry.register("a-value", OTHER)
    assert [(v.subject, v.version) for v in registry.schemas()] == [
        ("a-value", 1), ("b-value", 1), ("b-value", 2)]
    assert [(v.subject, v.version) for v in registry.schemas(latest_only=True)] == [
        ("a-value", 1), ("b-value", 2)]
    assert [v.subject for v in registry.schemas(prefix="b")] == ["b-value", "b-value"]
    assert sorted(registry.schema_types()) == ["AVRO", "JSON", "PROTOBUF"]


def test_metadata_is_stored_and_matched(registry: Registry) -> None:
    registry.register("m-value", SchemaRequest(USER_V1, metadata={"properties": {"owner": "a"}}))
    registry.register("m-value", SchemaRequest(USER_V2, metadata={"properties": {"owner": "b"}}))
    assert registry.latest_with_metadata("m-value", {"owner": "a"}).version == 1
    assert registry.latest_with_metadata("m-value", {}).version == 2
    assert registry.get_version("m-value", 2).metadata == {"properties": {"owner": "b"}}
    with pytest.raises(ToteError) as none:
        registry.latest_with_metadata("m-value", {"owner": "c"})
    assert error_of(none) == (40403, "Schema not found")


def test_a_schema_too_large_for_the_topic_is_42209(registry: Registry) -> None:
    huge = json.dumps({"type": "record", "name": "Big", "doc": "x" * 1_100_000,
                       "fields": [{"name": "a", "type": "int"}]})
    with pytest.raises(ToteError) as excinfo:
        registry.register("big-value", huge)
    assert error_of(excinfo) == (42209, "Register operation failed because schema is too large")
    assert registry.register("small-value", USER_V1).id == 1


def test_schema_type_may_be_given_as_text(registry: Registry) -> None:
    registered = registry.register("j-value", SchemaRequest(JSON_SCHEMA, "json"))  # type: ignore[arg-type]
    assert registered.schema_type is SchemaType.JSON
    with pytest.raises(ToteError) as excinfo:
        registry.register("x-value", SchemaRequest(USER_V1, "XML"))  # type: ignore[arg-type]
    assert error_of(excinfo) == (42201, "Invalid schema type XML")
