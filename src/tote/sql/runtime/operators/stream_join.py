"""Stream-stream joins (WITHIN): each side buffers its records, as Kafka Streams does.

A record is first joined with the other side's buffered records of the same key whose
timestamps fall in its join window (a left record at t sees right records in
[t - before, t + after], a right record left records in [t - after, t + before]), in
timestamp order, each result timestamped with the later of the two records; then it is
buffered on its own side. Buffers keep records for before + after + grace in terms of
their own stream time (the largest timestamp buffered); older ones are gone.

Records without a match on a LEFT / FULL OUTER side (the right side of RIGHT joins):

* without GRACE PERIOD, the null-padded row is emitted at once (and a later match is
  emitted as well), Kafka Streams' behaviour before KAFKA-10847;
* with GRACE PERIOD the record is held until its window has closed (stream time beyond
  t + window + grace) and emitted then, timestamped t, only if nothing joined it
  meanwhile. Held records are emitted when a record that does not move stream time
  backwards arrives, oldest first. A record that arrives after its window closed is
  emitted at once.

A record without a key cannot join: on an outer side it is emitted null-padded, otherwise
dropped. As ksqlDB does, a RIGHT join is the right stream's LEFT join with the window
not mirrored, so WITHIN (before, after) applies from the right stream's records.
"""

from __future__ import annotations

from collections.abc import Callable

from tote.sql.ast.queries import JoinType
from tote.sql.planner.logical import JoinNode, SourceNode, walk
from tote.sql.planner.windows import JoinWindowSpec, join_window_spec
from tote.sql.runtime import values
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.operators.join import Side, combiner
from tote.sql.runtime.records import Push, Rec, Row
from tote.sql.runtime.windowstate import IndexedState
from tote.sql.sources import WindowType

Combine = Callable[[Row | None, Row | None, tuple[object, ...]], Row | None]
_TIMES = ("times",)
# Positions in the stored times: shared stream time, each buffer's stream time, next seq.
_SHARED, _LEFT, _RIGHT, _SEQ = 0, 1, 2, 3


def build_stream_join(node: JoinNode, ctx: BuildContext, push: Push) -> Side:
    assert node.within is not None
    spec = join_window_spec(node.within)
    if node.type is JoinType.RIGHT:
        # WITHIN (before, after) is applied around the right stream's records.
        spec = spec.mirrored()
    left_outer = node.type in (JoinType.LEFT, JoinType.OUTER)
    right_outer = node.type in (JoinType.RIGHT, JoinType.OUTER)
    meta = ctx.state(node.id, "join-times")
    buffers = (ctx.indexed_state(node.id, "left-window-store", 2),
               ctx.indexed_state(node.id, "right-window-store", 2))
    held: IndexedState | None = None
    if spec.held and (left_outer or right_outer):
        # Keyed (timestamp, side: 1 left / 0 right, encoded key, seq): Kafka's order.
        held = ctx.indexed_state(node.id, "outer-join-store", 4, expiring=False)
    join = _Join(spec, combiner(node), push, buffers=buffers, held=held,
                 sessions=_sessions(node))

    def process(rec: Rec, left: bool) -> None:
        if rec[1] is None:
            return
        stored = meta.get(_TIMES)
        times = list(stored) if stored is not None else [-1, -1, -1, 0]
        times[_SHARED] = max(times[_SHARED], rec[2])
        outer = left_outer if left else right_outer
        join.process(rec, left, outer, times)
        meta.put(_TIMES, times)

    def left(rec: Rec) -> None:
        process(rec, True)

    def right(rec: Rec) -> None:
        process(rec, False)

    return left, right


class _Join:
    """The join's buffers and what a record does to them (see the module doc)."""

    def __init__(self, spec: JoinWindowSpec, combine: Combine, push: Push, *,
                 buffers: tuple[IndexedState, IndexedState], held: IndexedState | None,
                 sessions: bool) -> None:
        self.spec = spec
        self.sessions = sessions
        self.combine = combine
        self.push = push
        self.buffers = buffers
        self.held = held

    def joined(self, mine: Row | None, other: Row | None, left: bool, key: Row) -> Row | None:
        if left:
            return self.combine(mine, other, key)
        return self.combine(other, mine, key)

    def emit(self, key: Row, row: Row | None, ts: int, window: tuple[int, int] | None) -> None:
        if row is not None:
            self.push((key, row, ts, None, window))

    def process(self, rec: Rec, left: bool, outer: bool, times: list[int]) -> None:
        key, row, ts, _, window = rec
        spec = self.spec
        assert row is not None
        if any(k is None for k in key):
            if outer:
                self.emit(key, self.joined(row, None, left, key), ts, window)
            return
        group = key
        if window is not None:
            # Windowed keys are equal when their bytes are: key and start (and end for
            # sessions), whatever the size of each side's windows.
            group = key + (window if self.sessions else window[:1])
        if self.held is not None and ts == times[_SHARED]:
            self.emit_closed(times[_SHARED])
        low, high = (spec.before, spec.after) if left else (spec.after, spec.before)
        start, stop = max(0, ts - low), max(0, ts + high)
        other = self.buffers[1 if left else 0]
        expired = times[_RIGHT if left else _LEFT] - spec.retention
        matched = False
        for when, seq in other.between(group, max(start, expired + 1), stop):
            matched = True
            if self.held is not None:
                self.forget(not left, group, when)
            other_row = tuple(other.get((*group, when, seq)))
            self.emit(key, self.joined(row, other_row, left, key), max(ts, when), window)
        if not matched and outer:
            if self.held is None or stop < times[_SHARED]:
                self.emit(key, self.joined(row, None, left, key), ts, window)
            else:
                self.held.put((ts, 1 if left else 0, _encode(group), times[_SEQ]),
                              [list(key), list(window) if window else None, list(row)])
                times[_SEQ] += 1
        self.buffer(group, row, ts, left, times)

    def buffer(self, group: Row, row: Row, ts: int, left: bool, times: list[int]) -> None:
        mine = self.buffers[0 if left else 1]
        slot = _LEFT if left else _RIGHT
        times[slot] = max(times[slot], ts)
        expired = times[slot] - self.spec.retention
        if ts > expired:
            mine.put((*group, ts, times[_SEQ]), list(row))
            times[_SEQ] += 1
        mine.expire(expired)

    def forget(self, left: bool, group: Row, when: int) -> None:
        """A held record of the other side joined: it must not be emitted null-padded."""
        assert self.held is not None
        side, encoded = 1 if left else 0, _encode(group)
        for entry in self.held.between((), when, when):
            if entry[1] == side and entry[2] == encoded:
                self.held.put(entry, None)

    def emit_closed(self, now: int) -> None:
        """Emit the held records whose join window has closed, oldest first."""
        held, spec = self.held, self.spec
        assert held is not None
        # No window closes sooner than this: later entries are all still open.
        shortest = min(spec.before, spec.after) + spec.grace
        for entry in held.until((), now - shortest - 1):
            when, side = entry[0], entry[1]
            lookback = spec.after if side == 1 else spec.before
            if when + lookback + spec.grace >= now:
                continue
            key, window, row = held.get(entry)
            held.put(entry, None)
            key_row, mine = tuple(key), tuple(row)
            joined = self.joined(mine, None, side == 1, key_row)
            self.emit(key_row, joined, when, (window[0], window[1]) if window else None)


def _sessions(node: JoinNode) -> bool:
    """Whether the joined streams are session-windowed."""
    for source in walk(node):
        if isinstance(source, SourceNode) and source.source.window is not None:
            return source.source.window.type is WindowType.SESSION
    return False


def _encode(group: Row) -> str:
    return values.encode(list(group)).decode()
