"""The load side of `tote bench rest-proxy`, run as its own process.

`python -m tote.bench.rest_proxy_client '<settings JSON>'` posts to a running proxy and
prints one JSON line with what it measured, so the client's CPU (building requests,
parsing responses) is not charged to the proxy's process and vice versa:

1. throughput: `clients` keep-alive connections each post the same prepared body of
   `batch` seed bets, one request at a time, until `records` are sent; every response
   must be 200 with one offset per record.
2. latency: single-record produce requests due on a fixed schedule (`rate` per second
   for `duration` seconds), sent from an asyncio loop by workers with one keep-alive
   connection each; a request's latency counts from when it was due, so a stalled proxy
   cannot hide its queue.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from tote.bench.http_load import KeepAlive
from tote.bench.rest_proxy import AVRO

LATENCY_WORKERS = 16


async def _post_batches(
    url: str, path: str, body: bytes, requests: int, *, batch: int, errors: list[str]
) -> None:
    connection = KeepAlive.to(url)
    request = connection.head("POST", path, len(body), AVRO) + body
    try:
        for _ in range(requests):
            status, answer = await connection.send(request)
            if status != 200 or len(json.loads(answer)["offsets"]) != batch:
                errors.append(f"{status} {answer[:300].decode(errors='replace')}")
                return
    finally:
        await connection.close()


async def _throughput(
    url: str, path: str, body: bytes, *, records: int, batch: int, clients: int
) -> dict[str, Any]:
    requests = records // batch
    shares = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    errors: list[str] = []
    await _post_batches(url, path, body, 1, batch=batch, errors=errors)  # warm up: caches
    start = time.perf_counter()
    await asyncio.gather(
        *(_post_batches(url, path, body, n, batch=batch, errors=errors) for n in shares if n)
    )
    seconds = time.perf_counter() - start
    return {"records": requests * batch, "seconds": seconds, "errors": errors[:3]}


def throughput(
    url: str, path: str, body: bytes, *, records: int, batch: int, clients: int
) -> dict[str, Any]:
    """Seconds to post `records // batch` batch requests over `clients` keep-alive
    connections (each waits for its answer before posting again); every answer must be
    200 with one offset per record. The minimal `KeepAlive`, not httpx, so the load
    generator takes as little as it can of the CPU it shares with the proxy."""
    return asyncio.run(_throughput(url, path, body, records=records, batch=batch, clients=clients))


def _check_single(status: int, body: bytes) -> str | None:
    """None if the response is a produce response for one record, else what is wrong."""
    if status == 200 and len(json.loads(body)["offsets"]) == 1:
        return None
    return f"{status} {body[:300].decode(errors='replace')}"


async def _paced(url: str, path: str, body: bytes, rate: float, duration: float) -> dict[str, Any]:
    """Request i is due at start + i / rate; worker k of `LATENCY_WORKERS` (each with its own
    keep-alive connection) sends requests k, k + W, …, each when due or, if it is behind,
    as soon as its previous one is answered. A request's latency counts from when it was
    due, so a slow answer also charges the requests queued behind it (open loop)."""
    count = int(rate * duration)
    latencies: list[float] = []
    errors: list[str] = []
    connections = [KeepAlive.to(url) for _ in range(LATENCY_WORKERS)]
    request = connections[0].head("POST", path, len(body), AVRO) + body
    for connection in connections:  # warm up: caches, connections
        problem = _check_single(*await connection.send(request))
        if problem:
            errors.append(problem)
    start = time.perf_counter() + 0.05

    async def worker(first: int, connection: KeepAlive) -> None:
        for i in range(first, count, LATENCY_WORKERS):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            status, answer = await connection.send(request)
            latencies.append((time.perf_counter() - scheduled) * 1000)
            problem = _check_single(status, answer)
            if problem:
                errors.append(problem)

    cpu = time.process_time()
    try:
        await asyncio.gather(*(worker(k, c) for k, c in enumerate(connections)))
    finally:
        for connection in connections:
            await connection.close()
    seconds = time.perf_counter() - start
    return {
        "requests": count,
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "latencies_ms": latencies,
        "errors": errors[:3],
        "failed": len(errors),
    }


def main(argv: list[str]) -> None:
    settings = json.loads(argv[1])
    url, topic = settings["url"], settings["topic"]
    path = f"/topics/{topic}"
    result: dict[str, Any] = {}
    if settings["records"] > 0:
        result["throughput"] = throughput(
            url,
            path,
            settings["batch_body"].encode(),
            records=settings["records"],
            batch=settings["batch"],
            clients=settings["clients"],
        )
    if settings["duration"] > 0:
        result["latency"] = asyncio.run(
            _paced(
                url, path, settings["single_body"].encode(), settings["rate"], settings["duration"]
            )
        )
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv)
