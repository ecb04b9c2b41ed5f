"""`tote logs`: each service's log file in the data dir, tailed and optionally followed.

Follow mode polls the files (no inotify dependency) and copes with a file that appears
late (a service not started yet) or is truncated (pruned and restarted).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tote.stack.errors import StackConfigError
from tote.stack.paths import StackPaths
from tote.stack.services import DATABASE, service_names

FOLLOW_POLL_S = 0.2


@dataclass
class LogSource:
    name: str
    path: Path
    position: int = 0
    pending: bytes = field(default=b"")


def log_sources(home: Path, service: str | None) -> list[LogSource]:
    """The log files of one service, or of all of them (supervisor first)."""
    paths = StackPaths.of(home)
    names = service_names()
    if service is not None and service not in names:
        raise StackConfigError(f"Unknown service '{service}'; expected one of "
                               f"{', '.join(names)}.")
    chosen = [service] if service is not None else ["supervisor", *names[:-1]]
    return [LogSource(name, paths.pgdata / "postgres.log" if name == DATABASE
                      else paths.log_file(name)) for name in chosen]


def _read_tail(source: LogSource, count: int | None) -> list[str]:
    """The last `count` complete lines (all if None); remembers where reading stopped."""
    try:
        data = source.path.read_bytes()
    except FileNotFoundError:
        return []
    end = data.rfind(b"\n") + 1
    source.position = len(data)
    source.pending = data[end:]  # a line still being written
    lines = data[:end].decode("utf-8", errors="replace").splitlines()
    return lines if count is None else lines[-count:] if count > 0 else []


def _read_new(source: LogSource) -> list[str]:
    try:
        size = source.path.stat().st_size
        if size < source.position:  # truncated or replaced
            source.position = 0
            source.pending = b""
        with source.path.open("rb") as handle:
            handle.seek(source.position)
            chunk = handle.read()
    except FileNotFoundError:
        return []
    source.position += len(chunk)
    data = source.pending + chunk
    *complete, source.pending = data.split(b"\n")
    return [line.decode("utf-8", errors="replace") for line in complete]


def show_logs(sources: Sequence[LogSource], emit: Callable[[str, str], None], *,
              tail: int | None, follow: bool, keep_going: Callable[[], bool]) -> None:
    """Print the tail of each source, then (follow) new lines as they are written."""
    for source in sources:
        for line in _read_tail(source, tail):
            emit(source.name, line)
        if not follow and source.pending:
            emit(source.name, source.pending.decode("utf-8", errors="replace"))
    while follow and keep_going():
        for source in sources:
            for line in _read_new(source):
                emit(source.name, line)
        time.sleep(FOLLOW_POLL_S)
