"""Applying a statement's side effects outside the catalogue: schemas, then topics.

Everything is checked before anything is created, and what a statement created is
remembered so that a later failure of the same statement can remove it again (a failed
statement leaves nothing behind). Registration is idempotent and topic creation
tolerates a topic that appeared meanwhile, so replaying the command topic after a
restart re-applies effects harmlessly.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from tote.core.errors import TopicExists, TopicNotFound, ToteError
from tote.log.base import Log
from tote.registry import Registry, RegistryError
from tote.sql.analyzer.context import SideEffects
from tote.sql.codecs import schemas
from tote.sql.errors import StatementError


@dataclass
class Applied:
    """What one statement created, so that it can be undone."""

    log: Log
    registry: Registry | None
    topics: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    # New versions of subjects that existed before (a CREATE OR REPLACE changing a schema).
    versions: list[tuple[str, int]] = field(default_factory=list)

    def rollback(self) -> None:
        for topic in reversed(self.topics):
            with contextlib.suppress(TopicNotFound):
                self.log.delete_topic(topic)
        if self.registry is not None:
            for subject, version in reversed(self.versions):
                try:
                    self.registry.delete_version(subject, version)
                    self.registry.delete_version(subject, version, permanent=True)
                except RegistryError:
                    pass
            for subject in reversed(self.subjects):
                try:
                    self.registry.delete_subject(subject)
                    self.registry.delete_subject(subject, permanent=True)
                except RegistryError:
                    pass


def apply_effects(effects: SideEffects, log: Log, registry: Registry | None,
                  applied: Applied | None = None) -> Applied:
    """Register schemas and create topics, recording what is new in `applied`."""
    done = applied if applied is not None else Applied(log, registry)
    for registration in effects.schemas:
        if registry is None:
            raise StatementError("The statement needs a schema registry, and none is "
                                 "configured.")
        subject = schemas.subject(registration.topic, registration.is_key)
        existed = subject in registry.subjects()
        if registration.if_absent and existed:
            continue
        known = registry.versions(subject) if existed else []
        try:
            schemas.register_for_statement(registry, registration.topic,
                                           registration.is_key, registration.schema)
        except StatementError:
            done.rollback()  # the schemas registered before this one
            raise
        if not existed:
            done.subjects.append(subject)
        else:
            done.versions.extend((subject, v) for v in registry.versions(subject)
                                 if v not in known)
    for request in effects.topics:
        if log.topic_exists(request.name):
            continue
        try:
            log.create_topic(request.name, request.partitions, request.replicas,
                             dict(request.configs))
        except TopicExists:
            continue
        except ToteError as exc:
            done.rollback()
            raise StatementError(f"Could not create topic '{request.name}': {exc.message}"
                                 ) from None
        done.topics.append(request.name)
    return done
