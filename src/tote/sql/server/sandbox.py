"""What a request's validation sees of topics and schemas: the real ones, plus what the
statements it walked "created", minus what they "deleted" (ksqlDB's
SandboxedKafkaTopicClient and SandboxedSchemaRegistryClient).

Nothing here writes to the log or the registry. A topic is "created" once the checks
creating it would make pass (`validate_topic_spec`, the checks every backend runs first);
a schema is "registered" under a subject that has none yet, and a new version of an
existing subject is taken as registered without asking the registry's compatibility
check, as ksqlDB's sandbox registers into a cache of its own: an incompatible schema is
refused when its statement runs, after the earlier statements of the request ran.

What cannot be simulated so (a subject the walk already changed, a read of a subject the
walk changed) raises `CannotSimulate`, which stops the walk: the rest of the request is
then checked as it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tote.core.errors import ToteError
from tote.core.records import TopicSpec
from tote.log.base import validate_topic_spec
from tote.registry import Registry, RegistryError
from tote.sql.analyzer.context import AnalysisContext, SchemaRegistration, SideEffects
from tote.sql.codecs.schemas import SR_FORMATS, schema_request, subject
from tote.sql.errors import StatementError
from tote.sql.sources import DataSource


class CannotSimulate(Exception):
    """The walk cannot stand for this statement's effects exactly: it stops here."""


@dataclass
class Overlay:
    """Topics and subjects as the walked statements left them."""

    created: dict[str, TopicSpec] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    # Subjects a walked statement registered or deleted: reading them cannot be simulated.
    subjects: set[str] = field(default_factory=set)
    registered: set[str] = field(default_factory=set)  # ...of which those it registered
    # Ids of the queries walked statements started (their numbers may differ when run).
    queries: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class SandboxContext(AnalysisContext):
    """The analysis context of the walk: topics seen through the overlay."""

    overlay: Overlay = field(default_factory=Overlay)

    def topic(self, name: str) -> TopicSpec | None:
        if name in self.overlay.created:
            return self.overlay.created[name]
        if name in self.overlay.deleted:
            return None
        return super().topic(name)


def simulate_effects(effects: SideEffects, ctx: SandboxContext) -> None:
    """Stand for `execution.effects.apply_effects`: its refusals, its changes in the overlay."""
    overlay = ctx.overlay
    registry = ctx.registry
    new_subjects: list[str] = []
    new_versions: list[str] = []
    for registration in effects.schemas:
        if registry is None:
            raise StatementError("The statement needs a schema registry, and none is "
                                 "configured.")
        name = subject(registration.topic, registration.is_key)
        if registration.if_absent and name in overlay.registered:
            continue  # the subject is there, as the walk left it
        if name in overlay.subjects:
            raise CannotSimulate(name)
        if name in registry.subjects():
            if registration.if_absent:
                continue
            if _adds_version(registry, name, registration):
                new_versions.append(name)
            continue
        new_subjects.append(name)
    new_topics: dict[str, TopicSpec] = {}
    for request in effects.topics:
        if ctx.topic(request.name) is not None or request.name in new_topics:
            continue
        try:
            spec = validate_topic_spec(request.name, request.partitions, request.replicas,
                                       dict(request.configs))
        except ToteError as exc:
            raise StatementError(f"Could not create topic '{request.name}': {exc.message}"
                                 ) from None
        new_topics[request.name] = spec
    overlay.subjects.update(new_subjects + new_versions)
    overlay.registered.update(new_subjects)
    for name, spec in new_topics.items():
        overlay.created[name] = spec
        overlay.deleted.discard(name)


def _adds_version(registry: Registry, name: str, registration: SchemaRegistration) -> bool:
    """Whether registering under the existing subject `name` adds a version: False when a
    live version holds the schema already (registering it again changes nothing)."""
    try:
        registry.lookup(name, schema_request(registration.schema))
    except RegistryError:
        return True
    return False


def simulate_delete_topic(source: DataSource, ctx: SandboxContext) -> None:
    """Stand for `execution.ddl.delete_source_topic` (DROP ... DELETE TOPIC)."""
    overlay = ctx.overlay
    overlay.created.pop(source.topic, None)
    overlay.deleted.add(source.topic)
    for is_key, info in ((True, source.key_format), (False, source.value_format)):
        if info.name in SR_FORMATS:
            overlay.subjects.add(subject(source.topic, is_key))
            overlay.registered.discard(subject(source.topic, is_key))


def check_reads(topic: str | None, schema_ids: bool, sides: tuple[bool, bool],
                ctx: SandboxContext) -> None:
    """Refuse to simulate a CREATE whose analysis may read what the walk changed in the
    registry: a schema by id once the walk registered any, or the subject of a side
    (key, value: `sides`) that declares no columns, inferred from the registry."""
    overlay = ctx.overlay
    if not overlay.subjects:
        return
    if schema_ids:
        raise CannotSimulate("schema id")
    for is_key, infers in zip((True, False), sides, strict=True):
        if topic is not None and infers and subject(topic, is_key) in overlay.subjects:
            raise CannotSimulate(topic)
