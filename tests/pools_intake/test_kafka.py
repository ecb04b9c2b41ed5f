"""The sequencer on the Kafka backend (a Tansu broker of its own): same fence, same answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.pools_intake.desk import Desk

from tote.log.kafka import KafkaLog
from tote.log.tansu import TansuBroker
from tote.pools.topics import BETS, BETS_REFUNDED, BETS_REJECTED, RACE_EVENTS

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def desk() -> Iterator[Desk]:
    # A broker of its own: the domain's topic names are fixed, and the session's shared
    # broker may hold another test's tote topics.
    with TansuBroker() as broker:
        opened = Desk.over(
            KafkaLog(broker.bootstrap_servers), "kafka-desk", session_timeout_ms=2_000
        )
        yield opened
        opened.close()


def test_a_race_on_kafka(desk: Desk) -> None:
    assert desk.open_race("K1", [1, 2, 3, 4]).ok
    first, retry, _ = desk.send(
        desk.bet("k1", "K1", "WIN", 300, selection=[2]),
        desk.bet("k1", "K1", "WIN", 300, selection=[2]),
        desk.bet("k2", "K1", "EXACTA", 100, box=[1, 2, 3]),
    )
    close, late = desk.send(desk.close_race("K1"), desk.bet("k3", "K1", "WIN", 300, selection=[2]))
    outcomes = desk.run()
    assert outcomes[first].body["status"] == "ACCEPTED"
    assert outcomes[retry] == outcomes[first]
    assert outcomes[close].body["status"] == "CLOSED"
    assert outcomes[late].body["reason"] == "LATE"
    assert [e["idempotency_key"] for e in desk.events(BETS)] == ["k1", "k2"]
    assert [e["reason"] for e in desk.events(BETS_REJECTED)] == ["LATE"]
    scratched = desk.scratch("K1", 2)
    assert scratched.body["refunds"] == {"bets": 2, "stake_cents": 300 + 67}
    assert sorted(e["stake_cents"] for e in desk.events(BETS_REFUNDED)) == [67, 300]
    # Three starters left: SHOW (3 places) and FIRST4 have too few and are void.
    assert [(e["kind"], e["pool"]) for e in desk.events(RACE_EVENTS)] == [
        ("OPENED", None),
        ("CLOSED", None),
        ("SCRATCHED", None),
        ("POOL_VOIDED", "SHOW"),
        ("POOL_VOIDED", "FIRST4"),
    ]
    # A restarted sequencer resumes from the committed offsets and store (changelog).
    desk.restart("kafka-desk")
    assert desk.do(desk.bet("k1", "K1", "WIN", 300, selection=[2])) == outcomes[first]
    assert len(desk.events(BETS)) == 2
