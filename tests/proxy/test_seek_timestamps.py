"""v2 consumer seek to a timestamp (`POST .../positions` with `timestamps`), as kafka-rest:
the first offset stamped at or after the instant, the partition's end when none is."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from tests.proxy.helpers import BINARY, create_topic, error, new_consumer, post, read_until

from tote.core.records import Record
from tote.log.base import Log

FAST = {"fetch.min.bytes": 1, "consumer.request.timeout.ms": 500}
BASE_MS = 1_700_000_000_000


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")


def assigned_consumer(client: httpx.Client, names: str, partition: int = 0) -> str:
    base = new_consumer(client, f"{names}_g", "c", "binary", **FAST)
    response = post(client, f"{base}/assignments",
                    {"partitions": [{"topic": names, "partition": partition}]})
    assert response.status_code == 204, response.text
    return base


def test_seek_to_a_timestamp_reads_from_the_first_record_at_or_after_it(
    client: httpx.Client, log: Log, names: str
) -> None:
    create_topic(client, names)
    stamps = (0, 1_000, 3_000, 2_000, 4_000)  # CreateTime need not grow with offsets
    log.append(names, [Record(None, b"v%d" % i, timestamp=BASE_MS + s)
                       for i, s in enumerate(stamps)])
    base = assigned_consumer(client, names)
    assert len(read_until(client, base, BINARY, 5)) == 5
    seek = post(client, f"{base}/positions", {"timestamps": [
        {"topic": names, "partition": 0, "timestamp": iso(BASE_MS + 2_500)}]})
    assert seek.status_code == 204, seek.text
    assert [r["offset"] for r in read_until(client, base, BINARY, 3)] == [2, 3, 4]
    # Offsets and timestamps in one request: kafka-rest applies the timestamps last.
    both = post(client, f"{base}/positions", {
        "offsets": [{"topic": names, "partition": 0, "offset": 4}],
        "timestamps": [{"topic": names, "partition": 0, "timestamp": iso(BASE_MS + 500)}]})
    assert both.status_code == 204, both.text
    assert [r["offset"] for r in read_until(client, base, BINARY, 4)] == [1, 2, 3, 4]


def test_a_timestamp_after_every_record_seeks_to_the_end(
    client: httpx.Client, log: Log, names: str
) -> None:
    create_topic(client, names)
    log.append(names, [Record(None, b"old", timestamp=BASE_MS)])
    base = assigned_consumer(client, names)
    seek = post(client, f"{base}/positions", {"timestamps": [
        {"topic": names, "partition": 0, "timestamp": iso(BASE_MS + 60_000)}]})
    assert seek.status_code == 204, seek.text
    log.append(names, [Record(None, b"new", timestamp=BASE_MS + 120_000)])
    assert [r["offset"] for r in read_until(client, base, BINARY, 1)] == [1]


def test_a_seek_to_a_timestamp_checks_the_assignment_and_the_instant(
    client: httpx.Client, names: str
) -> None:
    create_topic(client, names, partitions=2)
    base = assigned_consumer(client, names)
    elsewhere = post(client, f"{base}/positions", {"timestamps": [
        {"topic": names, "partition": 1, "timestamp": iso(BASE_MS)}]})
    assert error(elsewhere)[:2] == (409, 40903)
    bad = post(client, f"{base}/positions", {"timestamps": [
        {"topic": names, "partition": 0, "timestamp": "yesterday"}]})
    assert bad.status_code == 400, bad.text
