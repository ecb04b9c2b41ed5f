"""Where the proxy gets schemas: a `Registry` in this process, or a registry over HTTP.

The implementation moved to `tote.registry.source`, shared with the Connect worker's
AvroConverter; the names stay importable from here.
"""

from __future__ import annotations

from tote.registry.source import (
    HttpSchemaSource,
    RegistryRejected,
    RegistrySchemaSource,
    SchemaSource,
    StoredSchema,
    SubjectVersion,
)

__all__ = ["HttpSchemaSource", "RegistryRejected", "RegistrySchemaSource", "SchemaSource",
           "StoredSchema", "SubjectVersion"]
