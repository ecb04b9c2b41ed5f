"""The UI's pages over HTTP when the rest of the stack is missing or the input is bad:
every failure is a page with a plain message, never a traceback; the board can follow
the odds topic straight from the log."""

from __future__ import annotations

import json
import sqlite3
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tote.core.config import Config
from tote.core.listen import free_port
from tote.core.records import Record
from tote.http.common import ServerThread
from tote.http.registry_api import create_registry_app
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.serde.avro import AvroCodec
from tote.ui.app import create_ui_app
from tote.ui.settings import ODDS_TOPIC, ui_settings

ODDS_SCHEMA = json.dumps({
    "type": "record", "name": "KsqlDataSourceSchema",
    "namespace": "io.confluent.ksql.avro_schemas",
    "fields": [{"name": n, "type": ["null", t], "default": None} for n, t in (
        ("RUNNER_ID", "int"), ("RUNNER_POOL_AMOUNT", "double"),
        ("RACE_POOL_AMOUNT", "double"), ("ODDS", "double"))]})


@dataclass
class Lonely:
    url: str
    dead: str
    log: SqliteLog


def _poll(url: str, wanted: str, timeout_s: float = 60.0) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        text = httpx.get(url, timeout=30).text
        if wanted in text or time.monotonic() >= deadline:
            return text
        time.sleep(0.1)


@pytest.fixture(scope="module")
def lonely(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lonely]:
    """The UI alone: every service URL points at a port nobody listens on."""
    tmp = tmp_path_factory.mktemp("lonely")
    with sqlite3.connect(tmp / "sink.db") as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, note TEXT)")
        conn.execute("INSERT INTO notes VALUES (1, 'first')")
    dead = f"http://127.0.0.1:{free_port()}"
    settings = ui_settings(Config(), {}, registry_url=dead, ksqldb_url=dead, connect_url=dead,
                           proxy_url=dead, db_url=f"sqlite:///{tmp / 'sink.db'}",
                           board_source="ksqldb")
    log = SqliteLog(tmp / "log.db")
    log.create_topic("bets", partitions=2)
    with ServerThread(create_ui_app(settings, log)) as server:
        yield Lonely(server.url, dead, log)
    log.close()


def test_stack_page_says_which_services_are_not_running(lonely: Lonely) -> None:
    response = httpx.get(lonely.url + "/stack", timeout=30)
    assert response.status_code == 200
    for name in ("Schema Registry", "ksqlDB", "Connect"):
        assert f"{name} is not running at {lonely.dead} (" in response.text
    assert '<tr class="" data-topic="bets">' in response.text  # the log still answers


def test_board_waits_for_ksqldb_and_says_why(lonely: Lonely) -> None:
    wanted = f"waiting for odds: ksqlDB is not running at {lonely.dead} ("
    assert wanted in _poll(lonely.url + "/board/fragment", wanted)
    page = httpx.get(lonely.url + "/", timeout=30).text
    assert '<span id="board-status" class="badge waiting">WAITING</span>' in page
    assert "No bets yet." in page


def test_ksql_box_without_ksqldb(lonely: Lonely) -> None:
    page = httpx.post(lonely.url + "/ksql", data={"sql": "SHOW STREAMS;"}, timeout=30).text
    assert f'<pre class="message error" id="ksql-error">ksqlDB is not running at {lonely.dead}' \
        in page
    stream = httpx.get(lonely.url + "/ksql/stream", params={"sql": "SELECT 1;"}, timeout=30)
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.text.startswith(f"event: failure\ndata: ksqlDB is not running at {lonely.dead}")


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/stack/schemas/x-value", 503, "Schema Registry is not running at {dead} ("),
    ("/db/tables/nope", 404, "Table &#39;nope&#39; does not exist (tables: notes)."),
    ("/stack/topics/nope", 404, "Topic &#39;nope&#39; not found."),
    ("/nope", 404, "There is no such page."),
])
def test_errors_are_pages_with_a_message(lonely: Lonely, path: str, status: int,
                                         message: str) -> None:
    response = httpx.get(lonely.url + path, timeout=30)
    assert response.status_code == status
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert f'<p class="message error" id="error-message">{message.format(dead=lonely.dead)}' \
        in response.text
    assert "Traceback" not in response.text


def test_bad_paging_input_is_shown_on_the_table_page(lonely: Lonely) -> None:
    page = httpx.get(lonely.url + "/db/tables/notes?page=abc&f.note=first", timeout=30).text
    assert ('<p class="message error" id="db-error">&#39;page&#39; must be a whole number '
            "from 1 to 1000000000, not &#39;abc&#39;.</p>") in page
    assert '<input type="text" name="f.note" value="first"' in page  # kept for correcting


def test_bad_peek_input_is_shown_on_the_topic_page(lonely: Lonely) -> None:
    for query, message in (("offset=5", "Choose a partition to read from an offset."),
                           ("partition=0&offset=9", "Offset 9 is outside partition 0&#39;s "
                                                    "range 0-0."),
                           ("limit=5000", "Peek between 1 and 200 records, not 5000."),
                           ("partition=x", "&#39;partition&#39; must be a whole number, "
                                           "not &#39;x&#39;.")):
        page = httpx.get(f"{lonely.url}/stack/topics/bets?{query}", timeout=30).text
        assert f'<p class="message error" id="peek-error">{message}</p>' in page


def test_values_are_escaped(lonely: Lonely) -> None:
    page = httpx.get(lonely.url + "/db/sql", timeout=30,
                     params={"sql": "SELECT '<script>alert(1)</script>' AS \"<b>\""}).text
    assert "<th>&lt;b&gt;</th>" in page
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page
    assert "<script>alert" not in page


def test_static_assets_ship_with_the_package(lonely: Lonely) -> None:
    script = httpx.get(lonely.url + "/static/ui.js", timeout=30)
    assert script.status_code == 200
    assert "new EventSource(board.dataset.stream)" in script.text
    assert httpx.get(lonely.url + "/static/ui.css", timeout=30).status_code == 200


def test_board_follows_the_odds_topic_in_the_log(tmp_path: Path) -> None:
    log = SqliteLog(tmp_path / "log.db")
    with Registry(log) as registry, \
            ServerThread(create_registry_app(Registry(log))) as registry_server:
        schema_id = registry.register(f"{ODDS_TOPIC}-value", ODDS_SCHEMA).id
        dead = f"http://127.0.0.1:{free_port()}"
        settings = ui_settings(Config(), {}, registry_url=registry_server.url,
                               ksqldb_url=dead, connect_url=dead, proxy_url=dead,
                               db_url=f"sqlite:///{tmp_path / 'none.db'}", board_source="log")
        with ServerThread(create_ui_app(settings, log)) as ui:
            fragment = ui.url + "/board/fragment"
            missing = f"waiting for odds: Topic &#39;{ODDS_TOPIC}&#39; not found."
            assert missing in _poll(fragment, missing)
            log.create_topic(ODDS_TOPIC)
            codec = AvroCodec(ODDS_SCHEMA)
            rows = [(1, 25, 25), (2, 50, 75), (1, 75, 125)]
            log.append(ODDS_TOPIC, [Record(codec.encode_framed(schema_id, {
                "RUNNER_ID": runner, "RUNNER_POOL_AMOUNT": float(pool),
                "RACE_POOL_AMOUNT": float(total), "ODDS": total / pool}),
                key=struct.pack(">i", 4)) for runner, pool, total in rows])
            text = _poll(fragment, '<strong id="race-pool">125.00</strong>')
            assert f"live: topic {ODDS_TOPIC} read from the log" in text
            assert '<strong id="race-pool">125.00</strong>' in text
            assert '<a href="/?race=4" class="on">4</a>' in text
            assert '<td class="num pool">75.00</td>' in text
            assert '<td class="num odds">2.50</td>' in text  # runner 2: 125 / 50
    log.close()
