"""The tote service over HTTP when things break underneath it: a poison command, a log
that keeps failing, a lost intake thread. Real uvicorn, httpx and a sqlite log; the faults
are real ones (a store row that does not decode, a topic deleted under the service).

A request during a failure gets an error body at once, never a hang: the clients here
wait far less than the service's reply timeout, so a request left waiting would fail.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.pools_intake.desk import corrupt_store_row
from tests.stack.helpers import wait_until

from tote.core.records import TopicPartition
from tote.http.common import ServerThread
from tote.http.tote_api import create_tote_app
from tote.log.sqlite import SqliteLog
from tote.pools.sequencer_state import race_key
from tote.pools.service import ToteService
from tote.pools.topics import BETS, BETS_REJECTED, DEAD_LETTERS, OUTCOMES
from tote.registry import Registry
from tote.serde.avro import AvroCodec

REPLY_TIMEOUT_S = 300.0  # far beyond the clients' patience: only an answer ends a request
CLIENT_TIMEOUT_S = 60.0


@pytest.fixture
def log(tmp_path: Path) -> Iterator[SqliteLog]:
    opened = SqliteLog(tmp_path / "log.db")
    yield opened
    opened.close()


def _serve(service: ToteService) -> ServerThread:
    return ServerThread(create_tote_app(service)).start()


def _bet(key: str, race: str, stake: int = 100) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "race_id": race,
        "pool": "WIN",
        "selection": [1],
        "stake_cents": stake,
    }


def _open(client: httpx.Client, race: str) -> None:
    response = client.post("/v1/races", json={"race_id": race, "runners": [1, 2, 3]})
    assert response.status_code == 200, response.text


def _bet_keys(log: SqliteLog) -> list[str]:
    with Registry(log) as registry:
        codec = AvroCodec(registry.get_version(f"{BETS}-value").schema)
    keys = []
    for info in log.describe_topic(BETS).partitions:
        for record in log.read(TopicPartition(BETS, info.partition), 0, 1_000_000):
            assert record.value is not None
            keys.append(codec.decode_framed(record.value)[1]["idempotency_key"])
    return keys


def test_a_poison_bet_is_answered_500_and_the_service_goes_on(log: SqliteLog) -> None:
    service = ToteService(log, Registry(log), reply_timeout_s=REPLY_TIMEOUT_S)
    server = _serve(service)
    try:
        with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT_S) as client:
            _open(client, "R1")
            _open(client, "R2")
            corrupt_store_row(log, race_key("R1"))

            poison = client.post("/v1/bets", json=_bet("p1", "R1"))
            assert poison.status_code == 500
            body = poison.json()
            assert body.pop("message").startswith(
                "The sequencer could not decide this command (DecodeError; see the service "
                "log): it was set aside in tote_commands_dlq (tote_commands-"
            )
            assert body == {
                "error_code": 50010,
                "status": "REJECTED",
                "reason": "UNPROCESSABLE",
                "idempotency_key": "p1",
                "race_id": "R1",
                "pool": "WIN",
            }
            close = client.post("/v1/races/R1/close")
            assert (close.status_code, close.json()["error_code"]) == (500, 50010)

            accepted = client.post("/v1/bets", json=_bet("k1", "R2"))
            assert accepted.status_code == 200, accepted.text
            assert accepted.json()["status"] == "ACCEPTED"
            health = client.get("/healthcheck")
            assert (health.status_code, health.json()) == (
                200,
                {"isHealthy": True, "sequencer": "running"},
            )
    finally:
        server.stop()
    assert _bet_keys(log) == ["k1"]
    letters = [
        r for p in range(4) for r in log.read(TopicPartition(DEAD_LETTERS, p), 0, 100)
    ]
    assert len(letters) == 2


def test_when_the_sequencer_gives_up_every_request_is_answered_503(log: SqliteLog) -> None:
    reasons: list[str] = []
    service = ToteService(
        log,
        Registry(log),
        reply_timeout_s=REPLY_TIMEOUT_S,
        retry_for_s=0.5,
        on_failure=reasons.append,
    )
    server = _serve(service)
    reason = (
        "the sequencer stopped: the log kept failing for 0.5 s: "
        "Topic 'tote_bets_rejected' not found."
    )
    stopped = {
        "error_code": 50303,
        "message": f"The tote service stopped: {reason[:-1]}. A command already sent may "
        "still be sequenced once it restarts: retry a bet with the same idempotency_key.",
    }
    try:
        with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT_S) as client:
            _open(client, "R1")
            log.delete_topic(BETS_REJECTED)
            answers: dict[str, httpx.Response] = {}

            def place(key: str, stake: int) -> None:
                answers[key] = client.post("/v1/bets", json=_bet(key, "R1", stake))

            # A bet whose BetRejected cannot be written, and once the sequencer is stuck on
            # it, a good one behind it.
            waiting = [threading.Thread(target=place, args=("bad", 150))]
            waiting[0].start()
            sequencer = service.sequencer
            assert sequencer is not None
            wait_until(lambda: sequencer.retrying is not None or not sequencer.running,
                       "the sequencer to fail")
            waiting.append(threading.Thread(target=place, args=("k1", 100)))
            waiting[1].start()
            for thread in waiting:
                thread.join(CLIENT_TIMEOUT_S)
            assert {k: (r.status_code, r.json()) for k, r in answers.items()} == {
                "bad": (503, stopped),
                "k1": (503, stopped),
            }
            later = client.post("/v1/bets", json=_bet("k2", "R1"))  # refused, not appended
            assert (later.status_code, later.json()) == (503, stopped)
            health = client.get("/healthcheck")
            assert (health.status_code, health.json()) == (
                503,
                {
                    "isHealthy": False,
                    "sequencer": f"failed: {reason.removeprefix('the sequencer stopped: ')}",
                    "error": reason,
                },
            )
    finally:
        server.stop()
    assert reasons == [reason]

    # Restarted on the same log (the topic created again), it decides what was appended.
    server = _serve(ToteService(log, Registry(log), reply_timeout_s=REPLY_TIMEOUT_S))
    try:
        with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT_S) as client:
            first = client.post("/v1/bets", json=_bet("k1", "R1"))
            assert first.status_code == 200, first.text
            again = client.post("/v1/bets", json=_bet("k1", "R1"))
            assert again.json()["bet_id"] == first.json()["bet_id"]
            bad = client.post("/v1/bets", json=_bet("bad", "R1", 150))
            assert (bad.status_code, bad.json()["reason"]) == (422, "BAD_STAKE")
            assert client.post("/v1/bets", json=_bet("k2", "R1")).status_code == 200
    finally:
        server.stop()
    assert sorted(_bet_keys(log)) == ["k1", "k2"]


def test_an_intake_that_loses_its_watcher_answers_503_instead_of_hanging(
    log: SqliteLog,
) -> None:
    reasons: list[str] = []
    service = ToteService(
        log,
        Registry(log),
        sequence=False,  # no sequencer here to answer directly: only the watcher would
        reply_timeout_s=REPLY_TIMEOUT_S,
        on_failure=reasons.append,
    )
    server = _serve(service)
    try:
        with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT_S) as client:
            log.delete_topic(OUTCOMES)
            response = client.post("/v1/races", json={"race_id": "R1", "runners": [1, 2]})
            reason = "the intake stopped: Topic 'tote_command_outcomes' not found."
            assert (response.status_code, response.json()["error_code"]) == (503, 50303)
            assert client.get("/healthcheck").json() == {
                "isHealthy": False,
                "sequencer": "off",
                "error": reason,
            }
    finally:
        server.stop()
    assert reasons == [reason]
