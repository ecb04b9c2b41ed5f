"""Live odds for the board: one small adapter per source, one loop that keeps it running.

A source is anything with `description` and `updates()`, an async iterator of
`OddsUpdate`s from the start of the odds stream, forever. Two exist:

* `KsqlOddsSource`: ksqlDB's push query `SELECT * FROM <stream> EMIT CHANGES` over
  `/query-stream` (earliest offset), as any ksqlDB client would watch the odds;
* `LogOddsSource`: the odds topic read straight from the log and decoded with the
  registry's schema, for when no ksqlDB server runs (or `--board-source log`).

`BoardFeed.run` picks a source (`auto`: ksqlDB if it answers, else the log), feeds the
board, and when the source fails (service down, stream not created yet) shows why on the
board and tries again a moment later. The board is reset when the new source delivers
its first row, so a reconnect never shows a half-empty board.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from typing import Any, Protocol, TypeVar

import httpx

from tote.core.errors import ToteError
from tote.core.records import LogRecord, TopicPartition
from tote.log.base import Log
from tote.ui.board import Board, OddsUpdate
from tote.ui.decode import RecordDecoder
from tote.ui.services import KsqlClient, ServiceFailed, StreamHeader

_logger = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_S = 2.0
COLUMNS = ("RACE_ID", "RUNNER_ID", "RUNNER_POOL_AMOUNT", "RACE_POOL_AMOUNT")


class OddsSource(Protocol):
    description: str

    def updates(self) -> AsyncIterator[OddsUpdate | None]:
        """Every odds row from the start of the stream, then new ones as they come;
        None once the source is connected (so an empty stream still counts as live)."""


def _number(value: Any, column: str) -> float:
    if value is None:
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ServiceFailed(f"Column {column} holds {value!r}, not a number.") from None


def _update(values: dict[str, Any]) -> OddsUpdate:
    return OddsUpdate(str(values.get("RACE_ID")), str(values.get("RUNNER_ID")),
                      _number(values.get("RUNNER_POOL_AMOUNT"), "RUNNER_POOL_AMOUNT"),
                      _number(values.get("RACE_POOL_AMOUNT"), "RACE_POOL_AMOUNT"))


class KsqlOddsSource:
    def __init__(self, ksql: KsqlClient, stream: str) -> None:
        self.ksql = ksql
        self.stream = stream
        self.description = f"ksqlDB push query on {stream} ({ksql.base_url})"

    async def updates(self) -> AsyncIterator[OddsUpdate | None]:
        sql = f"SELECT * FROM {self.stream} EMIT CHANGES;"
        columns: tuple[str, ...] = ()
        async for item in self.ksql.stream(sql, {"auto.offset.reset": "earliest"}):
            if isinstance(item, StreamHeader):
                columns = tuple(c.upper() for c in item.columns)
                missing = [c for c in COLUMNS if c not in columns]
                if missing:
                    raise ServiceFailed(f"{self.stream} has no column {', '.join(missing)}.")
                yield None
                continue
            yield _update(dict(zip(columns, item, strict=False)))


class LogOddsSource:
    """Reads in `executor`'s threads: the app shuts that executor down (waiting) before
    its caller closes the log, so no read is ever left running on a closed log."""

    def __init__(self, log: Log, topic: str, decoder: RecordDecoder,
                 executor: Executor) -> None:
        self.log = log
        self.topic = topic
        self.decoder = decoder
        self.executor = executor
        self.description = f"topic {topic} read from the log"

    async def _call(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    async def _row(self, record: LogRecord) -> OddsUpdate | None:
        if record.value is None:
            return None
        value = await self.decoder.datum(record.value)
        if not isinstance(value, dict):
            raise ServiceFailed(f"Records of {self.topic} are not Avro records.")
        row = {str(k).upper(): v for k, v in value.items()}
        if "RACE_ID" not in row:
            key = await self.decoder.show(record.key, is_key=True)
            row["RACE_ID"] = key.text
        return _update(row)

    async def updates(self) -> AsyncIterator[OddsUpdate | None]:
        described = await self._call(self.log.describe_topic, self.topic)
        positions = {TopicPartition(self.topic, p.partition): p.start_offset
                     for p in described.partitions}
        while True:
            delivered = False
            for tp, offset in positions.items():
                batch = await self._call(self.log.read, tp, offset, 500)
                for record in batch:
                    update = await self._row(record)
                    if update is not None:
                        yield update
                if batch:
                    positions[tp] = batch[-1].offset + 1
                    delivered = True
            if not delivered:
                yield None
                await self._call(self.log.wait, positions, 1.0)


class BoardFeed:
    """Keeps `board` fed from the source `choose()` returns, retrying on failure."""

    def __init__(self, board: Board, choose: Callable[[], Any],
                 retry_s: float = RETRY_S) -> None:
        self.board = board
        self._choose = choose
        self.retry_s = retry_s

    async def run(self) -> None:
        while True:
            try:
                source: OddsSource = await self._choose()
                self.board.set_status(f"connecting: {source.description}", live=False)
                first = True
                async for update in source.updates():
                    if first:
                        self.board.reset()
                        self.board.set_status(f"live: {source.description}", live=True)
                        first = False
                    if update is not None:
                        self.board.apply(update)
                self.board.set_status(f"{source.description} ended; reconnecting", live=False)
            except ToteError as exc:
                self.board.set_status(f"waiting for odds: {exc.message}", live=False)
                _logger.info("Board feed: %s", exc.message)
            except httpx.HTTPError as exc:
                self.board.set_status(f"waiting for odds: {exc}", live=False)
                _logger.info("Board feed: %s", exc)
            await asyncio.sleep(self.retry_s)
