"""The shipped connector, posted unchanged to a Connect worker, keeps PostgreSQL tables of
pool totals, approximates and dividends: one row per (pool, combination), upserted as the
board moves, with the final dividends once the result is in.

The worker runs in this process over the pipeline's log; `db:5432` (the seed's host name)
resolves to an embedded PostgreSQL through the worker's host alias table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from tests.connect.databases import DB_ERRORS, PostgresDatabase
from tests.connect.helpers import wait_until
from tests.pools_sql.pipeline import PoolsPipeline
from tests.server_homes import server_home

from tote.connect.worker import Worker, WorkerSettings
from tote.embedded import EmbeddedPostgres
from tote.http.common import ServerThread
from tote.http.connect_api import create_connect_app
from tote.log.memory import MemoryLog
from tote.poolsql import SINK_CONFIG_FILE, sink_config
from tote.poolsql.files import packaged_file

FAST_PG = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


@pytest.fixture(scope="module")
def postgres() -> Iterator[EmbeddedPostgres]:
    with server_home() as home:
        server = EmbeddedPostgres(home / "data", password="example", settings=FAST_PG)
        server.start()
        yield server
        server.stop()


def _rows(db: PostgresDatabase, table: str) -> list[dict[str, Any]] | None:
    try:
        with psycopg.connect(db.dsn) as conn:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            names = [c.name for c in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    except DB_ERRORS:  # no table until the sink creates it
        return None


def test_the_shipped_sink_upserts_totals_approximates_and_dividends(
    postgres: EmbeddedPostgres,
) -> None:
    db = PostgresDatabase(postgres, "totebets")
    with MemoryLog() as log, PoolsPipeline.start(log) as pipe:
        race = pipe.race("SINK", [1, 2, 3, 4])
        race.pool("WIN", takeout_bp=1500)
        race.pool("QUINELLA", takeout_bp=1475)
        for runner, dollars in [(1, 500), (2, 300), (3, 150)]:
            race.bet("WIN", [str(runner)], dollars * 100)
        race.bet("QUINELLA", ["1-2", "1-3", "2-3"], 1_000)  # 1000/3 cents on each
        race.bet("QUINELLA", ["1-2"], 2_000)
        pipe.advance(1_000)  # the board re-prices the WIN pool at the next bet
        race.bet("WIN", ["4"], 50 * 100)
        pipe.run()
        settings = WorkerSettings(
            host_aliases={"db": f"127.0.0.1:{postgres.port}"},
            session_timeout_ms=4000,
            heartbeat_ms=500,
            consumer_session_timeout_ms=10_000,
            topic_refresh_s=0.3,
        )
        app = create_connect_app(Worker(log, settings))
        with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as api:
            created = api.post(
                "/connectors",
                content=packaged_file(SINK_CONFIG_FILE),
                headers={"Content-Type": "application/json"},
            )
            assert created.status_code == 201, created.text
            assert created.json()["name"] == sink_config()["name"]

            def board(closed: bool) -> list[dict[str, Any]] | None:
                rows = _rows(db, "tote_approximates")
                win = [r for r in rows or [] if r["POOL_ID"] == "SINK/WIN"]
                return (
                    win
                    if len(win) == 4
                    and all(r["CLOSED"] is closed for r in win)
                    and all(r["GROSS_CENTS"] == 100_000 for r in win)
                    else None
                )

            open_board = wait_until(lambda: board(False), "the open WIN board in PostgreSQL")
            assert {r["COMBINATION"]: r["APPROXIMATE_CENTS"] for r in open_board} == {
                "1": 170,
                "2": 280,
                "3": 560,
                "4": 1700,
            }
            race.close()
            race.result([[2], [1], [3], [4]])
            pipe.run()
            wait_until(lambda: board(True), "the closed WIN board")
            dividends = wait_until(
                lambda: (found := _rows(db, "tote_dividends")) and len(found) == 2 and found,
                "both pools' dividends",
            )
            totals = wait_until(
                lambda: (found := _rows(db, "tote_pool_totals")) and len(found) == 7 and found,
                "the seven pool totals",
            )
            approximates = _rows(db, "tote_approximates")
            status = api.get(f"/connectors/{sink_config()['name']}/status").json()
    assert [t["state"] for t in status["tasks"]] == ["RUNNING"]
    assert {
        (r["POOL"], r["COMBINATION"]): (r["PER_UNIT_CENTS"], r["OUTCOME"]) for r in dividends
    } == {
        ("WIN", "2"): (280, "PAID"),
        # gross 30.00, takeout 14.75% 4.42, net 25.58 on 1-2's
        # 23.333...: 1.0963 -> $1.00
        ("QUINELLA", "1-2"): (100, "PAID"),
    }
    by_key = {(r["POOL_ID"], r["COMBINATION"]): r for r in totals}
    assert by_key[("SINK/QUINELLA", "1-2")]["STAKE_CENTS_EXACT"] == "7000/3"
    assert by_key[("SINK/QUINELLA", "1-2")]["STAKE_MICROS"] == 2_333_333_333
    # Upserts: one row per (pool, combination), however many times it changed.
    assert approximates is not None and len(approximates) == 7
    keys = db.rows(
        "SELECT kcu.table_name, kcu.column_name FROM information_schema.table_constraints tc "
        "JOIN information_schema.key_column_usage kcu ON tc.constraint_name = "
        "kcu.constraint_name AND tc.table_name = kcu.table_name "
        "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_name LIKE 'tote\\_%' "
        "ORDER BY kcu.table_name, kcu.ordinal_position"
    )
    assert keys == [
        (table, column)
        for table in ("tote_approximates", "tote_dividends", "tote_pool_totals")
        for column in ("POOL_ID", "COMBINATION")
    ]
