"""The tote service's HTTP API over a real uvicorn server on a free port, with httpx."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tote import __version__
from tote.core.records import TopicPartition
from tote.http.common import ServerThread
from tote.http.tote_api import create_tote_app
from tote.log.sqlite import SqliteLog
from tote.pools.events import EventCodecs
from tote.pools.sequencer import Sequencer
from tote.pools.service import ToteService
from tote.pools.topics import BETS
from tote.registry import Registry
from tote.serde.avro import AvroCodec

_races = itertools.count(1)


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteLog]:
    opened = SqliteLog(tmp_path_factory.mktemp("tote") / "log.db")
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def client(log: SqliteLog) -> Iterator[httpx.Client]:
    service = ToteService(log, Registry(log), member_id="api-test")
    with (
        ServerThread(create_tote_app(service)) as server,
        httpx.Client(base_url=server.url, timeout=30) as opened,
    ):
        yield opened


@pytest.fixture
def race(client: httpx.Client) -> str:
    """A fresh open race with runners 1-8 and every pool type."""
    race_id = f"R{next(_races)}"
    response = client.post("/v1/races", json={"race_id": race_id, "runners": list(range(1, 9))})
    assert response.status_code == 200, response.text
    return race_id


def _bet(
    race: str, key: str, pool: str = "WIN", stake: int = 500, **runners: Any
) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "race_id": race,
        "pool": pool,
        "stake_cents": stake,
        **(runners or {"selection": [1]}),
    }


def _bets_on_log(log: SqliteLog, key: str) -> list[dict[str, Any]]:
    """Every BetPlaced with this idempotency key, decoded with the registered schema."""
    with Registry(log) as registry:
        codec = AvroCodec(registry.get_version(f"{BETS}-value").schema)
    found = []
    for info in log.describe_topic(BETS).partitions:
        for record in log.read(TopicPartition(BETS, info.partition), 0, 1_000_000):
            assert record.value is not None
            value = codec.decode_framed(record.value)[1]
            if value["idempotency_key"] == key:
                found.append(value)
    return found


# -- the happy path -----------------------------------------------------------------------------


def test_health_and_root(client: httpx.Client) -> None:
    assert client.get("/healthcheck").json() == {"isHealthy": True, "sequencer": "running"}
    assert client.get("/").json() == {"service": "tote", "version": __version__}


def test_open_bet_and_read_the_race(client: httpx.Client, log: SqliteLog) -> None:
    opened = client.post(
        "/v1/races",
        json={
            "race_id": "HV-5",
            "runners": [1, 2, 3, 4, 5],
            "pools": ["WIN", {"pool": "TRIFECTA", "takeout_bp": 2000, "unit_cents": 50}],
        },
    )
    assert opened.status_code == 200
    assert [(p["pool"], p["takeout_bp"], p["unit_cents"]) for p in opened.json()["pools"]] == [
        ("WIN", 1450, 100),
        ("TRIFECTA", 2000, 50),
    ]
    placed = client.post("/v1/bets", json=_bet("HV-5", "hv-1", "TRIFECTA", 1200, box=[1, 3, 5]))
    assert placed.status_code == 200
    body = placed.json()
    assert body["status"] == "ACCEPTED"
    assert body["combinations"] == ["1-3-5", "1-5-3", "3-1-5", "3-5-1", "5-1-3", "5-3-1"]
    assert body["bet_id"].startswith("HV-5:")
    # The answer came after the commit: the bet is already on the log.
    [on_log] = _bets_on_log(log, "hv-1")
    assert body == {"status": "ACCEPTED", **on_log}
    shown = client.get("/v1/races/HV-5").json()
    assert (shown["status"], shown["runners"], shown["scratched"]) == ("OPEN", [1, 2, 3, 4, 5], [])
    assert [(p["pool"], p["bets"], p["stake_cents"]) for p in shown["pools"]] == [
        ("WIN", 0, 0),
        ("TRIFECTA", 1, 1200),
    ]
    assert "HV-5" in [r["race_id"] for r in client.get("/v1/races").json()]


def test_a_retry_gets_the_same_bet_id_and_one_bet_on_the_log(
    client: httpx.Client, log: SqliteLog, race: str
) -> None:
    first = client.post("/v1/bets", json=_bet(race, f"{race}-retry"))
    again = client.post("/v1/bets", json=_bet(race, f"{race}-retry"))
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len(_bets_on_log(log, f"{race}-retry")) == 1
    reused = client.post("/v1/bets", json=_bet(race, f"{race}-retry", stake=700))
    assert (reused.status_code, reused.json()["error_code"]) == (422, 42208)


def test_a_batch_answers_every_bet_in_order(client: httpx.Client, race: str) -> None:
    response = client.post(
        "/v1/bets",
        json={
            "bets": [
                _bet(race, "b1", "QUINELLA", 200, selection=[4, 2]),
                {"idempotency_key": "b2", "race_id": race, "pool": "WIN", "selection": [1]},
                _bet(race, "b3", selection=[12]),
                _bet(race, "b1", "QUINELLA", 200, selection=[4, 2]),
                "not a bet",
            ]
        },
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 5
    assert (results[0]["status"], results[0]["combinations"]) == ("ACCEPTED", ["2-4"])
    assert results[1] == {
        "error_code": 42200,
        "message": "Invalid bet 1: Object missing required field `stake_cents`",
    }
    assert results[2] == {
        "error_code": 42205,
        "message": f"Runner 12 is not declared in race {race}.",
        "status": "REJECTED",
        "reason": "INVALID_SELECTION",
        "idempotency_key": "b3",
        "race_id": race,
        "pool": "WIN",
    }
    assert results[3] == results[0]
    assert results[4] == {"error_code": 42200, "message": "Invalid bet 4: expected a JSON object."}


def test_a_bet_after_the_close_is_rejected_as_late(client: httpx.Client, race: str) -> None:
    closed = client.post(f"/v1/races/{race}/close", json={})
    assert (closed.status_code, closed.json()["status"]) == (200, "CLOSED")
    late = client.post("/v1/bets", json=_bet(race, f"{race}-late"))
    assert late.status_code == 422
    body = late.json()
    assert (body["error_code"], body["reason"], body["status"]) == (42201, "LATE", "REJECTED")
    assert body["message"].startswith(f"Betting on race {race} closed (at tote_commands ")


def test_scratch_result_and_void(client: httpx.Client, race: str) -> None:
    client.post("/v1/bets", json=_bet(race, f"{race}-s", selection=[3], stake=900))
    scratched = client.post(f"/v1/races/{race}/scratch", json={"runner": 3})
    assert scratched.status_code == 200
    assert (scratched.json()["scratched"], scratched.json()["refunds"]) == (
        [3],
        {"bets": 1, "stake_cents": 900},
    )
    client.post(f"/v1/races/{race}/close")
    resulted = client.post(f"/v1/races/{race}/result", json={"result": [[2], [1, 4], [5]]})
    assert (resulted.status_code, resulted.json()["result"]) == (200, [[2], [1, 4], [5]])
    voided = client.post(f"/v1/races/{race}/void")
    assert voided.status_code == 409
    assert voided.json() == {
        "error_code": 40902,
        "message": f"Race {race} is RESULTED; it cannot be voided.",
    }


def test_cancel_a_bet(client: httpx.Client, race: str) -> None:
    bet_id = client.post("/v1/bets", json=_bet(race, f"{race}-c")).json()["bet_id"]
    cancelled = client.post(f"/v1/bets/{bet_id}/cancel")
    assert (cancelled.status_code, cancelled.json()["status"], cancelled.json()["stake_cents"]) == (
        200,
        "CANCELLED",
        500,
    )
    voided = client.post(f"/v1/races/{race}/void").json()
    assert voided["refunds"] == {"bets": 0, "stake_cents": 0}


# -- error shapes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "error_code", "message"),
    [
        (b'{"race_id": ', 400, 40001, "Malformed JSON: Input data was truncated"),
        (b"", 422, 42200, "The request body is empty; a JSON object was expected."),
        (b"[1, 2]", 422, 42200, "Invalid bet: expected a JSON object."),
        (
            b'{"idempotency_key": "k", "race_id": "R1", "pool": "WIN", "selection": [1]}',
            422,
            42200,
            "Invalid bet: Object missing required field `stake_cents`",
        ),
        (
            b'{"idempotency_key": "k", "race_id": "R1", "pool": "WIN", "selection": [1], '
            b'"stake_cents": "12"}',
            422,
            42200,
            "Invalid bet: Expected `int`, got `str` - at `$.stake_cents`",
        ),
        (
            b'{"idempotency_key": "k", "race_id": "R1", "pool": "WIN", "selection": ["a"], '
            b'"stake_cents": 100}',
            422,
            42200,
            "Invalid bet: Expected `int`, got `str` - at `$.selection[0]`",
        ),
        (
            b'{"idempotency_key": "k", "race_id": "R1", "pool": "WIN", "selection": [1], '
            b'"stake_cents": 100, "amount": 1}',
            422,
            42200,
            "Invalid bet: Object contains unknown field `amount`",
        ),
        (
            b'{"idempotency_key": "k", "race_id": "R1", "pool": "WIN", "stake_cents": 100}',
            422,
            42200,
            "A bet has either 'selection' or 'box', not both or neither.",
        ),
        (
            b'{"idempotency_key": "", "race_id": "R1", "pool": "WIN", "selection": [1], '
            b'"stake_cents": 100}',
            422,
            42200,
            "idempotency_key must be 1 to 200 characters.",
        ),
        (
            b'{"idempotency_key": "k", "race_id": "R 1", "pool": "WIN", "selection": [1], '
            b'"stake_cents": 100}',
            422,
            42200,
            "Invalid race_id 'R 1': 1 to 100 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit.",
        ),
        (b'{"bets": {"a": 1}}', 422, 42200, 'A batch is {"bets": [bet, ...]} and nothing else.'),
        (
            b'{"idempotency_key": "k", "race_id": "R1", "pool": "FIRST4", "stake_cents": 100, '
            b'"box": [' + b",".join(b"%d" % n for n in range(1, 102)) + b"]}",
            422,
            42200,
            "A bet names at most 100 runners, not 101.",
        ),
    ],
)
def test_bad_bet_requests(
    client: httpx.Client, body: bytes, status: int, error_code: int, message: str
) -> None:
    response = client.post("/v1/bets", content=body, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (
        status,
        {"error_code": error_code, "message": message},
    )


@pytest.mark.parametrize(
    ("request_line", "body", "status", "expected"),
    [
        ("GET /v1/nowhere", None, 404, {"error_code": 404, "message": "HTTP 404 Not Found"}),
        ("GET /v1/bets", None, 405, {"error_code": 405, "message": "HTTP 405 Method Not Allowed"}),
        ("GET /v1/races/NOPE", None, 404, {"error_code": 40401, "message": "Race NOPE not found."}),
        (
            "POST /v1/races/NOPE/close",
            None,
            404,
            {"error_code": 40401, "message": "Race NOPE not found."},
        ),
        (
            "POST /v1/races/NOPE/fly",
            None,
            404,
            {"error_code": 404, "message": "HTTP 404 Not Found"},
        ),
        (
            "POST /v1/races/NOPE/scratch",
            {"runner": "seven"},
            422,
            {
                "error_code": 42200,
                "message": "Invalid scratching: Expected `int`, got `str` - at `$.runner`",
            },
        ),
        (
            "POST /v1/races/NOPE/result",
            {"result": [3, 1]},
            422,
            {
                "error_code": 42200,
                "message": "Invalid result: Expected `array`, got `int` - at `$.result[0]`",
            },
        ),
        (
            "POST /v1/races",
            {"race_id": "X", "runners": "1-8"},
            422,
            {
                "error_code": 42200,
                "message": "Invalid race: Expected `array`, got `str` - at `$.runners`",
            },
        ),
        (
            "POST /v1/races",
            {"race_id": "X", "runners": [1, 2], "pools": [{"pool": "WIN", "takeout": 5}]},
            422,
            {
                "error_code": 42200,
                "message": "Invalid race: Object contains unknown field `takeout` - at "
                "`$.pools[0]`",
            },
        ),
        (
            "POST /v1/races",
            {"race_id": "X", "runners": [1, 2], "pools": ["WIN"], "x": 1},
            422,
            {"error_code": 42200, "message": "Invalid race: Object contains unknown field `x`"},
        ),
        (
            "POST /v1/races",
            {"race_id": "X", "runners": [1, 2], "pools": ["TRIFECTA"]},
            422,
            {
                "error_code": 42210,
                "message": "A TRIFECTA pool needs at least 3 runners; the race declares 2.",
            },
        ),
        (
            "POST /v1/bets/garbage/cancel",
            None,
            404,
            {"error_code": 40402, "message": "Bet garbage not found."},
        ),
    ],
)
def test_error_shapes(
    client: httpx.Client, request_line: str, body: Any, status: int, expected: dict[str, Any]
) -> None:
    method, path = request_line.split(" ")
    response = client.request(method, path, json=body)
    assert (response.status_code, response.json()) == (status, expected)


def test_opening_a_race_twice_is_a_conflict(client: httpx.Client, race: str) -> None:
    again = client.post("/v1/races", json={"race_id": race, "runners": [1, 2]})
    assert (again.status_code, again.json()) == (
        409,
        {"error_code": 40901, "message": f"Race {race} already exists (OPEN)."},
    )


# -- without a sequencer ------------------------------------------------------------------------


def test_no_answer_in_time_is_503_and_a_retry_learns_the_outcome(tmp_path: Path) -> None:
    """An intake whose sequencer is down answers 503 after its timeout; once a sequencer
    has taken the command, the same request (same idempotency key) gets its outcome."""
    log = SqliteLog(tmp_path / "log.db")
    service = ToteService(log, Registry(log), sequence=False, reply_timeout_s=0.5)
    try:
        with (
            ServerThread(create_tote_app(service)) as server,
            httpx.Client(base_url=server.url, timeout=30) as client,
        ):
            assert client.get("/healthcheck").json() == {"isHealthy": True, "sequencer": "off"}
            no_answer = {
                "error_code": 50301,
                "message": (
                    "The sequencer did not answer within 0.5 s. The command may still be "
                    "sequenced: retry a bet with the same idempotency_key to learn its outcome."
                ),
            }
            lost = client.post("/v1/bets", json=_bet("R1", "k1"))
            assert (lost.status_code, lost.json()) == (503, no_answer)
            batch = client.post("/v1/bets", json={"bets": [_bet("R1", "k2"), {"x": 1}]})
            assert batch.status_code == 200
            assert batch.json()["results"] == [
                no_answer,
                {
                    "error_code": 42200,
                    "message": "Invalid bet 1: Object contains unknown field `x`",
                },
            ]
            sequencer = Sequencer(log, EventCodecs(service.registry), member_id="late")
            try:
                assert sequencer.run_until_idle() == 2
            finally:
                sequencer.close()
            retry = client.post("/v1/bets", json=_bet("R1", "k1"))
            assert (retry.status_code, retry.json()["reason"]) == (422, "UNKNOWN_RACE")
    finally:
        log.close()


def test_a_race_belongs_to_its_meeting(client: httpx.Client) -> None:
    race_id = f"M{next(_races)}"
    opened = client.post(
        "/v1/races", json={"race_id": race_id, "runners": [1, 2, 3], "meeting_id": "2026-11-25-HAP"}
    )
    assert opened.status_code == 200, opened.text
    assert opened.json()["meeting_id"] == "2026-11-25-HAP"
    assert client.get(f"/v1/races/{race_id}").json()["meeting_id"] == "2026-11-25-HAP"
    bad = client.post(
        "/v1/races",
        json={"race_id": f"M{next(_races)}", "runners": [1, 2], "meeting_id": "no spaces"},
    )
    assert bad.status_code == 422
    assert bad.json()["message"].startswith("Invalid meeting_id 'no spaces'")
