"""Schema Registry errors, each with Confluent's error code and message.

The codes live in one `@unique` IntEnum; the classes carry the message templates
Confluent's `Errors`/`Rest*Exception` classes use (classic 7.x wording). HTTP status is
derived from the code (first three digits), never chosen here.
"""

from __future__ import annotations

from enum import IntEnum, unique

from tote.core.errors import ToteError


@unique
class ErrorCode(IntEnum):
    HTTP_BAD_REQUEST = 400
    HTTP_NOT_FOUND = 404
    HTTP_CONFLICT = 409
    HTTP_UNPROCESSABLE = 422
    SUBJECT_NOT_FOUND = 40401
    VERSION_NOT_FOUND = 40402
    SCHEMA_NOT_FOUND = 40403
    SUBJECT_SOFT_DELETED = 40404
    SUBJECT_NOT_SOFT_DELETED = 40405
    VERSION_SOFT_DELETED = 40406
    VERSION_NOT_SOFT_DELETED = 40407
    SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408
    SUBJECT_MODE_NOT_CONFIGURED = 40409
    INVALID_SCHEMA = 42201
    INVALID_VERSION = 42202
    INVALID_COMPATIBILITY_LEVEL = 42203
    INVALID_MODE = 42204
    OPERATION_NOT_PERMITTED = 42205
    REFERENCE_EXISTS = 42206
    ID_DOES_NOT_MATCH = 42207
    INVALID_SUBJECT = 42208
    SCHEMA_TOO_LARGE = 42209
    STORE_ERROR = 50001
    OPERATION_TIMEOUT = 50002
    REQUEST_FORWARDING_FAILED = 50003
    UNKNOWN_LEADER = 50004


class RegistryError(ToteError):
    """Base of the registry's errors."""

    error_code = ErrorCode.STORE_ERROR.value


class SubjectNotFound(RegistryError):
    error_code = ErrorCode.SUBJECT_NOT_FOUND.value

    def __init__(self, subject: str) -> None:
        super().__init__(f"Subject '{subject}' not found.")


class VersionNotFound(RegistryError):
    error_code = ErrorCode.VERSION_NOT_FOUND.value

    def __init__(self, version: int | str) -> None:
        super().__init__(f"Version {version} not found.")


class SchemaNotFound(RegistryError):
    error_code = ErrorCode.SCHEMA_NOT_FOUND.value

    def __init__(self, schema_id: int | None = None) -> None:
        super().__init__(
            "Schema not found" if schema_id is None else f"Schema {schema_id} not found"
        )


class SubjectSoftDeleted(RegistryError):
    error_code = ErrorCode.SUBJECT_SOFT_DELETED.value

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently"
        )


class SubjectNotSoftDeleted(RegistryError):
    error_code = ErrorCode.SUBJECT_NOT_SOFT_DELETED.value

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"Subject '{subject}' was not deleted first before being permanently deleted"
        )


class VersionSoftDeleted(RegistryError):
    error_code = ErrorCode.VERSION_SOFT_DELETED.value

    def __init__(self, subject: str, version: int | str) -> None:
        super().__init__(
            f"Subject '{subject}' Version {version} was soft deleted."
            "Set permanent=true to delete permanently"
        )


class VersionNotSoftDeleted(RegistryError):
    error_code = ErrorCode.VERSION_NOT_SOFT_DELETED.value

    def __init__(self, subject: str, version: int | str) -> None:
        super().__init__(
            f"Subject '{subject}' Version {version} was not deleted first "
            "before being permanently deleted"
        )


class SubjectCompatibilityNotConfigured(RegistryError):
    error_code = ErrorCode.SUBJECT_COMPATIBILITY_NOT_CONFIGURED.value

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"Subject '{subject}' does not have subject-level compatibility configured"
        )


class SubjectModeNotConfigured(RegistryError):
    error_code = ErrorCode.SUBJECT_MODE_NOT_CONFIGURED.value

    def __init__(self, subject: str) -> None:
        super().__init__(f"Subject '{subject}' does not have subject-level mode configured")


class IncompatibleSchema(RegistryError):
    """409 with error_code 409, as classic (7.x) Confluent releases answer."""

    error_code = ErrorCode.HTTP_CONFLICT.value

    def __init__(self, subject: str, messages: list[str]) -> None:
        super().__init__(
            "Schema being registered is incompatible with an earlier schema for subject "
            f"\"{subject}\", details: [{', '.join(messages)}]"
        )
        self.messages = messages


class InvalidSchemaError(RegistryError):
    error_code = ErrorCode.INVALID_SCHEMA.value


class InvalidVersion(RegistryError):
    error_code = ErrorCode.INVALID_VERSION.value

    def __init__(self, version: object) -> None:
        super().__init__(
            f"The specified version '{version}' is not a valid version id. "
            'Allowed values are between [1, 2^31-1] and the string "latest"'
        )


class InvalidCompatibilityLevel(RegistryError):
    error_code = ErrorCode.INVALID_COMPATIBILITY_LEVEL.value

    def __init__(self) -> None:
        super().__init__(
            "Invalid compatibility level. Valid values are none, backward, forward, full, "
            "backward_transitive, forward_transitive, and full_transitive"
        )


class InvalidMode(RegistryError):
    error_code = ErrorCode.INVALID_MODE.value

    def __init__(self) -> None:
        super().__init__("Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.")


class OperationNotPermitted(RegistryError):
    error_code = ErrorCode.OPERATION_NOT_PERMITTED.value


class ReferenceExists(RegistryError):
    error_code = ErrorCode.REFERENCE_EXISTS.value

    def __init__(self, subject: str, version: int) -> None:
        super().__init__(
            "One or more references exist to the schema "
            f"{{magic=1,keytype=SCHEMA,subject={subject},version={version}}}."
        )


class IdDoesNotMatch(RegistryError):
    error_code = ErrorCode.ID_DOES_NOT_MATCH.value


class InvalidSubject(RegistryError):
    error_code = ErrorCode.INVALID_SUBJECT.value

    def __init__(self, subject: str) -> None:
        super().__init__(f"The specified subject '{subject}' is not a valid.")


class SchemaTooLarge(RegistryError):
    error_code = ErrorCode.SCHEMA_TOO_LARGE.value

    def __init__(self) -> None:
        super().__init__("Register operation failed because schema is too large")


class StoreError(RegistryError):
    error_code = ErrorCode.STORE_ERROR.value


class OperationTimeout(RegistryError):
    error_code = ErrorCode.OPERATION_TIMEOUT.value


class RequestForwardingFailed(RegistryError):
    error_code = ErrorCode.REQUEST_FORWARDING_FAILED.value


class UnknownLeader(RegistryError):
    error_code = ErrorCode.UNKNOWN_LEADER.value


class MalformedRequest(RegistryError):
    """A body that is JSON but not the shape the endpoint takes (Jackson mapping error)."""

    error_code = ErrorCode.HTTP_UNPROCESSABLE.value


class UnparsableBody(RegistryError):
    """A body that is not JSON at all."""

    error_code = ErrorCode.HTTP_BAD_REQUEST.value
