"""`tote logs`: tails of real log files, and following lines as they are appended."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from tote.stack.logs import log_sources, show_logs


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        out.write(text)


def test_tail_then_follow_new_lines_partial_lines_and_late_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(home / "logs" / "schema-registry.log", "one\ntwo\nthree\nhalf")
    sources = [s for s in log_sources(home, None) if s.name in ("schema-registry", "rest-proxy")]
    seen: list[tuple[str, str]] = []
    polls: Iterator[Callable[[], None]] = iter([
        lambda: write(home / "logs" / "schema-registry.log", " done\nfour\n"),
        lambda: write(home / "logs" / "rest-proxy.log", "proxy up\n"),  # appears late
        lambda: write(home / "logs" / "schema-registry.log", "fi"),  # not complete yet
    ])

    def keep_going() -> bool:
        action = next(polls, None)
        if action is None:
            return False
        action()
        return True

    show_logs(sources, lambda name, line: seen.append((name, line)), tail=2, follow=True,
              keep_going=keep_going)
    assert seen == [("schema-registry", "two"), ("schema-registry", "three"),
                    ("schema-registry", "half done"), ("schema-registry", "four"),
                    ("rest-proxy", "proxy up")]


def test_without_follow_every_line_is_printed_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(home / "postgres" / "postgres.log", "LOG: ready\nLOG: partial")
    seen: list[tuple[str, str]] = []
    show_logs(log_sources(home, "postgres"), lambda n, line: seen.append((n, line)),
              tail=None, follow=False, keep_going=lambda: True)
    assert seen == [("postgres", "LOG: ready"), ("postgres", "LOG: partial")]
