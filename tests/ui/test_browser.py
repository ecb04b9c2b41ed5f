"""The web UI in a real browser against `tote up`, as a user meets it.

One stack for the module, started as a subprocess on free ports over a fresh data dir;
the seed pipeline is built with `tote build` and bets go through the REST proxy. Tests
run in file order and share the stack: the board first watches the seed's first batch
grow into both batches live, the database browser then sees the 9 bets and 9 odds rows
the JDBC sink wrote, and later tests add their own races, topics and tables. Bad input
(unknown tables, bad SQL, writes in the read-only box, huge results, script in record
values and names) is tried here too, in the browser or over HTTP. Every page is saved as
a screenshot under test-artifacts/ui/.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import psycopg
import pytest
from playwright.sync_api import expect
from psycopg import sql
from tests.e2e.seedflow import (
    AVRO_V2,
    BETS_TABLE,
    ODDS_TABLE,
    bets_payload,
    database_url,
    post_payload,
    wait_for_count,
)
from tests.stack.helpers import Stack

from tote.stack.services import SERVICES

pytestmark = pytest.mark.slow

Shoot = Callable[[Any, str], Path]
FIRST, LARGE = "post_bets.payload.json", "post_bets_large.payload.json"
SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'
HUGE = "ui_huge"
HUGE_ROWS = 100_000


@dataclass
class Tote:
    """The module's stack, its database and the seed payloads posted to it so far."""

    stack: Stack
    db_url: str
    posted: list[str] = field(default_factory=list)

    @property
    def ui(self) -> str:
        return self.stack.url("ui")

    def play(self, name: str) -> None:
        """Post one of the seed's payloads through the REST proxy, once."""
        if name not in self.posted:
            answer = post_payload(self.stack, name)
            assert answer.status_code == 200, answer.text
            self.posted.append(name)

    def bet(self, *bets: tuple[int, int, float]) -> None:
        """Post (runner, race, amount) WIN bets through the REST proxy."""
        answer = httpx.post(self.stack.proxy + "/topics/tote_win_bets", timeout=60,
                            json=bets_payload(list(bets)), headers={"Content-Type": AVRO_V2})
        assert answer.status_code == 200, answer.text

    def sql(self, statement: sql.Composable | str, *args: Any) -> None:
        with psycopg.connect(self.db_url, autocommit=True, connect_timeout=30) as conn:
            conn.execute(statement, args or None)


@pytest.fixture(scope="module")
def up(module_dir: Path) -> Iterator[Stack]:
    """`tote up --detach` on free ports over a fresh data dir; `tote down` after."""
    stack = Stack.create(module_dir)
    started = stack.up()
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield stack
    finally:
        stack.down()


@pytest.fixture(scope="module")
def built(up: Stack) -> Tote:
    """The seed pipeline, built by `tote build`, and the seed's first batch of 2 bets."""
    done = up.tote("build", "--home", str(up.home))
    assert done.returncode == 0, done.stdout + done.stderr
    tote = Tote(up, database_url(up))
    tote.play(FIRST)
    return tote


@pytest.fixture(scope="module")
def seeded(built: Tote) -> Tote:
    """Both seed batches, sunk into PostgreSQL: 9 bets and 9 odds rows."""
    built.play(LARGE)
    wait_for_count(built.db_url, BETS_TABLE, 9)
    wait_for_count(built.db_url, ODDS_TABLE, 9)
    return built


def _runner(page: Any, runner: str) -> Any:
    return page.locator(f"#board-table tr[data-runner='{runner}']")


def _expect_runner(page: Any, runner: str, pool: str, share: str, odds: str) -> None:
    row = _runner(page, runner)
    expect(row.locator(".pool")).to_have_text(pool)
    expect(row.locator(".share")).to_have_text(share)
    expect(row.locator(".odds")).to_have_text(odds)


# --- the UI as a service of the stack -------------------------------------------------


def test_the_ui_is_a_service_of_the_stack(up: Stack) -> None:
    row = up.service("ui")
    assert (row["state"], row["port"], row["healthy"]) == ("running", up.ports["ui"], True)


def test_the_ui_finds_the_other_services_at_their_ports(up: Stack) -> None:
    page = re.sub(r">\s+<", "><", httpx.get(up.url("ui") + "/stack", timeout=60).text)
    names = {"schema-registry": "Schema Registry", "rest-proxy": "REST Proxy",
             "connect": "Connect", "ksqldb": "ksqlDB"}
    for spec in SERVICES:
        if spec.name in names:
            assert (f"<tr><td>{names[spec.name]}</td><td><code>{up.url(spec.name)}</code>"
                    '</td><td><span class="badge live">running</span></td></tr>') in page


# --- the tote board ---------------------------------------------------------------------


def test_board_updates_live_as_bets_arrive(built: Tote, page: Any, shoot: Shoot) -> None:
    page.goto(built.ui + "/")
    expect(page.locator("#board-status")).to_have_text("LIVE")
    expect(page.locator("#board-source")).to_contain_text("live: ksqlDB push query on "
                                                          "TOTE_WIN_BET_RACE_RUNNERS_ODDS")
    expect(page.locator("#race-pool")).to_have_text("75.00")
    _expect_runner(page, "1", "25.00", "33.3%", "3.00")
    _expect_runner(page, "2", "50.00", "66.7%", "1.50")
    page.evaluate("window.__notReloaded = true")
    before = int(page.locator("#board").get_attribute("data-updates"))
    shoot(page, "board-before-bets")

    built.play(LARGE)
    expect(page.locator("#race-pool")).to_have_text("140.00")
    _expect_runner(page, "1", "75.00", "53.6%", "1.87")
    _expect_runner(page, "2", "65.00", "46.4%", "2.15")
    assert page.evaluate("window.__notReloaded") is True
    assert int(page.locator("#board").get_attribute("data-updates")) > before
    # One chart point per update since the runner's first bet: 9 for runner 1, 8 for 2.
    for runner, points in (("1", 9), ("2", 8)):
        line = _runner(page, runner).locator("polyline").get_attribute("points")
        assert line is not None and len(line.split()) == points
    shoot(page, "board-live")


# --- the database browser -----------------------------------------------------------------


def test_tables_page_lists_the_seed_tables_with_counts_and_columns(
        seeded: Tote, page: Any, shoot: Shoot) -> None:
    page.goto(seeded.ui + "/db")
    expect(page.locator("main p.muted").first).to_have_text(
        f"postgresql+psycopg://postgres:***@127.0.0.1:{seeded.stack.db_port}/totebets")
    expect(page.locator("#db-error")).to_have_count(0)
    # The seed's two tables, and the offsets the exactly-once sink commits with its rows.
    expect(page.locator("#tables tbody tr td:first-child")).to_have_text(
        ["__tote_connect_offsets", ODDS_TABLE, BETS_TABLE])
    bets = page.locator(f"tr[data-table='{BETS_TABLE}']")
    expect(bets.locator("td").nth(1)).to_have_text("9")
    expect(bets.locator(".col")).to_have_text(
        ["RUNNER_ID INTEGER", "RACE_ID INTEGER", "AMOUNT DOUBLE PRECISION"])
    odds = page.locator(f"tr[data-table='{ODDS_TABLE}']")
    expect(odds.locator("td").nth(1)).to_have_text("9")
    expect(odds.locator(".col")).to_have_text(
        ["RUNNER_ID INTEGER", "RUNNER_POOL_AMOUNT DOUBLE PRECISION",
         "RACE_POOL_AMOUNT DOUBLE PRECISION", "ODDS DOUBLE PRECISION"])
    shoot(page, "db-tables")


def test_rows_sort_and_filter(seeded: Tote, page: Any, shoot: Shoot) -> None:
    page.goto(seeded.ui + "/db")
    page.click(f"a[href='/db/tables/{ODDS_TABLE}']")
    expect(page.locator("h1")).to_have_text(f"Database / {ODDS_TABLE}")
    rows = page.locator("form.filters tbody tr")
    expect(rows).to_have_count(9)
    shoot(page, "db-rows")
    page.click("a.sort:has-text('ODDS')")  # ascending
    page.click("a.sort:has-text('ODDS')")  # descending
    expect(rows.first.locator("td")).to_have_text(
        ["2", "55.0", "130.0", "2.3636363636363638"])
    page.fill("input[name='f.RUNNER_ID']", "=1")
    page.click("form.filters button[type=submit]")
    expect(rows).to_have_count(3)
    expect(rows.locator("td:nth-child(2)")).to_have_text(["75.0", "75.0", "25.0"])
    expect(page.locator("p.muted").first).to_contain_text("9 rows, 3 matching")
    shoot(page, "db-rows-sorted-filtered")


def test_csv_export_streams_the_filtered_table(seeded: Tote) -> None:
    response = httpx.get(f"{seeded.ui}/db/tables/{ODDS_TABLE}/csv",
                         params={"sort": "ODDS", "f.RUNNER_ID": "=1"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == \
        f'attachment; filename="{ODDS_TABLE}.csv"'
    assert response.text == ("RUNNER_ID,RUNNER_POOL_AMOUNT,RACE_POOL_AMOUNT,ODDS\n"
                             "1,25.0,25.0,1.0\n"
                             "1,75.0,125.0,1.6666666666666667\n"
                             "1,75.0,140.0,1.8666666666666667\n")


def test_read_only_sql_box_shows_results_and_errors(seeded: Tote, page: Any,
                                                     shoot: Shoot) -> None:
    page.goto(seeded.ui + "/db")
    page.fill("#db-sql", f'SELECT "RUNNER_ID", SUM("AMOUNT") AS total FROM {BETS_TABLE} '
                         'GROUP BY "RUNNER_ID" ORDER BY 1')
    page.click("form.sql-box button")
    expect(page.locator("table.rows tbody tr")).to_have_count(2)
    expect(page.locator("table.rows tbody tr").nth(0).locator("td")).to_have_text(["1", "75.0"])
    expect(page.locator("table.rows tbody tr").nth(1).locator("td")).to_have_text(["2", "65.0"])
    shoot(page, "db-sql-result")

    page.fill("#db-sql", "SELECT * FROM no_such_table")
    page.click("form.sql-box button")
    expect(page.locator("#db-error")).to_contain_text(
        'relation "no_such_table" does not exist')
    shoot(page, "db-sql-error")

    page.fill("#db-sql", "SELEKT 1")
    page.click("form.sql-box button")
    expect(page.locator("#db-error")).to_have_text(
        "The SQL box is read-only: SELEKT statements are not run here. Use SELECT, WITH, "
        "VALUES, TABLE, EXPLAIN, SHOW, DESCRIBE.")

    page.fill("#db-sql", f"DELETE FROM {BETS_TABLE}")
    page.click("form.sql-box button")
    expect(page.locator("#db-error")).to_have_text(
        "The SQL box is read-only: DELETE statements are not run here. Use SELECT, WITH, "
        "VALUES, TABLE, EXPLAIN, SHOW, DESCRIBE.")
    shoot(page, "db-sql-write-refused")
    page.goto(seeded.ui + "/db")
    expect(page.locator(f"tr[data-table='{BETS_TABLE}'] td").nth(1)).to_have_text("9")


def test_unknown_table_is_a_clear_404(seeded: Tote, page: Any, shoot: Shoot) -> None:
    response = page.goto(seeded.ui + "/db/tables/nope")
    assert response is not None and response.status == 404
    expect(page.locator("#error-message")).to_contain_text("Table 'nope' does not exist")
    assert "Traceback" not in page.content()
    shoot(page, "db-unknown-table")


def test_huge_results_are_paged(seeded: Tote, page: Any, shoot: Shoot) -> None:
    seeded.sql(f"CREATE TABLE {HUGE} AS SELECT g AS n, md5(g::text) AS digest "
               f"FROM generate_series(1, {HUGE_ROWS}) AS g")
    page.goto(f"{seeded.ui}/db/tables/{HUGE}")
    rows = page.locator("form.filters tbody tr")
    expect(rows).to_have_count(50)
    expect(page.locator("nav.pager strong")).to_have_text("1")
    expect(page.locator("nav.pager a").last).to_have_text("Next \u203a")
    last_page = str(HUGE_ROWS // 50)
    expect(page.locator("nav.pager a", has_text=re.compile(f"^{last_page}$"))).to_have_count(1)
    page.click("nav.pager a[rel=next]")
    expect(page.locator("nav.pager strong")).to_have_text("2")
    expect(rows.first.locator("td").first).to_have_text("51")
    shoot(page, "db-huge-table")

    # A result far too big to hold: the server-side cursor hands over one page at a time.
    query = "SELECT generate_series(1, 100000000) AS n"
    response = page.goto(f"{seeded.ui}/db/sql?" + urlencode({"sql": query, "page": 3}))
    assert response is not None and response.status == 200
    expect(page.locator("table.rows tbody tr")).to_have_count(50)
    expect(page.locator("table.rows tbody tr").first).to_have_text("101")
    expect(page.locator("main p.muted").first).to_contain_text("Rows 101\u2013150, 50 per page.")
    shoot(page, "db-huge-query")

    bad = httpx.get(f"{seeded.ui}/db/tables/{HUGE}", params={"size": "100000"}, timeout=30)
    assert bad.status_code == 200
    assert "&#39;size&#39; must be a whole number from 1 to 500, not &#39;100000&#39;." \
        in bad.text


# --- the stack view and the ksqlDB box ---------------------------------------------------


def test_stack_page_shows_services_topics_schemas_ksql_and_connectors(
        seeded: Tote, page: Any, shoot: Shoot) -> None:
    page.goto(seeded.ui + "/stack")
    expect(page.locator("#services .badge")).to_have_text(["running"] * 4)
    bets_row = page.locator("#topics tr[data-topic='tote_win_bets']")
    expect(bets_row.locator("td")).to_have_text(["tote_win_bets", "1", "9", "0: 0\u20139"])
    expect(page.locator("#schemas li")).to_have_text(  # the derived streams' too, as ksqlDB
        ["TOTE_RACE_POOL-value", "TOTE_RUNNERS_POOL-value", "TOTE_WIN_BETS_RACE_KEYED-value",
         "TOTE_WIN_BETS_RUNNER_KEYED-value", "tote_win_bet_race_runners_odds-value",
         "tote_win_bets-value"])
    streams = page.locator("#ksql table").nth(0).locator("tbody tr td:first-child")
    expect(streams).to_have_text(["TOTE_WIN_BETS", "TOTE_WIN_BETS_RACE_KEYED",
                                  "TOTE_WIN_BETS_RUNNER_KEYED", "TOTE_WIN_BET_RACE_RUNNERS_ODDS"])
    tables = page.locator("#ksql table").nth(1).locator("tbody tr td:first-child")
    expect(tables).to_have_text(["TOTE_RACE_POOL", "TOTE_RUNNERS_POOL"])
    queries = page.locator("#ksql table").nth(2).locator("tbody tr td:first-child")
    expect(queries.filter(has_not_text="transient")).to_have_text(
        ["CSAS_TOTE_WIN_BETS_RACE_KEYED_3", "CSAS_TOTE_WIN_BETS_RUNNER_KEYED_2",
         "CSAS_TOTE_WIN_BET_RACE_RUNNERS_ODDS_6", "CTAS_TOTE_RACE_POOL_5",
         "CTAS_TOTE_RUNNERS_POOL_4"])
    # The board's own push query runs on ksqlDB too, and shows as a transient query.
    expect(queries.filter(has_text="transient")).to_have_count(1)
    expect(page.locator("#connectors tbody tr td").nth(0)).to_have_text("jdbc-sink-connector")
    expect(page.locator("#connectors tbody tr td").nth(1)).to_have_text("RUNNING")
    expect(page.locator("#groups tbody tr")).not_to_have_count(0)
    shoot(page, "stack")


def test_topic_peek_decodes_avro_with_the_registry(seeded: Tote, page: Any,
                                                   shoot: Shoot) -> None:
    page.goto(seeded.ui + "/stack")
    page.click("a[href='/stack/topics/tote_win_bets']")
    first = page.locator("#records tbody tr").first
    expect(first.locator("code.value")).to_have_text(
        ["null", '{"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0}'])
    expect(first.locator(".kind")).to_have_text(["null", "avro (schema 1)"])
    page.goto(seeded.ui + "/stack/topics/tote_win_bet_race_runners_odds")
    second = page.locator("#records tbody tr").nth(1)
    expect(second.locator("code.value")).to_have_text(
        ["0", '{"RUNNER_ID": 2, "RUNNER_POOL_AMOUNT": 50.0, "RACE_POOL_AMOUNT": 75.0, '
              '"ODDS": 1.5}'])
    shoot(page, "stack-topic-peek")
    page.goto(seeded.ui + "/stack/topics/tote_win_bets?partition=3")
    expect(page.locator("#peek-error")).to_have_text(
        "Topic 'tote_win_bets' has no partition 3 (partitions 0-0).")
    response = page.goto(seeded.ui + "/stack/topics/no_such_topic")
    assert response is not None and response.status == 404
    expect(page.locator("#error-message")).to_contain_text("no_such_topic")


def test_schema_page_shows_versions_and_text(seeded: Tote, page: Any, shoot: Shoot) -> None:
    page.goto(seeded.ui + "/stack")
    page.click("text=tote_win_bets-value")
    expect(page.locator("#schema-id")).to_have_text("1")
    expect(page.locator("#schema-text")).to_contain_text('"name": "KsqlDataSourceSchema"')
    shoot(page, "stack-schema")
    response = page.goto(seeded.ui + "/stack/schemas/nope-value")
    assert response is not None and response.status == 404
    expect(page.locator("#error-message")).to_have_text("Subject 'nope-value' not found.")


def test_ksql_box_runs_statements_and_streams_a_push_query(seeded: Tote, page: Any,
                                                           shoot: Shoot) -> None:
    page.goto(seeded.ui + "/ksql")
    page.fill("#ksql-sql", "SHOW TABLES;")
    page.click("form.sql-box button")
    expect(page.locator("section.entity h3")).to_have_text("tables")
    expect(page.locator("section.entity tbody tr")).to_have_count(2)
    shoot(page, "ksql-show-tables")

    page.fill("#ksql-sql", "CREATE STREAM broken (")
    page.click("form.sql-box button")
    expect(page.locator("#ksql-error")).to_contain_text("line 1:")
    shoot(page, "ksql-error")
    page.fill("#ksql-sql", "SELECT * FROM NO_SUCH_STREAM EMIT CHANGES;")
    page.click("form.sql-box button")
    expect(page.locator("#ksql-stream .stream-status")).to_contain_text("NO_SUCH_STREAM")

    page.fill("#ksql-sql", "SELECT * FROM TOTE_WIN_BET_RACE_RUNNERS_ODDS "
                           "WHERE RACE_ID = 9 EMIT CHANGES;")
    page.click("form.sql-box button")
    expect(page.locator("#ksql-stream thead th")).to_have_text(
        ["RACE_ID", "RUNNER_ID", "RUNNER_POOL_AMOUNT", "RACE_POOL_AMOUNT", "ODDS"])
    page.evaluate("window.__notReloaded = true")
    seeded.bet((5, 9, 10.0), (6, 9, 30.0))  # runners new to the (per-runner) pools
    rows = page.locator("#ksql-stream tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator("td")).to_have_text(["9", "6", "30", "40", "1.3333333333333333"])
    assert page.evaluate("window.__notReloaded") is True
    shoot(page, "ksql-push-query")
    page.click("#ksql-stream button.stop")
    expect(page.locator("#ksql-stream .stream-status")).to_have_text("Stopped.")


def test_a_new_race_joins_the_board_without_a_reload(seeded: Tote, page: Any,
                                                     shoot: Shoot) -> None:
    page.goto(seeded.ui + "/")
    expect(page.locator("#board-status")).to_have_text("LIVE")
    expect(page.locator("#race-pool")).to_have_text("140.00")
    page.evaluate("window.__notReloaded = true")
    seeded.bet((3, 7, 10.0), (4, 7, 30.0))
    expect(page.locator("nav.races a")).to_have_text(["0", "7", "9"])
    assert page.evaluate("window.__notReloaded") is True
    page.click("nav.races a:has-text('7')")
    expect(page.locator("#race-pool")).to_have_text("40.00")
    _expect_runner(page, "3", "10.00", "25.0%", "4.00")
    _expect_runner(page, "4", "30.00", "75.0%", "1.33")
    shoot(page, "board-race-7")


# --- nothing a record or a database holds runs as script ------------------------------


def test_record_and_database_values_render_inert(seeded: Tote, page: Any,
                                                 shoot: Shoot) -> None:
    proxy = seeded.stack.proxy
    cluster = httpx.get(proxy + "/v3/clusters", timeout=30).json()["data"][0]["cluster_id"]
    topics = f"{proxy}/v3/clusters/{cluster}/topics"
    created = httpx.post(topics, json={"topic_name": "ui_injection"}, timeout=30)
    assert created.status_code == 201, created.text
    produced = httpx.post(f"{topics}/ui_injection/records", timeout=30, json={
        "key": {"type": "STRING", "data": IMG}, "value": {"type": "STRING", "data": SCRIPT},
        "headers": [{"name": "<b>h</b>", "value": base64.b64encode(SCRIPT.encode()).decode()}]})
    assert produced.status_code == 200 and produced.json()["error_code"] == 200, produced.text
    seeded.sql(sql.SQL("CREATE TABLE {} (value TEXT)").format(sql.Identifier(IMG)))
    seeded.sql(sql.SQL("INSERT INTO {} VALUES (%s)").format(sql.Identifier(IMG)), SCRIPT)

    page.goto(seeded.ui + "/stack")
    expect(page.locator("#topics tr[data-topic='ui_injection'] td").nth(2)).to_have_text("1")
    page.goto(seeded.ui + "/stack/topics/ui_injection")
    row = page.locator("#records tbody tr").first
    expect(row.locator("code.value")).to_have_text([IMG, SCRIPT])
    expect(row.locator("td").nth(5)).to_have_text(f"<b>h</b>: {SCRIPT}")
    shoot(page, "stack-injection")
    page.goto(seeded.ui + "/db")
    expect(page.locator("#tables a", has_text=IMG)).to_have_count(1)
    page.locator("#tables a", has_text=IMG).click()
    expect(page.locator("form.filters tbody td")).to_have_text([SCRIPT])
    expect(page.locator("main p.muted").first).to_have_text("1 row. Export CSV")
    shoot(page, "db-injection")
    quoted = IMG.replace('"', '""')
    page.goto(seeded.ui + "/db/sql?" + urlencode({"sql": f"SELECT '{SCRIPT}' AS \"{quoted}\""}))
    expect(page.locator("table.rows thead th")).to_have_text([IMG])
    expect(page.locator("table.rows tbody td")).to_have_text([SCRIPT])
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("main img, main b, main script").count() == 0
