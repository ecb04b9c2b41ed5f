"""`tote bench jdbc`: bet records from the log into PostgreSQL through the JDBC sink.

In a fresh temporary directory: an embedded PostgreSQL (default settings, fsync on),
a SQLite log holding `records` seed-schema bets (Avro, Confluent framing, schema id 1).
Measured in the same run, against the same server:

1. baseline, raw COPY: the same rows as Python tuples, `COPY ... FROM STDIN` with
   psycopg, one transaction per `batch` rows (the sink's transaction size) — the
   database's own ceiling; run before and after tote, the faster run counts;
2. hand-written pipeline: `Log.read` + one fastavro call per batch + COPY, no
   framework, each step waiting for the one before — what a straightforward script does;
3. tote: a Connect worker in this process runs the JDBC sink (exactly-once: rows and
   offsets in one transaction) from connector creation until the offsets table says
   every record is in; then the table is checked to hold each record exactly once.

The process's garbage collector is tuned as `tote serve connect` tunes it
(`tote.core.tuning`), for all three. Targets: ≥ 100,000 rows/s and ≥ 0.5 x the raw COPY.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
import typer

from tote.bench.common import emit_result, rate
from tote.connect.herder import Herder
from tote.connect.worker import Worker, WorkerSettings
from tote.core import types as t
from tote.core.records import Record, TopicPartition
from tote.core.tuning import tune_gc_for_streaming
from tote.core.types import Column
from tote.embedded import EmbeddedPostgres
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.serde.avro import AvroCodec
from tote.serde.avro_batch import AvroBatchDecoder
from tote.serde.ksql_schemas import avro_schema_text

TOPIC = "bets"
PASSWORD = "bench"
COLUMNS = (Column("RUNNER_ID", t.INTEGER), Column("RACE_ID", t.INTEGER),
           Column("AMOUNT", t.DOUBLE))
DDL = ('CREATE TABLE {} ("RUNNER_ID" INTEGER, "RACE_ID" INTEGER, '
       '"AMOUNT" DOUBLE PRECISION)')
COPY = 'COPY {} ("RUNNER_ID", "RACE_ID", "AMOUNT") FROM STDIN'
TARGETS = {"throughput": 100_000.0, "ratio": 0.5}
TIMEOUT_S = 1800.0


def bet(i: int) -> tuple[int, int, float]:
    """The i-th bench bet: 12 runners, 1,000 races, amounts cycling 1..200."""
    return (i % 12 + 1, i % 1000, float(i % 200 + 1))


def _raw_copy(dsn: str, table: str, rows: Sequence[tuple[Any, ...]], batch: int) -> float:
    with psycopg.connect(dsn) as conn:
        conn.execute(DDL.format(table))
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cursor:
            for first in range(0, len(rows), batch):
                with cursor.copy(COPY.format(table)) as copy:
                    for row in rows[first:first + batch]:
                        copy.write_row(row)
                conn.commit()
        return time.perf_counter() - start


def _hand_written(dsn: str, log: SqliteLog, codec: AvroCodec, count: int, batch: int) -> float:
    decoder = AvroBatchDecoder(codec)
    tp = TopicPartition(TOPIC, 0)
    with psycopg.connect(dsn) as conn:
        conn.execute(DDL.format("diy_bets"))
        conn.commit()
        start = time.perf_counter()
        offset = 0
        with conn.cursor() as cursor:
            while offset < count:
                records = log.read(tp, offset, batch)
                values = decoder.decode_each([r.value[5:] for r in records if r.value])
                with cursor.copy(COPY.format("diy_bets")) as copy:
                    for value in values:
                        copy.write_row((value["RUNNER_ID"], value["RACE_ID"], value["AMOUNT"]))
                conn.commit()
                offset = records[-1].offset + 1
        return time.perf_counter() - start


def _stored_offset(conn: psycopg.Connection[Any]) -> int:
    try:
        row = conn.execute("SELECT sum(next_offset) FROM __tote_connect_offsets").fetchone()
    except psycopg.errors.UndefinedTable:
        return 0
    return int(row[0]) if row and row[0] is not None else 0


def _tote(pg: EmbeddedPostgres, log: SqliteLog, count: int, batch: int) -> tuple[float, int]:
    """Seconds from connector creation until every record is in, and the rows found."""
    with Worker(log, WorkerSettings()) as worker, \
            psycopg.connect(pg.dsn("bench"), autocommit=True) as conn:
        start = time.perf_counter()
        Herder(worker).create("bench-sink", {
            "connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
            "topics": TOPIC, "connection.url": pg.jdbc_url("bench"),
            "connection.user": "postgres", "connection.password": PASSWORD,
            "auto.create": "true", "batch.size": str(batch)})
        while _stored_offset(conn) < count:
            if time.perf_counter() - start > TIMEOUT_S:
                raise RuntimeError("the sink did not finish in time")
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        row = conn.execute('SELECT count(*) FROM "bets"').fetchone()
    return elapsed, int(row[0]) if row else 0


def run(records: int, batch: int, workdir: Path | None = None,
        progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    say = progress or (lambda _: None)
    tune_gc_for_streaming()  # as `tote serve connect` does; the baselines get it too
    home = Path(tempfile.mkdtemp(prefix="tote-bench-jdbc-", dir=workdir))
    pg = EmbeddedPostgres(home / "pg", password=PASSWORD)
    log = SqliteLog(home / "log.db")
    try:
        say("starting PostgreSQL")
        pg.start()
        pg.create_database("bench")
        schema = avro_schema_text(COLUMNS)
        with Registry(log) as registry:
            schema_id = registry.register(f"{TOPIC}-value", schema).id
        codec = AvroCodec(schema)
        log.create_topic(TOPIC)
        rows = [bet(i) for i in range(records)]
        say(f"appending {records:,} bets to the log")
        for first in range(0, records, 10_000):
            log.append(TOPIC, [Record(codec.encode_framed(schema_id, dict(zip(
                ("RUNNER_ID", "RACE_ID", "AMOUNT"), row, strict=True))))
                for row in rows[first:first + 10_000]])
        dsn = pg.dsn("bench")
        say("raw COPY")
        copy_s = _raw_copy(dsn, "raw_bets_1", rows, batch)
        say("hand-written pipeline")
        diy_s = _hand_written(dsn, log, codec, records, batch)
        say("tote JDBC sink")
        tote_s, found = _tote(pg, log, records, batch)
        say("raw COPY again")
        copy_s = min(copy_s, _raw_copy(dsn, "raw_bets_2", rows, batch))
    finally:
        log.close()
        pg.stop()
        shutil.rmtree(home, ignore_errors=True)
    if found != records:
        raise RuntimeError(f"the sink wrote {found} rows for {records} records")
    throughput, baseline = rate(records, tote_s), rate(records, copy_s)
    ratio = round(throughput / baseline, 3) if baseline else 0.0
    return {
        "bench": "jdbc", "records": records, "batch": batch,
        "throughput": round(throughput, 1), "baseline": round(baseline, 1), "ratio": ratio,
        "hand_written": round(rate(records, diy_s), 1),
        "targets": TARGETS,
        "met": {"throughput": throughput >= TARGETS["throughput"],
                "ratio": ratio >= TARGETS["ratio"]},
    }


def report(result: dict[str, Any]) -> None:
    typer.echo(f"jdbc bench: {result['records']:,} bet records, log → PostgreSQL, "
               f"{result['batch']:,} rows per transaction")
    typer.echo(f"{'path':<44}{'rows/s':>14}")
    typer.echo(f"{'tote JDBC sink (exactly once)':<44}{result['throughput']:>14,.0f}")
    typer.echo(f"{'hand-written read + decode + COPY':<44}{result['hand_written']:>14,.0f}")
    typer.echo(f"{'raw psycopg COPY of the rows (baseline)':<44}{result['baseline']:>14,.0f}")
    typer.echo(f"{'ratio tote / raw COPY':<44}{result['ratio']:>14.3f}")
    met = result["met"]
    typer.echo(f"targets: ≥ {TARGETS['throughput']:,.0f} rows/s "
               f"{'met' if met['throughput'] else 'MISSED'}; ≥ {TARGETS['ratio']} x raw COPY "
               f"{'met' if met['ratio'] else 'MISSED'}")
    emit_result(result)
