"""The SQLite log's file deleted or replaced under a running process: no silent drops.

A process that has `log.db` open keeps writing into its inode after `rm log.db` or a
backup moved over it, while new processes open whatever is at the path now. Such writes
must fail with LogFileReplaced and leave nothing behind; a process that only waits for
records must notice too; the REST proxy answers a produce with 500 and the error, and
`tote serve` exits 1 with it.
The "new process" side of each test is a real child process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest
from tests.service_process import start_service

from tote.core.records import Record, TopicPartition
from tote.http.common import ServerThread
from tote.http.proxy_api import create_app
from tote.log.sqlite import SqliteLog
from tote.log.sqlite_file import LogFileReplaced
from tote.proxy.service import RestProxy
from tote.stack.members import last_error_line

SIDE_FILES = ("-wal", "-shm")

# A new process on the path: `create` makes topic `t` if missing, then it prints the
# topics and the values of t-0 (null when there is no t).
NEW_PROCESS = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from tote.core.records import TopicPartition
    from tote.log.sqlite import SqliteLog

    log = SqliteLog(Path(sys.argv[1]))
    if sys.argv[2] == "create" and not log.topic_exists("t"):
        log.create_topic("t")
    values = None
    if log.topic_exists("t"):
        values = [r.value.decode() for r in log.read(TopicPartition("t", 0), 0)]
    print(json.dumps({"topics": log.list_topics(), "values": values}))
    log.close()
    """
)


def new_process(path: Path, action: str = "read") -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", NEW_PROCESS, str(path), action],
                          capture_output=True, text=True, timeout=60, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def remove(path: Path, *suffixes: str) -> None:
    for suffix in ("", *suffixes):
        os.remove(f"{path}{suffix}")


@pytest.fixture
def running(tmp_path: Path) -> SqliteLog:
    """A log in use: topic t holds one record."""
    log = SqliteLog(tmp_path / "log.db")
    log.create_topic("t")
    log.append("t", [Record(b"before")])
    return log


def test_append_after_the_file_was_deleted_fails_and_creates_nothing(
    running: SqliteLog, tmp_path: Path
) -> None:
    path = tmp_path / "log.db"
    remove(path, *SIDE_FILES)

    with pytest.raises(LogFileReplaced, match="was deleted or replaced") as raised:
        running.append("t", [Record(b"lost")])

    assert str(path) in raised.value.message
    assert raised.value.http_status == 500
    assert not path.exists()  # the refused write left no file behind
    # A new process starts a new file; the old one still refuses to write anywhere.
    assert new_process(path, "create") == {"topics": ["t"], "values": []}
    with pytest.raises(LogFileReplaced):
        running.append("t", [Record(b"lost")])
    assert new_process(path) == {"topics": ["t"], "values": []}
    running.close()


def test_deleting_only_the_main_file_fails_writes_too(
    running: SqliteLog, tmp_path: Path
) -> None:
    remove(tmp_path / "log.db")  # `rm log.db`: the WAL and shared memory stay

    with pytest.raises(LogFileReplaced):
        running.append("t", [Record(b"lost")])
    assert not (tmp_path / "log.db").exists()
    running.close()


@pytest.mark.parametrize("side_files", ["kept", "removed"])
def test_every_write_after_the_file_was_replaced_fails_and_writes_nothing(
    running: SqliteLog, tmp_path: Path, side_files: str
) -> None:
    """A backup moved over the file (its WAL left in place, or removed too)."""
    path = tmp_path / "log.db"
    producer = running.transactional_producer("txn")
    backup = tmp_path / "backup.db"
    restored = SqliteLog(backup)
    restored.create_topic("restored")
    restored.close()
    os.replace(backup, path)
    if side_files == "removed":
        for suffix in SIDE_FILES:
            os.remove(f"{path}{suffix}")

    with pytest.raises(LogFileReplaced):
        running.append("t", [Record(b"lost")])
    assert all(isinstance(result, LogFileReplaced)
               for result in running.append_many([("t", [Record(b"lost")])] * 3))
    with pytest.raises(LogFileReplaced):
        running.create_topic("lost")
    with pytest.raises(LogFileReplaced):
        running.commit_offsets("g", {TopicPartition("t", 0): 1})
    txn = producer.begin()
    txn.append("t", [Record(b"lost")])
    with pytest.raises(LogFileReplaced):
        txn.commit()
    with pytest.raises(LogFileReplaced):
        running.transactional_producer("another")
    # A thread whose first connection opens the file now at the path refuses too.
    errors: list[BaseException] = []

    def append_from_new_thread() -> None:
        try:
            running.create_topic("lost")
        except LogFileReplaced as exc:
            errors.append(exc)

    thread = threading.Thread(target=append_from_new_thread)
    thread.start()
    thread.join()
    assert len(errors) == 1

    if side_files == "removed":  # exactly the backup
        assert new_process(path) == {"topics": ["restored"], "values": None}
    else:  # the running log's WAL is not the backup's: never replayed onto it
        done = subprocess.run([sys.executable, "-c", NEW_PROCESS, str(path), "read"],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 1
        assert f"{path}-wal was written for another file than the log file" in done.stderr
    running.close()


def test_a_process_that_only_waits_notices(running: SqliteLog, tmp_path: Path) -> None:
    lost: list[LogFileReplaced] = []
    running.on_file_lost(lost.append)
    waiting = threading.Thread(
        target=running.wait, args=({TopicPartition("t", 0): 1}, 5.0), daemon=True
    )
    waiting.start()
    time.sleep(0.1)

    remove(tmp_path / "log.db", *SIDE_FILES)
    deadline = time.monotonic() + 4.0
    while not lost and time.monotonic() < deadline:
        time.sleep(0.05)

    assert len(lost) == 1  # without a single write
    with pytest.raises(LogFileReplaced):
        running.append("t", [Record(b"lost")])
    assert len(lost) == 1  # told once
    waiting.join()
    running.close()


def test_an_untouched_file_keeps_working(running: SqliteLog, tmp_path: Path) -> None:
    lost: list[LogFileReplaced] = []
    running.on_file_lost(lost.append)
    os.utime(tmp_path / "log.db")  # touched, not replaced
    running.append("t", [Record(b"after")])
    values = [r.value for r in running.read(TopicPartition("t", 0), 0)]
    assert values == [b"before", b"after"]
    assert lost == []
    running.close()


PRODUCE_HEADERS = {"Content-Type": "application/vnd.kafka.json.v2+json"}
PRODUCE_BODY = {"records": [{"value": {"n": 1}}]}


def test_rest_proxy_answers_a_produce_after_the_deletion_with_500(tmp_path: Path) -> None:
    log = SqliteLog(tmp_path / "log.db")
    log.create_topic("t")
    with ServerThread(create_app(RestProxy(log))) as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        ok = client.post("/topics/t", json=PRODUCE_BODY, headers=PRODUCE_HEADERS)
        assert ok.status_code == 200

        remove(tmp_path / "log.db", *SIDE_FILES)
        answer = client.post("/topics/t", json=PRODUCE_BODY, headers=PRODUCE_HEADERS)

    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("application/vnd.kafka.v2+json")
    error = answer.json()
    assert error["error_code"] == 50001
    assert error["message"].startswith(f"The log file {tmp_path / 'log.db'} was deleted")
    log.close()


@pytest.mark.slow
def test_tote_serve_rest_proxy_exits_1_with_the_reason(tmp_path: Path) -> None:
    """The process stops on its own (its schema registry waits on the log, so it notices
    within a second even if nothing is produced); a produce meanwhile is refused."""
    home = tmp_path / "home"
    home.mkdir()
    setup = SqliteLog(home / "log.db")
    setup.create_topic("t")
    setup.close()
    proxy = start_service("rest-proxy", home, "/")
    try:
        url = f"{proxy.url}/topics/t"
        ok = httpx.post(url, json=PRODUCE_BODY, headers=PRODUCE_HEADERS, timeout=30)
        assert ok.status_code == 200

        remove(home / "log.db", *SIDE_FILES)
        try:
            answer = httpx.post(url, json=PRODUCE_BODY, headers=PRODUCE_HEADERS, timeout=30)
        except httpx.TransportError:  # it noticed first and has stopped listening
            answer = None

        assert proxy.process.wait(60) == 1
        message = last_error_line(proxy.output)
        assert message is not None
        assert message.startswith(f"The log file {home / 'log.db'} was deleted or replaced")
        assert "Traceback" not in proxy.logs()
        if answer is not None:
            assert answer.status_code == 500
            assert answer.json() == {"error_code": 50001, "message": message}
    finally:
        proxy.kill()
