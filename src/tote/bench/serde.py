"""`tote bench serde`: Avro encode+decode of the seed's bets through tote's wire format.

The baseline is fastavro's own schemaless writer/reader on the same schema and records,
measured in the same run (interleaved rounds, best of each), so the ratio says what
tote's framing, caching and error handling cost on top of the library.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import typer

from tote.bench.common import emit_result, percentile, rate
from tote.core import types as t
from tote.core.types import Column
from tote.serde.avro import AvroCodec, fastavro_baseline
from tote.serde.ksql_schemas import avro_schema_text
from tote.serde.wire import frame, unframe

SEED_COLUMNS = (Column("RUNNER_ID", t.INTEGER), Column("RACE_ID", t.INTEGER),
                Column("AMOUNT", t.DOUBLE))
# The nine bets `tote play` posts (post_bets + post_bets_large), in order.
SEED_BETS = tuple({"RUNNER_ID": runner, "RACE_ID": 0, "AMOUNT": amount}
                  for runner, amount in ((1, 25.0), (2, 50.0), (1, 50.0), (2, 5.0), (2, 10.0),
                                         (2, 20.0), (2, -20.0), (1, 0.0), (2, 0.0)))
ROUNDS = 3
SCHEMA_ID = 1


def _time(roundtrip: Callable[[dict[str, Any]], Any], n: int) -> float:
    bets = SEED_BETS
    count = len(bets)
    start = time.perf_counter()
    for i in range(n):
        roundtrip(bets[i % count])
    return time.perf_counter() - start


def _latencies_us(roundtrip: Callable[[dict[str, Any]], Any], n: int) -> dict[str, float]:
    samples = []
    clock = time.perf_counter
    for i in range(n):
        bet = SEED_BETS[i % len(SEED_BETS)]
        begin = clock()
        roundtrip(bet)
        samples.append((clock() - begin) * 1e6)
    samples.sort()
    return {"p50": round(percentile(samples, 0.5), 2), "p99": round(percentile(samples, 0.99), 2),
            "max": round(samples[-1], 2) if samples else 0.0}


def run_serde_bench(n: int) -> dict[str, Any]:
    """Throughput (records/s) of encode+decode, tote vs raw fastavro, plus tote's latency."""
    schema = avro_schema_text(SEED_COLUMNS)
    codec = AvroCodec(schema)
    raw_encode, raw_decode = fastavro_baseline(schema)

    def tote_roundtrip(bet: dict[str, Any]) -> Any:
        return codec.decode_framed(codec.encode_framed(SCHEMA_ID, bet))[1]

    def raw_roundtrip(bet: dict[str, Any]) -> Any:
        return raw_decode(raw_encode(bet))

    for bet in SEED_BETS:  # same answer both ways, and warm caches
        if tote_roundtrip(bet) != raw_roundtrip(bet) or tote_roundtrip(bet) != bet:
            raise RuntimeError(f"round trip changed {bet}")
    assert unframe(frame(SCHEMA_ID, b""))[0] == SCHEMA_ID
    best_tote = best_raw = float("inf")
    for _ in range(ROUNDS):
        best_raw = min(best_raw, _time(raw_roundtrip, n))
        best_tote = min(best_tote, _time(tote_roundtrip, n))
    throughput, baseline = rate(n, best_tote), rate(n, best_raw)
    return {
        "bench": "serde",
        "throughput": round(throughput, 1),
        "baseline": round(baseline, 1),
        "ratio": round(throughput / baseline, 3) if baseline else 0.0,
        "latency_us": _latencies_us(tote_roundtrip, min(n, 20_000)),
    }


def print_serde_bench(n: int) -> dict[str, Any]:
    """Run, print a table, and end with the one-line JSON result."""
    result = run_serde_bench(n)
    lat = result["latency_us"]
    typer.echo(f"serde bench: {n} Avro encode+decode round trips of the seed's bets")
    typer.echo(f"{'path':<28}{'records/s':>14}")
    typer.echo(f"{'tote (wire format)':<28}{result['throughput']:>14,.0f}")
    typer.echo(f"{'fastavro (raw baseline)':<28}{result['baseline']:>14,.0f}")
    typer.echo(f"{'ratio':<28}{result['ratio']:>14.3f}")
    typer.echo(f"latency per round trip (us): p50 {lat['p50']}  p99 {lat['p99']}  max {lat['max']}")
    emit_result(result)
    return result
