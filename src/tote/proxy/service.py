"""The REST Proxy as a library: produce, consume and metadata over one log, no HTTP.

`RestProxy(log, schemas)` is what `tote serve rest-proxy`, tests and benchmarks drive.
`schemas` is any `SchemaSource` (an in-process registry or `HttpSchemaSource`), or None
for a proxy that only speaks the binary and json formats.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.log.base import Log
from tote.proxy.codecs import Codecs, RecordRenderer
from tote.proxy.consumers import ConsumerManager
from tote.proxy.instance import ConsumerSettings
from tote.proxy.metadata import Metadata
from tote.proxy.produce import Producer
from tote.proxy.resolver import SchemaResolver
from tote.proxy.schema_source import HttpSchemaSource, RegistrySchemaSource, SchemaSource
from tote.registry import Registry

DEFAULT_CLUSTER_ID = "tote"


class RestProxy:
    def __init__(
        self,
        log: Log,
        schemas: SchemaSource | None = None,
        *,
        consumer_settings: ConsumerSettings | None = None,
        cluster_id: str = DEFAULT_CLUSTER_ID,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.log = log
        self.cluster_id = cluster_id
        self.resolver = SchemaResolver(schemas) if schemas is not None else None
        codecs = Codecs()
        self.producer = Producer(log, self.resolver, codecs)
        self.consumers = ConsumerManager(
            log, RecordRenderer(self.resolver, codecs), consumer_settings, clock
        )
        self.metadata = Metadata(log)

    def start(self) -> Self:
        """Start background work (expiring idle consumer instances)."""
        self.consumers.start()
        return self

    def close(self) -> None:
        """Close consumer instances (their members leave their groups). The log stays open."""
        self.consumers.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def schema_source_for(log: Log, registry_url: str | None) -> Iterator[SchemaSource]:
    """Schemas from the registry at `registry_url`, or from a `Registry` on the same log.

    The in-process registry shares the `_schemas` topic with every other registry on the
    log, so a schema the proxy registers is visible to `tote serve schema-registry` too.
    """
    if registry_url:
        source = HttpSchemaSource(registry_url)
        try:
            yield source
        finally:
            source.close()
        return
    with Registry(log) as registry:
        yield RegistrySchemaSource(registry)
