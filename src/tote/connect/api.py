"""The connector SPI: what a sink connector and its tasks implement, and what they get.

Close to Connect's `SinkConnector` / `SinkTask`, with one addition for exactly-once:
`SinkTask.open` returns the offsets the task has stored itself (in the target database),
and the worker seeks there, so the consumer group's offsets are only advisory; `put`
receives, with the records, the next offset of every partition the poll covered
(including records dropped as errors), so the task can store them atomically. A task
may also hand a put over whole (`begin_put`) and let the worker read on while its
destination completes it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from tote.connect.configdef import ConfigDef, ConfigValue
from tote.connect.data import SinkRecord
from tote.core.errors import ToteError
from tote.core.records import TopicPartition


class ErrantRecordReporter(Protocol):
    """Sends a record the task could not write to the dead letter queue (or the log)."""

    def report(self, record: SinkRecord, error: BaseException) -> None: ...


@dataclass(frozen=True)
class TaskContext:
    """What the worker tells a task: who it is and how to resolve the stack's host names."""

    connector: str
    task_id: int
    host_aliases: Mapping[str, str]
    reporter: ErrantRecordReporter | None = None


class PendingPut(ABC):
    """A put handed over whole (`SinkTask.begin_put`), completed by its destination."""

    @abstractmethod
    def ready(self) -> bool:
        """Whether `finish` would return without waiting (never waits itself)."""

    @abstractmethod
    def finish(self) -> None:
        """Complete the put: return once its records and offsets are stored; raise as
        `put` raises."""


class SinkTask(ABC):
    """Writes records somewhere. One instance per task, driven by one thread."""

    @abstractmethod
    def start(self, props: Mapping[str, str], context: TaskContext) -> None:
        """Open connections; raise ConnectException if the task cannot run."""

    def open(self, partitions: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        """Partitions were assigned: return the next offsets the task stored for them."""
        return {}

    @abstractmethod
    def put(self, records: Sequence[SinkRecord], offsets: Mapping[TopicPartition, int]) -> None:
        """Write `records`; `offsets` are the next offsets once they (and any records dropped
        from this poll) are consumed. Raise RetriableException to be called again with the
        same arguments, OffsetsMoved when another writer stored offsets meanwhile, or
        ConnectException to fail."""

    def begin_put(self, records: Sequence[SinkRecord], offsets: Mapping[TopicPartition, int]
                  ) -> PendingPut | None:
        """Like `put`, but return as soon as the destination has the whole put, so the
        worker reads and converts the next poll while it is stored. The worker calls
        `finish` before it calls the task again. None: not this time (the worker calls
        `put` instead)."""
        return None

    def close(self, partitions: Iterable[TopicPartition]) -> None:  # noqa: B027 - optional
        """Partitions were revoked."""

    @abstractmethod
    def stop(self) -> None:
        """Release everything; called once, also after a failure."""


class SinkConnector(ABC):
    """A connector class: validates configs and splits the work into task configs."""

    class_name: str
    task_class: str
    version: str
    type = "sink"

    @abstractmethod
    def config_def(self) -> ConfigDef:
        """The connector's own keys (the worker adds the common ones)."""

    def validate(self, props: Mapping[str, str]) -> dict[str, ConfigValue]:
        """Each own key's value and errors, cross-key rules included."""
        return self.config_def().validate(props)

    def task_configs(self, props: Mapping[str, str], max_tasks: int) -> list[dict[str, str]]:
        """One config per task (sinks: the same config, the group shares partitions)."""
        return [dict(props) for _ in range(max_tasks)]

    @abstractmethod
    def task(self) -> SinkTask:
        """A new task instance."""

    def stored_offsets(self, props: Mapping[str, str], aliases: Mapping[str, str]
                       ) -> dict[TopicPartition, int] | None:
        """Offsets the connector keeps itself (None: it keeps none)."""
        return None

    def alter_offsets(  # noqa: B027 - optional hook
        self, props: Mapping[str, str], aliases: Mapping[str, str],
        offsets: Mapping[TopicPartition, int | None] | None,
    ) -> None:
        """Change offsets the connector keeps itself (an offset of None forgets one; None
        instead of a mapping forgets them all)."""


class OffsetsMoved(ToteError):
    """Another writer stored offsets for these partitions since we read them: a zombie
    fence. The worker re-opens the partitions (re-reads the offsets) and drops the poll."""

    def __init__(self, partitions: Sequence[TopicPartition]) -> None:
        names = ", ".join(f"{tp.topic}-{tp.partition}" for tp in partitions)
        super().__init__(f"Offsets of {names} were stored by another writer", 40900)
        self.partitions = list(partitions)
