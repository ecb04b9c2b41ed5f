"""One phase of `tote bench pipeline` in its own process (see `tote.bench.pipeline`).

    python -m tote.bench.pipeline_worker engine DB BETS    # the SQL engine, to quiescence
    python -m tote.bench.pipeline_worker baseline DB BETS  # the hand-written pipeline
    python -m tote.bench.pipeline_worker outputs DB BETS   # ... writing all the engine writes
    python -m tote.bench.pipeline_worker fused DB BETS     # ... with the engine's encoders
    python -m tote.bench.pipeline_worker follow DB         # the engine, live, until killed

`engine` also runs on a Kafka-protocol broker: DB `kafka://HOST:PORT`.

`engine`, `baseline`, `outputs` and `fused` print one JSON line: seconds of processing and
peak RSS.
"""

from __future__ import annotations

import json
import resource
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tote.bench import instructions
from tote.core.records import Record, TopicPartition
from tote.core.tuning import tune_gc_for_streaming
from tote.log.base import Log
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.seed.files import BETS_TOPIC, ODDS_TABLE
from tote.serde.avro import AvroCodec
from tote.serde.avro_flat import flat_encoder
from tote.serde.avro_schema import AvroSchema
from tote.serde.wire import HEADER, MAGIC_BYTE
from tote.sql.engine import Engine
from tote.sql.runtime.runtime import MAX_POLL_RECORDS

BATCH = MAX_POLL_RECORDS  # the engine's step; the hand-written pipelines use the same
KAFKA = "kafka://"


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _started() -> float:
    """The start of a phase's measured loop (instructions count from here when asked)."""
    instructions.collect(True)
    return time.perf_counter()


def _stopped(start: float) -> float:
    seconds = time.perf_counter() - start
    instructions.collect(False)
    return seconds


def open_log(target: str | Path) -> Log:
    """The log at `target`: `kafka://HOST:PORT` (a broker), else a SQLite log file."""
    if isinstance(target, str) and target.startswith(KAFKA):
        from tote.log.kafka import KafkaLog

        return KafkaLog(target.removeprefix(KAFKA))
    return SqliteLog(Path(target))


def engine(target: str | Path) -> float:
    with open_log(target) as log, Registry(log) as registry:
        sql = Engine(log, registry)
        sql.start()
        start = _started()
        sql.run_until_idle(BATCH)
        seconds = _stopped(start)
        sql.close()
    return seconds


def baseline(db: Path, bets: int) -> float:
    """Read bets, keep the pools in dicts, append one odds record per bet with the
    consumed offset, one transaction per batch: the seed's computation by hand."""
    with SqliteLog(db) as log, Registry(log) as registry:
        bet_codec = AvroCodec(registry.get_schema(1).schema)
        odds_version = registry.get_version(f"{ODDS_TABLE}-value")
        odds_codec = AvroCodec(odds_version.schema)
        odds_id = odds_version.id
        runner_pools: dict[int, float] = {}
        race_pools: dict[int, float] = {}
        producer = log.transactional_producer("bench-baseline")
        tp, position = TopicPartition(BETS_TOPIC, 0), 0
        start = _started()
        while position < bets:
            batch = log.read(tp, position, BATCH)
            out: list[Record] = []
            for record in batch:
                assert record.value is not None
                _, bet = bet_codec.decode_framed(record.value)
                runner, race, amount = bet["RUNNER_ID"], bet["RACE_ID"], bet["AMOUNT"]
                runner_pool = runner_pools[runner] = runner_pools.get(runner, 0.0) + amount
                race_pool = race_pools[race] = race_pools.get(race, 0.0) + amount
                odds = 0.0 if runner_pool == 0 else race_pool / runner_pool
                out.append(Record(
                    odds_codec.encode_framed(odds_id, {
                        "RUNNER_ID": runner, "RUNNER_POOL_AMOUNT": runner_pool,
                        "RACE_POOL_AMOUNT": race_pool, "ODDS": odds}),
                    struct.pack(">i", race), (), record.timestamp, 0))
            position = batch[-1].offset + 1
            txn = producer.begin()
            txn.append(ODDS_TABLE, out)
            txn.send_offsets("bench-baseline", {tp: position})
            txn.commit()
        seconds = _stopped(start)
        producer.close()
    return seconds


Encode = Callable[[tuple[Any, ...]], bytes]
"""A sink's encoder: the row's values in its schema's field order -> framed bytes."""
Encoders = tuple[Encode, Encode, Encode, Encode, Encode]
"""One per `OUTPUT_TOPICS`, in that order."""


def outputs(db: Path, bets: int) -> float:
    """The hand-written pipeline writing what the seed's statements write: both re-keyed
    bet streams, both pools' changelogs and the odds, with the pools' state and the
    consumed offset in the same transaction per batch (what the engine must do); each
    record encoded by fastavro (`AvroCodec`)."""
    return _outputs(db, bets, "bench-outputs", _fastavro_encoders)


def fused(db: Path, bets: int) -> float:
    """`outputs` with the engine's own flat Avro encoders: the same records at the cost of
    the same codecs, the floor a whole-DAG compiler could bring the engine down to."""
    return _outputs(db, bets, "bench-fused", _flat_encoders)


def _outputs(db: Path, bets: int, name: str,
             encoders: Callable[[Registry], Encoders]) -> float:
    """The `outputs` loop, the sinks' records encoded by `encoders(registry)`."""
    key = struct.Struct(">i").pack
    with SqliteLog(db) as log, Registry(log) as registry:
        bet_codec = AvroCodec(registry.get_schema(1).schema)
        by_runner, by_race, runner_pool, race_pool, odds = encoders(registry)
        runner_pools: dict[int, float] = {}
        race_pools: dict[int, float] = {}
        producer = log.transactional_producer(name)
        tp, position = TopicPartition(BETS_TOPIC, 0), 0
        start = _started()
        while position < bets:
            batch = log.read(tp, position, BATCH)
            out: list[list[Record]] = [[] for _ in OUTPUT_TOPICS]
            runners: dict[int, float] = {}
            races: dict[int, float] = {}
            for record in batch:
                assert record.value is not None
                _, bet = bet_codec.decode_framed(record.value)
                runner, race, amount = bet["RUNNER_ID"], bet["RACE_ID"], bet["AMOUNT"]
                ts = record.timestamp
                runner_total = runners[runner] = runner_pools[runner] = \
                    runner_pools.get(runner, 0.0) + amount
                race_total = races[race] = race_pools[race] = race_pools.get(race, 0.0) + amount
                out[0].append(Record(by_runner((race, amount)), key(runner), (), ts, 0))
                out[1].append(Record(by_race((amount,)), key(race), (), ts, 0))
                out[2].append(Record(runner_pool((runner_total,)), key(runner), (), ts, 0))
                out[3].append(Record(race_pool((race_total,)), key(race), (), ts, 0))
                out[4].append(Record(odds((
                    runner, runner_total, race_total,
                    0.0 if runner_total == 0 else race_total / runner_total)),
                    key(race), (), ts, 0))
            position = batch[-1].offset + 1
            txn = producer.begin()
            for topic, records in zip(OUTPUT_TOPICS, out, strict=True):
                txn.append(topic, records)
            for store, changed in (("bench-runner-pools", runners), ("bench-race-pools", races)):
                for pool, total in changed.items():
                    txn.put(store, key(pool), struct.pack(">d", total))
            txn.send_offsets(name, {tp: position})
            txn.commit()
        seconds = _stopped(start)
        producer.close()
    return seconds


OUTPUT_TOPICS = ("TOTE_WIN_BETS_RUNNER_KEYED", "TOTE_WIN_BETS_RACE_KEYED", "TOTE_RUNNERS_POOL",
                 "TOTE_RACE_POOL", ODDS_TABLE)


def _fastavro_encoders(registry: Registry) -> Encoders:
    """fastavro's encoding of each sink's row as a dict of its fields (written out: a
    dict literal costs a fraction of building one from the field names)."""
    (by_runner, by_runner_id), (by_race, by_race_id), (runner_pool, runner_pool_id), \
        (race_pool, race_pool_id), (odds, odds_id) = (
            _sink_codec(registry, topic) for topic in OUTPUT_TOPICS)
    return (
        lambda v: by_runner(by_runner_id, {"RACE_ID": v[0], "AMOUNT": v[1]}),
        lambda v: by_race(by_race_id, {"AMOUNT": v[0]}),
        lambda v: runner_pool(runner_pool_id, {"RUNNER_POOL_AMOUNT": v[0]}),
        lambda v: race_pool(race_pool_id, {"RACE_POOL_AMOUNT": v[0]}),
        lambda v: odds(odds_id, {"RUNNER_ID": v[0], "RUNNER_POOL_AMOUNT": v[1],
                                 "RACE_POOL_AMOUNT": v[2], "ODDS": v[3]}))


def _sink_codec(registry: Registry, topic: str) -> tuple[Callable[[int, Any], bytes], int]:
    version = registry.get_version(f"{topic}-value")
    return AvroCodec(version.schema).encode_framed, version.id


def _flat_encoders(registry: Registry) -> Encoders:
    """The encoders the engine writes these sinks with (`tote.serde.avro_flat`)."""
    found = []
    for topic in OUTPUT_TOPICS:
        version = registry.get_version(f"{topic}-value")
        encode = flat_encoder(AvroSchema.of(version.schema).node,
                              HEADER.pack(MAGIC_BYTE, version.id))
        if encode is None:
            raise RuntimeError(f"{topic}: not a flat record schema")
        found.append(encode)
    by_runner, by_race, runner_pool, race_pool, odds = found
    return by_runner, by_race, runner_pool, race_pool, odds


def follow(db: Path) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with SqliteLog(db) as log, Registry(log) as registry:
        sql = Engine(log, registry)
        sql.start()
        sql.start_background(poll_timeout=0.05)
        print("ready", flush=True)
        stop.wait()
        sql.stop_background()
        sql.close()


def main(argv: list[str]) -> None:
    mode, db = argv[0], Path(argv[1])
    tune_gc_for_streaming()  # as `tote serve ksqldb` does, for every phase alike
    if mode == "follow":
        follow(db)
        return
    runs = {"engine": lambda: engine(argv[1]), "baseline": lambda: baseline(db, int(argv[2])),
            "outputs": lambda: outputs(db, int(argv[2])),
            "fused": lambda: fused(db, int(argv[2]))}
    seconds = runs[mode]()
    print(json.dumps({"seconds": seconds, "rss_mb": _peak_rss_mb()}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
