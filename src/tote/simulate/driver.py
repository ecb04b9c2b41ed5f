"""Runs a race card against the tote service over HTTP, at a paced rate of bets.

Each race in turn: open it with all seven pools, post its bets in small batches paced to
`bets_per_second`, scratch a runner a third of the way through when the card says so
(bettors then leave that runner alone, as they would on seeing the scratching), close
betting, declare the result. What the service answered is counted per race: accepted,
rejected (with reasons), and the HTTP errors, which end the run with a clear message.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from tote.core.errors import ToteError
from tote.simulate.card import POOLS, Bet, Race

TICK_S = 0.02  # one batch of bets per tick


@dataclass
class RaceOutcome:
    race_id: str
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    stake_cents: int = 0
    result: tuple[tuple[int, ...], ...] = ()
    scratched: tuple[int, ...] = ()


class ServiceError(ToteError):
    """The tote service answered with an error or could not be reached."""


class ToteClient:
    """The few calls a race card needs, each raising `ServiceError` with the service's message."""

    def __init__(self, base_url: str, timeout_s: float = 30.0) -> None:
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        try:
            response = self._http.post(path, json=body)
        except httpx.HTTPError as exc:
            raise ServiceError(f"POST {path}: {exc}") from None
        try:
            answer = response.json()
        except ValueError:
            answer = {"message": response.text}
        if response.status_code >= 400 and not path.endswith("/bets"):
            raise ServiceError(f"POST {path}: {response.status_code} "
                               f"{answer.get('message', answer)}")
        return answer

    def open_race(self, race: Race) -> None:
        self._post("/v1/races", {"race_id": race.race_id, "meeting_id": race.meeting_id,
                                 "runners": list(race.runners),
                                 "pools": [{"pool": pool} for pool in POOLS]})

    def place(self, bets: Sequence[Bet]) -> list[dict[str, Any]]:
        answer = self._post("/v1/bets", {"bets": [bet.body() for bet in bets]})
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != len(bets):
            raise ServiceError(f"POST /v1/bets: unexpected answer {str(answer)[:200]}")
        return results

    def scratch(self, race_id: str, runner: int) -> None:
        self._post(f"/v1/races/{race_id}/scratch", {"runner": runner})

    def close_betting(self, race_id: str) -> None:
        self._post(f"/v1/races/{race_id}/close", {})

    def declare(self, race_id: str, result: Sequence[Sequence[int]]) -> None:
        self._post(f"/v1/races/{race_id}/result", {"result": [list(p) for p in result]})


def _count(outcome: RaceOutcome, bets: Sequence[Bet], results: Sequence[dict[str, Any]]) -> None:
    for bet, result in zip(bets, results, strict=True):
        if result.get("status") == "ACCEPTED":
            outcome.accepted += 1
            outcome.stake_cents += bet.stake_cents
        else:
            outcome.rejected[str(result.get("reason", "ERROR"))] += 1


def _runs(bet: Bet, scratched: tuple[int, ...]) -> bool:
    return not any(r in scratched for r in (*bet.selection, *bet.box))


def run_race(client: ToteClient, race: Race, bets_per_second: float,
             clock: Callable[[], float] = time.monotonic,
             sleep: Callable[[float], None] = time.sleep) -> RaceOutcome:
    """Open, bet, scratch, close and result one race; what the service said, counted."""
    outcome = RaceOutcome(race.race_id, result=race.result, scratched=race.scratched)
    client.open_race(race)
    per_tick = max(1, round(bets_per_second * TICK_S))
    scratch_at = len(race.bets) // 3 if race.scratched else -1
    scratched: tuple[int, ...] = ()
    start = clock()
    sent = 0
    while sent < len(race.bets):
        if sent >= scratch_at >= 0 and not scratched:
            for runner in race.scratched:
                client.scratch(race.race_id, runner)
            scratched = race.scratched
        end = min(sent + per_tick, len(race.bets))
        if scratch_at > sent:
            end = min(end, scratch_at)
        batch = [bet for bet in race.bets[sent:end] if _runs(bet, scratched)]
        if batch:
            _count(outcome, batch, client.place(batch))
        sent = end
        ahead = start + sent / bets_per_second - clock()
        if ahead > 0:
            sleep(ahead)
    client.close_betting(race.race_id)
    client.declare(race.race_id, race.result)
    return outcome
