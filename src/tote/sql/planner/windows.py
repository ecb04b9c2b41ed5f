"""WINDOW and WITHIN clauses in milliseconds, with the defaults ksqlDB gets from Kafka Streams.

ksqlDB builds its windows with Kafka Streams' deprecated constructors unless a GRACE PERIOD
is given, so the defaults are those constructors' (a day in all):

* time windows (TUMBLING, HOPPING): grace = max(24 h - size, 0), or 0 with EMIT FINAL; a
  window [start, start + size) takes records while its end is after `stream time -
  grace`. Window starts are
  aligned to the epoch: a record at `ts` falls in every window whose start is a multiple
  of the advance in (ts - size, ts].
* session windows: grace = max(24 h - gap, 0), or 0 with EMIT FINAL; a session closes
  when stream time passes its end plus the gap plus the grace period (until then a record
  may still extend it).
* retention (how long the store keeps a window) defaults to size + grace (gap + grace for
  sessions) and may not be smaller than that.
* stream-stream joins, `WITHIN n` or `WITHIN (before, after)`: without GRACE PERIOD the
  grace is max(24 h - 2 * before, 0) and left/outer joins emit their null-padded rows at
  once (Kafka Streams' behaviour before KAFKA-10847); with GRACE PERIOD they are held
  until the join window has closed and emitted only if nothing joined. The join stores
  keep records for before + after + grace.
"""

from __future__ import annotations

from dataclasses import dataclass

from tote.sql.ast.queries import (
    Duration,
    HoppingWindow,
    SessionWindow,
    TumblingWindow,
    Window,
    WithinExpression,
)
from tote.sql.errors import StatementError
from tote.sql.sources import WindowType

DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """A resolved WINDOW clause. `size` is the inactivity gap of a session window."""

    type: WindowType
    size: int
    advance: int
    grace: int
    retention: int

    @property
    def is_session(self) -> bool:
        return self.type is WindowType.SESSION

    def starts(self, timestamp: int) -> list[int]:
        """Starts of the time windows holding `timestamp`, earliest first."""
        advance = self.advance
        start = max(0, timestamp - self.size + advance) // advance * advance
        out: list[int] = []
        while start <= timestamp:
            out.append(start)
            start += advance
        return out


@dataclass(frozen=True, slots=True)
class JoinWindowSpec:
    """A resolved WITHIN clause: a left record at `t` joins right records in
    [t - before, t + after]. `held` is whether left/outer results wait for the window to
    close (GRACE PERIOD given)."""

    before: int
    after: int
    grace: int
    held: bool

    @property
    def retention(self) -> int:
        return self.before + self.after + self.grace

    def mirrored(self) -> JoinWindowSpec:
        return JoinWindowSpec(self.after, self.before, self.grace, self.held)


def window_spec(window: Window, *, final: bool = False) -> WindowSpec:
    """The window of a GROUP BY, validated as Kafka Streams validates it. EMIT FINAL
    (`final`) makes the default grace period 0."""
    if isinstance(window, SessionWindow):
        gap = window.gap.millis
        if gap <= 0:
            raise StatementError("Gap time (inactivityGapMs) cannot be zero or negative.")
        grace = _grace(window.grace, 0 if final else max(DAY_MS - gap, 0))
        retention = window.retention.millis if window.retention is not None else gap + grace
        if retention < gap + grace:
            raise StatementError(
                "The retention period of the session store Aggregate-Aggregate-Materialize "
                "must be no smaller than the session inactivity gap plus the grace period. "
                f"Got gap=[{gap}], grace=[{grace}], retention=[{retention}]")
        return WindowSpec(WindowType.SESSION, gap, 0, grace, retention)
    if isinstance(window, TumblingWindow):
        kind, size, advance = WindowType.TUMBLING, window.size.millis, window.size.millis
    elif isinstance(window, HoppingWindow):
        kind, size, advance = WindowType.HOPPING, window.size.millis, window.advance.millis
    else:
        raise StatementError(f"Unsupported window: {type(window).__name__}")
    if size <= 0:
        raise StatementError("Window size (sizeMs) must be larger than zero.")
    if advance <= 0 or advance > size:
        raise StatementError(
            "Window advancement interval should be more than zero and less than window "
            f"duration which is {size} ms, but given advancement interval is: {advance} ms")
    grace = _grace(window.grace, 0 if final else max(DAY_MS - size, 0))
    retention = window.retention.millis if window.retention is not None else size + grace
    if retention < size + grace:
        raise StatementError(
            "The retention period of the window store Aggregate-Aggregate-Materialize must "
            "be no smaller than its window size plus the grace period. "
            f"Got size=[{size}], grace=[{grace}], retention=[{retention}]")
    return WindowSpec(kind, size, advance, grace, retention)


def join_window_spec(within: WithinExpression) -> JoinWindowSpec:
    before, after = within.before.millis, within.after.millis
    if before < 0 or after < 0 or before + after < 0:
        raise StatementError("Join window size must not be negative.")
    if within.grace is None:
        return JoinWindowSpec(before, after, max(DAY_MS - 2 * before, 0), False)
    return JoinWindowSpec(before, after, _grace(within.grace, 0), True)


def _grace(given: Duration | None, default: int) -> int:
    if given is None:
        return default
    millis = given.millis
    if millis < 0:
        raise StatementError("Grace period must not be negative.")
    return millis
