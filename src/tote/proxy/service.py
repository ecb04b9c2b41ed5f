"""The REST Proxy as a library: produce, consume and metadata over one log, no HTTP.

`RestProxy(log, schemas)` is what `tote serve rest-proxy`, tests and benchmarks drive.
`schemas` is any `SchemaSource` (an in-process registry or `HttpSchemaSource`), or None
for a proxy that only speaks the binary and json formats.
"""

from __future__ import annotations

from typing import Self

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.log.base import Log
from tote.proxy.codecs import Codecs, RecordRenderer
from tote.proxy.consumers import ConsumerManager
from tote.proxy.group_commit import GroupCommitter
from tote.proxy.instance import ConsumerSettings
from tote.proxy.metadata import Metadata
from tote.proxy.produce import Producer
from tote.proxy.resolver import SchemaResolver
from tote.registry.source import SchemaSource


class RestProxy:
    def __init__(
        self,
        log: Log,
        schemas: SchemaSource | None = None,
        *,
        consumer_settings: ConsumerSettings | None = None,
        cluster_id: str | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.log = log
        self._cluster_id = cluster_id  # None: the log's, asked on first use
        self.resolver = SchemaResolver(schemas) if schemas is not None else None
        codecs = Codecs()
        self.producer = Producer(log, self.resolver, codecs)
        self.committer = GroupCommitter(log)
        self.consumers = ConsumerManager(
            log, RecordRenderer(self.resolver, codecs), consumer_settings, clock
        )
        self.metadata = Metadata(log)

    @property
    def cluster_id(self) -> str:
        """The Kafka cluster id the v3 API names: the log's (on Kafka the broker's, which
        the first use asks the broker for: ask from a thread, not the event loop)."""
        if self._cluster_id is None:
            self._cluster_id = self.log.cluster_id()
        return self._cluster_id

    def start(self) -> Self:
        """Start background work (the group-commit writer, expiring idle consumers)."""
        self.committer.start()
        self.consumers.start()
        return self

    def close(self) -> None:
        """Commit produce requests still waiting, close consumer instances (their members
        leave their groups). The log stays open."""
        self.committer.close()
        self.consumers.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
