"""Noticing that the log file was deleted or replaced under a running process.

A process keeps the file it opened: after `rm log.db`, or a backup moved over it, its
commits still succeed, into a file no process opening the path will ever see, while new
processes start on the file now at the path. Every such write would be lost without a
word. So the log records the file's identity (device and inode) when it opens it, and
every write transaction checks, under the write lock and just before its COMMIT, that the
path still names that file: one `os.stat` per commit, not per record. The change watcher
checks now and then too, so a process that only waits for records notices as well.

Once lost, the file stays lost: every later write fails with `LogFileReplaced`, and the
listeners (`on_lost`, e.g. `tote serve` stopping its service) are told once.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from tote.core.errors import ToteError

_logger = logging.getLogger(__name__)


class LogFileReplaced(ToteError):
    """The log's path no longer names the file this process opened: nothing written to
    that file could be read by a process opening the path."""

    error_code = 50001

    def __init__(self, path: str) -> None:
        super().__init__(
            f"The log file {path} was deleted or replaced while tote was using it, so "
            "this process refuses to write: nobody could read what it wrote. Restart the "
            "stack (`tote down`, then `tote up`) to use the file now at that path, or a "
            "new one."
        )
        self.path = path


class LogFile:
    """The identity of the file a log opened, and whether its path still names it."""

    def __init__(self, path: Path) -> None:
        self.path = os.path.abspath(path)
        try:
            stat = os.stat(self.path)
        except OSError as exc:  # deleted already, between sqlite's open and this
            raise ToteError(
                f"Cannot open the log file {self.path}: {exc.strerror or exc}."
            ) from None
        self._dev = stat.st_dev
        self._ino = stat.st_ino
        self._lock = threading.Lock()
        self._listeners: list[Callable[[LogFileReplaced], None]] = []
        self.lost = False

    def check(self) -> None:
        """Raise LogFileReplaced unless the path still names the file that was opened
        (a missing file counts as replaced)."""
        if not self.lost:
            try:
                stat = os.stat(self.path)
            except (FileNotFoundError, NotADirectoryError):
                pass
            except OSError as exc:
                raise ToteError(
                    f"Cannot check the log file {self.path}: {exc.strerror or exc}."
                ) from None
            else:
                if stat.st_ino == self._ino and stat.st_dev == self._dev:
                    return
            self._lose()
        raise LogFileReplaced(self.path)

    def still_there(self) -> bool:
        """`check` for pollers: False once the file is lost (the loss is reported)."""
        try:
            self.check()
        except LogFileReplaced:
            return False
        except ToteError:
            return True  # cannot tell now: the next write's check decides
        return True

    def on_lost(self, listener: Callable[[LogFileReplaced], None]) -> None:
        """Call `listener` once when the file is found lost (at once if it already is).
        It runs on the thread that noticed, so it must not block."""
        with self._lock:
            if not self.lost:
                self._listeners.append(listener)
                return
        listener(LogFileReplaced(self.path))

    def _lose(self) -> None:
        with self._lock:
            if self.lost:
                return
            self.lost = True
            listeners, self._listeners = self._listeners, []
        error = LogFileReplaced(self.path)
        _logger.error("%s", error.message)
        for listener in listeners:
            listener(error)
