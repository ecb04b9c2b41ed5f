"""Closing a SqliteLog while other threads are reading from it must not crash Python.

Closing a sqlite3 connection while another thread is inside a query on it segfaults the
interpreter, so `close` leaves live threads' connections to close themselves once those
threads let go. The probe runs in a child process so a crash fails the test, not pytest.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PROBE = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from tote.core.records import Record, TopicPartition
    from tote.log.sqlite import SqliteLog

    home = Path(sys.argv[1])
    tp = TopicPartition("t", 0)
    for round_ in range(20):
        log = SqliteLog(home / f"log{round_}.db")
        log.create_topic("t")
        log.append("t", [Record(b"x" * 200) for _ in range(5000)])
        stop = threading.Event()
        started = [threading.Event() for _ in range(3)]
        counts = []

        def follow(ready):
            n = 0
            while not stop.is_set():
                n += len(log.read(tp, 0, 5000))
                ready.set()
            counts.append(n)

        threads = [threading.Thread(target=follow, args=(e,)) for e in started]
        for thread in threads:
            thread.start()
        for ready in started:
            ready.wait(30)
        log.close()
        stop.set()
        for thread in threads:
            thread.join()
        assert all(n % 5000 == 0 for n in counts), counts
    print("survived")
    """
)


def test_close_while_other_threads_read(tmp_path: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "survived"
