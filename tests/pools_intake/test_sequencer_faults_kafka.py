"""The sequencer's fault policy on the Kafka backend (a Tansu broker of its own): a poison
command is set aside, and a topic deleted under the transactional producer is retried
from the committed offsets until it is back, each command decided once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.pools_intake.desk import Desk, corrupt_store_row

from tote.log.kafka import KafkaLog
from tote.log.tansu import TansuBroker
from tote.pools.sequencer_state import race_key
from tote.pools.topics import BETS, BETS_REJECTED, DEAD_LETTERS, ensure_topics

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def desk() -> Iterator[Desk]:
    with TansuBroker() as broker:  # its own: the domain's topic names are fixed
        opened = Desk.over(
            KafkaLog(broker.bootstrap_servers), "kafka-faults", session_timeout_ms=2_000
        )
        yield opened
        opened.close()


def test_poison_and_a_failing_log_on_kafka(desk: Desk) -> None:
    assert desk.open_race("R1", [1, 2, 3]).ok
    assert desk.open_race("R2", [1, 2, 3]).ok
    corrupt_store_row(desk.log, race_key("R1"))
    good, poison = desk.send(
        desk.bet("k1", "R2", "WIN", 100, selection=[1]),
        desk.bet("p1", "R1", "WIN", 100, selection=[1]),
    )
    outcomes = desk.run(faults=True)
    assert outcomes[good].body["status"] == "ACCEPTED"
    assert (outcomes[poison].error_code, outcomes[poison].body["reason"]) == (
        50010,
        "UNPROCESSABLE",
    )
    assert [r.value for r in desk.records(DEAD_LETTERS)] == [desk.command(poison).value]

    desk.log.delete_topic(BETS_REJECTED)
    accepted, rejected = desk.send(
        desk.bet("k2", "R2", "WIN", 100, selection=[2]),
        desk.bet("k3", "R2", "WIN", 150, selection=[2]),
    )
    while desk.sequencer.retrying is None:
        desk.sequencer.advance(0.05)
    assert desk.sequencer.retrying == "Topic 'tote_bets_rejected' not found."
    ensure_topics(desk.log)
    outcomes = desk.run(faults=True)
    assert outcomes[accepted].body["status"] == "ACCEPTED"
    assert outcomes[rejected].body["reason"] == "BAD_STAKE"
    assert [e["idempotency_key"] for e in desk.events(BETS)] == ["k1", "k2"]
    assert [e["idempotency_key"] for e in desk.events(BETS_REJECTED)] == ["k3"]
