"""Serde errors: bad bytes or values (SerializationError) and bad schemas (InvalidSchema).

Codes follow the services that surface them: the REST Proxy reports a failed
JSON-to-record conversion as 42203, the Schema Registry an unparsable schema as 42201.
"""

from __future__ import annotations

from tote.core.errors import ToteError


class SerializationError(ToteError):
    """A value does not fit its schema, or bytes cannot be decoded."""

    error_code = 42203


class InvalidSchema(ToteError):
    """Schema text that does not parse, names an unknown type or has unresolved references."""

    error_code = 42201

    def __init__(self, detail: str) -> None:
        super().__init__(f"Invalid schema {detail}", 42201)
        self.detail = detail
