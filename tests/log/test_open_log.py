"""`open_log` picks the backend a configuration names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tote.core.config import Config, ConfigError
from tote.core.records import Record, TopicPartition
from tote.log.memory import MemoryLog
from tote.log.open import open_log


def test_memory_backend() -> None:
    with open_log(Config(backend="memory")) as log:
        assert isinstance(log, MemoryLog)


def test_sqlite_backend_uses_the_log_file_in_home(tmp_path: Path) -> None:
    from tote.log.sqlite import SqliteLog

    home = tmp_path / "data"
    config = Config(home=home, backend="sqlite")
    with open_log(config) as log:
        assert isinstance(log, SqliteLog)
        log.create_topic("bets")
        log.append("bets", [Record(b"v")])
    assert config.log_path == home / "log.db"
    assert config.log_path.is_file()
    with open_log(config) as again:
        assert [r.value for r in again.read(TopicPartition("bets", 0), 0)] == [b"v"]


def test_kafka_backend_needs_bootstrap_servers() -> None:
    with pytest.raises(ConfigError) as exc:
        open_log(Config(backend="kafka"))
    assert exc.value.error_code == 40004
    assert exc.value.message == (
        "The kafka backend needs bootstrap_servers (TOTE_BOOTSTRAP_SERVERS)."
    )


def test_unknown_backend() -> None:
    with pytest.raises(ConfigError) as exc:
        open_log(Config(backend="postgres"))
    assert exc.value.message == (
        "Unknown backend 'postgres'; expected one of sqlite, memory, kafka."
    )
