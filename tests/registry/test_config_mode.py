"""Compatibility configs and modes: global and per subject, READONLY, IMPORT with explicit ids."""

from __future__ import annotations

import pytest
from tests.registry.schemas import OTHER, USER_BAD, USER_V1, USER_V2

from tote.core.errors import ToteError
from tote.registry import ConfigInfo, Mode, Registry, SchemaRequest
from tote.registry.models import CompatibilityLevel


def error_of(excinfo: pytest.ExceptionInfo[ToteError]) -> tuple[int, str]:
    return excinfo.value.error_code, excinfo.value.message


def test_default_global_config_is_backward(registry: Registry) -> None:
    assert registry.get_config() == ConfigInfo(CompatibilityLevel.BACKWARD)


def test_global_config_set_get_delete(registry: Registry) -> None:
    assert registry.set_config(None, "full_transitive").compatibility_level == "FULL_TRANSITIVE"
    assert registry.get_config().compatibility_level == "FULL_TRANSITIVE"
    assert registry.delete_config().compatibility_level == "FULL_TRANSITIVE"
    assert registry.get_config().compatibility_level == "BACKWARD"
    assert registry.delete_config().compatibility_level == "BACKWARD"


def test_subject_config_and_default_to_global(registry: Registry) -> None:
    with pytest.raises(ToteError) as excinfo:
        registry.get_config("users-value")
    assert error_of(excinfo) == (
        40408, "Subject 'users-value' does not have subject-level compatibility configured")
    assert registry.get_config("users-value", default_to_global=True).compatibility_level == (
        "BACKWARD")
    registry.set_config(None, "FORWARD")
    assert registry.get_config("users-value", default_to_global=True).compatibility_level == (
        "FORWARD")
    registry.set_config("users-value", "NONE")
    assert registry.get_config("users-value").compatibility_level == "NONE"
    assert registry.delete_config("users-value").compatibility_level == "NONE"
    with pytest.raises(ToteError) as gone:
        registry.delete_config("users-value")
    assert error_of(gone) == (40401, "Subject 'users-value' not found.")


def test_subject_config_wins_over_global(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    registry.set_config(None, "NONE")
    registry.set_config("users-value", "BACKWARD")
    with pytest.raises(ToteError):
        registry.register("users-value", USER_BAD)
    registry.register("other-value", OTHER)
    assert registry.register("other-value", USER_BAD).version == 2  # global NONE


def test_invalid_level_is_42203(registry: Registry) -> None:
    with pytest.raises(ToteError) as excinfo:
        registry.set_config(None, "SIDEWAYS")
    assert error_of(excinfo) == (
        42203, "Invalid compatibility level. Valid values are none, backward, forward, full, "
               "backward_transitive, forward_transitive, and full_transitive")


def test_modes(registry: Registry) -> None:
    assert registry.get_mode() is Mode.READWRITE
    with pytest.raises(ToteError) as unset:
        registry.get_mode("users-value")
    assert error_of(unset) == (40409, "Subject 'users-value' does not have subject-level mode "
                                      "configured")
    assert registry.get_mode("users-value", default_to_global=True) is Mode.READWRITE
    with pytest.raises(ToteError) as invalid:
        registry.set_mode(None, "WRITEONLY")
    assert error_of(invalid) == (42204, "Invalid mode. Valid values are READWRITE, READONLY, "
                                        "and IMPORT.")
    with pytest.raises(ToteError) as no_mode:
        registry.delete_mode("users-value")
    assert error_of(no_mode) == (40401, "Subject 'users-value' not found.")


def test_readonly_blocks_writes(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    assert registry.set_mode("users-value", "readonly") is Mode.READONLY
    for attempt in (lambda: registry.register("users-value", USER_V2),
                    lambda: registry.delete_subject("users-value"),
                    lambda: registry.delete_version("users-value", 1),
                    lambda: registry.set_config("users-value", "NONE")):
        with pytest.raises(ToteError) as excinfo:
            attempt()
        assert error_of(excinfo) == (42205, "Subject users-value is in read-only mode")
    registry.register("other-value", OTHER)  # other subjects still writable
    assert registry.delete_mode("users-value") is Mode.READONLY
    assert registry.register("users-value", USER_V2).version == 2


def test_global_readonly_override_beats_subject_mode(registry: Registry) -> None:
    registry.set_mode("users-value", "READWRITE")
    registry.set_mode(None, "READONLY_OVERRIDE")
    with pytest.raises(ToteError) as excinfo:
        registry.register("users-value", USER_V1)
    assert error_of(excinfo) == (42205, "Subject users-value is in read-only mode")
    assert registry.get_mode("users-value") is Mode.READWRITE
    assert registry.get_mode("users-value", default_to_global=True) is Mode.READONLY_OVERRIDE
    registry.set_mode(None, "READWRITE")
    assert registry.register("users-value", USER_V1).id == 1


def test_import_mode_takes_explicit_ids_and_versions(registry: Registry) -> None:
    registry.register("users-value", USER_V1)
    with pytest.raises(ToteError) as non_empty:
        registry.set_mode(None, "IMPORT")
    assert error_of(non_empty) == (42205, "Cannot import since found existing subjects")
    with pytest.raises(ToteError) as not_import:
        registry.register("x-value", SchemaRequest(OTHER, id=100))
    assert error_of(not_import) == (42205, "Subject x-value is not in import mode")
    assert registry.set_mode(None, "IMPORT", force=True) is Mode.IMPORT
    with pytest.raises(ToteError) as needs_id:
        registry.register("x-value", OTHER)
    assert error_of(needs_id) == (42205, "Subject x-value is not in read-write mode")
    imported = registry.register("x-value", SchemaRequest(OTHER, id=100, version=5))
    assert (imported.id, imported.version) == (100, 5)
    # No compatibility check in IMPORT mode.
    assert registry.register("users-value", SchemaRequest(USER_BAD, id=50)).version == 2
    with pytest.raises(ToteError) as taken:
        registry.register("y-value", SchemaRequest(USER_V2, id=100))
    assert error_of(taken) == (42207, "Overwrite new schema with id 100 is not permitted.")
    with pytest.raises(ToteError) as mismatch:
        registry.register("y-value", SchemaRequest(OTHER, id=101))
    assert error_of(mismatch) == (42207, "Schema already registered with id 100 instead of "
                                         "input id 101")
    registry.set_mode(None, "READWRITE")
    assert registry.register("z-value", USER_V2).id == 101  # max id ever seen + 1


def test_import_on_empty_registry_needs_no_force(registry: Registry) -> None:
    assert registry.set_mode(None, "IMPORT") is Mode.IMPORT
    assert registry.get_mode() is Mode.IMPORT
