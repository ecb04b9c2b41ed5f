"""Where the web UI finds the rest of the stack: service URLs, the sink database, the log.

The UI talks to the Schema Registry, ksqlDB and Connect over HTTP, to the sink database
through `tote.connect.jdbc.browse`, and reads topics from the log it is given. Under
`tote up` every address comes from the environment the supervisor sets (`TOTE_*_PORT`,
`TOTE_HOST`, `TOTE_DB_URL`, `TOTE_HOST_ALIASES`); flags override them, and seed host
names in a flag (`http://ksqldb-server:8088`) go through the alias table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tote.connect.jdbc.browse import sqlalchemy_url
from tote.core.config import Config
from tote.core.errors import BadRequest
from tote.core.host_aliases import rewrite_url
from tote.core.listen import dial_host, host_port, url_host

BOARD_SOURCES = ("auto", "ksqldb", "log")
ODDS_STREAM = "TOTE_WIN_BET_RACE_RUNNERS_ODDS"
ODDS_TOPIC = "tote_win_bet_race_runners_odds"
# The seed's database, user and password (what `tote up` creates).
SEED_DB_URL = "postgresql://postgres:example@{host}:{port}/totebets"


class UiConfigError(BadRequest):
    error_code = 40004


@dataclass(frozen=True)
class UiSettings:
    """Everything the UI app needs to know about its neighbours.

    `board_source` picks the live odds feed: `ksqldb` (the push query over
    `/query-stream`), `log` (read the odds topic directly), or `auto` (ksqlDB when it
    answers, else the log). `odds_stream` / `odds_topic` name the seed's odds stream.
    """

    registry_url: str
    ksqldb_url: str
    connect_url: str
    proxy_url: str
    db_url: str
    aliases: Mapping[str, str] = field(default_factory=dict)
    board_source: str = "auto"
    odds_stream: str = ODDS_STREAM
    odds_topic: str = ODDS_TOPIC
    http_timeout_s: float = 5.0

    def services(self) -> dict[str, str]:
        """Name to base URL of each HTTP service the stack view reports on."""
        return {"Schema Registry": self.registry_url, "REST Proxy": self.proxy_url,
                "Connect": self.connect_url, "ksqlDB": self.ksqldb_url}


def ui_settings(config: Config, aliases: Mapping[str, str], *,
                registry_url: str | None = None, ksqldb_url: str | None = None,
                connect_url: str | None = None, proxy_url: str | None = None,
                db_url: str | None = None, board_source: str = "auto") -> UiSettings:
    """Resolve URLs: a flag (alias-rewritten) wins, else the stack's port on our host."""
    if board_source not in BOARD_SOURCES:
        raise UiConfigError(f"Unknown board source '{board_source}'; expected one of "
                            f"{', '.join(BOARD_SOURCES)}.")
    host = dial_host(config.host)

    def url(given: str | None, port: int) -> str:
        if given:
            return rewrite_url(given, aliases).rstrip("/")
        return f"http://{host_port(host, port)}"

    database = db_url or config.db_url or SEED_DB_URL.format(host=url_host(host),
                                                             port=config.db_port)
    sqlalchemy_url(database, aliases)  # one the browser cannot take fails now, not at start-up
    return UiSettings(
        registry_url=url(registry_url, config.registry_port),
        ksqldb_url=url(ksqldb_url, config.ksqldb_port),
        connect_url=url(connect_url, config.connect_port),
        proxy_url=url(proxy_url, config.proxy_port),
        db_url=database, aliases=dict(aliases), board_source=board_source)
