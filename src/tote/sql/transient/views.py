"""Materialised tables for pull queries: the latest row of every key of a table's topic.

A table's topic holds every change of the table (its persistent query writes them, a
SOURCE table's producer does); the latest record of each key (and window) is the table,
a tombstone deletes it. A `TableView` reads the topic once and then only what was
appended since, so a pull query costs a catch-up read plus a dict lookup (key lookups)
or a pass over the rows (scans), never a replay of the topic. When nothing was appended
the catch-up is one cheap "anything past these positions?" question to the log (where
the log can answer it), so a lookup can even be answered on the HTTP event loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from typing import Any

from tote.core.errors import TopicNotFound
from tote.core.records import TopicPartition
from tote.log.base import Log
from tote.registry import Registry
from tote.sql.functions import FunctionRegistry
from tote.sql.planner.logical import SourceNode
from tote.sql.planner.physical import PhysicalPlan
from tote.sql.planner.schema import source_schema
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.operators.source import build_source
from tote.sql.runtime.processing_log import ProcessingLog
from tote.sql.runtime.records import Rec
from tote.sql.runtime.state import hashable
from tote.sql.sources import DataSource

BATCH = 2000
# Partitions and offsets are re-read from the topic's description at least this often,
# even when the cheap check sees nothing new (a topic re-created under the view).
DESCRIBE_SECONDS = 1.0


class TableView:
    """The current rows of one table, by key then window."""

    def __init__(self, log: Log, registry: Registry | None, ctx_plan: PhysicalPlan, *,
                 source: DataSource, processing_log: ProcessingLog,
                 functions: FunctionRegistry) -> None:
        self.log = log
        self.source = source
        self.rows: dict[Hashable, dict[tuple[int, int] | None, Rec]] = {}
        # Where each key's row sits in ksqlDB's state stores, which a scan walks in
        # order: by partition, then by the key's serialised bytes.
        self._places: dict[Hashable, tuple[int, bytes]] = {}
        self._reading: tuple[int, bytes] = (0, b"")
        self.positions: dict[TopicPartition, int] = {}
        self.lock = threading.Lock()
        self._described = float("-inf")  # monotonic time of the last full catch-up
        node = SourceNode("KsqlTopic", source_schema(source, source.name), True, source,
                          source.name)
        ctx = BuildContext(log, registry, functions, ctx_plan, 0, _no_emit, processing_log,
                           single_partition=True)
        self._entry = build_source(node, ctx, self._apply, materialize=False)

    def _apply(self, rec: Rec) -> None:
        rec_key, row, _, _, window = rec
        key = hashable(rec_key)
        if row is None:
            windows = self.rows.get(key)
            if windows is not None:
                windows.pop(window, None)
                if not windows:
                    del self.rows[key]
                    self._places.pop(key, None)
            return
        self.rows.setdefault(key, {})[window] = rec
        self._places[key] = self._reading

    def current(self) -> bool:
        """Whether nothing was appended since the last catch-up, as far as a cheap check
        of the log can tell (False when it cannot: then `catch_up` must run)."""
        if not self.positions or time.monotonic() - self._described > DESCRIBE_SECONDS:
            return False
        available = getattr(self.log, "available", None)
        if available is None:
            return False
        return not available(self.positions)

    def catch_up(self) -> None:
        """Read what was appended to the table's topic since the last call."""
        if self.current():
            return
        try:
            partitions = self.log.describe_topic(self.source.topic).partitions
        except TopicNotFound:
            return
        for info in partitions:
            tp = TopicPartition(self.source.topic, info.partition)
            position = max(self.positions.get(tp, 0), info.start_offset)
            while position < info.end_offset:
                records = self.log.read(tp, position, BATCH)
                if not records:
                    break
                for record in records:
                    self._reading = (record.partition, record.key or b"")
                    self._entry(record)
                position = records[-1].offset + 1
            self.positions[tp] = position
        self._described = time.monotonic()

    def lookup(self, key: tuple[Any, ...]) -> Iterator[Rec]:
        yield from self.rows.get(hashable(key), {}).values()

    def scan(self) -> Iterator[Rec]:
        """Every row, in the order ksqlDB's scan of its state stores returns them (which
        decides the rows a LIMIT keeps)."""
        places = self._places
        for key in sorted(self.rows, key=lambda k: places.get(k, (0, b""))):
            yield from self.rows[key].values()


def _no_emit(topic: str, record: object) -> None:
    del topic, record


class Views:
    """One view per queryable table, rebuilt when the table is dropped and re-created."""

    def __init__(self) -> None:
        self._views: dict[str, TableView] = {}
        self._lock = threading.Lock()

    def peek(self, source: DataSource) -> TableView | None:
        """The view of `source` if there is one already (never builds it)."""
        with self._lock:
            view = self._views.get(source.name)
        return view if view is not None and (view.source is source or view.source == source) \
            else None

    def get(self, source: DataSource, make: Callable[[], TableView]) -> TableView:
        with self._lock:
            view = self._views.get(source.name)
            if view is None or view.source != source:
                view = make()
                self._views[source.name] = view
            return view
