"""`tote serve tote` under the stack's restart policy, when its log fails for good.

Clients stream bets; a topic the sequencer writes is deleted underneath the service and a
bet that must write to it arrives. The sequencer retries for `--retry-for-s`, then gives
up: every request in flight gets a 503 error body (none hangs: the clients wait much
less than the reply timeout), the process exits 1 with a one-line reason at the end of its
log, and the supervisor's policy (`tote.stack.supervised`) starts it again. The restarted
service creates the topic again and decides what was left in the log: every bet retried
with its idempotency key is answered, and every ACCEPTED bet is in `tote_bets` once.
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.pools_intake.process import assert_each_answered_bet_once, clean_env
from tests.stack.helpers import wait_until

from tote.core.listen import free_port
from tote.log.sqlite import SqliteLog
from tote.pools.topics import BETS_REJECTED
from tote.stack.members import ServiceProcess, tote_command
from tote.stack.state import RUNNING, ServiceStatus
from tote.stack.supervised import RestartPolicy, Supervised

pytestmark = pytest.mark.slow
CLIENTS = 3
FAIL_AFTER_ACCEPTED = 60
CLIENT_TIMEOUT_S = 60.0  # the service waits up to 120 s for an answer: only an error ends sooner
POLICY = RestartPolicy(initial_backoff_s=0.1, max_backoff_s=0.5, fast_crash_s=60.0,
                       max_fast_crashes=3)
REASON = ("the sequencer stopped: the log kept failing for 1 s: "
          "Topic 'tote_bets_rejected' not found.")


def _bet(key: str, stake: int = 100) -> dict[str, Any]:
    return {"idempotency_key": key, "race_id": "R1", "pool": "WIN",
            "selection": [1 + sum(map(ord, key)) % 8], "stake_cents": stake}


class Bettor(threading.Thread):
    """Posts bets one at a time until an answer is not ACCEPTED; keeps that answer."""

    def __init__(self, url: str, prefix: str, accepted: dict[str, str],
                 lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.url, self.prefix, self.accepted, self.lock = url, prefix, accepted, lock
        self.sent: dict[str, dict[str, Any]] = {}
        self.ended: tuple[int, Any] | str | None = None  # (status, body) or a transport error

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=CLIENT_TIMEOUT_S) as client:
            for n in itertools.count():
                key = f"{self.prefix}-{n}"
                self.sent[key] = _bet(key)
                try:
                    response = client.post("/v1/bets", json=self.sent[key])
                except httpx.TransportError as exc:
                    self.ended = type(exc).__name__
                    return
                body = response.json()
                if response.status_code != 200:
                    self.ended = (response.status_code, body)
                    return
                with self.lock:
                    self.accepted[key] = body["bet_id"]


def _supervised(tmp_path: Path, home: Path, port: int, events: list[str]) -> Supervised:
    argv = [*tote_command(), "serve", "tote", "--home", str(home), "--backend", "sqlite",
            "--port", str(port), "--member-id", "restart-test", "--retry-for-s", "1",
            "--reply-timeout-s", "120"]
    log_path = tmp_path / "tote.log"
    url = f"http://127.0.0.1:{port}"
    member = ServiceProcess("tote", argv, clean_env(home), log_path, url + "/healthcheck")
    return Supervised(member, ServiceStatus("tote", url, port, True, str(log_path)), POLICY,
                      events.append)


def test_a_service_whose_log_fails_exits_and_recovers_under_the_supervisor(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    events: list[str] = []
    tote = _supervised(tmp_path, home, port, events)

    def up(restarts: int) -> bool:
        tote.tick()
        return tote.status.state == RUNNING and tote.status.restarts == restarts

    tote.start()
    try:
        wait_until(lambda: up(0), "the service to start")
        with httpx.Client(base_url=url, timeout=CLIENT_TIMEOUT_S) as client:
            opened = client.post("/v1/races", json={"race_id": "R1", "runners": list(range(1, 9)),
                                                    "pools": ["WIN"]})
            assert opened.status_code == 200, opened.text
            accepted: dict[str, str] = {}
            lock = threading.Lock()
            bettors = [Bettor(url, f"c{i}", accepted, lock) for i in range(CLIENTS)]
            for bettor in bettors:
                bettor.start()
            wait_until(lambda: len(accepted) >= FAIL_AFTER_ACCEPTED, "bets to be accepted")

            with SqliteLog(home / "log.db") as log:
                log.delete_topic(BETS_REJECTED)
            bad = client.post("/v1/bets", json=_bet("bad", stake=150))  # BAD_STAKE: rejected
            assert bad.status_code == 503
            assert bad.json() == {
                "error_code": 50303,
                "message": f"The tote service stopped: {REASON[:-1]}. A command already sent "
                "may still be sequenced once it restarts: retry a bet with the same "
                "idempotency_key.",
            }
            for bettor in bettors:
                bettor.join(CLIENT_TIMEOUT_S)
                assert not bettor.is_alive()
                # In flight at the failure: the same 503; sent as it went down: no connection.
                ended = bettor.ended
                assert ended in ("ConnectError", "RemoteProtocolError", "ReadError") or (
                    isinstance(ended, tuple) and ended[0] == 503
                    and ended[1]["error_code"] == 50303
                ), ended

        wait_until(lambda: up(1), "the supervisor to restart the service")
        # The supervisor (and `tote status`) tell why, from the service's last words.
        assert events[1] == f"tote exited with code 1 (tote serve tote exits: {REASON}); " \
                            "restarting in 0.1 s"
        log_lines = Path(tote.status.log).read_text().splitlines()
        assert f"Error: tote serve tote exits: {REASON}" in log_lines

        sent = {key: bet for b in bettors for key, bet in b.sent.items()}
        retried: dict[str, str] = {}
        with httpx.Client(base_url=url, timeout=CLIENT_TIMEOUT_S) as client:
            for key in sorted(set(sent) - set(accepted)):
                answer = client.post("/v1/bets", json=sent[key])
                assert answer.status_code == 200, answer.text
                retried[key] = answer.json()["bet_id"]
            for key in sorted(accepted)[:10]:  # an accepted bet retried: its own id again
                assert client.post("/v1/bets", json=sent[key]).json()["bet_id"] == accepted[key]
            bad = client.post("/v1/bets", json=_bet("bad", stake=150))
            assert (bad.status_code, bad.json()["reason"]) == (422, "BAD_STAKE")
    finally:
        tote.stop(30)

    assert_each_answered_bet_once(home, accepted, retried)
