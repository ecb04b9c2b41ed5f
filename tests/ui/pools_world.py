"""The tote domain for the pools board's tests, all real and in this process: one sqlite
log; a Schema Registry served over HTTP (the UI decodes through it, as under `tote up`);
the sequencer driven by hand (`tests/pools_intake/desk.py`); the shipped pools.sql on an
engine; and the web UI, reading the log.

    with PoolsWorld.start(tmp_path) as world:
        world.open_race("TC1", [1, 2, 3, 4], PoolRules("WIN", takeout_bp=1500))
        world.bets("TC1", ("WIN", [2], 30_000), ...)
        world.close_betting("TC1"); world.result("TC1", [[2], [1]])
        world.fragment("TC1")     # the board's HTML for that race, as the stream sends it

The UI is started before anything else, so the board first meets a log without the
domain's topics. Each step sequences its commands and runs the engine until idle.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import httpx
from tests.pools_intake.desk import Desk

from tote.core.config import Config
from tote.core.listen import free_port
from tote.http.common import ServerThread
from tote.http.registry_api import create_registry_app
from tote.log.sqlite import SqliteLog
from tote.pools.commands import PoolRules
from tote.pools.events import register_event_schemas
from tote.poolsql import statements, with_tote_functions
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.ui.app import create_ui_app
from tote.ui.settings import ui_settings


@dataclass
class PoolsWorld:
    log: SqliteLog
    ui_url: str
    desk: Desk | None = None
    engine: Engine | None = None
    _keys: count[int] = field(default_factory=count)

    @classmethod
    @contextmanager
    def start(cls, tmp: Path) -> Iterator[PoolsWorld]:
        log = SqliteLog(tmp / "log.db")
        with ExitStack() as stack:
            stack.callback(log.close)  # last: after every server and reader stopped
            registry = stack.enter_context(ServerThread(create_registry_app(Registry(log))))
            dead = f"http://127.0.0.1:{free_port()}"
            settings = ui_settings(
                Config(),
                {},
                registry_url=registry.url,
                ksqldb_url=dead,
                connect_url=dead,
                proxy_url=dead,
                db_url=f"sqlite:///{tmp / 'sink.db'}",
                board_source="log",
            )
            ui = stack.enter_context(ServerThread(create_ui_app(settings, log)))
            world = cls(log, ui.url)
            stack.callback(world._stop)  # first: the UI keeps reading until it stops
            yield world

    def _stop(self) -> None:
        if self.engine is not None:
            self.engine.close()
        if self.desk is not None:  # not desk.close(): that closes the log too
            self.desk.sequencer.close()
            self.desk.registry.close()

    def deploy(self) -> None:
        """The tote service's topics and sequencer, then pools.sql (needs their schemas)."""
        self.desk = Desk.over(self.log)
        register_event_schemas(self.desk.registry)
        self.engine = Engine(self.log, self.desk.registry, functions=with_tote_functions())
        self.engine.start()
        self.engine.execute(statements())

    def _run(self) -> None:
        assert self.desk is not None and self.engine is not None, "deploy() first"
        self.desk.run()
        self.engine.run_until_idle()

    def open_race(self, race_id: str, runners: list[int], *pools: PoolRules) -> None:
        assert self.desk is not None, "deploy() first"
        assert self.desk.open_race(race_id, runners, list(pools)).ok
        self._run()

    def bets(self, race_id: str, *bets: tuple[str, list[int], int]) -> None:
        """(pool, selection, stake cents) tickets, sequenced in this order."""
        assert self.desk is not None, "deploy() first"
        self.desk.send(
            *(
                self.desk.bet(f"key-{next(self._keys)}", race_id, pool, stake, selection=selection)
                for pool, selection, stake in bets
            )
        )
        self._run()

    def close_betting(self, race_id: str) -> None:
        assert self.desk is not None, "deploy() first"
        self.desk.send(self.desk.close_race(race_id))
        self._run()

    def scratch(self, race_id: str, runner: int) -> None:
        assert self.desk is not None, "deploy() first"
        assert self.desk.scratch(race_id, runner).ok
        self._run()

    def void(self, race_id: str) -> None:
        assert self.desk is not None, "deploy() first"
        assert self.desk.void(race_id).ok
        self._run()

    def result(self, race_id: str, result: list[list[int]]) -> None:
        assert self.desk is not None, "deploy() first"
        assert self.desk.result(race_id, result).ok
        self._run()

    def fragment(self, race_id: str | None = None) -> str:
        params = {"race": race_id} if race_id else {}
        return httpx.get(self.ui_url + "/pools/fragment", params=params, timeout=30).text

    def poll(
        self, race_id: str | None, *wanted: str | Callable[[str], bool], timeout_s: float = 60.0
    ) -> str:
        """The fragment once it holds every `wanted` text and passes every `wanted` test
        (or the last one, on timeout): the UI reads the topics' partitions one after
        another, so a step's records do not all show at the same moment."""
        deadline = time.monotonic() + timeout_s
        while True:
            text = self.fragment(race_id)
            if all(w(text) if callable(w) else w in text for w in wanted):
                return text
            if time.monotonic() >= deadline:
                return text
            time.sleep(0.1)
