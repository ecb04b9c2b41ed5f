"""Lag of the stack's persistent queries and connectors, read straight from the log.

Neither the ksqlDB nor the Connect API reports consumer lag, but both commit their
consumed offsets to consumer groups of the shared log: a persistent query to
`_confluent-ksql-<service id>query_<query id>` (in the same transaction as its outputs),
a sink connector to `connect-<name>` (after each put). Lag is the records between a
group's committed offset and the end of each partition it has committed on, summed.

On the kafka backend a transaction's commit marker takes an offset too, so a query that
is fully caught up may show a lag of 1 per partition it reads, as Kafka's own
`kafka-consumer-groups` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tote.core.config import Config
from tote.core.errors import ToteError
from tote.core.records import TopicPartition
from tote.log.base import Log
from tote.log.open import open_log

QUERY = "query"
CONNECTOR = "connector"
_QUERY_GROUP = re.compile(r"^_confluent-ksql-.*?query_(?P<name>.+)$")
_CONNECT_GROUP = re.compile(r"^connect-(?P<name>.+)$")


@dataclass(frozen=True)
class ConsumerLag:
    kind: str  # QUERY or CONNECTOR
    name: str  # the query id or the connector name
    group: str
    lag: int


def classify(group: str) -> tuple[str, str] | None:
    """(kind, name) for a query's or a connector's group; None for any other group."""
    if (found := _QUERY_GROUP.match(group)) is not None:
        return QUERY, found.group("name")
    if (found := _CONNECT_GROUP.match(group)) is not None:
        return CONNECTOR, found.group("name")
    return None


def end_offsets(log: Log) -> dict[TopicPartition, int]:
    ends: dict[TopicPartition, int] = {}
    for topic in log.list_topics():
        for info in log.describe_topic(topic).partitions:
            ends[TopicPartition(topic, info.partition)] = info.end_offset
    return ends


def consumer_lags(log: Log) -> list[ConsumerLag]:
    """Every query and connector group of the log with its total lag, queries first."""
    ends = end_offsets(log)
    found = []
    for group in log.list_groups():
        kind_name = classify(group)
        if kind_name is None:
            continue
        committed = log.committed(group, ends)
        lag = sum(max(0, ends[tp] - offset) for tp, offset in committed.items())
        found.append(ConsumerLag(kind_name[0], kind_name[1], group, lag))
    return sorted(found, key=lambda c: (c.kind != QUERY, c.name))


def stack_lags(home: Path, backend: str, bootstrap_servers: str) -> list[ConsumerLag] | None:
    """The lags of the stack on `home`; None if its log cannot be read."""
    if backend == "sqlite" and not (home / "log.db").exists():
        return []
    try:
        log = open_log(Config(home=home, backend=backend, bootstrap_servers=bootstrap_servers))
    except ToteError:
        return None
    try:
        return consumer_lags(log)
    except ToteError:
        return None
    finally:
        log.close()
