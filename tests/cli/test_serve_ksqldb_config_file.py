"""`tote serve ksqldb --config-file`: the Java properties file ksql-server-start takes.
Its ksqlDB configs are server properties (SHOW PROPERTIES lists them, the engine obeys
them), the command's own options win over it, keys that are no ksqlDB config are ignored,
and a file that cannot be read or holds a bad value is one `Error:` line, exit 1, before
anything starts. Real `tote serve` processes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from tests.cli.test_bad_input_sweep import closed_port, env, one_error, run
from tests.service_process import start_service

__all__ = ["env"]  # the fixture

SERVER_FILE = b"""\
# as ksql-server-start takes it
listeners=http://0.0.0.0:8088
ksql.service.id = from_file_
ksql.max.push.queries: 3
ksql.connect.url=http://connect.example:\\
    8083
ksql.insert.into.values.enabled=false
auto.offset.reset=earliest
ksql.persistent.prefix=caf\\u00e9_
"""


def _properties(url: str) -> dict[str, str]:
    response = httpx.post(url + "/ksql", json={"ksql": "SHOW PROPERTIES;"}, timeout=60)
    assert response.status_code == 200, response.text
    return {p["name"]: p["value"] for p in response.json()[0]["properties"]}


def test_the_files_configs_are_server_properties_below_the_options(tmp_path: Path) -> None:
    config = tmp_path / "ksql-server.properties"
    config.write_bytes(SERVER_FILE)
    ksqldb = start_service("ksqldb", tmp_path / "home", "/healthcheck",
                           "--config-file", str(config), "--max-push-queries", "7")
    try:
        listed = _properties(ksqldb.url)
        assert "ksql.max.push.queries" not in listed  # a REST config: ksqlDB lists none
        assert listed["ksql.service.id"] == "from_file_"
        assert listed["ksql.connect.url"] == "http://connect.example:8083"
        assert listed["ksql.insert.into.values.enabled"] == "false"
        assert listed["ksql.streams.auto.offset.reset"] == "earliest"
        assert listed["ksql.persistent.prefix"] == "café_"
        assert "listeners" not in listed
        created = httpx.post(ksqldb.url + "/ksql", timeout=60, json={"ksql": (
            "CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='s', "
            "value_format='JSON', partitions=1);")})
        assert created.status_code == 200, created.text
        refused = httpx.post(ksqldb.url + "/ksql", timeout=60,
                             json={"ksql": "INSERT INTO s (id, v) VALUES (1, 'a');"})
        assert refused.status_code == 400
        assert refused.json()["message"].startswith(
            "The server has disabled INSERT INTO ... VALUES functionality.")
        assert "no ksqlDB config: listeners" in ksqldb.logs()
    finally:
        ksqldb.stop()


def test_the_service_id_and_connect_url_options_win(tmp_path: Path) -> None:
    config = tmp_path / "ksql-server.properties"
    config.write_bytes(SERVER_FILE)
    ksqldb = start_service("ksqldb", tmp_path / "home", "/healthcheck",
                           "--config-file", str(config), "--service-id", "from_flag_",
                           "--connect-url", "http://other.example:9/")
    try:
        listed = _properties(ksqldb.url)
        assert listed["ksql.service.id"] == "from_flag_"
        assert listed["ksql.connect.url"] == "http://other.example:9"
    finally:
        ksqldb.stop()


@pytest.mark.parametrize(("text", "message"), [
    (b"ksql.insert.into.values.enabled=maybe\n",
     "Invalid value maybe for configuration ksql.insert.into.values.enabled: Expected value "
     "to be either true or false"),
    (b"ksql.max.push.queries=lots\n",
     "Invalid value lots for configuration ksql.max.push.queries: Not a number of type INT"),
    (b"ksql.streams.auto.offset.reset=sometimes\n",
     "Invalid value sometimes for configuration auto.offset.reset: String must be one of: "
     "latest, earliest, none"),
])
def test_a_bad_value_is_one_error(env: dict[str, str], tmp_path: Path, text: bytes,
                                  message: str) -> None:
    config = tmp_path / "bad.properties"
    config.write_bytes(text)
    result = run(env, "serve", "ksqldb", "--config-file", str(config),
                 "--port", str(closed_port()))
    assert result.returncode == 1
    assert one_error(result.stderr) == f"Error: {config}: {message}"
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize(("text", "message"), [
    (b"ksql.readonly.topics=_confluent.*, (\n",
     "Invalid value [_confluent.*, (] for configuration ksql.readonly.topics: Not valid "
     "regular expression: Unclosed group near index 14\n_confluent.*|("),
    (b"ksql.hidden.topics=_schemas,[a-\n",
     "Invalid value [_schemas, [a-] for configuration ksql.hidden.topics: Not valid regular "
     "expression: Unclosed character class near index 11\n_schemas|[a-\n           ^"),
])
def test_an_invalid_topic_pattern_refuses_to_start(env: dict[str, str], tmp_path: Path,
                                                   text: bytes, message: str) -> None:
    # ksqlDB's KsqlConfig refuses the list (validRegex) before the server starts; the
    # error is Java's PatternSyntaxException message, pattern and caret on lines of their own.
    config = tmp_path / "bad.properties"
    config.write_bytes(text)
    result = run(env, "serve", "ksqldb", "--config-file", str(config),
                 "--port", str(closed_port()))
    assert result.returncode == 1
    assert result.stderr == f"Error: {config}: {message}\n"
    assert not (tmp_path / "home").exists()


def test_a_missing_file_is_one_error(env: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "absent.properties"
    result = run(env, "serve", "ksqldb", "--config-file", str(missing))
    assert result.returncode == 1
    assert one_error(result.stderr) == (
        f"Error: cannot read config file {missing}: No such file or directory")
    assert not (tmp_path / "home").exists()


def test_a_directory_is_one_error(env: dict[str, str], tmp_path: Path) -> None:
    result = run(env, "serve", "ksqldb", "--config-file", str(tmp_path))
    assert result.returncode == 1
    assert one_error(result.stderr).startswith(f"Error: cannot read config file {tmp_path}: ")


def test_names_as_ksqldb_lists_them(tmp_path: Path) -> None:
    from tote.sql.server_file import load_server_file

    config = tmp_path / "k.properties"
    config.write_bytes(b"ksql.streams.commit.interval.ms=100\nproducer.acks=all\n"
                       b"request.ksql.query.pull.table.scan.enabled=true\nksql.nope=1\n"
                       b"ksql.functions.f.x = secret \n")
    loaded = load_server_file(config)
    assert loaded.properties == {"ksql.streams.commit.interval.ms": "100",
                                 "ksql.streams.producer.acks": "all",
                                 "ksql.functions.f.x": "secret"}
    assert loaded.ignored == ("request.ksql.query.pull.table.scan.enabled", "ksql.nope")
