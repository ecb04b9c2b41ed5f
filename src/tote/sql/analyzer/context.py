"""What analysis may read: the catalogue, config, topics, the registry and functions.

Analysis never writes. It returns plans whose side effects (topics to create, schemas to
register, catalogue changes) the engine applies once everything has been checked, which
is how a failed statement leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tote.core.errors import TopicNotFound
from tote.core.records import TopicSpec
from tote.log.base import Log
from tote.registry import Registry
from tote.sql.codecs.schemas import GeneratedSchema
from tote.sql.config import Config
from tote.sql.functions import FunctionRegistry
from tote.sql.metastore import MetaStore


@dataclass(frozen=True)
class AnalysisContext:
    metastore: MetaStore
    config: Config
    log: Log
    registry: Registry | None
    functions: FunctionRegistry

    def topic(self, name: str) -> TopicSpec | None:
        try:
            return self.log.describe_topic(name).spec
        except TopicNotFound:
            return None


@dataclass(frozen=True, slots=True)
class TopicRequest:
    """A topic a statement needs: created unless it exists (then checked for a match)."""

    name: str
    partitions: int
    replicas: int = 1
    configs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class SchemaRegistration:
    topic: str
    is_key: bool
    schema: GeneratedSchema
    # CREATE (without AS) registers only when the subject has no schema yet.
    if_absent: bool = False


@dataclass(frozen=True)
class SideEffects:
    """Changes outside the catalogue, applied in order: schemas, then topics."""

    topics: list[TopicRequest] = field(default_factory=list)
    schemas: list[SchemaRegistration] = field(default_factory=list)
