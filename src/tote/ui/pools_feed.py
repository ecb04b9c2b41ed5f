"""The pools board's feed: the tote domain's topics read straight from the log.

`PoolsFeed.run` follows the five topics of `pools_board.TOPICS` (the sequencer's race
events and pool definitions, pools.sql's gross, approximates and dividends) from their
start, decodes each value with the registry's schema (`RecordDecoder`) and applies it to
a `PoolsBoard`. Reads run in the app's executor, like the seed board's `LogOddsSource`.

* A topic that does not exist yet (no race has run, pools.sql is not deployed) is looked
  for again every few seconds; until then the board says "waiting for ..." and shows what
  the other topics hold. When it appears it is read from its start.
* The first pass over the topics fills a new board off-screen; it replaces the shown one
  once a round of reads finds no partition with a full batch left (caught up), so a
  restart never shows a half-empty board.
* When the log or the registry fails (a topic deleted, the registry down), the feed says
  why, waits a moment and starts again from scratch. A single record it cannot decode is
  counted on the board and skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

import httpx

from tote.core.errors import TopicNotFound, ToteError
from tote.core.records import LogRecord, TopicPartition
from tote.log.base import Log
from tote.ui.decode import RecordDecoder
from tote.ui.live import LiveState
from tote.ui.pools_board import TOPICS, PoolsBoard
from tote.ui.services import ServiceDown

_logger = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_S = 2.0
BATCH = 500
WAIT_S = 1.0


class PoolsFeed:
    """Keeps `live.current` fed from the pools topics in `log`, restarting on failure."""

    def __init__(
        self,
        live: LiveState[PoolsBoard],
        log: Log,
        decoder: RecordDecoder,
        executor: Executor,
        retry_s: float = RETRY_S,
    ) -> None:
        self.live = live
        self.log = log
        self.decoder = decoder
        self.executor = executor
        self.retry_s = retry_s

    async def _call(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    async def run(self) -> None:
        while True:
            try:
                await self._follow()
            except ToteError as exc:
                self.live.set_status(f"waiting for the pools topics: {exc.message}", live=False)
                _logger.info("Pools feed: %s", exc.message)
            except httpx.HTTPError as exc:
                self.live.set_status(f"waiting for the pools topics: {exc}", live=False)
                _logger.info("Pools feed: %s", exc)
            await asyncio.sleep(self.retry_s)

    async def _follow(self) -> None:
        loop = asyncio.get_running_loop()
        board = PoolsBoard()
        positions: dict[TopicPartition, int] = {}
        missing = list(TOPICS)
        looked_at = float("-inf")
        caught_up = False
        self.live.set_status("catching up with the pools topics", live=False)
        while True:
            if missing and loop.time() - looked_at >= self.retry_s:
                still = await self._find(missing, positions)
                looked_at = loop.time()
                if caught_up and still != missing:
                    self._say(still)
                missing = still
            got, behind = await self._read_round(board, positions)
            if not caught_up and not behind:
                caught_up = True
                self.live.replace(board)
                self._say(missing)
            elif caught_up and got:
                self.live.changed()
            if got:
                continue
            if positions:
                await self._call(self.log.wait, positions, min(WAIT_S, self.retry_s))
            else:
                await asyncio.sleep(self.retry_s)

    def _say(self, missing: list[str]) -> None:
        if missing:
            self.live.set_status(
                f"waiting for {', '.join(missing)} (not on the log yet); showing the rest",
                live=False,
            )
        else:
            self.live.set_status("live: the pools topics read from the log", live=True)

    async def _find(self, topics: list[str], positions: dict[TopicPartition, int]) -> list[str]:
        """Start reading whichever of `topics` exists now; the ones still missing."""
        missing = []
        for topic in topics:
            try:
                described = await self._call(self.log.describe_topic, topic)
            except TopicNotFound:
                missing.append(topic)
                continue
            for partition in described.partitions:
                positions[TopicPartition(topic, partition.partition)] = partition.start_offset
        return missing

    async def _read_round(
        self, board: PoolsBoard, positions: dict[TopicPartition, int]
    ) -> tuple[bool, bool]:
        """One batch from every partition: whether any record came, and whether some
        partition filled its batch (so more may be waiting: not caught up yet)."""
        got = behind = False
        for tp, offset in list(positions.items()):
            batch = await self._call(self.log.read, tp, offset, BATCH)
            for record in batch:
                await self._apply(board, tp.topic, record)
            if batch:
                positions[tp] = batch[-1].offset + 1
                got = True
                behind = behind or len(batch) >= BATCH
                await asyncio.sleep(0)  # let pages render between batches
        return got, behind

    async def _apply(self, board: PoolsBoard, topic: str, record: LogRecord) -> None:
        key = None if record.key is None else record.key.decode("utf-8", "replace")
        if record.value is None:
            board.apply(topic, key, None)
            return
        try:
            value = await self.decoder.datum(record.value)
        except ServiceDown:
            raise
        except ToteError:
            board.skipped += 1
            return
        if not isinstance(value, dict):
            board.skipped += 1
            return
        board.apply(topic, key, {str(k).upper(): v for k, v in value.items()})
