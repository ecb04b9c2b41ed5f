"""What operators are built with: the log, registry, functions, the task's partition, its
state stores and the outbox its outputs go to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from tote.core.records import Headers, Record
from tote.log.base import Log
from tote.registry import Registry
from tote.sql.functions import FunctionRegistry
from tote.sql.planner.physical import PhysicalPlan
from tote.sql.runtime import values
from tote.sql.runtime.processing_log import ProcessingLog
from tote.sql.runtime.records import Decode, DirectRows, Hand, RowTaker, Send, SendRows
from tote.sql.runtime.state import KeyState
from tote.sql.runtime.windowstate import IndexedState

Emit = Callable[[str, Record], None]


class Current:
    """The headers of the input record a task is processing. Kafka Streams gives every
    record an operator forwards the headers of the input record that caused it, so a sink
    (or a repartition writer) writes them: the entries set them, the writers read them."""

    __slots__ = ("headers",)

    def __init__(self) -> None:
        self.headers: Headers = ()


class Outlet:
    """A sink's way out to its topic: per partition a record goes to, what takes it in
    this step (`sends`), and, where a reader may take records decoded, what takes them
    with their key and value rows (`writes`). Filled on a miss by `sender` and
    `rows_sender`, and emptied by the runtime as each step starts and ends: the sink
    looks its way up in a dict of its own, not through a call."""

    __slots__ = ("__weakref__", "find", "find_rows", "sends", "writes")

    def __init__(self, find: Callable[[int], Send],
                 find_rows: Callable[[int], SendRows] | None) -> None:
        self.find, self.find_rows = find, find_rows
        self.sends: dict[int, Send] = {}
        self.writes: dict[int, SendRows] = {}

    def sender(self, partition: int) -> Send:
        send = self.sends[partition] = self.find(partition)
        return send

    def rows_sender(self, partition: int) -> SendRows:
        assert self.find_rows is not None, "only where records are handed decoded"
        send = self.writes[partition] = self.find_rows(partition)
        return send

    def clear(self) -> None:
        self.sends.clear()
        self.writes.clear()


class Handover:
    """A repartition writer's way to hand its changes over in memory: per partition,
    what takes a change in this step (`hands`: a `Hand`, which says False where the change
    must be written instead), filled on a miss by `find` and emptied by the runtime as
    each step starts and ends, like an `Outlet`."""

    __slots__ = ("__weakref__", "find", "hands")

    def __init__(self, find: Callable[[int], Hand]) -> None:
        self.find = find
        self.hands: dict[int, Hand] = {}

    def hand(self, partition: int) -> Hand:
        hand = self.hands[partition] = self.find(partition)
        return hand

    def clear(self) -> None:
        self.hands.clear()


@dataclass
class BuildContext:
    log: Log
    registry: Registry | None
    functions: FunctionRegistry
    plan: PhysicalPlan
    partition: int
    emit: Emit
    processing_log: ProcessingLog
    # Harness mode (QTT): every record goes to partition 0, as in Kafka Streams' test driver.
    single_partition: bool = False
    states: list[KeyState] = field(default_factory=list)
    partition_counts: dict[str, int] = field(default_factory=dict)
    # Live mode: a repartition writer's way to hand its records straight to their readers
    # when they need not be written (`Handover`); None elsewhere.
    handover: Callable[[str], Handover] | None = None
    current: Current = field(default_factory=Current)
    # A sink's way out to its topic (`outlet`; the runtime's, where it runs the task).
    # Sinks handing their records along decoded note the topic's decoding shape in
    # `writes`, and plain sources that take such records theirs in `decoded`
    # (`rows.reading_shape`).
    outlets: Callable[[str], Outlet] | None = None
    writes: dict[str, object] = field(default_factory=dict)
    decoded: dict[str, object] = field(default_factory=dict)
    # How each plain source called at once takes the records a sink hands it decoded; and
    # with what it decodes records read from the log (its source: readers of one source
    # decode a record alike; only where rows hold no mutable values, so they can share
    # them), how, how it takes what that gives, and how where no other reader decodes
    # them (`rows.decoding_alone`).
    direct_rows: dict[str, DirectRows] = field(default_factory=dict)
    decoders: dict[str, tuple[object, Decode, RowTaker, Decode]] = field(default_factory=dict)

    def outlet(self, topic: str) -> Outlet:
        """A sink's way out to `topic`: the runtime's, else `emit` (never handing rows)."""
        if self.outlets is not None:
            return self.outlets(topic)
        emit = self.emit
        return Outlet(lambda partition: partial(emit, topic), None)

    def state_log(self) -> Log:
        """Where the task's state stores live."""
        return self.log

    def state(self, node_id: str, kind: str, encode: Callable[[Any], bytes] = values.pack_state,
              decode: Callable[[bytes], Any] = values.unpack_state) -> KeyState:
        """The task's store for one stateful node, loaded from the log (`encode` and
        `decode` turn a value held in memory into the stored bytes and back)."""
        state = KeyState(self.state_log(), self.plan.store(node_id, kind, self.partition),
                         encode, decode)
        self.states.append(state)
        return state

    def indexed_state(self, node_id: str, kind: str, width: int, *, expiring: bool = True,
                      time_ordered: bool = False) -> IndexedState:
        """The task's store of timestamped entries for a windowed node (see
        `windowstate.IndexedState`)."""
        state = IndexedState(self.state_log(), self.plan.store(node_id, kind, self.partition),
                             width, expiring=expiring, time_ordered=time_ordered)
        self.states.append(state)
        return state

    def partitions(self, topic: str) -> int:
        count = self.partition_counts.get(topic)
        if count is None:
            count = self.log.describe_topic(topic).spec.partitions
            self.partition_counts[topic] = count
        return count
