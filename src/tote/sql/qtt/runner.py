"""Running one expanded QTT case (README §6): statements, inputs, queries, checks.

Each case gets a brand-new MemoryLog, Registry and Engine (harness mode). The outcome
is PASSED, FAILED (with the reason) or SKIPPED (a feature tote deliberately leaves out,
listed in `SKIPS` by reason, never by hiding a failure).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tote.core.errors import SqlError, ToteError
from tote.core.records import Record, TopicPartition
from tote.serde.errors import SerializationError
from tote.sql.errors import StatementError
from tote.sql.functions import FunctionRegistry
from tote.sql.parser import parse
from tote.sql.qtt import environment
from tote.sql.qtt.loader import QttCase
from tote.sql.qtt.outputs import OutputMismatch, check_outputs
from tote.sql.qtt.post import PostFailure, check
from tote.sql.qtt.specs import UnsupportedSpec, encode_spec
from tote.sql.runtime.harness import drive

PARSE_FAILED = "io.confluent.ksql.parser.exception.ParseFailedException"
STATEMENT = "io.confluent.ksql.util.KsqlStatementException"
KSQL = "io.confluent.ksql.util.KsqlException"


class Outcome(Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class CaseResult:
    case: QttCase
    outcome: Outcome
    reason: str = ""


def _error_matches(error: BaseException, expected: dict[str, Any]) -> str | None:
    """None if `error` is what the case expects, else why not."""
    wanted_type = expected.get("type")
    if isinstance(error, SqlError):
        parse_error = not isinstance(error, StatementError)
        if wanted_type == PARSE_FAILED and not parse_error:
            return f"expected a parse failure, got: {error.message}"
        if wanted_type not in (None, PARSE_FAILED, STATEMENT, KSQL):
            return f"expected {wanted_type}, got a statement error: {error.message}"
        texts = [error.message, error.detailed_message]
    else:
        if wanted_type in (PARSE_FAILED, STATEMENT):
            return f"expected {wanted_type}, got {type(error).__name__}: {error}"
        texts = [str(error)]
    message = expected.get("message")
    if message is not None and not any(message in t for t in texts):
        return f"message {texts[0]!r} does not contain {message!r}"
    return None


def _skip_reason(case: QttCase) -> str | None:
    """Why this runner cannot run `case` (no format or feature is skipped at present)."""
    return None


def run_case(case: QttCase, functions: FunctionRegistry) -> CaseResult:
    skip = _skip_reason(case)
    if skip:
        return CaseResult(case, Outcome.SKIPPED, skip)
    env = environment.create(case.properties, functions)
    try:
        return _run(case, env)
    except Exception as exc:  # noqa: BLE001 - one broken case must not end the run
        return CaseResult(case, Outcome.FAILED,
                          f"the runner failed: {type(exc).__name__}: {exc}")
    finally:
        env.close()


def _run(case: QttCase, env: environment.Environment) -> CaseResult:
    expected_error = case.expected_exception
    # Only input topics exist before the statements: a topic named only by expected
    # outputs is left for the query that writes it, so its sink gets the partitions
    # ksqlDB would give it (the source's), not the harness's default of 4.
    record_topics = sorted({r["topic"] for r in case.inputs})
    try:
        environment.setup_topics(env, list(case.topics), list(case.statements), record_topics)
    except ToteError as exc:
        return CaseResult(case, Outcome.FAILED, f"topic setup failed: {exc.message}")
    statements = list(case.statements)
    script = "\n".join(statements)
    try:
        parsed = parse(script)
    except SqlError as exc:
        return _statement_failure(case, exc, last=True)
    for index, statement in enumerate(parsed):
        try:
            env.engine.execute_statement(statement, statement.text)
        except (SqlError, ToteError) as exc:
            if isinstance(exc, SqlError) and not exc.statement_text:
                exc.statement_text = statement.text
            return _statement_failure(case, exc, last=index == len(parsed) - 1)
        except NotImplementedError as exc:
            return CaseResult(case, Outcome.FAILED, f"not implemented: {exc}")
    if expected_error is not None and not case.inputs:
        return CaseResult(case, Outcome.FAILED, "expected an error, all statements succeeded")
    try:
        positions = _write_inputs(case, env)
        queries = [q.query_id for q in sorted(env.engine.runtime.queries.values(),
                                              key=lambda q: q.order)]
        drive(env.engine.runtime, queries, positions)
        check_outputs(case, env)
    except OutputMismatch as exc:
        return CaseResult(case, Outcome.FAILED, str(exc))
    except UnsupportedSpec as exc:
        return CaseResult(case, Outcome.SKIPPED, f"unsupported input: {exc}")
    except (SqlError, ToteError, SerializationError) as exc:
        if expected_error is not None and _error_matches(exc, expected_error) is None:
            return CaseResult(case, Outcome.PASSED)
        return CaseResult(case, Outcome.FAILED, f"run failed: {exc}")
    if expected_error is not None:
        return CaseResult(case, Outcome.FAILED, "expected an error, the run succeeded")
    if case.post:
        try:
            check(env, case.post)
        except PostFailure as exc:
            return CaseResult(case, Outcome.FAILED, f"post-condition: {exc}")
    return CaseResult(case, Outcome.PASSED)


def _statement_failure(case: QttCase, exc: ToteError, last: bool) -> CaseResult:
    expected_error = case.expected_exception
    if expected_error is None:
        return CaseResult(case, Outcome.FAILED, f"statement failed: {exc.message}")
    if not last:
        return CaseResult(case, Outcome.FAILED, f"a statement before the last failed: "
                          f"{exc.message}")
    mismatch = _error_matches(exc, expected_error)
    if mismatch:
        return CaseResult(case, Outcome.FAILED, mismatch)
    return CaseResult(case, Outcome.PASSED)


def _write_inputs(case: QttCase, env: environment.Environment) -> list[tuple[str, int, int]]:
    positions: list[tuple[str, int, int]] = []
    metastore = env.engine.metastore
    for spec in case.inputs:
        topic = spec["topic"]
        source = next((s for s in metastore.sources.values() if s.topic == topic), None)
        key = _encode_key(spec, source, env)
        value = encode_spec(spec.get("value"), source, False, env.registry) \
            if source is not None else _raw(spec.get("value"))
        headers = tuple((h["KEY"], base64.b64decode(h["VALUE"]) if h.get("VALUE") is not None
                         else None) for h in spec.get("headers") or [])
        record = Record(value, key, headers, int(spec.get("timestamp", 0)), 0)
        position = env.log.append(topic, [record])[0]
        positions.append((topic, position.partition, position.offset))
    return positions


def _encode_key(spec: dict[str, Any], source: Any, env: environment.Environment
                ) -> bytes | None:
    if source is None:
        return _raw(spec.get("key"))
    key = encode_spec(spec.get("key"), source, True, env.registry)
    window = spec.get("window")
    if window is not None and source.window is not None:
        from tote.sql.codecs import EmptyCodec, WindowedKeyCodec

        codec = WindowedKeyCodec(EmptyCodec(), source.window)
        suffix = codec.encode((), int(window["start"]), int(window["end"]))
        return (key or b"") + suffix
    return key


def _raw(value: Any) -> bytes | None:
    if value is None:
        return None
    from tote.serde.json_format import dumps

    return (value if isinstance(value, str) else dumps(value)).encode("utf-8")


Runner = Callable[[QttCase], CaseResult]
__all__ = ["CaseResult", "Outcome", "TopicPartition", "run_case"]
