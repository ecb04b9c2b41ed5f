"""`tote topic`: exact output, exit codes and one-line errors, in-process and as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tote.cli.main import cli
from tote.core.config import Config
from tote.core.records import TopicPartition
from tote.log.open import open_log

TOTE = Path(sys.executable).parent / "tote"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in [k for k in os.environ if k.startswith("TOTE_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("TOTE_CONFIG", str(tmp_path / "absent.toml"))
    return tmp_path / "home"


def tote(home: Path, *args: str, stdin: str | None = None, backend: str = "sqlite") -> Result:
    full = ["topic", args[0], *args[1:], "--home", str(home), "--backend", backend]
    return CliRunner().invoke(cli, full, input=stdin)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return result.stderr


def test_create_list_describe_delete(home: Path) -> None:
    assert ok(tote(home, "create", "bets", "--partitions", "2", "--config",
                   "cleanup.policy=compact", "--config", "retention.ms=60000")) == (
        "Created topic bets.\n"
    )
    assert ok(tote(home, "create", "odds")) == "Created topic odds.\n"
    assert ok(tote(home, "list")) == "bets\nodds\n"
    assert ok(tote(home, "describe", "bets")) == (
        "Topic: bets\tPartitionCount: 2\tReplicationFactor: 1\t"
        "Configs: cleanup.policy=compact,retention.ms=60000\n"
        "\tTopic: bets\tPartition: 0\tStartOffset: 0\tEndOffset: 0\n"
        "\tTopic: bets\tPartition: 1\tStartOffset: 0\tEndOffset: 0\n"
    )
    assert ok(tote(home, "delete", "odds")) == "Deleted topic odds.\n"
    assert ok(tote(home, "list")) == "bets\n"


def test_produce_then_consume_values(home: Path) -> None:
    ok(tote(home, "create", "bets"))
    assert ok(tote(home, "produce", "bets", stdin="win 1 10\n\nplace 2 5\nwin 3 7\n")) == (
        "Appended 3 records to bets.\n"
    )
    assert ok(tote(home, "consume", "bets", "--from-beginning")) == (
        "win 1 10\nplace 2 5\nwin 3 7\n"
    )
    assert ok(tote(home, "consume", "bets", "--offset", "1")) == "place 2 5\nwin 3 7\n"
    assert ok(tote(home, "consume", "bets", "--from-beginning", "--max-records", "1")) == (
        "win 1 10\n"
    )
    assert ok(tote(home, "consume", "bets")) == ""


def test_keyed_records_are_partitioned_and_print_with_their_keys(home: Path) -> None:
    ok(tote(home, "create", "bets", "--partitions", "4"))
    lines = "foobar\tfirst\nabc\tsecond\nfoobar\tthird\n"
    assert ok(tote(home, "produce", "bets", "--keyed", stdin=lines)) == (
        "Appended 3 records to bets.\n"
    )
    # murmur2 puts "foobar" on partition 2 and "abc" on partition 3 of four.
    assert ok(tote(home, "consume", "bets", "--from-beginning", "--partition", "2",
                   "--print-key")) == "foobar\tfirst\nfoobar\tthird\n"
    assert ok(tote(home, "consume", "bets", "--partition", "3", "--offset", "0")) == (
        "second\n"
    )


def test_one_keyed_record_as_the_readme_produces_it(home: Path) -> None:
    ok(tote(home, "create", "bets", "--partitions", "3"))
    assert ok(tote(home, "produce", "bets", "--keyed", stdin='1\t{"amount": 25}\n')) == (
        "Appended 1 record to bets.\n"
    )
    assert ok(tote(home, "consume", "bets", "--from-beginning")) == '{"amount": 25}\n'


def test_a_group_resumes_where_it_committed(home: Path) -> None:
    ok(tote(home, "create", "bets"))
    ok(tote(home, "produce", "bets", stdin="a\nb\nc\n"))
    assert ok(tote(home, "consume", "bets", "--group", "audit", "--from-beginning",
                   "--max-records", "2")) == "a\nb\n"
    ok(tote(home, "produce", "bets", stdin="d\n"))
    assert ok(tote(home, "consume", "bets", "--group", "audit")) == "c\nd\n"
    with open_log(Config(home=home, backend="sqlite")) as log:
        assert log.committed("audit", [TopicPartition("bets", 0)]) == {
            TopicPartition("bets", 0): 4
        }


def test_a_new_group_without_from_beginning_starts_at_the_end(home: Path) -> None:
    ok(tote(home, "create", "bets"))
    ok(tote(home, "produce", "bets", stdin="old\n"))
    assert ok(tote(home, "consume", "bets", "--group", "late")) == ""


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("describe", "missing"), None, "Topic 'missing' not found."),
        (("delete", "missing"), None, "Topic 'missing' not found."),
        (("consume", "missing"), None, "Topic 'missing' not found."),
        (("produce", "missing"), "x\n", "Topic 'missing' not found."),
        (("create", "a b"), None,
         "Topic name \"a b\" is illegal, it contains a character other than ASCII "
         "alphanumerics, '.', '_' and '-'"),
        (("create", "bets"), None, "Topic 'bets' already exists."),
        (("create", "new", "--partitions", "0"), None,
         "Number of partitions must be larger than 0, got 0."),
        (("create", "new", "--config", "retention.ms"), None,
         "Invalid config 'retention.ms': expected KEY=VALUE."),
        (("create", "new", "--config", "cleanup.policy=shred"), None,
         "Invalid value shred for configuration cleanup.policy."),
        (("produce", "bets", "--keyed"), "k\tv\nno-tab\n",
         "Line 2 has no TAB between key and value."),
        (("consume", "bets", "--offset", "1"), None,
         "--offset needs --partition when the topic has several partitions."),
        (("consume", "bets", "--offset", "1", "--from-beginning"), None,
         "Use either --from-beginning or --offset, not both."),
        (("consume", "bets", "--group", "g", "--partition", "0"), None,
         "--offset and --partition cannot be used with --group."),
        (("consume", "bets", "--partition", "5"), None, "Partition 5 of topic 'bets' not found."),
        (("consume", "bets", "--partition", "0", "--offset", "9"), None,
         "Offset 9 is out of range for partition bets-0: the log ends at offset 0."),
    ],
)
def test_user_errors_are_one_line_and_exit_1(
    home: Path, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    ok(tote(home, "create", "bets", "--partitions", "2"))
    assert error(tote(home, *args, stdin=stdin)) == f"Error: {message}\n"
    assert ok(tote(home, "describe", "bets")).count("EndOffset: 0") == 2


def test_an_unknown_backend_is_a_user_error(home: Path) -> None:
    assert error(tote(home, "list", backend="cassandra")) == (
        "Error: Unknown backend 'cassandra'; expected one of sqlite, memory, kafka.\n"
    )


def test_memory_backend_starts_empty_each_time(home: Path) -> None:
    # Each command is its own process-lifetime log: memory is for trying the commands.
    assert ok(tote(home, "create", "bets", backend="memory")) == "Created topic bets.\n"
    assert ok(tote(home, "list", backend="memory")) == ""
    assert error(tote(home, "describe", "bets", backend="memory")) == (
        "Error: Topic 'bets' not found.\n"
    )


def run_tote(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TOTE), "topic", *args, "--home", str(home), "--backend", "sqlite"],
        input=stdin, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_console_script_prints_one_error_line_without_traceback(home: Path) -> None:
    result = run_tote(home, "describe", "missing")
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", "Error: Topic 'missing' not found.\n"
    )


def test_follow_prints_records_appended_by_another_process(home: Path) -> None:
    assert run_tote(home, "create", "live").returncode == 0
    follower = subprocess.Popen(
        [str(TOTE), "topic", "consume", "live", "--follow", "--from-beginning",
         "--max-records", "3", "--home", str(home), "--backend", "sqlite"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert run_tote(home, "produce", "live", stdin="one\ntwo\n").returncode == 0
        assert run_tote(home, "produce", "live", stdin="three\nfour\n").returncode == 0
        out, err = follower.communicate(timeout=120)
    finally:
        follower.kill()
        follower.wait()
    assert (follower.returncode, out, err) == (0, "one\ntwo\nthree\n", "")
