"""The load side of the tote intake bench, run as its own process.

`python -m tote.bench.tote_intake_client '<settings JSON>'` posts batches of bets to a
running `tote serve tote` and prints one JSON line with what it measured, so the client's
CPU (building bodies, reading answers) is not charged to the service and vice versa.

Every bet has its own idempotency key (a retry would be answered from the dedupe table
and measure nothing). The bodies are built before the clock starts; `clients` keep-alive
connections then each post their share, one request at a time, and every answer must be
200 with one result per bet. A request's latency is from its send to its whole answer:
the bets' reply latency, which includes waiting for the sequencer's commit.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import msgspec

from tote.bench.http_load import KeepAlive

# Tickets the load cycles through: (pool, "selection" | "box", runners, stake in cents).
TICKETS: tuple[tuple[str, str, list[int], int], ...] = (
    ("WIN", "selection", [3], 500),
    ("PLACE", "selection", [5], 200),
    ("WIN", "selection", [1], 1000),
    ("EXACTA", "selection", [2, 7], 300),
    ("QUINELLA", "selection", [4, 6], 200),
    ("TRIFECTA", "box", [1, 3, 7, 8], 1200),
    ("WIN", "selection", [8], 100),
    ("SHOW", "selection", [2], 400),
)


class _Answer(msgspec.Struct):
    results: list[dict[str, Any]]


_ANSWER = msgspec.json.Decoder(_Answer)


def bet_body(run: str, races: list[str], first: int, count: int) -> bytes:
    """`{"bets": [...]}` of `count` bets numbered from `first`, spread over `races`."""
    bets = []
    for n in range(first, first + count):
        pool, shape, runners, stake = TICKETS[n % len(TICKETS)]
        bets.append(
            {
                "idempotency_key": f"{run}-{n}",
                "race_id": races[n % len(races)],
                "pool": pool,
                shape: runners,
                "stake_cents": stake,
            }
        )
    return msgspec.json.encode({"bets": bets})


def _tally(status: int, answer: bytes, expected: int, counts: dict[str, int]) -> str | None:
    """Count the answer's results by status; what is wrong with it, or None."""
    if status != 200:
        return f"{status} {answer[:300].decode(errors='replace')}"
    results = _ANSWER.decode(answer).results
    if len(results) != expected:
        return f"{len(results)} results for {expected} bets"
    for result in results:
        key = str(result.get("status") or result.get("error_code"))
        counts[key] = counts.get(key, 0) + 1
    return None


async def _load(settings: dict[str, Any]) -> dict[str, Any]:
    url, races, batch = settings["url"], settings["races"], settings["batch"]
    requests, clients = settings["bets"] // batch, settings["clients"]
    bodies = [bet_body(settings["run"], races, i * batch, batch) for i in range(requests + 1)]
    warm_up, bodies = bodies[0], bodies[1:]
    connections = [KeepAlive.to(url) for _ in range(clients)]

    async def post(slot: int, body: bytes) -> tuple[int, bytes]:
        connection = connections[slot]
        return await connection.send(connection.head("POST", "/v1/bets", len(body)) + body)

    counts: dict[str, int] = {}
    errors: list[str] = []
    latencies: list[float] = []
    problem = _tally(*await post(0, warm_up), batch, counts)
    if problem:
        errors.append(problem)

    async def client(slot: int) -> None:
        for body in bodies[slot::clients]:
            if errors:
                return
            sent = time.perf_counter()
            status, answer = await post(slot, body)
            latencies.append((time.perf_counter() - sent) * 1000)
            problem = _tally(status, answer, batch, counts)
            if problem:
                errors.append(problem)

    cpu = time.process_time()
    start = time.perf_counter()
    await asyncio.gather(*(client(slot) for slot in range(clients)))
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    for connection in connections:
        await connection.close()
    return {
        "bets": requests * batch,
        "warm_up_bets": batch,
        "seconds": seconds,
        "client_cpu_seconds": cpu,
        "statuses": counts,  # of every bet answered, the warm-up's too
        "latencies_ms": latencies,
        "errors": errors[:3],
    }


def main(argv: list[str]) -> None:
    settings = msgspec.json.decode(argv[1].encode())
    sys.stdout.write(msgspec.json.encode(asyncio.run(_load(settings))).decode() + "\n")


if __name__ == "__main__":
    main(sys.argv)
