"""The load side of `tote bench rest-proxy`, run as its own process.

`python -m tote.bench.rest_proxy_client '<settings JSON>'` posts to a running proxy and
prints one JSON line with what it measured, so the client's CPU (building requests,
parsing responses) is not charged to the proxy's process and vice versa:

1. throughput: `clients` threads, each with one keep-alive httpx connection, post the same
   prepared body of `batch` seed bets until `records` are sent; every response must be
   200 with one offset per record.
2. latency: single-record produce requests due on a fixed schedule (`rate` per second
   for `duration` seconds), sent from an asyncio loop by workers with one keep-alive
   connection each; a request's latency counts from when it was due, so a stalled proxy
   cannot hide its queue.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from typing import Any

import httpx

from tote.bench.rest_proxy import AVRO

LATENCY_WORKERS = 16


def _post_batches(url: str, path: str, body: bytes, requests: int, *, batch: int,
                  errors: list[str]) -> None:
    with httpx.Client(base_url=url, timeout=120, headers={"Content-Type": AVRO}) as client:
        for _ in range(requests):
            response = client.post(path, content=body)
            if response.status_code != 200 or len(response.json()["offsets"]) != batch:
                errors.append(f"{response.status_code} {response.text[:300]}")
                return


def throughput(url: str, path: str, body: bytes, *, records: int, batch: int,
               clients: int) -> dict[str, Any]:
    """Seconds to post `records // batch` batch requests over `clients` connections."""
    requests = records // batch
    shares = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    errors: list[str] = []
    _post_batches(url, path, body, 1, batch=batch, errors=errors)  # warm up: caches, connections
    threads = [threading.Thread(target=_post_batches, args=(url, path, body, n),
                                kwargs={"batch": batch, "errors": errors})
               for n in shares if n]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    return {"records": requests * batch, "seconds": seconds, "errors": errors[:3]}


async def _paced(url: str, path: str, body: bytes, rate: float,
                 duration: float) -> dict[str, Any]:
    """Request i is due at start + i / rate; worker k of `LATENCY_WORKERS` (each with its own
    keep-alive connection) sends requests k, k + W, …, each when due or, if it is behind,
    as soon as its previous one is answered. One connection per worker keeps httpx's pool
    from queueing, whose bookkeeping grows with the queue and would slow the client."""
    count = int(rate * duration)
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter() + 0.2  # after every worker's warm-up request

    async def worker(first: int) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60,
                                     headers={"Content-Type": AVRO}) as client:
            await client.post(path, content=body)  # warm up: connect
            for i in range(first, count, LATENCY_WORKERS):
                scheduled = start + i / rate
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                response = await client.post(path, content=body)
                latencies.append((time.perf_counter() - scheduled) * 1000)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {response.text[:300]}")

    cpu = time.process_time()
    await asyncio.gather(*(worker(k) for k in range(LATENCY_WORKERS)))
    seconds = time.perf_counter() - start
    return {"requests": count, "seconds": seconds, "cpu_seconds": time.process_time() - cpu,
            "latencies_ms": latencies, "errors": errors[:3], "failed": len(errors)}


def main(argv: list[str]) -> None:
    settings = json.loads(argv[1])
    url, topic = settings["url"], settings["topic"]
    path = f"/topics/{topic}"
    result: dict[str, Any] = {}
    if settings["records"] > 0:
        result["throughput"] = throughput(
            url, path, settings["batch_body"].encode(), records=settings["records"],
            batch=settings["batch"], clients=settings["clients"])
    if settings["duration"] > 0:
        result["latency"] = asyncio.run(_paced(
            url, path, settings["single_body"].encode(), settings["rate"],
            settings["duration"]))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv)
