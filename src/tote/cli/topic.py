"""`tote topic`: look at and poke the log from a shell, like Kafka's console tools.

Every command opens the log named by `--home` / `--backend` (or `TOTE_*`, or tote.toml),
does one thing and closes it. A user error is one `Error: ...` line on stderr and exit
code 1, whichever way the command is invoked.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from tote.cli.errors import user_errors
from tote.core.clock import SYSTEM_CLOCK
from tote.core.config import load_config
from tote.core.errors import BadRequest, PartitionNotFound, Timeout
from tote.core.records import LogRecord, Record, TopicPartition
from tote.log.base import GroupConsumer, Log
from tote.log.open import open_log

app = typer.Typer(help="List, create, describe, delete, produce to and consume topics.",
                  no_args_is_help=True)

Home = Annotated[Path | None, typer.Option("--home", help="Data directory (TOTE_HOME).")]
Backend = Annotated[
    str | None, typer.Option("--backend", help="sqlite, memory or kafka (TOTE_BACKEND).")
]
Bootstrap = Annotated[
    str | None,
    typer.Option("--bootstrap-servers", help="Kafka bootstrap servers (TOTE_BOOTSTRAP_SERVERS)."),
]
PRODUCE_CHUNK = 1000
# How long a non-following group consumer waits for the group to assign it partitions.
ASSIGN_TIMEOUT_S = 60.0


@contextmanager
def _session(home: Path | None, backend: str | None, bootstrap: str | None) -> Iterator[Log]:
    """Open the configured log; turn any ToteError into `Error: ...` and exit code 1."""
    with user_errors():
        config = load_config({"home": home, "backend": backend, "bootstrap_servers": bootstrap})
        with open_log(config) as log:
            yield log


def _text(data: bytes | None) -> str:
    return "null" if data is None else data.decode("utf-8", errors="backslashreplace")


def _print(record: LogRecord, print_key: bool) -> None:
    line = _text(record.value)
    typer.echo(f"{_text(record.key)}\t{line}" if print_key else line)


def _parse_configs(pairs: Sequence[str]) -> dict[str, str]:
    configs: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise BadRequest(f"Invalid config '{pair}': expected KEY=VALUE.")
        configs[key] = value
    return configs


@app.command("list")
def list_topics(home: Home = None, backend: Backend = None, bootstrap: Bootstrap = None) -> None:
    """Print every topic name, one per line."""
    with _session(home, backend, bootstrap) as log:
        for name in log.list_topics():
            typer.echo(name)


@app.command()
def create(
    name: str,
    *,
    partitions: Annotated[int, typer.Option(help="Number of partitions.")] = 1,
    replication_factor: Annotated[int, typer.Option(help="Accepted; used on Kafka.")] = 1,
    config: Annotated[
        list[str] | None, typer.Option("--config", help="Topic config KEY=VALUE (repeatable).")
    ] = None,
    home: Home = None,
    backend: Backend = None,
    bootstrap: Bootstrap = None,
) -> None:
    """Create a topic."""
    with _session(home, backend, bootstrap) as log:
        log.create_topic(name, partitions, replication_factor, _parse_configs(config or []))
        typer.echo(f"Created topic {name}.")


@app.command()
def describe(
    name: str, home: Home = None, backend: Backend = None, bootstrap: Bootstrap = None
) -> None:
    """Print a topic's partitions, replication factor, configs and offsets."""
    with _session(home, backend, bootstrap) as log:
        desc = log.describe_topic(name)
        configs = ",".join(f"{k}={v}" for k, v in desc.spec.configs)
        typer.echo(
            f"Topic: {name}\tPartitionCount: {desc.spec.partitions}\t"
            f"ReplicationFactor: {desc.spec.replication_factor}\tConfigs: {configs}"
        )
        for info in desc.partitions:
            typer.echo(
                f"\tTopic: {name}\tPartition: {info.partition}\t"
                f"StartOffset: {info.start_offset}\tEndOffset: {info.end_offset}"
            )


@app.command()
def delete(
    name: str, home: Home = None, backend: Backend = None, bootstrap: Bootstrap = None
) -> None:
    """Delete a topic and its records."""
    with _session(home, backend, bootstrap) as log:
        log.delete_topic(name)
        typer.echo(f"Deleted topic {name}.")


def _read_lines(keyed: bool) -> list[Record]:
    """Records from stdin, all checked before any is appended (blank lines are skipped)."""
    records: list[Record] = []
    try:
        text = sys.stdin.read()
    except UnicodeDecodeError:  # a strict locale: stdin is decoded as it is read
        raise BadRequest("The input is not UTF-8 text; nothing was appended.") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = line.encode()
        except UnicodeEncodeError:  # a surrogateescape locale: undecodable bytes got through
            raise BadRequest(f"Line {number} is not UTF-8 text; nothing was appended.") from None
        if not keyed:
            records.append(Record(raw))
            continue
        key, sep, value = raw.partition(b"\t")
        if not sep:
            raise BadRequest(f"Line {number} has no TAB between key and value.")
        records.append(Record(value, key=key))
    return records


@app.command()
def produce(
    name: str,
    *,
    keyed: Annotated[bool, typer.Option(help="Lines are KEY<TAB>VALUE.")] = False,
    home: Home = None,
    backend: Backend = None,
    bootstrap: Bootstrap = None,
) -> None:
    """Append one record per line of stdin."""
    with _session(home, backend, bootstrap) as log:
        log.describe_topic(name)
        records = _read_lines(keyed)
        for start in range(0, len(records), PRODUCE_CHUNK):
            log.append(name, records[start : start + PRODUCE_CHUNK])
        count = len(records)
        typer.echo(f"Appended {count} record{'' if count == 1 else 's'} to {name}.")


@app.command()
def consume(
    name: str,
    *,
    from_beginning: Annotated[bool, typer.Option(help="Start at the first record.")] = False,
    offset: Annotated[int | None, typer.Option(min=0, help="Start at this offset.")] = None,
    partition: Annotated[int | None, typer.Option(
        min=0, help="Read only this partition.")] = None,
    follow: Annotated[bool, typer.Option(help="Keep waiting for new records.")] = False,
    group: Annotated[str | None, typer.Option(help="Consume as this group; commits.")] = None,
    max_records: Annotated[int | None, typer.Option(
        min=1, help="Stop after this many.")] = None,
    print_key: Annotated[bool, typer.Option(help="Print KEY<TAB>VALUE.")] = False,
    home: Home = None,
    backend: Backend = None,
    bootstrap: Bootstrap = None,
) -> None:
    """Print record values. Without --follow, stops at the end offsets seen at start."""
    with _session(home, backend, bootstrap) as log:
        if from_beginning and offset is not None:
            raise BadRequest("Use either --from-beginning or --offset, not both.")
        request = _Consume(
            name, from_beginning, follow, sys.maxsize if max_records is None else max_records,
            print_key,
        )
        if group is not None:
            if offset is not None or partition is not None:
                raise BadRequest("--offset and --partition cannot be used with --group.")
            _consume_group(log, request, group)
        else:
            _consume_direct(log, request, offset, partition)


@dataclass(frozen=True)
class _Consume:
    name: str
    from_beginning: bool
    follow: bool
    limit: int
    print_key: bool


def _consume_direct(log: Log, request: _Consume, offset: int | None, partition: int | None) -> None:
    name, limit, follow = request.name, request.limit, request.follow
    infos = log.describe_topic(name).partitions
    if partition is not None and not 0 <= partition < len(infos):
        raise PartitionNotFound(name, partition)
    if offset is not None and partition is None and len(infos) > 1:
        raise BadRequest("--offset needs --partition when the topic has several partitions.")
    chosen = [i for i in infos if partition is None or i.partition == partition]
    positions: dict[TopicPartition, int] = {}
    for info in chosen:
        start = info.start_offset if request.from_beginning else info.end_offset
        positions[TopicPartition(name, info.partition)] = start if offset is None else offset
    ends = {TopicPartition(name, info.partition): info.end_offset for info in chosen}
    printed = 0
    while printed < limit:
        read_any = False
        for tp, position in positions.items():
            batch = log.read(tp, position, min(500, limit - printed))
            for record in batch:
                _print(record, request.print_key)
            printed += len(batch)
            if batch:
                read_any = True
                positions[tp] = batch[-1].offset + 1
        if not follow and (not read_any or all(positions[tp] >= ends[tp] for tp in positions)):
            return
        if not read_any:
            log.wait(positions, 1.0)


def _consume_group(log: Log, request: _Consume, group: str) -> None:
    name, limit, follow = request.name, request.limit, request.follow
    ends = {
        TopicPartition(name, info.partition): info.end_offset
        for info in log.describe_topic(name).partitions
    }
    reset = "earliest" if request.from_beginning else "latest"
    give_up = SYSTEM_CLOCK.monotonic() + ASSIGN_TIMEOUT_S
    with log.consumer(group, [name], auto_offset_reset=reset) as member:
        printed = 0
        while printed < limit:
            batch = member.poll(timeout=1.0, max_records=min(500, limit - printed))
            for record in batch:
                _print(record, request.print_key)
            printed += len(batch)
            if batch:
                member.commit()
            if not follow and _caught_up(member, ends):
                return
            if not follow and not member.assignment() and SYSTEM_CLOCK.monotonic() > give_up:
                raise Timeout(
                    f"No partition of '{name}' was assigned to group '{group}' within "
                    f"{ASSIGN_TIMEOUT_S:.0f} seconds."
                )


def _caught_up(member: GroupConsumer, ends: dict[TopicPartition, int]) -> bool:
    assigned = member.assignment()
    return bool(assigned) and all(member.position(tp) >= ends.get(tp, 0) for tp in assigned)
