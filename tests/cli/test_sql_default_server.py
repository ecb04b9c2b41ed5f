"""`tote sql` without --server talks to the running stack's ksqlDB, else the configured
port on this host."""

from __future__ import annotations

from pathlib import Path

import pytest

from tote.cli.sql import default_server


def test_without_a_stack_the_configured_port_is_used(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOTE_KSQLDB_PORT", "18188")
    assert default_server(tmp_path) == "http://localhost:18188"
    monkeypatch.delenv("TOTE_KSQLDB_PORT")
    assert default_server(tmp_path) == "http://localhost:8088"
