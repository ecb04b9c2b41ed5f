"""Windowed GROUP BY: TUMBLING, HOPPING and SESSION windows, as Kafka Streams runs them.

Each task keeps, in its state (so that a restart carries on where the last commit left
off): its stream time (the largest timestamp seen), the store's time (the largest window
start, or session end, written; retention counts from it) and, for EMIT FINAL, the close
time up to which windows were emitted.

* A time window closes when stream time passes its end plus the grace period; a session
  when stream time passes its end plus the gap plus the grace period (until then a record
  may still extend it). A record for a closed window is dropped (Kafka Streams logs
  "Skipping record for expired window").
* Time windows: a record is added to every window holding its timestamp (one for
  TUMBLING, size / advance for HOPPING, earliest first); each update emits the window's
  new row, timestamped with the latest record time of the window.
* Sessions: a record opens the session [ts, ts] and merges every session of its key that
  ends no earlier than ts - gap and starts no later than ts + gap, combining their
  accumulators with the aggregates' `merge`. Each merged session is deleted (a tombstone
  for its windowed key, timestamped with its end), then the merged session is emitted,
  timestamped with its end.
* EMIT FINAL (Kafka Streams' `emitStrategy(onWindowClose())`, grace 0 unless given):
  updates are not emitted; whenever stream time moves the close time past more windows,
  the windows closed since the last emission are emitted once, in time-ordered store
  order (window start, or session end, then key) - except time windows already past
  retention, which by default is only size + grace.

Windows older than the retention period are removed from the state.
"""

from __future__ import annotations

from typing import Any

from tote.sql.planner.logical import AggregateNode
from tote.sql.planner.windows import WindowSpec, window_spec
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.operators.aggregate import Call, aggregate_calls
from tote.sql.runtime.records import Push, Rec, Row
from tote.sql.runtime.state import KeyState

_MARKS = ("marks",)
# Positions in the stored marks: stream time, store time, close time of the last EMIT FINAL.
_STREAM, _STORE, _EMITTED = 0, 1, 2


class _Accumulators:
    """The aggregate calls of one query: accumulator life cycle and result rows."""

    def __init__(self, calls: list[Call]) -> None:
        self.calls = calls
        self.aggregators = [c.aggregator for c in calls]

    def init(self) -> list[Any]:
        return [agg.init() for agg in self.aggregators]

    def load(self, stored: list[Any]) -> list[Any]:
        return [agg.from_state(s) for agg, s in zip(self.aggregators, stored, strict=True)]

    def save(self, accs: list[Any]) -> list[Any]:
        return [agg.to_state(acc) for agg, acc in zip(self.aggregators, accs, strict=True)]

    def add(self, accs: list[Any], row: Row) -> list[Any]:
        return [call.aggregator.add(acc, *[fn(row) for fn in call.args])
                for call, acc in zip(self.calls, accs, strict=True)]

    def merge(self, accs: list[Any], other: list[Any]) -> list[Any]:
        return [agg.merge(a, b) for agg, a, b in zip(self.aggregators, accs, other, strict=True)]

    def result(self, key: Row, accs: list[Any], start: int, end: int) -> Row:
        return key + tuple(agg.result(acc) for agg, acc in
                           zip(self.aggregators, accs, strict=True)) + (start, end)


class _Operator:
    """What both window kinds share: spec, store, marks, accumulators, downstream."""

    def __init__(self, node: AggregateNode, ctx: BuildContext, push: Push, width: int
                 ) -> None:
        assert node.window is not None
        self.spec: WindowSpec = window_spec(node.window, final=node.emit_final)
        self.final = node.emit_final
        self.accs = _Accumulators(aggregate_calls(node, ctx))
        self.push = push
        self.marks_state: KeyState = ctx.state(node.id, "Aggregate-StreamTime")
        self.store = ctx.indexed_state(node.id, "Aggregate-Materialize", width,
                                       time_ordered=node.emit_final)

    def marks(self, timestamp: int) -> list[int]:
        stored = self.marks_state.get(_MARKS)
        marks = list(stored) if stored is not None else [-1, -1, -1]
        marks[_STREAM] = max(marks[_STREAM], timestamp)
        return marks

    def floor(self, marks: list[int]) -> int:
        """The earliest store time (window start, session end) a lookup still finds, as in
        Kafka Streams' stores: store time - retention + 1."""
        return marks[_STORE] - self.spec.retention + 1

    def finish(self, marks: list[int], keep: int) -> None:
        """Save the marks; forget entries whose store time is before `keep`."""
        self.store.expire(keep - 1)
        self.marks_state.put(_MARKS, marks)


def build_windowed_aggregate(node: AggregateNode, ctx: BuildContext, push: Push) -> Push:
    assert node.window is not None
    if window_spec(node.window, final=node.emit_final).is_session:
        # Keyed (*key, end, start): a key's sessions in end order, as Kafka's session store.
        return _sessions(_Operator(node, ctx, push, 2))
    return _time_windows(_Operator(node, ctx, push, 1))


def _time_windows(op: _Operator) -> Push:
    spec, store, accs, push, final = op.spec, op.store, op.accs, op.push, op.final
    size = spec.size

    def emit_closed(close: int, marks: list[int]) -> None:
        last = marks[_EMITTED]
        if last != -1 and last >= close:
            return
        upper = close - size                 # the latest start of a closed window
        if upper < 0:
            return
        lower = 0 if last == -1 else max(0, last - size) + 1
        if last != -1 and spec.starts(upper) == spec.starts(lower - 1):
            return                           # no window closed since the last emission
        # The time-ordered store of EMIT FINAL keeps windows one millisecond longer.
        retained = op.floor(marks) - 1
        for state_key in store.ordered(max(lower, retained), upper):
            key, start = state_key[:-1], state_key[-1]
            stored = store.get(state_key)
            push((key, accs.result(key, accs.load(stored[0]), start, start + size),
                  int(stored[1]), None, (start, start + size)))
        marks[_EMITTED] = close

    def aggregate(rec: Rec) -> None:
        key, row, ts = rec[0], rec[1], rec[2]
        if row is None or any(k is None for k in key):
            return
        marks = op.marks(ts)
        close = marks[_STREAM] - spec.grace
        for start in spec.starts(ts):
            end = start + size
            if end <= close:
                continue
            state_key = (*key, start)
            stored = store.get(state_key)
            if stored is None:
                current, stamp, old = accs.init(), ts, None
            else:
                current = accs.load(stored[0])
                stamp = max(ts, int(stored[1]))
                old = accs.result(key, current, start, end)
            current = accs.add(current, row)
            store.put(state_key, [accs.save(current), stamp])
            marks[_STORE] = max(marks[_STORE], start)
            if not final:
                push((key, accs.result(key, current, start, end), stamp, old, (start, end)))
        if final:
            emit_closed(close, marks)
        op.finish(marks, op.floor(marks) - (1 if final else 0))

    return aggregate


def _sessions(op: _Operator) -> Push:
    spec, store, accs, push, final = op.spec, op.store, op.accs, op.push, op.final
    gap = spec.size

    def emit_closed(close: int, marks: list[int]) -> None:
        last = marks[_EMITTED]
        if last != -1 and last >= close:
            return
        upper, lower = close - 1, max(0, last)   # session ends are inclusive
        if upper < 0 or upper < lower:
            return
        # Unlike windows, sessions are not filtered by retention here (Kafka Streams only
        # drops whole store segments): a session is emitted before it can expire.
        for state_key in store.ordered(lower, upper):
            key, end, start = state_key[:-2], state_key[-2], state_key[-1]
            session = accs.load(store.get(state_key)[0])
            push((key, accs.result(key, session, start, end), end, None, (start, end)))
        marks[_EMITTED] = close

    def aggregate(rec: Rec) -> None:
        key, row, ts = rec[0], rec[1], rec[2]
        if row is None or any(k is None for k in key):
            return
        marks = op.marks(ts)
        close = marks[_STREAM] - spec.grace - gap
        found = [(end, start) for end, start in store.times(key)
                 if end >= ts - gap and start <= ts + gap and end >= op.floor(marks)]
        current = accs.init()
        first, last = ts, ts
        merged: list[tuple[int, int, list[Any]]] = []
        for end, start in found:
            session = accs.load(store.get((*key, end, start))[0])
            merged.append((start, end, session))
            current = accs.merge(current, session)
            first, last = min(first, start), max(last, end)
        if last >= close:
            if (first, last) != (ts, ts):
                for start, end, session in merged:
                    store.put((*key, end, start), None)
                    if not final:
                        push((key, None, end, accs.result(key, session, start, end),
                              (start, end)))
            current = accs.add(current, row)
            store.put((*key, last, first), [accs.save(current), last])
            marks[_STORE] = max(marks[_STORE], last)
            if not final:
                push((key, accs.result(key, current, first, last), last, None,
                      (first, last)))
        if final:
            emit_closed(close, marks)
            # Keep every session until it has been emitted.
            op.finish(marks, min(op.floor(marks), marks[_EMITTED]))
        else:
            op.finish(marks, op.floor(marks))

    return aggregate
