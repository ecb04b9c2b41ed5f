"""Where records go that a task cannot handle under `errors.tolerance=all`.

With a dead letter queue topic, the original record (key, value and headers as they were
read) is appended there, plus, with `errors.deadletterqueue.context.headers.enable`,
Connect's `__connect.errors.*` headers saying where it came from and what failed. Without
one, Connect would skip the record quietly unless `errors.log.enable` is set; tote always
logs a skipped record, so none disappears without a trace.
"""

from __future__ import annotations

import logging
import traceback

from tote.connect.connector_config import SinkSettings
from tote.connect.data import SinkRecord
from tote.core.records import Headers, LogRecord, Record
from tote.log.base import Log

_logger = logging.getLogger(__name__)
PREFIX = "__connect.errors."
KEY_CONVERTER, VALUE_CONVERTER, TASK_PUT = "KEY_CONVERTER", "VALUE_CONVERTER", "TASK_PUT"
TRANSFORMATION = "TRANSFORMATION"


def exception_name(error: BaseException) -> str:
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"


class DeadLetterReporter:
    """Reports failed records of one task (the task's `ErrantRecordReporter`)."""

    def __init__(self, log: Log, settings: SinkSettings, task_id: int, task_class: str) -> None:
        self.log = log
        self.settings = settings
        self.task_id = task_id
        self.task_class = task_class
        self._topic_ready = False

    def report(self, record: SinkRecord, error: BaseException) -> None:
        """The SinkTask side: a converted record the task could not write."""
        self.report_raw(record.raw, error, TASK_PUT, self.task_class)

    def report_raw(self, record: LogRecord, error: BaseException, stage: str,
                   executing_class: str) -> None:
        settings = self.settings
        where = f"{record.topic}-{record.partition}@{record.offset}"
        if not settings.dlq_topic or settings.log_errors:
            detail = f" key={record.key!r} value={record.value!r}" if settings.log_messages \
                else ""
            _logger.warning("Error in stage %s of connector %s task %s on record %s%s: %s",
                            stage, settings.name, self.task_id, where, detail, error)
        if not settings.dlq_topic:
            return
        if not self._topic_ready:
            self.log.ensure_topic(settings.dlq_topic, 1, settings.dlq_replication_factor)
            self._topic_ready = True
        headers: Headers = record.headers
        if settings.dlq_headers:
            headers = (*headers, *self._context(record, error, stage, executing_class))
        self.log.append(settings.dlq_topic, [Record(record.value, record.key, headers,
                                                    record.timestamp)])

    def _context(self, record: LogRecord, error: BaseException, stage: str,
                 executing_class: str) -> Headers:
        trace = "".join(traceback.format_exception(error)).strip()
        pairs = (("topic", record.topic), ("partition", str(record.partition)),
                 ("offset", str(record.offset)), ("connector.name", self.settings.name),
                 ("task.id", str(self.task_id)), ("stage", stage),
                 ("class.name", executing_class),
                 ("exception.class.name", exception_name(error)),
                 ("exception.message", str(error)), ("exception.stacktrace", trace))
        return tuple((PREFIX + name, value.encode("utf-8")) for name, value in pairs)
