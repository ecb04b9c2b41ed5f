"""Soft and permanent deletes of subjects and versions, and the deleted/deletedOnly views."""

from __future__ import annotations

import pytest
from tests.registry.schemas import OTHER, USER_BAD, USER_V1, USER_V2

from tote.core.errors import ToteError
from tote.registry import Registry


def error_of(excinfo: pytest.ExceptionInfo[ToteError]) -> tuple[int, str]:
    return excinfo.value.error_code, excinfo.value.message


def test_soft_delete_subject_hides_it_but_keeps_ids(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    registry.register("users-value", USER_V2)
    assert registry.delete_subject("users-value") == [1, 2]
    assert registry.subjects() == []
    assert registry.subjects(deleted=True) == ["users-value"]
    assert registry.subjects(deleted_only=True) == ["users-value"]
    assert registry.versions("users-value", deleted=True) == [1, 2]
    assert registry.versions("users-value", deleted_only=True) == [1, 2]
    with pytest.raises(ToteError) as gone:
        registry.versions("users-value")
    assert error_of(gone) == (40401, "Subject 'users-value' not found.")
    assert registry.get_version("users-value", 1, deleted=True).deleted is True
    assert registry.get_schema(2).schema == USER_V2  # ids stay resolvable
    assert registry.subjects_for_id(2) == []
    assert registry.subjects_for_id(2, deleted=True) == ["users-value"]


def test_soft_delete_twice_is_40404(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    registry.delete_subject("users-value")
    with pytest.raises(ToteError) as excinfo:
        registry.delete_subject("users-value")
    assert error_of(excinfo) == (
        40404, "Subject 'users-value' was soft deleted.Set permanent=true to delete permanently")


def test_permanent_delete_needs_soft_delete_first(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    with pytest.raises(ToteError) as excinfo:
        registry.delete_subject("users-value", permanent=True)
    assert error_of(excinfo) == (
        40405, "Subject 'users-value' was not deleted first before being permanently deleted")
    registry.delete_subject("users-value")
    assert registry.delete_subject("users-value", permanent=True) == [1]
    assert registry.subjects(deleted=True) == []
    with pytest.raises(ToteError) as gone:
        registry.get_schema(1)
    assert error_of(gone) == (40403, "Schema 1 not found")
    with pytest.raises(ToteError) as unknown:
        registry.delete_subject("users-value", permanent=True)
    assert error_of(unknown) == (40401, "Subject 'users-value' not found.")


def test_ids_are_never_reused_and_versions_restart_after_hard_delete(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    registry.register("users-value", USER_V2)
    registry.delete_subject("users-value")
    registry.delete_subject("users-value", permanent=True)
    again = registry.register("users-value", USER_BAD)
    assert (again.id, again.version) == (3, 1)
    # A schema whose id was forgotten (every use hard-deleted) gets a fresh id.
    fresh = registry.register("users-value", USER_V1)
    assert (fresh.id, fresh.version) == (4, 2)


def test_reregistering_after_soft_delete_gets_next_version_same_id(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    registry.delete_subject("users-value")
    # Compatibility is not checked against deleted versions, numbering continues.
    again = registry.register("users-value", USER_V1)
    assert (again.id, again.version) == (1, 2)
    assert registry.versions("users-value", deleted=True) == [2]  # old v1 was tombstoned
    with pytest.raises(ToteError) as excinfo:  # checked against the live v2 again
        registry.register("users-value", USER_BAD)
    assert excinfo.value.error_code == 409


def test_soft_delete_version(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    registry.register("users-value", USER_V2)
    assert registry.delete_version("users-value", "latest") == 2
    assert registry.versions("users-value") == [1]
    assert registry.get_version("users-value", "latest").version == 1
    with pytest.raises(ToteError) as again:
        registry.delete_version("users-value", 2)
    assert error_of(again) == (
        40406, "Subject 'users-value' Version 2 was soft deleted.Set permanent=true to delete "
               "permanently")
    with pytest.raises(ToteError) as hard_first:
        registry.delete_version("users-value", 1, permanent=True)
    assert error_of(hard_first) == (
        40407, "Subject 'users-value' Version 1 was not deleted first before being permanently "
               "deleted")
    assert registry.delete_version("users-value", 2, permanent=True) == 2
    assert registry.versions("users-value", deleted=True) == [1]
    # Numbering continues after the highest version ever used while any version remains.
    assert registry.register("users-value", USER_V2).version == 2


def test_delete_version_errors(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    with pytest.raises(ToteError) as subject:
        registry.delete_version("nobody", 1)
    assert error_of(subject) == (40401, "Subject 'nobody' not found.")
    with pytest.raises(ToteError) as version:
        registry.delete_version("users-value", 9)
    assert error_of(version) == (40402, "Version 9 not found.")
    with pytest.raises(ToteError) as invalid:
        registry.delete_version("users-value", "zero")
    assert invalid.value.error_code == 42202


def test_deleting_last_version_permanently_clears_subject_settings(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    registry.set_config("users-value", "FULL")
    registry.set_mode("users-value", "READWRITE")
    registry.delete_version("users-value", 1)
    assert registry.get_config("users-value").compatibility_level == "FULL"
    registry.delete_version("users-value", 1, permanent=True)
    for getter, code in ((registry.get_config, 40408), (registry.get_mode, 40409)):
        with pytest.raises(ToteError) as excinfo:
            getter("users-value")
        assert excinfo.value.error_code == code


def test_deleted_views_of_subjects(registry: Registry) -> None:
    registry.register("live-value", USER_V1)
    registry.register("half-value", OTHER)
    registry.register("half-value", avro_other_v2())
    registry.delete_version("half-value", 1)
    registry.register("gone-value", USER_V2)
    registry.delete_subject("gone-value")
    assert registry.subjects() == ["half-value", "live-value"]
    assert registry.subjects(deleted=True) == ["gone-value", "half-value", "live-value"]
    assert registry.subjects(deleted_only=True) == ["gone-value"]
    assert registry.subjects(deleted=True, deleted_only=True) == ["gone-value"]
    assert registry.versions("half-value") == [2]
    assert registry.versions("half-value", deleted=True) == [1, 2]
    assert registry.versions("half-value", deleted_only=True) == [1]
    assert registry.subjects(prefix="h") == ["half-value"]


def avro_other_v2() -> str:
    from tests.registry.schemas import avro_record

    return avro_record("Other", ("x", "int"), ("y", "int", 0))
