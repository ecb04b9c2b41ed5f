"""Unreadable bodies on the tote API (8090) are 400/40001 "Malformed JSON", never a 500: a
document nested deeper than the parser's stack, bytes that are not UTF-8 (a lone surrogate
written as bytes among them). A batch holding one is refused whole: no bet of it is placed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tote.http.common import ServerThread
from tote.http.tote_api import create_tote_app
from tote.log.sqlite import SqliteLog
from tote.pools.service import ToteService
from tote.registry import Registry

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
NOT_UTF8 = b'{"race_id":"\xff","runner":1}'
RAW_SURROGATE = b'{"race_id":"\xed\xa0\x80","runner":1}'


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    log = SqliteLog(tmp_path_factory.mktemp("tote") / "log.db")
    service = ToteService(log, Registry(log), member_id="sweep-test")
    with (
        ServerThread(create_tote_app(service)) as server,
        httpx.Client(base_url=server.url, timeout=30) as opened,
    ):
        opened.post("/v1/races", json={"race_id": "S1", "runners": [1, 2, 3, 4]})
        yield opened
    log.close()


def _bet(key: str) -> dict[str, Any]:
    return {"idempotency_key": key, "race_id": "S1", "pool": "WIN", "stake_cents": 500,
            "selection": [1]}


def _win_bets(client: httpx.Client) -> int:
    race = client.get("/v1/races/S1").json()
    [win] = [p for p in race["pools"] if p["pool"] == "WIN"]
    bets: int = win["bets"]
    return bets


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, NOT_UTF8, RAW_SURROGATE],
                         ids=["deep-array", "deep-object", "not-utf8", "raw-surrogate"])
@pytest.mark.parametrize("path", ["/v1/bets", "/v1/races", "/v1/races/S1/scratch",
                                  "/v1/races/S1/result"])
def test_an_unreadable_body_is_malformed_json(
    client: httpx.Client, path: str, body: bytes
) -> None:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["error_code"] == 40001
    assert answer["message"].startswith("Malformed JSON")


@pytest.mark.parametrize("bad", [DEEP, b'{"idempotency_key":"\xff"}'], ids=["deep", "not-utf8"])
def test_a_batch_with_one_unreadable_bet_places_none(client: httpx.Client, bad: bytes) -> None:
    before = _win_bets(client)
    good = json.dumps(_bet(f"good-{len(bad)}")).encode()
    response = client.post("/v1/bets", content=b'{"bets":[' + good + b"," + bad + b"]}",
                           headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["error_code"]) == (400, 40001)
    assert _win_bets(client) == before
    placed = client.post("/v1/bets", json=_bet(f"after-{len(bad)}"))  # the service goes on
    assert placed.json()["status"] == "ACCEPTED"
    assert _win_bets(client) == before + 1
