"""Configuration: flags win, then `TOTE_*` environment variables, then `tote.toml`, then defaults.

`TOTE_HOME` (or `home` in the file, or `--home`) names the data dir, `./.tote` by default.
The TOML file is looked up as `$TOTE_CONFIG`, else `./tote.toml`. Keys are the field names
below; in the environment they are upper-cased with a `TOTE_` prefix (`TOTE_REGISTRY_PORT`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tote.core.errors import BadRequest

BACKENDS = ("sqlite", "memory", "kafka")


class ConfigError(BadRequest):
    error_code = 40004


@dataclass(frozen=True)
class Config:
    """Everything a tote process needs to know about where it runs."""

    home: Path = Path(".tote")
    backend: str = "sqlite"
    bootstrap_servers: str = ""
    host: str = "127.0.0.1"
    registry_port: int = 8081
    proxy_port: int = 8082
    connect_port: int = 8083
    ksqldb_port: int = 8088
    ui_port: int = 8080
    tote_port: int = 8090
    db_port: int = 5432
    db_url: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def log_path(self) -> Path:
        return self.home / "log.db"


def _coerce(name: str, raw: Any, kind: Any) -> Any:
    try:
        if kind in (int, "int"):
            return int(raw)
        if kind in (Path, "Path"):
            return Path(str(raw))
        return str(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"Invalid value {raw!r} for configuration '{name}'.") from None


def unusable_home(home: Path, reason: str) -> ConfigError:
    """The one-line error for a data dir that cannot be used (checked here, created by
    whoever opens the log)."""
    return ConfigError(f"The data dir {home} is unusable: {reason} (TOTE_HOME, --home).")


def load_config(
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    toml_path: Path | None = None,
) -> Config:
    """Resolve a Config from flags (None values ignored), environment and an optional TOML file."""
    env = os.environ if env is None else env
    if toml_path is None:
        toml_path = Path(env.get("TOTE_CONFIG", "tote.toml"))
    from_file: dict[str, Any] = {}
    if toml_path.is_file():
        try:
            from_file = tomllib.loads(toml_path.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{toml_path}: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{toml_path}: {exc.strerror or exc}") from None
    known = {f.name: f for f in dataclasses.fields(Config) if f.name != "extra"}
    values: dict[str, Any] = {}
    for name, fld in known.items():
        env_value = env.get(f"TOTE_{name.upper()}")
        if flags and flags.get(name) is not None:
            values[name] = _coerce(name, flags[name], fld.type)
        elif env_value is not None and env_value != "":
            values[name] = _coerce(name, env_value, fld.type)
        elif name in from_file:
            values[name] = _coerce(name, from_file[name], fld.type)
    for name, value in values.items():
        if name.endswith("_port") and not 0 <= value <= 65535:
            raise ConfigError(f"Invalid port {value} for configuration '{name}': "
                              "expected 0 to 65535.")
    extra = {k: v for k, v in from_file.items() if k not in known}
    config = Config(**values, extra=extra)
    if config.backend not in BACKENDS:
        raise ConfigError(
            f"Unknown backend '{config.backend}'; expected one of {', '.join(BACKENDS)}."
        )
    try:
        existing = next((p for p in (config.home, *config.home.parents) if p.exists()), None)
    except OSError as exc:  # a name too long, a loop of links...
        raise unusable_home(config.home, exc.strerror or str(exc)) from None
    if existing is not None and not existing.is_dir():  # not found at every use, one by one
        raise unusable_home(config.home, f"{existing} is not a directory")
    if config.backend == "kafka" and not config.bootstrap_servers:
        raise ConfigError("The kafka backend needs bootstrap_servers (TOTE_BOOTSTRAP_SERVERS).")
    return config
