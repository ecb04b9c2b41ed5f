"""`tote serve tote` as a child process, and `tote` CLI runs, for the process-level tests."""

from __future__ import annotations

from pathlib import Path

from tests.service_process import TOTE, ServiceProcess, clean_env, start_service

ToteProcess = ServiceProcess
__all__ = ["TOTE", "ToteProcess", "clean_env", "start_tote"]


def start_tote(home: Path, *extra: str, port: int | None = None) -> ToteProcess:
    """Start the service on the sqlite log in `home`; return once /healthcheck answers 200."""
    return start_service("tote", home, "/healthcheck", *extra, port=port)
