"""ksqlDB's REST conformance cases (../shared/qtt/rest-dev) through tote's HTTP API.

The floor is what tote passes today (all 231, the 8 PROTOBUF cases included); it only
goes up.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tote.http.ksql_host import KsqlHost
from tote.sql.qtt import Outcome
from tote.sql.qtt_rest import run_rest_files

REST_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "qtt" / "rest-dev"
FLOOR = 231

pytestmark = pytest.mark.skipif(not REST_DEV.is_dir(), reason="REST QTT files not available")


def test_rest_dev_cases_meet_the_floor() -> None:
    logging.getLogger("tote.sql.processing").setLevel(logging.ERROR)
    with KsqlHost() as host:
        report = run_rest_files(sorted(REST_DEV.glob("*.json")), host)
    assert report.total == 231
    passed = report.count(Outcome.PASSED)
    failures = [f"{r.case.id}: {r.reason}" for r in report.results()
                if r.outcome is Outcome.FAILED]
    assert passed >= FLOOR, f"{report.summary()}\n" + "\n".join(failures[:40])


def test_a_failing_expectation_fails(tmp_path: Path) -> None:
    """The runner itself: a case expecting the wrong row is reported as failed."""
    case = tmp_path / "wrong.json"
    case.write_text("""{"tests": [{"name": "wrong row",
      "statements": ["CREATE STREAM S (K STRING KEY, V INT) WITH (kafka_topic='t', \
value_format='JSON');",
                     "SELECT * FROM S EMIT CHANGES LIMIT 1;"],
      "inputs": [{"topic": "t", "key": "a", "value": {"V": 1}}],
      "responses": [{"admin": {"@type": "currentStatus"}},
                    {"query": [{"header": {"schema": "`K` STRING, `V` INTEGER"}},
                               {"row": {"columns": ["a", 2]}},
                               {"finalMessage": "Limit Reached"}]}]}]}""")
    with KsqlHost() as host:
        report = run_rest_files([case], host)
    [result] = list(report.results())
    assert result.outcome is Outcome.FAILED
    assert "rows differ" in result.reason
    assert report.summary() == "0 passed, 1 failed, 0 skipped"


def _run_one(tmp_path: Path, case_json: str) -> tuple[Outcome, str]:
    case = tmp_path / "case.json"
    case.write_text(case_json)
    with KsqlHost() as host:
        report = run_rest_files([case], host)
    [result] = list(report.results())
    return result.outcome, result.reason


CREATE_S = ("CREATE STREAM S (K STRING KEY, V INT) WITH (kafka_topic='t', "
            "value_format='JSON');")
EXPECTED_ERROR = ('"expectedError": {"type": '
                  '"io.confluent.ksql.rest.entity.KsqlStatementErrorMessage", '
                  '"message": "never raised", "status": 400}')


def test_an_expected_error_without_queries_is_checked_as_upstream(tmp_path: Path) -> None:
    """ksqlDB's RestTestExecutor checks an expected error only against a refused request
    or queries that all succeeded: with admin statements alone that succeed, the case
    stands on its outputs (rest-dev's stale "key field" INSERT VALUES case)."""
    outcome, reason = _run_one(tmp_path, f"""{{"tests": [{{"name": "no query",
      "statements": ["{CREATE_S}", "INSERT INTO S (K, V) VALUES ('a', 1);"],
      {EXPECTED_ERROR}}}]}}""")
    assert outcome is Outcome.PASSED, reason


def test_an_expected_error_after_succeeding_queries_fails(tmp_path: Path) -> None:
    outcome, reason = _run_one(tmp_path, f"""{{"tests": [{{"name": "query",
      "statements": ["{CREATE_S}", "SELECT * FROM S EMIT CHANGES LIMIT 1;"],
      "inputs": [{{"topic": "t", "key": "a", "value": {{"V": 1}}}}],
      {EXPECTED_ERROR}}}]}}""")
    assert outcome is Outcome.FAILED
    assert reason == "expected an error, every request succeeded"



def _proto_case(row_text: str) -> str:
    schema = 'syntax = "proto3";\n\nmessage ConnectDefault1 {\n  string K = 1;\n  int32 V = 2;\n}\n'
    return json.dumps({"tests": [{
        "name": "proto", "testPullWithProtoFormat": True,
        "properties": {"ksql.query.pull.stream.enabled": True},
        "statements": [CREATE_S, "SELECT * FROM S;"],
        "topics": [{"name": "t", "partitions": 1}],
        "inputs": [{"topic": "t", "key": "a", "value": {"V": 7}}],
        "responses": [
            {"admin": {"@type": "currentStatus"}},
            {"query": [{"header": {"schema": "`K` STRING, `V` INTEGER"}},
                       {"row": {"columns": ["a", 7]}}, {"finalMessage": "Query Completed"}]},
            {"queryProto": [{"header": {"protoSchema": schema}}, {"row": row_text},
                            {"finalMessage": "Query Completed"}]}]}]})


def test_protobuf_answers_are_decoded_and_compared(tmp_path: Path) -> None:
    """`testPullWithProtoFormat`: each query is asked again in protobuf; its rows are
    decoded with the header's schema and compared as protobuf text."""
    outcome, reason = _run_one(tmp_path, _proto_case('K: "a"\nV: 7\n'))
    assert outcome is Outcome.PASSED, reason
    outcome, reason = _run_one(tmp_path, _proto_case('K: "a"\nV: 8\n'))
    assert outcome is Outcome.FAILED
    assert "rows differ" in reason


def _live_case(id_prefix: str) -> str:
    return json.dumps({"tests": [{
        "name": "live", "properties": {"auto.offset.reset": "latest"},
        "inputConditions": {"waitForActivePushQuery": True},
        "statements": [CREATE_S, "SELECT * FROM S EMIT CHANGES LIMIT 2;"],
        "inputs": [{"topic": "t", "key": "a", "value": {"V": 1}},
                   {"topic": "t", "key": "b", "value": {"V": 2}}],
        "responses": [
            {"admin": {"@type": "currentStatus"}},
            {"query": [{"header": {"schema": "`K` STRING, `V` INTEGER",
                                   "queryId|starts_with": id_prefix}},
                       {"row": {"columns": ["a", 1]}}, {"row": {"columns": ["b", 2]}},
                       {"finalMessage": "Limit Reached"}]}]}]})


def test_inputs_wait_for_the_running_push_query(tmp_path: Path) -> None:
    """`waitForActivePushQuery`: the inputs are produced once the push query runs, so a
    query reading from `latest` sees them; a `|starts_with` key (any case) matches a
    prefix of the value."""
    outcome, reason = _run_one(tmp_path, _live_case("transient_"))
    assert outcome is Outcome.PASSED, reason
    outcome, reason = _run_one(tmp_path, _live_case("SCALABLE_"))
    assert outcome is Outcome.FAILED
    assert "does not start with 'SCALABLE_'" in reason
