"""The local Tansu broker, and the kafka backend when the broker misbehaves or goes away."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from tests.log.backends import DEADLINE_S

from tote.core.errors import Timeout
from tote.core.records import Record, TopicPartition
from tote.log.kafka import KafkaLog
from tote.log.tansu import TansuBroker, metadata_answers

pytestmark = pytest.mark.kafka


def test_a_broker_answers_metadata_from_start_to_stop() -> None:
    broker = TansuBroker()
    broker.start()
    try:
        host, port = broker.bootstrap_servers.split(":")
        assert host == "127.0.0.1"
        assert broker.is_running()
        assert metadata_answers(host, int(port))
    finally:
        broker.stop()
    assert not broker.is_running()
    assert not metadata_answers(host, int(port))


def test_a_broker_on_an_ipv6_host_listens_and_is_reached_through_brackets() -> None:
    """Tansu listens on IPv6: the listener URL and the bootstrap list bracket the host."""
    with TansuBroker(host="::1") as broker:
        assert broker.bootstrap_servers == f"[::1]:{broker.port}"
        assert broker.port is not None and metadata_answers("::1", broker.port)
        log = KafkaLog(broker.bootstrap_servers, timeout=DEADLINE_S)
        try:
            log.create_topic("bets6")
            log.append("bets6", [Record(b"v6")])
            assert [r.value for r in log.read(TopicPartition("bets6", 0), 0)] == [b"v6"]
        finally:
            log.close()


def test_a_dead_broker_makes_calls_time_out_instead_of_hanging() -> None:
    with TansuBroker() as broker:
        log = KafkaLog(broker.bootstrap_servers, timeout=2.0)
        log.create_topic("bets")
        log.append("bets", [Record(b"v")])
        assert [r.value for r in log.read(TopicPartition("bets", 0), 0)] == [b"v"]
    try:
        calls: list[Callable[[], object]] = [
            log.list_topics,
            lambda: log.describe_topic("bets"),
            lambda: log.read(TopicPartition("bets", 0), 0),
            lambda: log.append("bets", [Record(b"lost")]),
            lambda: log.committed("g", [TopicPartition("bets", 0)]),
        ]
        for call in calls:
            with pytest.raises(Timeout) as exc:
                call()
            assert exc.value.error_code == 50002
    finally:
        log.close()


DELETE_UNDER_CONSUMERS = """
import sys
from tote.core.records import Record, TopicPartition
from tote.log.kafka import KafkaLog

log = KafkaLog(sys.argv[1])
log.create_topic("doomed", partitions=2)
log.append("doomed", [Record(b"v", partition=0), Record(b"w", partition=1)])
tp = TopicPartition("doomed", 0)
assert [r.value for r in log.read(tp, 0)] == [b"v"]
assert log.wait({tp: 0, TopicPartition("doomed", 1): 5}, 5.0)
member = log.consumer("doomed-group", ["doomed"], session_timeout_ms=2000)
member.poll(timeout=1.0)
log.delete_topic("doomed")
assert log.wait({}, 1.0) is False  # time for any in-flight fetch to come back
print(sorted(log.list_topics()), flush=True)
member.close()
log.close()
"""


def test_deleting_a_topic_its_own_consumers_fetch_from_does_not_crash() -> None:
    """librdkafka 2.16 segfaults on Tansu's fetch answer for a deleted topic; the log must
    stop its own consumers fetching first (run in a child, where a crash cannot hurt)."""
    with TansuBroker() as broker:
        result = subprocess.run(
            [sys.executable, "-c", DELETE_UNDER_CONSUMERS, broker.bootstrap_servers],
            capture_output=True, text=True, timeout=4 * DEADLINE_S, check=False,
        )
    assert (result.returncode, result.stdout) == (0, "[]\n"), result.stderr[-2000:]
