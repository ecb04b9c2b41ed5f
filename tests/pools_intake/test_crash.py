"""SIGKILL the tote service while bets stream in over HTTP: nothing accepted is ever lost.

Several clients post bets (single and small batches) with unique idempotency keys; the
service is killed mid-stream and restarted on the same data dir. Every bet whose client
heard ACCEPTED must be in `tote_bets` exactly once with the id it was told; every bet whose
answer was lost is retried with its key and gets an outcome (the bet sequenced before the
kill keeps its id); and no key appears twice.
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.pools_intake.process import assert_each_answered_bet_once, start_tote

pytestmark = pytest.mark.slow
CLIENTS = 4
KILL_AFTER_ACCEPTED = 400


def _bet(key: str, n: int) -> dict[str, Any]:
    if n % 3 == 0:
        return {
            "idempotency_key": key,
            "race_id": "R1",
            "pool": "EXACTA",
            "box": [1 + n % 5, 6, 8],
            "stake_cents": 600,
        }
    return {
        "idempotency_key": key,
        "race_id": "R1",
        "pool": "WIN",
        "selection": [1 + n % 10],
        "stake_cents": 100 * (1 + n % 4),
    }


class Bettor(threading.Thread):
    """Posts bets until the service stops answering; remembers what it was told."""

    def __init__(self, url: str, name: str, accepted: dict[str, str], lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.url, self.prefix = url, name
        self.accepted, self.lock = accepted, lock
        self.sent: dict[str, dict[str, Any]] = {}
        self.unanswered: list[str] = []
        self.refused: list[dict[str, Any]] = []  # answers other than ACCEPTED (none expected)

    def run(self) -> None:
        counter = itertools.count()
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while True:
                size = 1 if next(counter) % 2 else 5
                bets = []
                for _ in range(size):
                    n = next(counter)
                    key = f"{self.prefix}-{n}"
                    self.sent[key] = _bet(key, n)
                    bets.append(self.sent[key])
                try:
                    if size == 1:
                        response = client.post("/v1/bets", json=bets[0])
                        results = [response.json()]
                    else:
                        results = client.post("/v1/bets", json={"bets": bets}).json()["results"]
                except (httpx.TransportError, ValueError):
                    self.unanswered.extend(b["idempotency_key"] for b in bets)
                    return
                with self.lock:
                    for bet, result in zip(bets, results, strict=True):
                        if result.get("status") == "ACCEPTED":
                            self.accepted[bet["idempotency_key"]] = result["bet_id"]
                        else:
                            self.refused.append(result)


def test_sigkill_mid_stream_loses_no_accepted_bet(tmp_path: Path) -> None:
    home = tmp_path / "home"
    member = ("--member-id", "crash-test")
    tote = start_tote(home, *member)
    try:
        opened = httpx.post(
            tote.url + "/v1/races",
            json={"race_id": "R1", "runners": list(range(1, 11)), "pools": ["WIN", "EXACTA"]},
            timeout=30,
        )
        assert opened.status_code == 200, opened.text
        accepted: dict[str, str] = {}
        lock = threading.Lock()
        bettors = [Bettor(tote.url, f"c{i}", accepted, lock) for i in range(CLIENTS)]
        for bettor in bettors:
            bettor.start()
        done = threading.Event()
        while not done.wait(0.01):
            with lock:
                if len(accepted) >= KILL_AFTER_ACCEPTED:
                    done.set()
            if not any(b.is_alive() for b in bettors):
                pytest.fail(f"every client stopped before the kill: {tote.logs()[-2000:]}")
        tote.kill()
        for bettor in bettors:
            bettor.join(60)
        unanswered = [key for b in bettors for key in b.unanswered]
        assert [r for b in bettors for r in b.refused] == []
        assert unanswered, "the kill should catch requests in flight"
    finally:
        tote.kill()

    tote = start_tote(home, *member, port=tote.port)
    try:
        sent = {key: bet for b in bettors for key, bet in b.sent.items()}
        retried: dict[str, str] = {}
        with httpx.Client(base_url=tote.url, timeout=30) as client:
            for key in unanswered:
                answer = client.post("/v1/bets", json=sent[key])
                assert answer.status_code == 200, answer.text
                retried[key] = answer.json()["bet_id"]
            # A second retry is answered from the dedupe table: the same ids again.
            for key in unanswered:
                assert client.post("/v1/bets", json=sent[key]).json()["bet_id"] == retried[key]
    finally:
        tote.stop()

    assert_each_answered_bet_once(home, accepted, retried)
