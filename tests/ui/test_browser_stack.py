"""The stack view and the ksqlDB SQL box in a real browser, and that nothing a record or a
database holds can run as script in the page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from playwright.sync_api import expect
from psycopg import sql
from tests.ui.servers import Stack, bets, wait_until

from tote.core.records import Record

Shoot = Callable[[Any, str], Path]
SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'


@pytest.fixture(scope="module")
def played(stack: Stack) -> Stack:
    stack.build()
    stack.post_bets("post_bets.payload.json")
    status = f"{stack.connect}/connectors/jdbc-sink-connector/status"

    def running() -> bool:
        body = httpx.get(status, timeout=30).json()
        return body["connector"]["state"] == "RUNNING" and \
            [t["state"] for t in body["tasks"]] == ["RUNNING"]
    wait_until(running, "the JDBC sink connector to run")
    stack.log.create_topic("ui_injection")
    stack.log.append("ui_injection", [Record(SCRIPT.encode(), key=IMG.encode(),
                                             headers=(("<b>h</b>", SCRIPT.encode()),))])
    with psycopg.connect(stack.db_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE TABLE {} (value TEXT)").format(sql.Identifier(IMG)))
        conn.execute(sql.SQL("INSERT INTO {} VALUES (%s)").format(sql.Identifier(IMG)),
                     (SCRIPT,))
    return stack


def _cells(row: Any) -> Any:
    return row.locator("td")


def test_stack_page_shows_services_topics_schemas_ksql_and_connectors(
        played: Stack, page: Any, shoot: Shoot) -> None:
    page.goto(played.ui + "/stack")
    expect(page.locator("#services .badge")).to_have_text(["running"] * 4)
    bets_row = page.locator("#topics tr[data-topic='tote_win_bets']")
    expect(_cells(bets_row)).to_have_text(["tote_win_bets", "1", "2", "0: 0\u20132"])
    expect(page.locator("#schemas li")).to_have_text(  # the derived streams' too, as ksqlDB
        ["TOTE_RACE_POOL-value", "TOTE_RUNNERS_POOL-value", "TOTE_WIN_BETS_RACE_KEYED-value",
         "TOTE_WIN_BETS_RUNNER_KEYED-value", "tote_win_bet_race_runners_odds-value",
         "tote_win_bets-value"])
    streams = page.locator("#ksql table").nth(0).locator("tbody tr td:first-child")
    expect(streams).to_have_text(["TOTE_WIN_BETS", "TOTE_WIN_BETS_RACE_KEYED",
                                  "TOTE_WIN_BETS_RUNNER_KEYED", "TOTE_WIN_BET_RACE_RUNNERS_ODDS"])
    tables = page.locator("#ksql table").nth(1).locator("tbody tr td:first-child")
    expect(tables).to_have_text(["TOTE_RACE_POOL", "TOTE_RUNNERS_POOL"])
    queries = page.locator("#ksql table").nth(2).locator("tbody tr")
    expect(queries).to_have_count(5)
    expect(page.locator("#connectors tbody tr td").nth(0)).to_have_text("jdbc-sink-connector")
    expect(page.locator("#connectors tbody tr td").nth(1)).to_have_text("RUNNING")
    expect(page.locator("#groups tbody tr")).not_to_have_count(0)
    shoot(page, "stack")


def test_topic_peek_decodes_avro_with_the_registry(played: Stack, page: Any,
                                                   shoot: Shoot) -> None:
    page.goto(played.ui + "/stack")
    page.click("a[href='/stack/topics/tote_win_bets']")
    first = page.locator("#records tbody tr").first
    expect(first.locator("code.value")).to_have_text(
        ["null", '{"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0}'])
    expect(first.locator(".kind")).to_have_text(["null", "avro (schema 1)"])
    page.goto(played.ui + "/stack/topics/tote_win_bet_race_runners_odds")
    second = page.locator("#records tbody tr").nth(1)
    expect(second.locator("code.value")).to_have_text(
        ["0", '{"RUNNER_ID": 2, "RUNNER_POOL_AMOUNT": 50.0, "RACE_POOL_AMOUNT": 75.0, '
              '"ODDS": 1.5}'])
    shoot(page, "stack-topic-peek")
    page.goto(played.ui + "/stack/topics/tote_win_bets?partition=3")
    expect(page.locator("#peek-error")).to_have_text(
        "Topic 'tote_win_bets' has no partition 3 (partitions 0-0).")


def test_schema_page_shows_versions_and_text(played: Stack, page: Any, shoot: Shoot) -> None:
    page.goto(played.ui + "/stack")
    page.click("text=tote_win_bets-value")
    expect(page.locator("#schema-id")).to_have_text("1")
    expect(page.locator("#schema-text")).to_contain_text('"name": "KsqlDataSourceSchema"')
    shoot(page, "stack-schema")
    response = page.goto(played.ui + "/stack/schemas/nope-value")
    assert response is not None and response.status == 404
    expect(page.locator("#error-message")).to_have_text("Subject 'nope-value' not found.")


def test_record_and_database_values_render_inert(played: Stack, page: Any,
                                                 shoot: Shoot) -> None:
    page.goto(played.ui + "/stack/topics/ui_injection")
    row = page.locator("#records tbody tr").first
    expect(row.locator("code.value")).to_have_text([IMG, SCRIPT])
    expect(row.locator("td").nth(5)).to_have_text(f"<b>h</b>: {SCRIPT}")
    shoot(page, "stack-injection")
    page.goto(played.ui + "/db")
    expect(page.locator("#tables a", has_text=IMG)).to_have_count(1)
    page.locator("#tables a", has_text=IMG).click()
    expect(page.locator("form.filters tbody td")).to_have_text([SCRIPT])
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("main img, main b, main script").count() == 0


def test_ksql_box_runs_statements_and_streams_a_push_query(played: Stack, page: Any,
                                                           shoot: Shoot) -> None:
    page.goto(played.ui + "/ksql")
    page.fill("#ksql-sql", "SHOW TABLES;")
    page.click("form.sql-box button")
    expect(page.locator("section.entity h3")).to_have_text("tables")
    expect(page.locator("section.entity tbody tr")).to_have_count(2)

    page.fill("#ksql-sql", "CREATE STREAM broken (")
    page.click("form.sql-box button")
    expect(page.locator("#ksql-error")).to_contain_text("line 1:")
    shoot(page, "ksql-error")

    page.fill("#ksql-sql", "SELECT * FROM TOTE_WIN_BET_RACE_RUNNERS_ODDS "
                           "WHERE RACE_ID = 9 EMIT CHANGES;")
    page.click("form.sql-box button")
    expect(page.locator("#ksql-stream thead th")).to_have_text(
        ["RACE_ID", "RUNNER_ID", "RUNNER_POOL_AMOUNT", "RACE_POOL_AMOUNT", "ODDS"])
    page.evaluate("window.__notReloaded = true")
    played.post_bets(bets(9, (5, 10.0), (6, 30.0)))  # runners new to the (per-runner) pools
    rows = page.locator("#ksql-stream tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator("td")).to_have_text(["9", "6", "30", "40", "1.3333333333333333"])
    assert page.evaluate("window.__notReloaded") is True
    shoot(page, "ksql-push-query")
    page.click("#ksql-stream button.stop")
    expect(page.locator("#ksql-stream .stream-status")).to_have_text("Stopped.")
