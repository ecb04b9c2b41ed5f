"""The database browser in a real browser, over the seed's tables as the JDBC sink wrote them.

The module's stack runs the seed's statements and connector and posts both seed bet
payloads; the sink writes the 9 bets and the 9 odds rows into PostgreSQL, and the
browser is then used the way adminer was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from tests.ui.servers import Stack, wait_until

from tote.connect.jdbc.browse import DatabaseBrowser

ODDS = "tote_win_bet_race_runners_odds"
BETS = "tote_win_bets"
Shoot = Callable[[Any, str], Path]


def _count(browser: DatabaseBrowser, table: str) -> int:
    try:
        return browser.table(table).row_count or 0
    except Exception:  # noqa: BLE001 - the sink has not created the table yet
        return 0


@pytest.fixture(scope="module")
def seeded(stack: Stack) -> Stack:
    stack.build()
    stack.post_bets("post_bets.payload.json")
    stack.post_bets("post_bets_large.payload.json")
    browser = DatabaseBrowser(stack.db_url)
    try:
        wait_until(lambda: _count(browser, BETS) == 9 and _count(browser, ODDS) == 9,
                   "the JDBC sink to write 9 bets and 9 odds rows")
    finally:
        browser.close()
    return stack


def test_tables_page_lists_the_seed_tables_with_counts_and_columns(
        seeded: Stack, page: Any, shoot: Shoot) -> None:
    page.goto(seeded.ui + "/db")
    shoot(page, "db-tables")
    bets = page.locator(f"tr[data-table='{BETS}']")
    expect(bets.locator("td").nth(1)).to_have_text("9")
    expect(bets.locator(".col")).to_have_text(
        ["RUNNER_ID INTEGER", "RACE_ID INTEGER", "AMOUNT DOUBLE PRECISION"])
    odds = page.locator(f"tr[data-table='{ODDS}']")
    expect(odds.locator("td").nth(1)).to_have_text("9")
    expect(odds.locator(".col")).to_have_text(
        ["RUNNER_ID INTEGER", "RUNNER_POOL_AMOUNT DOUBLE PRECISION",
         "RACE_POOL_AMOUNT DOUBLE PRECISION", "ODDS DOUBLE PRECISION"])


def test_rows_sort_and_filter(seeded: Stack, page: Any, shoot: Shoot) -> None:
    page.goto(seeded.ui + "/db")
    page.click(f"a[href='/db/tables/{ODDS}']")
    expect(page.locator("h1")).to_have_text(f"Database / {ODDS}")
    rows = page.locator("form.filters tbody tr")
    expect(rows).to_have_count(9)
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


def test_read_only_sql_box_shows_results_and_errors(seeded: Stack, page: Any,
                                                     shoot: Shoot) -> None:
    page.goto(seeded.ui + "/db")
    page.fill("#db-sql", f'SELECT "RUNNER_ID", SUM("AMOUNT") AS total FROM {BETS} '
                         'GROUP BY "RUNNER_ID" ORDER BY 1')
    page.click("form.sql-box button")
    expect(page.locator("table.rows tbody tr")).to_have_count(2)
    expect(page.locator("table.rows tbody tr").nth(1).locator("td")).to_have_text(["2", "65.0"])
    shoot(page, "db-sql-result")

    page.fill("#db-sql", "SELECT * FROM no_such_table")
    page.click("form.sql-box button")
    expect(page.locator("#db-error")).to_contain_text(
        'relation "no_such_table" does not exist')
    shoot(page, "db-sql-error")

    page.fill("#db-sql", f"DELETE FROM {BETS}")
    page.click("form.sql-box button")
    expect(page.locator("#db-error")).to_have_text(
        "The SQL box is read-only: DELETE statements are not run here. Use SELECT, WITH, "
        "VALUES, TABLE, EXPLAIN, SHOW, DESCRIBE.")
    page.goto(seeded.ui + "/db")
    expect(page.locator(f"tr[data-table='{BETS}'] td").nth(1)).to_have_text("9")


def test_unknown_table_is_a_clear_404(seeded: Stack, page: Any) -> None:
    response = page.goto(seeded.ui + "/db/tables/nope")
    assert response is not None and response.status == 404
    expect(page.locator("#error-message")).to_contain_text("Table 'nope' does not exist")


def test_csv_export_streams_the_filtered_table(seeded: Stack) -> None:
    response = httpx.get(f"{seeded.ui}/db/tables/{ODDS}/csv",
                         params={"sort": "ODDS", "f.RUNNER_ID": "=1"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="{ODDS}.csv"'
    assert response.text == ("RUNNER_ID,RUNNER_POOL_AMOUNT,RACE_POOL_AMOUNT,ODDS\n"
                             "1,25.0,25.0,1.0\n"
                             "1,75.0,125.0,1.6666666666666667\n"
                             "1,75.0,140.0,1.8666666666666667\n")
