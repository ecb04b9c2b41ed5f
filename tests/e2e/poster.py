"""Posting bets at a steady pace while services die, keeping track of what surely landed.

Each batch goes over a fresh connection. Refused connections (the REST proxy is down)
were never sent, so the batch is retried; a 200 means every record of it was appended
(`acked`); anything else — a connection cut mid-request, an error status — may or may
not have been appended (`ambiguous`). Exactly-once then means: every acked bet appears
once, an ambiguous one at most once, and nothing else.
"""

from __future__ import annotations

import threading
import time

import httpx
from tests.e2e.seedflow import AVRO_V2, bets_payload

Bet = tuple[int, int, float]


class Poster(threading.Thread):
    def __init__(self, proxy_url: str, bets: list[Bet], batch: int, rate_per_s: float) -> None:
        super().__init__(daemon=True)
        self.url = proxy_url + "/topics/tote_win_bets"
        self.bets = bets
        self.batch = batch
        self.interval_s = batch / rate_per_s
        self.acked: list[Bet] = []
        self.ambiguous: list[Bet] = []
        self.sent = 0
        self.refused = 0
        self.error: str | None = None
        self._give_up_s = 600.0

    def run(self) -> None:
        headers = {"Content-Type": AVRO_V2}
        started = time.monotonic()
        next_at = started
        with httpx.Client(timeout=60, limits=httpx.Limits(max_keepalive_connections=0)) as http:
            for start in range(0, len(self.bets), self.batch):
                chunk = self.bets[start:start + self.batch]
                while True:
                    time.sleep(max(0.0, next_at - time.monotonic()))
                    next_at = max(next_at + self.interval_s, time.monotonic() - 1.0)
                    try:
                        answer = http.post(self.url, json=bets_payload(chunk), headers=headers)
                    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                        self.refused += 1
                        if time.monotonic() - started > self._give_up_s:
                            self.error = f"the REST proxy refused connections: {exc}"
                            return
                        time.sleep(0.2)
                        continue
                    except httpx.HTTPError:
                        self.ambiguous.extend(chunk)
                        break
                    if answer.status_code == 200 and all(
                            o.get("error_code") is None for o in answer.json()["offsets"]):
                        self.acked.extend(chunk)
                    else:
                        self.ambiguous.extend(chunk)
                    break
                self.sent += len(chunk)
