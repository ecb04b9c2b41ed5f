"""`tote serve connect` as a child process, for the crash, seed and multi-worker tests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from tests.service_process import TOTE, ServiceProcess, clean_env, start_service

ConnectProcess = ServiceProcess
__all__ = ["TOTE", "ConnectProcess", "start_connect"]


def start_connect(home: Path, aliases: Mapping[str, str], *extra: str,
                  port: int | None = None) -> ConnectProcess:
    """Start a worker on the sqlite log in `home`; return once it answers `GET /`."""
    env = clean_env(home, TOTE_HOST_ALIASES=json.dumps(dict(aliases)))
    return start_service("connect", home, "/", *extra, port=port, env=env)
