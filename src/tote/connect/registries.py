"""Schema registries for converters, by URL, resolved through the stack's host aliases.

`http://schema-registry:8081` (the seed's URL) goes to the alias table's endpoint when
`tote up` passed one; a worker run on its own, with no alias for `schema-registry`, uses
a `Registry` in this process over the same log (the same `_schemas` topic every tote
registry reads). Any other URL is a Schema Registry reached over HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from urllib.parse import urlsplit

from tote.core.host_aliases import rewrite_url
from tote.log.base import Log
from tote.registry import Registry
from tote.registry.source import HttpSchemaSource, RegistrySchemaSource, SchemaSource

LOCAL_REGISTRY_HOST = "schema-registry"


class Registries:
    """Schema sources shared by every converter of a worker; closed with the worker."""

    def __init__(self, log: Log, aliases: Mapping[str, str]) -> None:
        self.log = log
        self.aliases = dict(aliases)
        self._lock = threading.Lock()
        self._http: dict[str, HttpSchemaSource] = {}
        self._registry: Registry | None = None

    def for_url(self, url: str) -> SchemaSource:
        host = urlsplit(url).hostname or ""
        with self._lock:
            if host == LOCAL_REGISTRY_HOST and host not in self.aliases:
                if self._registry is None:
                    self._registry = Registry(self.log)
                    self._registry.start()
                return RegistrySchemaSource(self._registry)
            target = rewrite_url(url, self.aliases)
            source = self._http.get(target)
            if source is None:
                source = self._http[target] = HttpSchemaSource(target)
            return source

    def close(self) -> None:
        with self._lock:
            for source in self._http.values():
                source.close()
            self._http.clear()
            if self._registry is not None:
                self._registry.close()
                self._registry = None
