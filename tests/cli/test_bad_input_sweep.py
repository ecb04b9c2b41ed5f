"""Bad input a user could plausibly give the CLI: one `Error: ...` line, a non-zero exit,
no traceback, nothing half-written. In-process through Typer's runner where the command
reports its own errors; as a real process where the console entry point does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tote.cli.main import cli

TOTE = Path(sys.executable).parent / "tote"
NOT_UTF8 = b"\xff\xfe\x8d not text\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No TOTE_* setting leaks in; the data dir and working dir are the test's own."""
    for key in [k for k in os.environ if k.startswith("TOTE_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("TOTE_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("TOTE_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return dict(os.environ)


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def run(env: dict[str, str], *args: str, stdin: bytes | None = None
        ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(TOTE), *args], input=stdin, capture_output=True,
                            timeout=120, check=False, env=env)
    return subprocess.CompletedProcess(result.args, result.returncode,
                                       result.stdout.decode(errors="replace"),
                                       result.stderr.decode(errors="replace"))


def one_error(stderr: str) -> str:
    """The single `Error: ` line of stderr (asserting there is nothing else)."""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    return lines[0]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize(("text", "says"), [
    ("{bad", "invalid JSON"),
    ("[1, 2]", "expected an object with an array field 'tests'"),
    ('{"tests": 5}', "expected an object with an array field 'tests'"),
    ('{"tests": [{"name": "x"}]}', "tests[0] needs a string 'name' and an array 'statements'"),
])
def test_qtt_rejects_a_file_that_is_not_qtt(env: dict[str, str], tmp_path: Path,
                                            text: str, says: str) -> None:
    path = tmp_path / "case.json"
    path.write_text(text)
    result = run(env, "qtt", str(path))
    assert result.returncode == 1
    assert says in one_error(result.stderr)


def test_qtt_rejects_a_binary_file(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(NOT_UTF8)
    result = run(env, "qtt", str(path))
    assert result.returncode == 1
    assert "case.json: invalid JSON" in one_error(result.stderr)


def test_test_runner_rejects_a_statements_file_that_is_not_text(env: dict[str, str],
                                                                tmp_path: Path) -> None:
    (tmp_path / "s.sql").write_bytes(NOT_UTF8)
    (tmp_path / "o.json").write_text('{"outputs": []}')
    result = invoke("test-runner", "-s", "s.sql", "-o", "o.json")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Invalid arguments: File name: s.sql Message: not UTF-8")


@pytest.mark.parametrize("port", ["-1", "65536"])
def test_a_port_out_of_range_is_refused_before_serving(env: dict[str, str], port: str) -> None:
    result = invoke("serve", "schema-registry", "--port", port)
    assert result.exit_code == 1
    assert one_error(result.stderr) == (
        f"Error: Invalid port {port} for configuration 'registry_port': expected 0 to 65535."
    )


def test_a_port_out_of_range_in_the_environment_is_refused(env: dict[str, str]) -> None:
    env["TOTE_TOTE_PORT"] = "99999"
    result = run(env, "status")
    assert result.returncode == 1
    assert "Invalid port 99999 for configuration 'tote_port'" in one_error(result.stderr)


def test_a_config_file_that_is_not_text_is_one_error(env: dict[str, str],
                                                     tmp_path: Path) -> None:
    (tmp_path / "tote.toml").write_bytes(NOT_UTF8)
    env["TOTE_CONFIG"] = str(tmp_path / "tote.toml")
    result = run(env, "status")
    assert result.returncode == 1
    assert one_error(result.stderr).startswith(f"Error: {tmp_path / 'tote.toml'}: 'utf-8'")


@pytest.mark.parametrize("args", [("status",), ("down",), ("topic", "list"), ("logs",),
                                  ("build",), ("sql", "-e", "SHOW STREAMS;")])
@pytest.mark.parametrize("below", [False, True])
def test_a_data_dir_that_is_a_file_is_one_error(env: dict[str, str], tmp_path: Path,
                                                args: tuple[str, ...], below: bool) -> None:
    (tmp_path / "file").write_text("keep me")
    env["TOTE_HOME"] = str(tmp_path / "file" / "sub" if below else tmp_path / "file")
    result = run(env, *args)
    assert result.returncode == 1
    assert f"{tmp_path / 'file'} is not a directory" in one_error(result.stderr)
    assert (tmp_path / "file").read_text() == "keep me"


@pytest.mark.parametrize("state", ["{half", "[]", '{"services": 5}'])
def test_a_damaged_stack_state_file_is_one_error(env: dict[str, str], tmp_path: Path,
                                                 state: str) -> None:
    state_file = tmp_path / "home" / "stack" / "state.json"
    state_file.parent.mkdir(parents=True)
    state_file.write_text(state)
    for args in (("status",), ("down",), ("up", "--detach")):
        result = run(env, *args)
        assert result.returncode == 1, args
        assert f"Cannot read the stack state {state_file}" in one_error(result.stderr)
    assert state_file.read_text() == state


@pytest.mark.parametrize("name", ["missing.sql", "."])
def test_sql_checks_its_file_before_the_server(env: dict[str, str], name: str) -> None:
    server = f"http://127.0.0.1:{closed_port()}"
    result = run(env, "sql", "--server", server, "-f", name)
    assert result.returncode == 1
    assert one_error(result.stderr).startswith(f"Error: Cannot read {name}: ")


def test_sql_file_that_is_not_text(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "s.sql").write_bytes(NOT_UTF8)
    result = run(env, "sql", "--server", f"http://127.0.0.1:{closed_port()}", "-f", "s.sql")
    assert result.returncode == 1
    assert one_error(result.stderr) == "Error: s.sql is not UTF-8 text."


@pytest.mark.parametrize("args", [
    ("sql", "--server", "http://localhost:abc", "-e", "SHOW STREAMS;"),
    ("race", "show", "R1", "--url", "http://[::1"),
    ("simulate", "--url", "http://localhost:abc"),
    ("play", "--rest-proxy-url", "http://localhost:abc"),
    ("build", "--ksqldb-url", "http://localhost:abc", "--connect-url", "http://localhost:1"),
])
def test_a_malformed_url_is_one_error(env: dict[str, str], args: tuple[str, ...]) -> None:
    result = run(env, *args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: Invalid URL: Invalid port: ")


@pytest.mark.parametrize("locale_io", ["utf-8", "utf-8:strict"])
def test_produce_refuses_input_that_is_not_utf8_and_appends_nothing(
        env: dict[str, str], locale_io: str) -> None:
    assert run(env, "topic", "create", "bets").returncode == 0
    env["PYTHONIOENCODING"] = locale_io
    result = run(env, "topic", "produce", "bets", stdin=b"win 1 10\n" + NOT_UTF8)
    assert result.returncode == 1
    assert "is not UTF-8 text; nothing was appended." in one_error(result.stderr)
    consumed = run(env, "topic", "consume", "bets", "--from-beginning")
    assert (consumed.returncode, consumed.stdout) == (0, "")


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_bench_dir_must_be_an_existing_directory(env: dict[str, str], tmp_path: Path,
                                                 kind: str) -> None:
    where = tmp_path / "nope"
    if kind == "file":
        where.write_text("")
    result = invoke("bench", "log", "--records", "10", "--dir", str(where))
    assert result.exit_code == 2
    assert "Invalid value for '--dir'" in result.stderr
    assert list(tmp_path.glob("**/tote-bench-*")) == []


@pytest.mark.parametrize("timeout", ["0", "-1"])
def test_up_refuses_a_timeout_below_one_second(env: dict[str, str], tmp_path: Path,
                                               timeout: str) -> None:
    result = invoke("up", "--detach", "--timeout", timeout)
    assert result.exit_code == 2
    assert "Invalid value for '--timeout'" in result.stderr
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize("timeout", ["0", "-1"])
def test_demo_refuses_a_timeout_below_one_second(env: dict[str, str], tmp_path: Path,
                                                 timeout: str) -> None:
    result = invoke("demo", "--timeout", timeout)
    assert result.exit_code == 2
    assert "Invalid value for '--timeout'" in result.stderr
    assert not (tmp_path / "home").exists()  # refused before anything started


def test_logs_refuses_a_negative_tail(env: dict[str, str]) -> None:
    result = invoke("logs", "-n", "-5")
    assert result.exit_code == 2
    assert "Invalid value for '--tail'" in result.stderr
