"""The QTT runner itself: loading, comparison rules (README §8), verdicts and the CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tote.cli.main import cli
from tote.core import types as t
from tote.sql.qtt import Outcome, run_files
from tote.sql.qtt.compare import matches
from tote.sql.qtt.loader import expand


def _write(tmp_path: Path, tests: list[dict[str, Any]], name: str = "sample.json") -> Path:
    """Decimals are written as quoted decimal strings, which QTT accepts on both sides."""
    path = tmp_path / name
    path.write_text(json.dumps({"tests": tests}, default=str))
    return path


PROJECT = {
    "name": "project",
    "statements": [
        "CREATE STREAM INPUT (ID INT KEY, NAME STRING, V DECIMAL(4,2)) "
        "WITH (kafka_topic='input', value_format='JSON');",
        "CREATE STREAM OUTPUT AS SELECT ID, UCASE(NAME) AS NAME, V * 2 AS V2 FROM INPUT "
        "WHERE ID > 1;",
    ],
    "inputs": [{"topic": "input", "key": 1, "value": {"NAME": "a", "V": Decimal("1.5")}},
               {"topic": "input", "key": 2, "value": {"name": "b", "V": Decimal("1.25")},
                "timestamp": 7}],
    "outputs": [{"topic": "OUTPUT", "key": 2, "value": {"NAME": "B", "V2": Decimal("2.50")},
                 "timestamp": 7}],
    "post": {"sources": [{"name": "OUTPUT", "type": "stream",
                          "schema": "ID INT KEY, NAME STRING, V2 DECIMAL(15, 2)"}]},
}


def test_loader_keeps_decimal_text(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text('{"tests": [{"name": "n", "statements": ["x"], '
                    '"outputs": [{"topic": "t", "value": {"A": 10.0000}}]}]}')
    case = next(expand(path))
    value = case.outputs[0]["value"]["A"]
    assert isinstance(value, Decimal) and str(value) == "10.0000"


def test_format_and_config_expand_with_upstream_names(tmp_path: Path) -> None:
    path = _write(tmp_path, [{
        "name": "c", "format": ["JSON", "AVRO"], "config": ["true", "false"],
        "properties": {"ksql.some.flag": "{CONFIG}"},
        "statements": ["CREATE STREAM S (A INT) WITH (kafka_topic='t', format='{FORMAT}');"],
        "outputs": [{"topic": "t", "value": 1}]}])
    cases = list(expand(path))
    assert [c.id for c in cases] == [
        "sample - c - JSON - ksql.some.flag=true", "sample - c - JSON - ksql.some.flag=false",
        "sample - c - AVRO - ksql.some.flag=true", "sample - c - AVRO - ksql.some.flag=false"]
    assert cases[2].statements[0].endswith("format='AVRO');")
    assert cases[1].properties == {"ksql.some.flag": "false"}


def test_number_comparison_rules() -> None:
    assert matches(Decimal("2.50"), Decimal("2.50"), t.decimal(5, 2))
    assert not matches(Decimal("2.5"), Decimal("2.50"), t.decimal(5, 2))
    assert matches(10, Decimal("10"), t.decimal(2, 0))
    assert not matches(10, Decimal("10.0"), t.decimal(3, 1))
    assert matches(Decimal("0.1"), 0.1000000001, t.DOUBLE)
    assert not matches(Decimal("0.1"), 0.11, t.DOUBLE)
    assert matches(3, 3, t.BIGINT)
    assert matches("15.11", Decimal("15.11"), t.decimal(4, 2))
    assert matches("AQI=", b"\x01\x02", t.BYTES)


def test_object_comparison_counts_fields_and_falls_back_to_upper_case() -> None:
    row = {"NAME": "b", "V": 1}
    struct = t.struct(("NAME", t.STRING), ("V", t.INTEGER))
    assert matches({"name": "b", "V": 1}, row, struct)
    assert not matches({"NAME": "b"}, row, struct)
    assert matches(None, None, t.STRING)
    assert not matches([1, 2], [1], t.array(t.INTEGER))


def test_a_passing_case_with_post_conditions(tmp_path: Path) -> None:
    report = run_files([_write(tmp_path, [PROJECT])])
    result = next(report.results())
    assert (result.outcome, result.reason) == (Outcome.PASSED, "")


def test_a_wrong_expectation_fails_with_the_reason(tmp_path: Path) -> None:
    case = dict(PROJECT, outputs=[{"topic": "OUTPUT", "key": 2,
                                   "value": {"NAME": "b", "V2": Decimal("2.50")}}])
    result = next(run_files([_write(tmp_path, [case])]).results())
    assert result.outcome is Outcome.FAILED
    assert result.reason == "topic OUTPUT record 0: value {'NAME': 'B', 'V2': " \
                            "Decimal('2.50')} != {'NAME': 'b', 'V2': '2.50'}"


def test_negative_cases_match_type_and_message(tmp_path: Path) -> None:
    base = {"statements": ["CREATE STREAM S (A INT) WITH (kafka_topic='t', "
                           "value_format='FOO');"]}
    good = dict(base, name="good", expectedException={
        "type": "io.confluent.ksql.util.KsqlStatementException",
        "message": "Unknown format: FOO"})
    parse = dict(base, name="wrong type", expectedException={
        "type": "io.confluent.ksql.parser.exception.ParseFailedException"})
    silent = {"name": "no error", "statements": [
        "CREATE STREAM S (A INT) WITH (kafka_topic='t', value_format='JSON');"],
        "expectedException": {"message": "boom"}}
    results = {r.case.name: r for r in run_files([_write(tmp_path, [good, parse, silent])])
               .results()}
    assert results["good"].outcome is Outcome.PASSED
    assert results["wrong type"].outcome is Outcome.FAILED
    assert results["wrong type"].reason == "expected a parse failure, got: Unknown format: FOO"
    assert results["no error"].reason == "expected an error, all statements succeeded"


def test_cli_prints_a_table_and_the_summary_line(tmp_path: Path) -> None:
    path = _write(tmp_path, [PROJECT, dict(PROJECT, name="disabled", enabled=False)])
    result = CliRunner().invoke(cli, ["qtt", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split() == ["file", "total", "passed", "failed", "skipped"]
    assert lines[1].split() == ["sample.json", "1", "1", "0", "0"]
    assert lines[-1] == "1 passed, 0 failed, 0 skipped"


def test_a_case_the_runner_cannot_run_fails_and_the_run_goes_on(tmp_path: Path) -> None:
    """An input the runner cannot even encode (not a decimal) fails that case with the
    reason; the next case still runs."""
    bad = dict(PROJECT, name="bad input", inputs=[
        {"topic": "input", "key": 2, "value": {"NAME": "b", "V": "not a number"}}],
        outputs=[])
    bad["statements"] = [s.replace("value_format='JSON'", "value_format='AVRO'")
                         for s in PROJECT["statements"]]
    results = list(run_files([_write(tmp_path, [bad, PROJECT])]).results())
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.PASSED]
    assert "Cannot convert 'not a number' to DECIMAL(4, 2)" in results[0].reason


def test_non_finite_doubles_compare_as_their_json_text() -> None:
    # ksqlDB writes NaN and the infinities as JSON strings; the files expect those strings.
    assert matches("NaN", float("nan"), t.DOUBLE)
    assert matches("-Infinity", float("-inf"), t.DOUBLE)
    assert not matches("Infinity", float("-inf"), t.DOUBLE)
    assert not matches("NaN", 1.0, t.DOUBLE)


def test_avro_inputs_take_decimals_of_more_than_28_digits(tmp_path: Path) -> None:
    wide = Decimal("98765432109876543210.123456789")
    case = {
        "name": "wide decimal",
        "statements": [
            "CREATE STREAM INPUT (ID INT KEY, V DECIMAL(32,10)) "
            "WITH (kafka_topic='input', value_format='AVRO');",
            "CREATE STREAM OUTPUT AS SELECT ID, V FROM INPUT;",
        ],
        "inputs": [{"topic": "input", "key": 1, "value": {"V": wide}}],
        "outputs": [{"topic": "OUTPUT", "key": 1,
                     "value": {"V": Decimal("98765432109876543210.1234567890")}}],
    }
    result = next(run_files([_write(tmp_path, [case])]).results())
    assert (result.outcome, result.reason) == (Outcome.PASSED, "")


def test_a_protobuf_topic_schema_follows_the_statements_nullable_representation(
        tmp_path: Path) -> None:
    """The harness registers a declared PROTOBUF topic's schema with the statement's
    `VALUE_PROTOBUF_NULLABLE_REPRESENTATION`, so a null input field stays null."""
    case = {
        "name": "optional protobuf fields",
        "statements": [
            "CREATE STREAM INPUT (ID INT KEY, N INT, S STRING) WITH (kafka_topic='input', "
            "value_format='PROTOBUF', value_protobuf_nullable_representation='OPTIONAL');",
            "CREATE STREAM OUTPUT WITH (value_protobuf_nullable_representation='OPTIONAL') "
            "AS SELECT * FROM INPUT;",
        ],
        "inputs": [{"topic": "input", "key": 1, "value": {"N": None, "S": "x"}}],
        "outputs": [{"topic": "OUTPUT", "key": 1, "value": {"N": None, "S": "x"}}],
    }
    result = next(run_files([_write(tmp_path, [case])]).results())
    assert (result.outcome, result.reason) == (Outcome.PASSED, "")
