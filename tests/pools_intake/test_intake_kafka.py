"""The intake's batch path on the Kafka backend (a Tansu broker of its own): a batch's
answers, a cancellation found through the bet's command, retries from the dedupe table."""

from __future__ import annotations

import pytest

from tote.log.kafka import KafkaLog
from tote.log.tansu import TansuBroker
from tote.pools.commands import BetRequest, OpenRaceRequest
from tote.pools.service import ToteService
from tote.registry import Registry

pytestmark = pytest.mark.kafka


def _service(log: KafkaLog) -> ToteService:
    service = ToteService(log, Registry(log), member_id="kafka-intake", session_timeout_ms=2_000)
    service.start()
    return service


def test_a_batch_a_cancellation_and_retries_on_kafka() -> None:
    with TansuBroker() as broker:
        log = KafkaLog(broker.bootstrap_servers)
        try:
            bets = [
                BetRequest(f"k{n}", ("K1", "K2")[n % 2], "WIN", 200, selection=[1 + n % 4])
                for n in range(300)
            ]
            service = _service(log)
            try:
                for race in ("K1", "K2"):
                    opened = service.intake.open_race(OpenRaceRequest(race, [1, 2, 3, 4]))
                    assert opened.result(60).ok
                first = service.intake.place_bets(bets).result(60)
                assert [o.body["status"] for o in first] == ["ACCEPTED"] * 300
                assert [o.body["idempotency_key"] for o in first] == [
                    b.idempotency_key for b in bets
                ]
                assert len({o.body["bet_id"] for o in first}) == 300
                cancelled = service.intake.cancel_bet("K2", first[7].body["bet_id"]).result(60)
                assert (cancelled.body["status"], cancelled.body["stake_cents"]) == (
                    "CANCELLED",
                    200,
                )
            finally:
                service.close()
            again = _service(log)  # a new intake and sequencer: the store from its changelog
            try:
                assert again.intake.place_bets(bets).result(60) == first
                assert again.race("K2")["pools"][0]["stake_cents"] == 149 * 200
            finally:
                again.close()
        finally:
            log.close()
