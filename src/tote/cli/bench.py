"""`tote bench` commands: performance measured against baselines taken in the same run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tote.cli.ranges import above_zero

app = typer.Typer(help="Benchmarks, each beside a baseline measured in the same run.",
                  no_args_is_help=True)


@app.command("log")
def log_bench(
    records: Annotated[int, typer.Option(
        min=1, help="Records to append (200-byte values, batches of 1,000).")] = 200_000,
    duration: Annotated[float, typer.Option(
        callback=above_zero, help="Seconds of paced appends for the tail-latency test.")
    ] = 5.0,
    rate: Annotated[int, typer.Option(
        min=1, help="Records per second during the latency test.")] = 5000,
    batch: Annotated[int, typer.Option(
        min=1, help="Records per append during the latency test.")] = 10,
    workdir: Annotated[
        Path | None, typer.Option("--dir", exists=True, file_okay=False,
                                  help="Where to put the temporary log files.")
    ] = None,
) -> None:
    """The SQLite log: appends/s and reads/s beside raw sqlite3, and cross-process tail latency."""
    from tote.bench.log import report, run

    report(run(records, duration, rate, batch, workdir), batch)


@app.command("serde")
def serde_bench(
    n: Annotated[int, typer.Option(
        "--n", min=1, help="Bet records to encode and decode.")] = 200_000,
) -> None:
    """Avro encode+decode of the seed's bets through the wire format, beside raw fastavro."""
    from tote.bench.serde import print_serde_bench

    print_serde_bench(n)


@app.command("registry")
def registry_bench(
    lookups: Annotated[int, typer.Option(min=1, help="HTTP lookups by id to time.")] = 5_000,
    schemas: Annotated[int, typer.Option(
        min=1, help="Distinct schemas to register first.")] = 100,
) -> None:
    """Schema lookups by id per second over HTTP, against in-process lookups."""
    from tote.bench.registry import print_registry_bench

    print_registry_bench(lookups, schemas)


@app.command("rest-proxy")
def rest_proxy_bench(
    *,
    records: Annotated[int, typer.Option(
        min=1, help="Records to produce over HTTP (at least --batch).")] = 200_000,
    batch: Annotated[int, typer.Option(min=1, help="Seed bets per produce request.")] = 1_000,
    clients: Annotated[int, typer.Option(
        min=1, help="Keep-alive connections posting batches.")] = 2,
    rate: Annotated[float, typer.Option(
        callback=above_zero, help="Single-record requests per second.")] = 1_000,
    duration: Annotated[float, typer.Option(
        min=0, help="Seconds of paced single-record requests (0 skips the latency test).")
    ] = 5.0,
    workdir: Annotated[
        Path | None, typer.Option("--dir", exists=True, file_okay=False,
                                  help="Where to put the temporary log files.")
    ] = None,
) -> None:
    """Avro produce over HTTP from a separate client process: records/s beside Log.append,
    and single-record latency at a fixed request rate."""
    from tote.bench.rest_proxy import Settings, print_rest_proxy_bench

    if records < batch:
        raise typer.BadParameter(f"{records} is less than --batch ({batch}).",
                                 param_hint="'--records'")
    print_rest_proxy_bench(Settings(records, batch, clients, rate, duration, workdir))


@app.command("jdbc")
def jdbc_bench(
    records: Annotated[int, typer.Option(min=1, help="Bet records to sink.")] = 1_000_000,
    batch: Annotated[int, typer.Option(
        min=1, help="Rows per transaction (the sink's batch.size).")] = 3_000,
    workdir: Annotated[
        Path | None, typer.Option("--dir", exists=True, file_okay=False,
                                  help="Where to put the temporary files.")
    ] = None,
) -> None:
    """Log → PostgreSQL through the JDBC sink, beside a raw psycopg COPY of the same rows."""
    from tote.bench.jdbc import report, run

    report(run(records, batch, workdir, progress=lambda text: typer.echo(f"… {text}",
                                                                          err=True)))


@app.command("e2e")
def e2e_bench(
    *,
    rate: Annotated[float, typer.Option(
        callback=above_zero, help="Bets per second in the latency phase.")] = 2_000,
    duration: Annotated[float, typer.Option(
        callback=above_zero, help="Seconds of the latency phase.")] = 60.0,
    batch: Annotated[int, typer.Option(min=1, help="Bets per POST in the latency phase.")] = 20,
    max_bets: Annotated[int, typer.Option(
        min=100, help="Bets posted as fast as possible to find the highest sustained rate.")
    ] = 30_000,
    clients: Annotated[int, typer.Option(min=1, help="Concurrent clients for that phase.")] = 4,
    backend: Annotated[str, typer.Option(help="sqlite (embedded) or kafka.")] = "sqlite",
    bootstrap_servers: Annotated[str, typer.Option(
        help="Kafka bootstrap servers (with --backend kafka).")] = "",
    workdir: Annotated[
        Path | None, typer.Option("--dir", exists=True, file_okay=False,
                                  help="Where to put the temporary data dir.")
    ] = None,
) -> None:
    """Bets through the seed pipeline on `tote up`: POST → odds-row latency, highest rate."""
    from tote.bench.e2e import E2ESettings, report, run

    if backend not in ("sqlite", "kafka") or (backend == "kafka") != bool(bootstrap_servers):
        raise typer.BadParameter("--backend is sqlite, or kafka with --bootstrap-servers.")
    settings = E2ESettings(rate, duration, batch, max_bets, clients, backend, bootstrap_servers,
                           workdir)
    report(run(settings, progress=lambda text: typer.echo(f"… {text}", err=True)))


@app.command("pipeline")
def pipeline_bench(
    *,
    bets: Annotated[int, typer.Option(min=1, help="Bets for the throughput run.")] = 200_000,
    races: Annotated[int, typer.Option(min=1, help="Races the bets are spread over.")] = 1_000,
    runners: Annotated[int, typer.Option(min=1, help="Runners per race.")] = 12,
    rate: Annotated[int, typer.Option(min=1, help="Bets per second in the latency run.")
                    ] = 2_000,
    duration: Annotated[float, typer.Option(
        callback=above_zero, help="Seconds of the latency run.")] = 10.0,
    rss_bets: Annotated[int, typer.Option(
        min=0, help="Bets of the memory run (over 10x the races); 0 skips it.")] = 1_000_000,
    workdir: Annotated[
        Path | None, typer.Option("--dir", exists=True, file_okay=False,
                                  help="Where to put the temporary logs.")
    ] = None,
    instructions: Annotated[bool, typer.Option(
        "--instructions", help="Count instructions per bet under valgrind instead of "
        "timing (figures load cannot move; slow: try --bets 20000).")] = False,
    rounds: Annotated[int, typer.Option(
        min=1, help="Timed runs of the engine and of the odds-only loop, alternating; "
        "each reports its fastest.")] = 3,
) -> None:
    """The seed's statements on the embedded log beside a hand-written pipeline."""
    from tote.bench.pipeline import Shape, instructions_per_bet, report, report_instructions, run

    shape = Shape(bets, races, runners)
    if instructions:
        report_instructions(instructions_per_bet(shape, workdir), shape)
        return
    report(run(shape, rate, duration, rss_bets, workdir, rounds=rounds), shape)


@app.command("push")
def push_bench(
    *,
    rate: Annotated[float, typer.Option(
        callback=above_zero, help="Bets per second appended to the log.")] = 2_000,
    duration: Annotated[float, typer.Option(
        callback=above_zero, help="Seconds of paced bets.")] = 20.0,
    batch: Annotated[int, typer.Option(min=1, help="Bets per append.")] = 10,
    pull_duration: Annotated[float, typer.Option(
        callback=above_zero, help="Seconds of pull-query lookups.")] = 5.0,
    clients: Annotated[int, typer.Option(min=1, help="Connections sending pull queries.")] = 4,
    http1: Annotated[bool, typer.Option(
        "--http1", help="Push query over HTTP/1.1 instead of HTTP/2 (h2c).")] = False,
    workdir: Annotated[
        Path | None, typer.Option("--dir", exists=True, file_okay=False,
                                  help="Where to put the temporary data dir.")
    ] = None,
) -> None:
    """ksqlDB over HTTP: append → push-query row latency on the seed's odds, and pull-query
    key lookups/s, beside the raw log's latency and the HTTP floor."""
    from tote.bench.push import PushSettings, report, run

    settings = PushSettings(rate, duration, batch, pull_duration, clients, not http1, workdir)
    report(run(settings, progress=lambda text: typer.echo(f"… {text}", err=True)))


@app.command("tote")
def tote_bench(
    *,
    bets: Annotated[int, typer.Option(
        min=1, help="Bets posted to the intake over HTTP (at least --batch).")] = 200_000,
    batch: Annotated[int, typer.Option(min=1, help="Bets per POST /v1/bets.")] = 1_000,
    clients: Annotated[int, typer.Option(min=1, help="Keep-alive connections posting.")] = 4,
    race_bets: Annotated[int, typer.Option(
        min=1, help="Bets of the one race the pools statements price and settle.")] = 100_000,
    workdir: Annotated[
        Path | None, typer.Option("--dir", exists=True, file_okay=False,
                                  help="Where to put the temporary data dirs.")
    ] = None,
) -> None:
    """The tote domain: intake bets/s over HTTP, pools.sql bets/s, result → dividends time."""
    from tote.bench import tote_intake, tote_pools
    from tote.bench.tote import report, run

    if bets < batch:
        raise typer.BadParameter(f"{bets} is less than --batch ({batch}).",
                                 param_hint="'--bets'")
    report(run(tote_intake.Settings(bets=bets, batch=batch, clients=clients, workdir=workdir),
               tote_pools.Settings(bets=race_bets)))
