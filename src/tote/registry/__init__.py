"""tote's Schema Registry as a library: `Registry(log)`, backed by the `_schemas` topic.

See `registry.py` for the API, `store.py` for how state follows the topic and how
several registries on one log agree, and `errors.py` for Confluent's error codes.
"""

from tote.registry.errors import ErrorCode, RegistryError
from tote.registry.models import (
    CompatibilityLevel,
    CompatibilityResult,
    ConfigInfo,
    Mode,
    SchemaById,
    SchemaRequest,
    SchemaVersion,
    SubjectVersion,
)
from tote.registry.registry import Registry

__all__ = [
    "CompatibilityLevel",
    "CompatibilityResult",
    "ConfigInfo",
    "ErrorCode",
    "Mode",
    "Registry",
    "RegistryError",
    "SchemaById",
    "SchemaRequest",
    "SchemaVersion",
    "SubjectVersion",
]
