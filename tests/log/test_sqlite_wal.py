"""A WAL left behind by a deleted or replaced log.db is refused, never replayed or dropped.

Each test leaves a real WAL behind: a child process writes to log.db and is then killed
(`kill -9`, so SQLite cannot checkpoint and delete its WAL) or keeps running. Then log.db
is deleted, moved away or replaced, and opening the log must refuse, name the files and
touch nothing, so that putting the right file back still recovers every record.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tote.core.errors import ToteError
from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.log.sqlite_copy import copy_log

WRITER = """
import sys, time
from pathlib import Path
from tote.core.records import Record
from tote.log.sqlite import SqliteLog

log = SqliteLog(Path(sys.argv[1]))
log.create_topic("old")
log.append("old", [Record(b"%d" % i + bytes(100)) for i in range(200)])
print("ready", flush=True)
time.sleep(600)
"""


class Writer:
    """A child process that wrote topic `old` (200 records) into `path` and now idles."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline() == "ready\n"

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(60)


@pytest.fixture
def crashed(tmp_path: Path) -> Path:
    """log.db whose writer was killed: its WAL (and shared memory) stay beside it."""
    path = tmp_path / "log.db"
    Writer(path).kill()
    assert wal(path).stat().st_size > 0
    return path


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Path]:
    """log.db whose writer is still running."""
    path = tmp_path / "log.db"
    writer = Writer(path)
    yield path
    writer.kill()


def wal(path: Path) -> Path:
    return Path(f"{path}-wal")


def shm(path: Path) -> Path:
    return Path(f"{path}-shm")


def side_files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (wal(path), shm(path)) if p.exists()}


def topics_and_old_records(path: Path) -> tuple[list[str], int]:
    with SqliteLog(path) as log:
        old = len(log.read(TopicPartition("old", 0), 0)) if log.topic_exists("old") else 0
        return log.list_topics(), old


def other_log(path: Path) -> Path:
    """Another log file, closed (no WAL of its own): topic `other`."""
    with SqliteLog(path) as log:
        log.create_topic("other")
        log.append("other", [Record(b"x")])
    return path


@pytest.mark.parametrize("how", ["deleted", "moved away", "emptied"])
def test_a_wal_without_its_log_file_is_refused_and_kept(crashed: Path, how: str) -> None:
    kept = crashed.with_name("kept.db")
    os.replace(crashed, kept)
    if how == "deleted":
        kept.unlink()
    if how == "emptied":
        crashed.touch()
    before = side_files(crashed)

    with pytest.raises(ToteError) as raised:
        SqliteLog(crashed)

    message = raised.value.message
    assert message.startswith(f"{wal(crashed)} and {shm(crashed)} are left without the "
                              f"log file {crashed} (log.db was deleted, moved away or ")
    assert f"remove {wal(crashed)} and {shm(crashed)} to start a new, empty log" in message
    assert side_files(crashed) == before  # nothing replayed, dropped or truncated
    assert crashed.exists() == (how == "emptied")  # and no new log.db made
    if how == "moved away":  # putting it back recovers every record
        os.replace(kept, crashed)
        assert topics_and_old_records(crashed) == (["old"], 200)


def test_after_removing_the_left_files_a_new_log_starts(crashed: Path) -> None:
    crashed.unlink()
    wal(crashed).unlink()
    shm(crashed).unlink()
    assert topics_and_old_records(crashed) == ([], 0)


def test_deleting_log_db_under_a_running_writer_leaves_its_wal_alone(running: Path) -> None:
    running.unlink()
    before = side_files(running)

    with pytest.raises(ToteError, match="are left without the log file"):
        SqliteLog(running)

    assert side_files(running) == before  # SQLite alone truncated it: "disk I/O error"
    assert not running.exists()


def test_another_log_moved_over_a_crashed_one_is_refused(crashed: Path) -> None:
    """`mv other.db log.db` after a crash: SQLite would replay the old WAL onto it."""
    os.replace(other_log(crashed.with_name("other.db")), crashed)
    assert_refused_as_not_its_wal(crashed)
    assert topics_and_old_records(crashed) == (["other"], 0)  # the file as it was


def test_a_backup_of_the_same_log_restored_over_it_is_refused(tmp_path: Path) -> None:
    """A `copy_log` backup taken earlier is another file: the WAL written since is not its."""
    path = tmp_path / "log.db"
    with SqliteLog(path) as log:
        log.create_topic("early")
    backup = tmp_path / "backup.db"
    copy_log(path, backup)
    Writer(path).kill()
    os.replace(backup, path)
    assert_refused_as_not_its_wal(path)
    assert topics_and_old_records(path) == (["early"], 0)


def assert_refused_as_not_its_wal(path: Path) -> None:
    """Opening `path` is refused and touches nothing; then the left files are removed."""
    file_before, before = path.read_bytes(), side_files(path)

    with pytest.raises(ToteError) as raised:
        SqliteLog(path)

    assert raised.value.message.startswith(
        f"{wal(path)} was written for another file than the log file {path} "
        "(log.db was replaced while the WAL of the old file stayed)"
    )
    assert f"remove {wal(path)} and {shm(path)} to open {path} as it is" in (
        raised.value.message
    )
    assert path.read_bytes() == file_before and side_files(path) == before
    wal(path).unlink()
    shm(path).unlink()


def test_a_new_process_refuses_a_file_moved_over_a_running_log(running: Path) -> None:
    other = other_log(running.with_name("other.db"))
    os.replace(other, running)

    with pytest.raises(ToteError, match="was written for another file"):
        SqliteLog(running)


def test_a_crashed_log_with_its_own_wal_opens_with_everything(crashed: Path) -> None:
    assert topics_and_old_records(crashed) == (["old"], 200)


def test_a_torn_last_frame_of_page_one_does_not_refuse_the_log(crashed: Path) -> None:
    """SQLite writes a frame's header, then its page: a writer killed between the two
    leaves a page-1 header over whatever page was there before. That frame is not
    committed (SQLite ignores it), so its stray bytes are no other file's id."""
    path = wal(crashed)
    raw = path.read_bytes()
    salts = raw[16:24]  # the header's salts: the frame belongs to the WAL's generation
    page_size = int.from_bytes(raw[8:12], "big")
    stray = bytearray(page_size)  # an older page's bytes, not page 1 of this file
    stray[68:72] = (123_456_789).to_bytes(4, "big")
    with path.open("ab") as out:  # page 1, not a commit (database size 0), checksums 0
        out.write((1).to_bytes(4, "big") + bytes(4) + salts + bytes(8) + bytes(stray))

    assert topics_and_old_records(crashed) == (["old"], 200)
