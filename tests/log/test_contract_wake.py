"""`Log.wait_or_wake`: a wait another thread ends at once (a closed push query, a PRINT
whose client left), and otherwise the same as `wait`."""

from __future__ import annotations

import threading

from tests.log.backends import DEADLINE_S, Names

from tote.core.records import Record, TopicPartition
from tote.log.base import Log
from tote.log.wake import Wake


def _wait_in_thread(log: Log, tp: TopicPartition, wake: Wake
                    ) -> tuple[threading.Thread, list[bool], threading.Event]:
    result: list[bool] = []
    waiting = threading.Event()

    def waiter() -> None:
        waiting.set()
        result.append(log.wait_or_wake({tp: 0}, 4 * DEADLINE_S, wake))

    thread = threading.Thread(target=waiter, daemon=True)
    thread.start()
    assert waiting.wait(DEADLINE_S)
    return thread, result, waiting


def test_set_from_another_thread_ends_the_wait(log: Log, names: Names) -> None:
    """The waiter returns (no data) long before its timeout, which outlasts the join."""
    name = names.topic()
    log.create_topic(name)
    wake = Wake()
    thread, result, _ = _wait_in_thread(log, TopicPartition(name, 0), wake)
    threading.Event().wait(0.2)  # most likely inside the wait by now (either way works)
    wake.set()
    thread.join(DEADLINE_S)
    assert not thread.is_alive()
    assert result == [False]


def test_already_set_returns_at_once(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    wake = Wake()
    wake.set()
    assert log.wait_or_wake({TopicPartition(name, 0): 0}, 4 * DEADLINE_S, wake) is False


def test_records_still_end_the_wait(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    thread, result, _ = _wait_in_thread(log, TopicPartition(name, 0), Wake())
    log.append(name, [Record(b"wake")])
    thread.join(DEADLINE_S)
    assert result == [True]
