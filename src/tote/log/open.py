"""Open the log a configuration names: the one place that picks a backend."""

from __future__ import annotations

from tote.core.config import Config, ConfigError, unusable_home
from tote.log.base import Log


def open_log(config: Config) -> Log:
    """The memory, sqlite or kafka log for `config.backend`.

    The sqlite and kafka modules are imported here, not at the top, so that using one
    backend never loads (or needs) another's dependencies.
    """
    if config.backend == "memory":
        from tote.log.memory import MemoryLog

        return MemoryLog()
    if config.backend == "sqlite":
        from tote.log.sqlite import SqliteLog

        try:
            config.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # not writable, on a read-only file system...
            raise unusable_home(config.home, exc.strerror or str(exc)) from None
        return SqliteLog(config.log_path)
    if config.backend == "kafka":
        if not config.bootstrap_servers:
            raise ConfigError(
                "The kafka backend needs bootstrap_servers (TOTE_BOOTSTRAP_SERVERS)."
            )
        from tote.log.kafka import KafkaLog

        return KafkaLog(config.bootstrap_servers)
    raise ConfigError(
        f"Unknown backend '{config.backend}'; expected one of sqlite, memory, kafka."
    )
