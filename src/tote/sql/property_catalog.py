"""The property names ksqlDB recognises, with their types and value checks.

Data only (the rule that uses it is `tote.sql.properties`): the config definitions of
ksqlDB 8.x (KsqlConfig, KsqlRequestConfig) and of the Kafka 4 clients and Streams it
embeds, as names grouped by type, plus the value checks beyond the type that tote
applies (a fixed set of values, a numeric range, Java regexes), ksqlDB's own defaults,
and the sets that decide how SHOW PROPERTIES marks a config (its level, whether it is
editable).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class OneOf:
    """ConfigDef's ValidString: the value must be one of these."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class Range:
    """ConfigDef's Range: a number at least `low` and, if given, at most `high`."""

    low: int
    high: int | None


@dataclass(frozen=True)
class Regexes:
    """ksqlDB's validRegex: a LIST whose items, joined by `|`, compile as one Java
    regular expression (so a bad pattern is refused where the config is set, not later
    where the topics are matched)."""


Check = OneOf | Range | Regexes


def _by_type(groups: Mapping[str, tuple[str, ...]]) -> Mapping[str, str]:
    """Name -> ConfigDef type (BOOLEAN, INT, LONG, ...)."""
    return {name: kind for kind, names in groups.items() for name in names}


# ksqlDB's own configs (KsqlConfig): names starting `ksql.`, by type.
KSQL: Final = _by_type({
    "BOOLEAN": (
        "ksql.cast.strings.preserve.nulls", "ksql.client.ip_port.configuration.enabled",
        "ksql.connect.basic.auth.credentials.reload", "ksql.create.or.replace.enabled",
        "ksql.create.topic.inherit.source.replicas.enabled", "ksql.endpoint.migrate.query",
        "ksql.headers.columns.enabled", "ksql.insert.into.values.enabled",
        "ksql.json_sr.converter.deserializer.enabled", "ksql.lambdas.enabled",
        "ksql.nested.error.set.null", "ksql.new.query.planner.enabled",
        "ksql.persistence.wrap.single.values", "ksql.properties.overrides.log",
        "ksql.properties.overrides.range.validation.log.enabled",
        "ksql.properties.overrides.validation.restore.enabled",
        "ksql.proxy.protocol.local.mode.enabled", "ksql.pull.queries.enable",
        "ksql.query.pull.enable.standby.reads", "ksql.query.pull.interpreter.enabled",
        "ksql.query.pull.limit.clause.enabled", "ksql.query.pull.metrics.enabled",
        "ksql.query.pull.range.scan.enabled", "ksql.query.pull.stream.enabled",
        "ksql.query.pull.table.scan.enabled", "ksql.query.push.v2.alos.enabled",
        "ksql.query.push.v2.continuation.tokens.enabled", "ksql.query.push.v2.enabled",
        "ksql.query.push.v2.interpreter.enabled", "ksql.query.push.v2.metrics.enabled",
        "ksql.query.push.v2.registry.installed", "ksql.queryanonymizer.logs_enabled",
        "ksql.runtime.feature.shared.enabled", "ksql.source.table.materialization.enabled",
        "ksql.suppress.enabled", "ksql.timestamp.throw.on.invalid",
        "ksql.transient.query.cleanup.service.enable", "ksql.udf.collect.metrics",
        "ksql.udfs.enabled", "ksql.variable.substitution.enable",
    ),
    "CLASS": (
        "ksql.connect.request.headers.plugin", "ksql.metrics.extension",
        "ksql.security.extension.class",
    ),
    "INT": (
        "ksql.assert.schema.default.timeout.ms", "ksql.assert.topic.default.timeout.ms",
        "ksql.query.error.max.queue.size", "ksql.query.persistent.active.limit",
        "ksql.query.pull.coordinator.queue.capacity",
        "ksql.query.pull.max.concurrent.requests",
        "ksql.query.pull.max.hourly.bandwidth.megabytes", "ksql.query.pull.max.qps",
        "ksql.query.pull.router.queue.capacity", "ksql.query.pull.router.thread.pool.size",
        "ksql.query.pull.thread.pool.size", "ksql.query.push.v2.max.catchup.consumers",
        "ksql.query.push.v2.max.hourly.bandwidth.megabytes",
        "ksql.query.status.running.threshold.seconds", "ksql.shared.runtimes.count",
        "ksql.transient.query.cleanup.service.initial.delay.seconds",
        "ksql.transient.query.cleanup.service.period.seconds",
    ),
    "LIST": (
        "ksql.hidden.topics", "ksql.kafka.client.additional.config.prefixes",
        "ksql.properties.overrides.allowlist", "ksql.properties.overrides.denylist",
        "ksql.readonly.topics",
    ),
    "LONG": (
        "ksql.admin.request.retry.timeout.ms", "ksql.authorization.cache.expiry.time.secs",
        "ksql.authorization.cache.max.entries", "ksql.connect.request.timeout.ms",
        "ksql.fetch.remote.hosts.max.timeout.seconds",
        "ksql.query.cleanup.shutdown.timeout.ms",
        "ksql.query.persistent.max.bytes.buffering.total",
        "ksql.query.pull.forwarding.timeout.ms", "ksql.query.pull.max.allowed.offset.lag",
        "ksql.query.push.v2.catchup.consumer.msg.window",
        "ksql.query.push.v2.latest.reset.age.ms", "ksql.query.push.v2.new.latest.delay.ms",
        "ksql.query.retry.backoff.initial.ms", "ksql.query.retry.backoff.max.ms",
        "ksql.query.transient.max.bytes.buffering.total",
        "ksql.sink.window.change.log.additional.retention", "ksql.streams.shutdown.timeout.ms",
        "ksql.suppress.buffer.size.bytes", "ksql.websocket.connection.max.timeout.ms",
    ),
    "SHORT": (
        "ksql.internal.topic.min.insync.replicas", "ksql.internal.topic.replicas",
    ),
    "STRING": (
        "ksql.access.validator.enable", "ksql.connect.basic.auth.credentials.file",
        "ksql.connect.basic.auth.credentials.source", "ksql.connect.url",
        "ksql.connect.worker.config", "ksql.deployment.type", "ksql.error.classifier.regex",
        "ksql.extension.dir", "ksql.metastore.backup.location", "ksql.metrics.tags.custom",
        "ksql.output.topic.name.prefix", "ksql.persistence.default.format.key",
        "ksql.persistence.default.format.value", "ksql.persistent.prefix",
        "ksql.properties.overrides.validation.mode", "ksql.queryanonymizer.cluster_namespace",
        "ksql.resource.extension.class", "ksql.schema.registry.url", "ksql.service.id",
        "ksql.transient.prefix",
    ),
})

# Per-request configs (KsqlRequestConfig): names starting `request.ksql.`.
REQUEST: Final = _by_type({
    "BOOLEAN": (
        "request.ksql.debug.request", "request.ksql.internal.request",
        "request.ksql.query.pull.skip.forwarding", "request.ksql.query.push.skip.forwarding",
    ),
    "LIST": (
        "request.ksql.query.pull.partition",
    ),
    "STRING": (
        "request.ksql.query.push.catchup.consumer.group",
        "request.ksql.query.push.continuation.token",
    ),
})

# Kafka's common client configs (CommonClientConfigs, SSL and SASL included), shared
# by the consumer and the producer.
CLIENT: Final = _by_type({
    "BOOLEAN": (
        "enable.metrics.push", "sasl.oauthbearer.header.urlencode",
    ),
    "CLASS": (
        "sasl.client.callback.handler.class", "sasl.login.callback.handler.class",
        "sasl.login.class", "ssl.engine.factory.class",
    ),
    "DOUBLE": (
        "sasl.kerberos.ticket.renew.jitter", "sasl.kerberos.ticket.renew.window.factor",
        "sasl.login.refresh.window.factor", "sasl.login.refresh.window.jitter",
    ),
    "INT": (
        "metrics.num.samples", "receive.buffer.bytes", "request.timeout.ms",
        "sasl.login.connect.timeout.ms", "sasl.login.read.timeout.ms",
        "sasl.oauthbearer.clock.skew.seconds", "send.buffer.bytes",
    ),
    "LIST": (
        "bootstrap.servers", "interceptor.classes", "metric.reporters",
        "sasl.oauthbearer.expected.audience", "ssl.cipher.suites", "ssl.enabled.protocols",
    ),
    "LONG": (
        "connections.max.idle.ms", "metadata.max.age.ms", "metrics.sample.window.ms",
        "reconnect.backoff.max.ms", "reconnect.backoff.ms", "retry.backoff.max.ms",
        "retry.backoff.ms", "sasl.kerberos.min.time.before.relogin",
        "sasl.login.retry.backoff.max.ms", "sasl.login.retry.backoff.ms",
        "sasl.oauthbearer.jwks.endpoint.refresh.ms",
        "sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms",
        "sasl.oauthbearer.jwks.endpoint.retry.backoff.ms",
        "socket.connection.setup.timeout.max.ms", "socket.connection.setup.timeout.ms",
    ),
    "PASSWORD": (
        "sasl.jaas.config", "ssl.key.password", "ssl.keystore.certificate.chain",
        "ssl.keystore.key", "ssl.keystore.password", "ssl.truststore.certificates",
        "ssl.truststore.password",
    ),
    "SHORT": (
        "sasl.login.refresh.buffer.seconds", "sasl.login.refresh.min.period.seconds",
    ),
    "STRING": (
        "client.dns.lookup", "client.id", "metadata.recovery.strategy",
        "metrics.recording.level", "sasl.kerberos.kinit.cmd", "sasl.kerberos.service.name",
        "sasl.mechanism", "sasl.oauthbearer.expected.issuer",
        "sasl.oauthbearer.jwks.endpoint.url", "sasl.oauthbearer.scope.claim.name",
        "sasl.oauthbearer.sub.claim.name", "sasl.oauthbearer.token.endpoint.url",
        "security.protocol", "security.providers", "ssl.endpoint.identification.algorithm",
        "ssl.keymanager.algorithm", "ssl.keystore.location", "ssl.keystore.type",
        "ssl.protocol", "ssl.provider", "ssl.secure.random.implementation",
        "ssl.trustmanager.algorithm", "ssl.truststore.location", "ssl.truststore.type",
    ),
})

# Kafka consumer configs.
CONSUMER: Final = {**CLIENT, **_by_type({
    "BOOLEAN": (
        "allow.auto.create.topics", "check.crcs", "enable.auto.commit",
        "exclude.internal.topics",
    ),
    "CLASS": (
        "key.deserializer", "value.deserializer",
    ),
    "INT": (
        "auto.commit.interval.ms", "default.api.timeout.ms", "fetch.max.bytes",
        "fetch.max.wait.ms", "fetch.min.bytes", "heartbeat.interval.ms",
        "max.partition.fetch.bytes", "max.poll.interval.ms", "max.poll.records",
        "session.timeout.ms",
    ),
    "LIST": (
        "partition.assignment.strategy",
    ),
    "STRING": (
        "auto.offset.reset", "client.rack", "group.id", "group.instance.id", "group.protocol",
        "group.remote.assignor", "isolation.level",
    ),
})}

# Kafka producer configs.
PRODUCER: Final = {**CLIENT, **_by_type({
    "BOOLEAN": (
        "enable.idempotence", "partitioner.adaptive.partitioning.enable",
        "partitioner.ignore.keys",
    ),
    "CLASS": (
        "key.serializer", "partitioner.class", "value.serializer",
    ),
    "INT": (
        "batch.size", "compression.gzip.level", "compression.lz4.level",
        "compression.zstd.level", "delivery.timeout.ms",
        "max.in.flight.requests.per.connection", "max.request.size", "retries",
        "transaction.timeout.ms",
    ),
    "LONG": (
        "buffer.memory", "linger.ms", "max.block.ms", "metadata.max.idle.ms",
        "partitioner.availability.timeout.ms",
    ),
    "STRING": (
        "acks", "compression.type", "transactional.id",
    ),
})}

# Kafka Streams configs.
STREAMS: Final = _by_type({
    "BOOLEAN": (
        "enable.metrics.push",
    ),
    "CLASS": (
        "default.client.supplier", "default.deserialization.exception.handler",
        "default.key.serde", "default.list.key.serde.inner", "default.list.key.serde.type",
        "default.list.value.serde.inner", "default.list.value.serde.type",
        "default.production.exception.handler", "default.timestamp.extractor",
        "default.value.serde", "deserialization.exception.handler",
        "dsl.store.suppliers.class", "processing.exception.handler",
        "production.exception.handler", "rocksdb.config.setter",
    ),
    "INT": (
        "buffered.records.per.partition", "max.warmup.replicas", "metrics.num.samples",
        "num.standby.replicas", "num.stream.threads", "rack.aware.assignment.non_overlap_cost",
        "rack.aware.assignment.traffic_cost", "receive.buffer.bytes", "replication.factor",
        "request.timeout.ms", "send.buffer.bytes",
    ),
    "LIST": (
        "bootstrap.servers", "metric.reporters", "rack.aware.assignment.tags",
    ),
    "LONG": (
        "acceptable.recovery.lag", "cache.max.bytes.buffering", "commit.interval.ms",
        "connections.max.idle.ms", "log.summary.interval.ms", "max.task.idle.ms",
        "metadata.max.age.ms", "metrics.sample.window.ms", "poll.ms",
        "probing.rebalance.interval.ms", "reconnect.backoff.max.ms", "reconnect.backoff.ms",
        "repartition.purge.interval.ms", "retry.backoff.ms", "state.cleanup.delay.ms",
        "statestore.cache.max.bytes", "task.timeout.ms", "window.size.ms",
        "windowstore.changelog.additional.retention.ms",
    ),
    "STRING": (
        "application.id", "application.server", "built.in.metrics.version", "client.id",
        "default.dsl.store", "metrics.recording.level", "processing.guarantee",
        "rack.aware.assignment.strategy", "security.protocol", "state.dir",
        "task.assignor.class", "topology.optimization", "upgrade.from",
        "windowed.inner.class.serde",
    ),
})

# The client SSL configs: no request may override them (ksqlDB's immutable properties).
SSL: Final = frozenset({
    "ssl.cipher.suites", "ssl.enabled.protocols", "ssl.endpoint.identification.algorithm",
    "ssl.engine.factory.class", "ssl.key.password", "ssl.keymanager.algorithm",
    "ssl.keystore.certificate.chain", "ssl.keystore.key", "ssl.keystore.location",
    "ssl.keystore.password", "ssl.keystore.type", "ssl.protocol", "ssl.provider",
    "ssl.secure.random.implementation", "ssl.trustmanager.algorithm",
    "ssl.truststore.certificates", "ssl.truststore.location", "ssl.truststore.password",
    "ssl.truststore.type",
})

# Topic configs, settable as `ksql.streams.topic.<name>`.
TOPIC: Final = frozenset({
    "cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type",
    "compression.zstd.level", "delete.retention.ms", "file.delete.delay.ms", "flush.messages",
    "flush.ms", "index.interval.bytes", "local.retention.bytes", "local.retention.ms",
    "max.compaction.lag.ms", "max.message.bytes", "message.downconversion.enable",
    "message.format.version", "message.timestamp.after.max.ms",
    "message.timestamp.before.max.ms", "message.timestamp.difference.max.ms",
    "message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms",
    "min.insync.replicas", "preallocate", "remote.log.copy.disable",
    "remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes", "retention.ms",
    "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms",
    "unclean.leader.election.enable",
})

# Value checks ksqlDB's config definitions make beyond the type: one of, or a range.
CHECKS: Final[Mapping[str, Check]] = {
    "acceptable.recovery.lag": Range(0, None),
    "acks": OneOf(("all", "-1", "0", "1")),
    "auto.commit.interval.ms": Range(0, None),
    "batch.size": Range(0, None),
    "buffer.memory": Range(0, None),
    "cache.max.bytes.buffering": Range(0, None),
    "commit.interval.ms": Range(0, None),
    "default.api.timeout.ms": Range(0, None),
    "delivery.timeout.ms": Range(0, None),
    "fetch.max.bytes": Range(0, None),
    "fetch.max.wait.ms": Range(0, None),
    "fetch.min.bytes": Range(0, None),
    "isolation.level": OneOf(("read_committed", "read_uncommitted")),
    "ksql.access.validator.enable": OneOf(("on", "off", "auto")),
    "ksql.hidden.topics": Regexes(),
    "ksql.properties.overrides.validation.mode": OneOf(("denylist", "allowlist")),
    "ksql.query.pull.coordinator.queue.capacity": Range(1, None),
    "ksql.query.pull.router.queue.capacity": Range(1, None),
    "ksql.readonly.topics": Regexes(),
    "linger.ms": Range(0, None),
    "max.block.ms": Range(0, None),
    "max.in.flight.requests.per.connection": Range(1, None),
    "max.partition.fetch.bytes": Range(0, None),
    "max.poll.interval.ms": Range(1, None),
    "max.poll.records": Range(1, None),
    "max.request.size": Range(0, None),
    "max.warmup.replicas": Range(1, None),
    "metadata.max.age.ms": Range(0, None),
    "metadata.max.idle.ms": Range(5000, None),
    "metrics.num.samples": Range(1, None),
    "metrics.sample.window.ms": Range(0, None),
    "partitioner.availability.timeout.ms": Range(0, None),
    "processing.guarantee": OneOf(("at_least_once", "exactly_once_v2")),
    "reconnect.backoff.max.ms": Range(0, None),
    "reconnect.backoff.ms": Range(0, None),
    "repartition.purge.interval.ms": Range(0, None),
    "request.timeout.ms": Range(0, None),
    "retry.backoff.max.ms": Range(0, None),
    "retry.backoff.ms": Range(0, None),
    "sasl.login.refresh.buffer.seconds": Range(0, 3600),
    "sasl.login.refresh.min.period.seconds": Range(0, 900),
    "statestore.cache.max.bytes": Range(0, None),
    "task.timeout.ms": Range(0, None),
}

# The defaults ksqlDB 8.x declares for its own configs (KsqlConfig's definitions, the
# compatibility-breaking ones at their current value), as ksqlDB lists them: the text
# ConfigDef renders (a list joined by commas), None where the default is null.
KSQL_DEFAULTS: Final[Mapping[str, str | None]] = {
    "ksql.access.validator.enable": "auto",
    "ksql.admin.request.retry.timeout.ms": "2500",
    "ksql.assert.schema.default.timeout.ms": "1000",
    "ksql.assert.topic.default.timeout.ms": "1000",
    "ksql.authorization.cache.expiry.time.secs": "30",
    "ksql.authorization.cache.max.entries": "10000",
    "ksql.cast.strings.preserve.nulls": "true",
    "ksql.client.ip_port.configuration.enabled": "false",
    "ksql.connect.basic.auth.credentials.file": "",
    "ksql.connect.basic.auth.credentials.reload": "false",
    "ksql.connect.basic.auth.credentials.source": "NONE",
    "ksql.connect.request.headers.plugin": None,
    "ksql.connect.request.timeout.ms": "5000",
    "ksql.connect.url": "http://localhost:8083",
    "ksql.connect.worker.config": "",
    "ksql.create.or.replace.enabled": "true",
    "ksql.create.topic.inherit.source.replicas.enabled": "true",
    "ksql.deployment.type": "selfManaged",
    "ksql.endpoint.migrate.query": "true",
    "ksql.error.classifier.regex": "",
    "ksql.extension.dir": "ext",
    "ksql.fetch.remote.hosts.max.timeout.seconds": "10",
    "ksql.headers.columns.enabled": "true",
    "ksql.hidden.topics": ("_confluent.*,__confluent.*,_schemas,__consumer_offsets,"
                          "__transaction_state,connect-configs,connect-offsets,"
                          "connect-status,connect-statuses"),
    "ksql.insert.into.values.enabled": "true",
    "ksql.internal.topic.min.insync.replicas": "1",
    "ksql.internal.topic.replicas": "1",
    "ksql.json_sr.converter.deserializer.enabled": "true",
    "ksql.kafka.client.additional.config.prefixes": "",
    "ksql.lambdas.enabled": "true",
    "ksql.metastore.backup.location": "",
    "ksql.metrics.extension": None,
    "ksql.metrics.tags.custom": "",
    "ksql.nested.error.set.null": "true",
    "ksql.new.query.planner.enabled": "false",
    "ksql.output.topic.name.prefix": "",
    "ksql.persistence.default.format.key": "KAFKA",
    "ksql.persistence.default.format.value": None,
    "ksql.persistence.wrap.single.values": None,
    "ksql.persistent.prefix": "query_",
    "ksql.properties.overrides.allowlist": "",
    "ksql.properties.overrides.denylist": "",
    "ksql.properties.overrides.log": "false",
    "ksql.properties.overrides.range.validation.log.enabled": "false",
    "ksql.properties.overrides.validation.mode": "denylist",
    "ksql.properties.overrides.validation.restore.enabled": "false",
    "ksql.proxy.protocol.local.mode.enabled": "false",
    "ksql.pull.queries.enable": "true",
    "ksql.query.cleanup.shutdown.timeout.ms": "30000",
    "ksql.query.error.max.queue.size": "10",
    "ksql.query.persistent.active.limit": "2147483647",
    "ksql.query.persistent.max.bytes.buffering.total": "-1",
    "ksql.query.pull.coordinator.queue.capacity": "2147483647",
    "ksql.query.pull.enable.standby.reads": "false",
    "ksql.query.pull.forwarding.timeout.ms": "20000",
    "ksql.query.pull.interpreter.enabled": "true",
    "ksql.query.pull.limit.clause.enabled": "true",
    "ksql.query.pull.max.allowed.offset.lag": "9223372036854775807",
    "ksql.query.pull.max.concurrent.requests": "2147483647",
    "ksql.query.pull.max.hourly.bandwidth.megabytes": "2147483647",
    "ksql.query.pull.max.qps": "2147483647",
    "ksql.query.pull.metrics.enabled": "true",
    "ksql.query.pull.range.scan.enabled": "true",
    "ksql.query.pull.router.queue.capacity": "2147483647",
    "ksql.query.pull.router.thread.pool.size": "50",
    "ksql.query.pull.stream.enabled": "true",
    "ksql.query.pull.table.scan.enabled": "true",
    "ksql.query.pull.thread.pool.size": "50",
    "ksql.query.push.v2.alos.enabled": "true",
    "ksql.query.push.v2.catchup.consumer.msg.window": "50",
    "ksql.query.push.v2.continuation.tokens.enabled": "false",
    "ksql.query.push.v2.enabled": "false",
    "ksql.query.push.v2.interpreter.enabled": "true",
    "ksql.query.push.v2.latest.reset.age.ms": "30000",
    "ksql.query.push.v2.max.catchup.consumers": "5",
    "ksql.query.push.v2.max.hourly.bandwidth.megabytes": "2147483647",
    "ksql.query.push.v2.metrics.enabled": "true",
    "ksql.query.push.v2.new.latest.delay.ms": "5000",
    "ksql.query.push.v2.registry.installed": "false",
    "ksql.query.retry.backoff.initial.ms": "15000",
    "ksql.query.retry.backoff.max.ms": "900000",
    "ksql.query.status.running.threshold.seconds": "300",
    "ksql.query.transient.max.bytes.buffering.total": "-1",
    "ksql.queryanonymizer.cluster_namespace": None,
    "ksql.queryanonymizer.logs_enabled": "true",
    "ksql.readonly.topics": ("_confluent.*,__confluent.*,_schemas,__consumer_offsets,"
                          "__transaction_state,connect-configs,connect-offsets,"
                          "connect-status,connect-statuses"),
    "ksql.resource.extension.class": None,
    "ksql.runtime.feature.shared.enabled": "false",
    "ksql.schema.registry.url": "",
    "ksql.security.extension.class": None,
    "ksql.service.id": "default_",
    "ksql.shared.runtimes.count": "2",
    "ksql.sink.window.change.log.additional.retention": "1000000",
    "ksql.source.table.materialization.enabled": "true",
    "ksql.streams.shutdown.timeout.ms": "300000",
    "ksql.suppress.buffer.size.bytes": "-1",
    "ksql.suppress.enabled": "true",
    "ksql.timestamp.throw.on.invalid": "false",
    "ksql.transient.prefix": "transient_",
    "ksql.transient.query.cleanup.service.enable": "true",
    "ksql.transient.query.cleanup.service.initial.delay.seconds": "600",
    "ksql.transient.query.cleanup.service.period.seconds": "600",
    "ksql.udf.collect.metrics": "false",
    "ksql.udfs.enabled": "true",
    "ksql.variable.substitution.enable": "true",
    "ksql.websocket.connection.max.timeout.ms": "3600000",
}

# Query-level configs (ksqlDB"s PropertiesList.QueryLevelProperties): SET may give each
# query its own value. SHOW PROPERTIES gives them the level QUERY, matching the name as
# listed (so `ksql.streams.auto.offset.reset` is listed at SERVER level).
QUERY_LEVEL: Final = frozenset({
    "auto.offset.reset", "buffered.records.per.partition", "cache.max.bytes.buffering",
    "ksql.fail.on.deserialization.error", "ksql.cast.strings.preserve.nulls",
    "ksql.nested.error.set.null", "ksql.query.retry.backoff.max.ms",
    "ksql.query.pull.max.allowed.offset.lag", "ksql.query.pull.table.scan.enabled",
    "ksql.timestamp.throw.on.invalid", "max.task.idle.ms", "task.timeout.ms",
})

# Configs ALTER SYSTEM may change (ksqlDB"s PropertiesList.MutableSystemProperties).
MUTABLE_SYSTEM: Final = frozenset({
    "max.poll.records", "max.poll.interval.ms", "session.timeout.ms",
    "heartbeat.interval.ms", "fetch.min.bytes", "fetch.max.bytes", "fetch.max.wait.ms",
    "metadata.max.age.ms", "max.partition.fetch.bytes", "batch.size", "linger.ms",
    "delivery.timeout.ms", "max.request.size", "max.block.ms", "buffer.memory",
    "compression.type", "acceptable.recovery.lag", "commit.interval.ms",
    "max.warmup.replicas", "num.standby.replicas", "poll.ms",
    "probing.rebalance.interval.ms", "processing.guarantee", "window.size.ms",
})

# The Streams configs ksqlDB sets itself, below the server's (KsqlConfig's constructor):
# SHOW PROPERTIES lists them under `ksql.streams.`. Its two exception handlers depend on
# `ksql.fail.on.*.error` and are chosen where the listing is made.
STREAMS_DEFAULTS: Final[Mapping[str, str]] = {
    "cache.max.bytes.buffering": "10000000",
    "commit.interval.ms": "2000",
    "num.stream.threads": "4",
    "topology.optimization": "all",
}
DESERIALIZATION_HANDLER: Final = "io.confluent.ksql.errors.LogMetricAndContinueExceptionHandler"
PRODUCTION_HANDLERS: Final = {  # by `ksql.fail.on.production.error` (default true)
    True: "io.confluent.ksql.errors.ProductionExceptionHandlerUtil"
          "$LogAndFailProductionExceptionHandler",
    False: "io.confluent.ksql.errors.ProductionExceptionHandlerUtil"
           "$LogAndContinueProductionExceptionHandler",
}
