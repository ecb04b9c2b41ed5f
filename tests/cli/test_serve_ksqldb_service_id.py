"""`tote serve ksqldb` with a service id ksqlDB's server cannot start with: the id is
part of the read-only topics' regular expression (its processing log's topic), which
ksqlDB compiles when it starts. Before, tote started and failed later, at an INSERT."""

from __future__ import annotations

from tests.cli.test_bad_input_sweep import env, run

__all__ = ["env"]  # the fixture


def test_a_service_id_that_breaks_the_read_only_pattern_stops_the_start(
        env: dict[str, str]) -> None:
    result = run(env, "serve", "ksqldb", "--service-id", "a(", "--port", "0")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    error = result.stderr[result.stderr.index("Error: "):]
    assert error.startswith(
        "Error: ksqldb could not start: Failed to start KSQL: "
        "java.util.regex.PatternSyntaxException: Unclosed group near index 179\n"
        "a(ksql_processing_log|_confluent-ksql-.*|_confluent.*|")
    assert result.stdout == ""
