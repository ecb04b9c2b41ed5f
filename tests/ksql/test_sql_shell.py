"""`tote sql`, driven as a user would: through a pseudo-terminal, and with -e / -f."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest
from tests.ksql.shell import TIMEOUT, spawn_shell


@pytest.mark.slow
def test_interactive_shell(ksql, tmp_path: Path) -> None:
    child = spawn_shell(ksql.url, tmp_path / "history")
    try:
        # A statement over two lines runs when the `;` arrives.
        child.send("CREATE STREAM s (k STRING KEY, v INT)\r")
        child.send("WITH (kafka_topic='s', value_format='JSON', partitions=1);\r")
        child.expect_exact("Stream created")
        child.expect_exact("ksql>")
        child.send("SHOW STREAMS;\r")
        child.expect(r"S\s+.*s\s+.*KAFKA\s+.*JSON")
        child.expect_exact("ksql>")
        # A push query prints rows live until Ctrl-C, which ends the query, not the shell.
        child.send("SELECT k, v * 2 AS doubled FROM s EMIT CHANGES;\r")
        child.expect(r"\|K\s+\|DOUBLED\s+\|")
        ksql.post("INSERT INTO s (k, v) VALUES ('alpha', 21);")
        child.expect(r"\|alpha\s+\|42\s+\|")
        child.sendintr()
        child.expect_exact("Query terminated")
        child.expect_exact("ksql>")
        deadline = time.monotonic() + TIMEOUT
        while ksql.server.queries.running() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ksql.server.queries.running() == []
        # Errors show the offending line with a caret under the column.
        child.send("SELECT k, FROM s;\r")
        child.expect_exact("line 1:11: Syntax Error")
        child.expect_exact("SELECT k, FROM s;")
        child.expect_exact(" " * 10 + "^")
        child.expect_exact("ksql>")
        child.send("exit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert "SHOW STREAMS;" in (tmp_path / "history").read_text()


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tote", "sql", "--server", url, *args],
                          capture_output=True, text=True, timeout=TIMEOUT, check=False,
                          env=dict(os.environ, COLUMNS="120"))


def test_execute_and_file_modes(ksql, tmp_path: Path) -> None:
    script = tmp_path / "setup.sql"
    script.write_text("SET 'auto.offset.reset' = 'earliest';\n"
                      "CREATE STREAM bets (runner INT KEY, amount DOUBLE) WITH "
                      "(kafka_topic='bets', value_format='JSON', partitions=1);\n"
                      "INSERT INTO bets (runner, amount) VALUES (7, 2.5);\n")
    setup = _run(ksql.url, "-f", str(script))
    assert setup.returncode == 0, setup.stderr
    assert "Successfully changed local property 'auto.offset.reset' to 'earliest'." in \
        setup.stdout
    assert "Stream created" in setup.stdout
    rows = _run(ksql.url, "-e", "SET 'auto.offset.reset'='earliest'; "
                "SELECT * FROM bets EMIT CHANGES LIMIT 1;")
    assert rows.returncode == 0, rows.stderr
    lines = [line for line in rows.stdout.splitlines() if line.startswith("|")]
    assert lines[0].split("|")[1:3] == ["RUNNER".ljust(len(lines[0].split("|")[1])),
                                        "AMOUNT".ljust(len(lines[0].split("|")[2]))]
    assert [cell.strip() for cell in lines[1].split("|")[1:3]] == ["7", "2.5"]
    assert "Limit Reached" in rows.stdout
    script_run = tmp_path / "run.sql"
    script_run.write_text(f"RUN SCRIPT '{script}';")
    again = _run(ksql.url, "-f", str(script_run))
    assert again.returncode == 1
    assert "Cannot add stream 'BETS': A stream with the same name already exists" in \
        again.stdout
    failed = _run(ksql.url, "-e", "DESCRIBE nope;")
    assert failed.returncode == 1
    assert "Could not find STREAM/TABLE 'NOPE' in the Metastore" in failed.stdout
    # A query or PRINT the server refuses shows its error and nothing after it.
    for statement, error, ending in (
            ("SELECT * FROM nope EMIT CHANGES;", "Source `NOPE` does not exist.", "in set"),
            ("PRINT 'nope';", "Could not find topic 'nope'", "Topic printing ceased")):
        refused = _run(ksql.url, "-e", statement)
        assert refused.returncode == 1, refused.stdout
        assert error in refused.stdout and ending not in refused.stdout


def test_unreachable_server() -> None:
    for statement in ("SHOW STREAMS;", "SELECT * FROM s EMIT CHANGES;", "PRINT 's';"):
        result = _run("http://127.0.0.1:9", "-e", statement)
        assert result.returncode == 1, statement
        assert "Could not reach the ksqlDB server at http://127.0.0.1:9" in result.stdout
        assert "Topic printing ceased" not in result.stdout
