"""The packaged seed files and how `tote build` / `play` read them (or a user's own)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tote.seed import load_connector, load_payloads, load_statements
from tote.seed.client import statement_label
from tote.seed.files import SeedFileError

SEED_LABELS = [
    "SET 'auto.offset.reset' = 'earliest'",
    "CREATE STREAM tote_win_bets",
    "CREATE STREAM tote_win_bets_runner_keyed",
    "CREATE STREAM tote_win_bets_race_keyed",
    "CREATE TABLE tote_runners_pool",
    "CREATE TABLE tote_race_pool",
    "CREATE STREAM tote_win_bet_race_runners_odds",
]


def test_the_seed_statements_split_into_seven_requests() -> None:
    statements = load_statements()
    assert [statement_label(s) for s in statements] == SEED_LABELS
    assert statements[0] == "SET 'auto.offset.reset' = 'earliest';"
    assert statements[1] == ("CREATE STREAM tote_win_bets (runner_id INT, race_id INT, "
                             "amount DOUBLE)\n    WITH (kafka_topic='tote_win_bets', "
                             "partitions=1, value_format = 'avro');")
    assert all(s.endswith(";") and "--" not in s.split("\n")[0] for s in statements)


def test_the_seed_connector_and_payloads() -> None:
    connector = load_connector()
    assert connector.name == "jdbc-sink-connector"
    config = json.loads(connector.body)["config"]
    assert config["connection.url"] == "jdbc:postgresql://db:5432/totebets"
    assert config["topics"] == "tote_win_bet_race_runners_odds,tote_win_bets"
    assert [(p.name, p.records) for p in load_payloads()] == [
        ("post_bets.payload.json", 2), ("post_bets_large.payload.json", 7)]


def test_a_users_own_files(tmp_path: Path) -> None:
    sql = tmp_path / "mine.sql"
    sql.write_text("-- two\nSHOW STREAMS; SHOW TABLES")
    assert load_statements(sql) == ["SHOW STREAMS;", "SHOW TABLES"]
    payload = tmp_path / "zero.json"
    payload.write_text('{"value_schema_id": 1, "records": [{"value": {}}]}')
    assert [(p.name, p.records, p.body) for p in load_payloads([payload])] == [
        ("zero.json", 1, payload.read_bytes())]


@pytest.mark.parametrize(("loader", "text", "message"), [
    (load_statements, "-- only a comment\n", "{path} holds no statements."),
    (load_connector, "[]", '{path} must be a JSON object with a "name" and a "config" '
                           'object, as POST /connectors expects.'),
    (load_connector, "{", "{path} is not valid JSON: Expecting property name enclosed in "
                          "double quotes: line 1 column 2 (char 1)."),
])
def test_unusable_files_are_one_clear_error(tmp_path: Path, loader: object, text: str,
                                            message: str) -> None:
    path = tmp_path / "file"
    path.write_text(text)
    with pytest.raises(SeedFileError) as caught:
        loader(path)  # type: ignore[operator]
    assert caught.value.message == message.format(path=path)
    assert caught.value.error_code == 40001


def test_a_payload_without_records_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text('{"records": []}')
    with pytest.raises(SeedFileError, match='must be a JSON object with a non-empty "records"'):
        load_payloads([path])


@pytest.mark.parametrize(("text", "label"), [
    ("INSERT INTO bets (A) VALUES (1);", "INSERT INTO bets"),
    ("  DROP   STREAM\n  x  DELETE TOPIC;", "DROP STREAM x DELETE TOPIC"),
    ("UNSET 'auto.offset.reset';", "UNSET 'auto.offset.reset'"),
])
def test_statement_labels(text: str, label: str) -> None:
    assert statement_label(text) == label
