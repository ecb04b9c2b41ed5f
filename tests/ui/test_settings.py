"""Where the UI finds its neighbours: an IPv6 host's URLs are written with brackets."""

from __future__ import annotations

import pytest

from tote.core.config import Config
from tote.ui.settings import ui_settings


@pytest.mark.parametrize("host", ["::1", "::"])
def test_an_ipv6_hosts_service_and_database_urls_are_bracketed(host: str) -> None:
    """Before, `--host ::1` gave `http://::1:8081` (no client reads that port) and
    `@::1:5432`; `::` was dialled on 127.0.0.1."""
    settings = ui_settings(Config(host=host), {})
    assert settings.services() == {
        "Schema Registry": "http://[::1]:8081", "REST Proxy": "http://[::1]:8082",
        "Connect": "http://[::1]:8083", "ksqlDB": "http://[::1]:8088"}
    assert settings.db_url == "postgresql://postgres:example@[::1]:5432/totebets"


def test_a_seed_host_in_a_flag_goes_through_an_ipv6_alias() -> None:
    settings = ui_settings(Config(host="::1"), {"ksqldb-server": "[::1]:18088"},
                           ksqldb_url="http://ksqldb-server:8088/")
    assert settings.ksqldb_url == "http://[::1]:18088"
