"""One sink task at work: consume, convert, put, commit — on its own thread.

Like Connect's `WorkerSinkTask`, a task is a member of the consumer group
`connect-<connector>` (member id `<connector>-<task>`, so a restarted worker takes its
place at once) over the connector's topics (re-listed every few seconds for
`topics.regex` and for topics that do not exist yet). Each poll is one `put`:

1. new partitions: ask the task for the offsets it stored (exactly-once) and seek there,
   dropping what this poll read from them; revoked partitions are closed;
2. convert keys and values (a bad record fails the task, or with `errors.tolerance=all`
   goes to the dead letter queue); the poll comes as one `RecordRun` per partition (keys
   and values as columns), and a poll of one flat Avro schema becomes one lazy
   `SinkRecordBatch` of rows (`batch.py`) instead of a record object per message;
   then the connector's transforms (`transforms/chain.py`) run record by record (no lazy
   batch then): a record they drop is not put, yet its offset is consumed all the same,
   and a record they fail on is handled as a bad record, in stage TRANSFORMATION;
3. `put` the records with the next offset of every partition the poll covered;
4. commit those offsets to the group (advisory: the task's own copy is the truth).

Puts run one at a time, handed over whole or on a helper thread (`pipeline.py`), so the
next poll is read and converted while the database commits the previous one. A failure
becomes the task's FAILED status with the cause and trace; nothing retries a failed task
until someone restarts it.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from tote.connect.api import SinkConnector, SinkTask, TaskContext
from tote.connect.batch import SinkRecordBatch
from tote.connect.connector_config import SinkSettings
from tote.connect.converters import Converter, ConverterContext, build_converter
from tote.connect.data import SinkRecord
from tote.connect.deadletter import (
    KEY_CONVERTER,
    TRANSFORMATION,
    VALUE_CONVERTER,
    DeadLetterReporter,
    exception_name,
)
from tote.connect.errors import ConnectException, DataException
from tote.connect.pipeline import PutPipeline
from tote.connect.status_state import FAILED, RUNNING, Status
from tote.connect.transforms.chain import Stage, StageFailed, apply_chain, build_stages
from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.core.errors import Fenced, ToteError
from tote.core.java.regex import compile_java
from tote.core.records import LogRecord, TopicPartition
from tote.log.base import GroupConsumer, Log
from tote.log.record_run import RecordRun

_logger = logging.getLogger(__name__)
POLL_TIMEOUT_S = 0.5
DEFAULT_POLL_RECORDS = 500
_NEW = tuple.__new__
# LogRecord fields by position: a NamedTuple's items are cheaper to get than its attributes.
_TOPIC, _KEY, _VALUE = itemgetter(0), itemgetter(3), itemgetter(4)


@dataclass(frozen=True)
class WorkerContext:
    """What tasks need from their worker."""

    log: Log
    worker_id: str
    worker_props: Mapping[str, str]
    converters: ConverterContext
    host_aliases: Mapping[str, str]
    report_status: Callable[[str, Status | None], None]
    report_topic: Callable[[str, str, Any], None]
    log_clock: Clock = SYSTEM_CLOCK
    consumer_session_timeout_ms: int = 30_000
    topic_refresh_s: float = 2.0


def failure_trace(error: BaseException) -> str:
    """The status `trace`: the cause on the first line, then Python's traceback."""
    lines = "".join(traceback.format_exception(error)).rstrip()
    return f"{exception_name(error)}: {error}\n{lines}"


class TaskRunner:
    """Runs one task of one connector until stopped or failed."""

    def __init__(self, ctx: WorkerContext, connector: str, task_id: int, *,
                 props: Mapping[str, str], plugin: SinkConnector, generation: int) -> None:
        self.ctx = ctx
        self.connector = connector
        self.task_id = task_id
        self.props = dict(props)
        self.plugin = plugin
        self.generation = generation
        self.state = RUNNING
        self.fenced = False
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"task-{connector}-{task_id}",
                                        daemon=True)
        self._consumer: GroupConsumer | None = None
        self._topics: tuple[str, ...] = ()
        self._known: frozenset[TopicPartition] = frozenset()
        self._converters: list[Converter] = []
        self._task: SinkTask | None = None
        self._pipeline: PutPipeline | None = None
        self._next_refresh = 0.0
        self._active: set[str] = set()
        self._stages: list[Stage] = []

    @property
    def key(self) -> str:
        return f"status-task-{self.connector}-{self.task_id}"

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def pipeline(self) -> PutPipeline:
        assert self._pipeline is not None, "the task is not set up"
        return self._pipeline

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _report(self, state: str, trace: str | None = None) -> None:
        self.state = state
        self.ctx.report_status(self.key, Status(state, self.ctx.worker_id, trace,
                                                self.generation))

    # -- lifecycle ------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._setup()
            if not self._stopping.is_set():
                self._report(RUNNING)
            while not self._stopping.is_set():
                self._step()
        except Fenced as exc:
            # A newer instance of this task (another worker's, after a reassignment) joined
            # the group under our member id: it runs the task now, and reports its state.
            self.fenced = True
            _logger.info("Task %s-%s handed over: %s", self.connector, self.task_id, exc)
        except Exception as exc:  # noqa: BLE001 - any failure must show as the task's FAILED
            if self._stopping.is_set():
                # Stopped (deleted, paused, moved): whoever runs it next reports its state.
                _logger.info("Task %s-%s stopped during: %s", self.connector, self.task_id, exc)
            else:
                _logger.error("Task %s-%s failed: %s", self.connector, self.task_id, exc)
                self._report(FAILED, failure_trace(exc))
        finally:
            self._cleanup()

    def _setup(self) -> None:
        props, ctx = self.props, self.ctx
        self.settings = SinkSettings.parse(props)
        self._stages = build_stages(props)
        self.key_converter = build_converter("key.converter", props, ctx.worker_props,
                                             ctx.converters)
        self._converters.append(self.key_converter)
        self.value_converter = build_converter("value.converter", props, ctx.worker_props,
                                               ctx.converters)
        self._converters.append(self.value_converter)
        self.reporter = (DeadLetterReporter(ctx.log, self.settings, self.task_id,
                                            self.plugin.task_class)
                         if self.settings.tolerate_all else None)
        self._task = self.plugin.task()
        self._task.start(props, TaskContext(self.connector, self.task_id, ctx.host_aliases,
                                            self.reporter))
        self._pipeline = PutPipeline(self._task, self._stopping, f"{self.connector}-{self.task_id}")
        raw_size = props.get("consumer.override.max.poll.records") or props.get("batch.size")
        self.poll_records = int(raw_size) if raw_size and raw_size.isdigit() \
            and int(raw_size) > 0 else DEFAULT_POLL_RECORDS

    def _cleanup(self) -> None:
        if self._pipeline is not None:
            self._pipeline.close()
        if self._consumer is not None:
            try:
                self._consumer.close()
            except ToteError as exc:
                _logger.debug("Closing the consumer of %s failed: %s", self.key, exc)
        if self._task is not None:
            try:
                self._task.stop()
            except ToteError as exc:
                _logger.debug("Stopping task %s failed: %s", self.key, exc)
        for converter in self._converters:
            converter.close()

    # -- subscription ---------------------------------------------------------------------

    def _wanted_topics(self) -> tuple[str, ...]:
        existing = set(self.ctx.log.list_topics())
        settings = self.settings
        if settings.topics_regex:
            pattern = compile_java(settings.topics_regex)
            return tuple(sorted(t for t in existing if pattern.fullmatch(t)
                                and t != settings.dlq_topic))
        return tuple(t for t in settings.topics if t in existing)

    def _refresh_subscription(self) -> None:
        topics = self._wanted_topics()
        if topics == self._topics and self._consumer is not None:
            return
        if self._consumer is not None:
            self._finish(self._consumer)
            if self._task is not None:
                self._task.close(self._known)
            self._consumer.close()
            self._consumer, self._known = None, frozenset()
        self._topics = topics
        if topics:
            self._consumer = self.ctx.log.consumer(
                f"connect-{self.connector}", list(topics),
                member_id=f"{self.connector}-{self.task_id}",
                session_timeout_ms=self.ctx.consumer_session_timeout_ms,
                auto_offset_reset=self.props.get("consumer.override.auto.offset.reset",
                                                 "earliest"))

    # -- one poll -------------------------------------------------------------------------

    def _step(self) -> None:
        if SYSTEM_CLOCK.monotonic() >= self._next_refresh:
            self._refresh_subscription()
            self._next_refresh = SYSTEM_CLOCK.monotonic() + self.ctx.topic_refresh_s
        consumer = self._consumer
        if consumer is None:
            self._stopping.wait(POLL_TIMEOUT_S)
            return
        runs = consumer.poll_runs(POLL_TIMEOUT_S, self.poll_records)
        if consumer.assignment() != self._known:
            self._finish(consumer)
            runs = self._track_assignment(consumer, runs)
        if not runs or self._stopping.is_set():
            if not self.pipeline.busy:
                self._finish(consumer)
            return
        # The offset after each partition's last record (a partition's runs come in order).
        offsets = {run.tp: run.next_offset for run in runs}
        self._track_topics(offsets)
        converted = self._convert(runs[0] if len(runs) == 1
                                  else [r for run in runs for r in run])
        moved = self._finish(consumer)
        if moved:  # by where records were read (a RegexRouter may have renamed the topic)
            converted = [r for r in converted
                         if TopicPartition(r.raw.topic, r.raw.partition) not in moved]
            offsets = {tp: o for tp, o in offsets.items() if tp not in moved}
        if offsets:
            self.pipeline.submit(converted, offsets)

    def _track_assignment(self, consumer: GroupConsumer, runs: list[RecordRun]
                          ) -> list[RecordRun]:
        assert self._task is not None
        assigned = consumer.assignment()
        revoked = self._known - assigned
        if revoked:
            self._task.close(revoked)
        fresh = assigned - self._known
        self._known = assigned
        if not fresh:
            return runs
        stored = self._task.open(fresh)
        for tp, offset in stored.items():
            consumer.seek(tp, offset)
        return [run for run in runs if run.tp not in stored]

    def _finish(self, consumer: GroupConsumer) -> set[TopicPartition]:
        """Wait for the put in flight; commit its offsets to the group, or, if another
        writer moved some, re-read those and seek there. Returns the moved partitions."""
        assert self._task is not None
        result = self.pipeline.drain()
        if result is None:
            return set()
        if result.moved:
            _logger.warning("Task %s: offsets of %s were moved by another writer; re-reading",
                            self.key, result.moved)
            assigned = consumer.assignment()
            for tp, offset in self._task.open(result.moved).items():
                if tp in assigned:
                    consumer.seek(tp, offset)
            return set(result.moved)
        try:
            consumer.commit({tp: o for tp, o in result.offsets.items()
                             if tp in consumer.assignment()})
        except ToteError as exc:
            _logger.debug("Advisory group commit of %s failed: %s", self.key, exc)
        return set()

    def _track_topics(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Connect's active-topic tracking (`GET /connectors/<name>/topics`)."""
        for topic in {tp.topic for tp in offsets} - self._active:
            self._active.add(topic)
            self.ctx.report_topic(self.connector, topic, {"topic": {
                "name": topic, "connector": self.connector, "task": self.task_id,
                "discoverTimestamp": self.ctx.log_clock.now_ms()}})

    def _convert(self, records: Sequence[LogRecord]) -> Sequence[SinkRecord]:
        if self._stages:
            return self._transform(self._convert_each(records))
        batch = self._convert_rows(records)
        if batch is not None:
            return batch
        return self._convert_each(records)

    def _transform(self, records: list[SinkRecord]) -> list[SinkRecord]:
        """The records after the transforms; dropped ones are left out (their offsets are
        the poll's, so they still count as consumed)."""
        out: list[SinkRecord] = []
        for record in records:
            try:
                transformed = apply_chain(self._stages, record)
            except StageFailed as failed:
                self._tolerate_transform(record, failed)
                continue
            if transformed is not None:
                out.append(transformed)
        return out

    def _tolerate_transform(self, record: SinkRecord, failed: StageFailed) -> None:
        error = failed.error
        if self.reporter is None:
            raw = record.raw
            raise ConnectException(
                f"Tolerance exceeded in error handler: {TRANSFORMATION} failed on record "
                f"{raw.topic}-{raw.partition}@{raw.offset}: {error}") from error
        self.reporter.report_raw(record.raw, error, TRANSFORMATION, failed.stage.class_name)

    def _convert_each(self, records: Sequence[LogRecord]) -> list[SinkRecord]:
        records = list(records)  # a RecordRun builds a record at each look
        out: list[SinkRecord] = []
        start = 0
        while start < len(records):
            topic = records[start].topic
            end = start
            while end < len(records) and records[end].topic == topic:
                end += 1
            chunk = records[start:end]
            keys, bad_keys = self.key_converter.to_connect_many(topic, [r.key for r in chunk])
            values, bad_values = self.value_converter.to_connect_many(
                topic, [r.value for r in chunk])
            rows = zip(chunk, keys, values, strict=True)
            if not bad_keys and not bad_values:
                out.extend([_NEW(SinkRecord, (r.topic, r.partition, r.offset, k[0], k[1],
                                              v[0], v[1], r.timestamp, r.headers, r))
                            for r, k, v in rows])
            else:
                for index, (r, k, v) in enumerate(rows):
                    if index in bad_keys:
                        self._tolerate(r, bad_keys[index], KEY_CONVERTER, self.key_converter)
                    elif index in bad_values:
                        self._tolerate(r, bad_values[index], VALUE_CONVERTER,
                                       self.value_converter)
                    else:
                        out.append(SinkRecord(r.topic, r.partition, r.offset, k[0], k[1], v[0],
                                              v[1], r.timestamp, r.headers, r))
            start = end
        return out

    def _convert_rows(self, records: Sequence[LogRecord]) -> SinkRecordBatch | None:
        """A poll of one topic whose values the value converter gives as rows (one flat
        schema, all valid) and whose keys all convert: one lazy batch, no per-record
        objects. None: convert record by record."""
        if isinstance(records, RecordRun):  # one partition, keys and values as columns
            topic, raw_values = records.tp.topic, records.value_column()
            raw_keys = records.key_column
        else:
            topic = records[0].topic
            if records[-1].topic != topic \
                    or list(map(_TOPIC, records)).count(topic) != len(records):
                return None
            raw_values, raw_keys = list(map(_VALUE, records)), lambda: list(map(_KEY, records))
        values = self.value_converter.to_connect_rows(topic, raw_values)
        if values is None:
            return None
        keys, bad_keys = self.key_converter.to_connect_many(topic, raw_keys())
        if bad_keys:
            return None
        return SinkRecordBatch(records, keys, values)

    def _tolerate(self, record: LogRecord, error: DataException, stage: str,
                  converter: Any) -> None:
        if self.reporter is None:
            raise ConnectException(
                f"Tolerance exceeded in error handler: {stage} failed on record "
                f"{record.topic}-{record.partition}@{record.offset}: {error.message}") from error
        kind = type(converter)
        self.reporter.report_raw(record, error, stage, f"{kind.__module__}.{kind.__qualname__}")
