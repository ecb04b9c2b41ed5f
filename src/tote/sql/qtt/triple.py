"""ksqlDB's three-file test layout (`ksql-test-runner -s statements.sql -i input.json -o
output.json`, QTT README §11): the triple becomes one QTT case with no `properties`,
`topics` or `post`, run by the QTT harness (`runner`), so it behaves exactly like a QTT
case. Only the loading and the wording of failures are this module's own: failures are
worded as ksqlDB's tool words them (`Topic X. Expected <n> records but it was <m>`,
`Topic 'X', message i: Expected <key, value> with timestamp=… but was …`).
"""

from __future__ import annotations

import decimal
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tote.core.errors import ToteError
from tote.core.records import LogRecord
from tote.serde.errors import SerializationError
from tote.serde.json_format import dumps
from tote.sql.functions import FunctionRegistry, default_functions
from tote.sql.qtt import environment
from tote.sql.qtt.compare import matches
from tote.sql.qtt.loader import QttCase
from tote.sql.qtt.outputs import _Reader, _records
from tote.sql.qtt.runner import Outcome, _run
from tote.sql.qtt.udfs import with_test_functions
from tote.sql.script import split_statements

CASE_NAME = "KSQL_Test"


class TripleFileError(ToteError):
    """A file of the triple cannot be read or is not in the expected shape."""

    error_code = 40000

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"File name: {path} Message: {detail}")


@dataclass(frozen=True)
class TripleResult:
    passed: bool
    message: str = ""


def _records_of(path: Path, field: str) -> tuple[dict[str, Any], ...]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"), parse_float=decimal.Decimal)
    except OSError as exc:
        raise TripleFileError(path, exc.strerror or str(exc)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise TripleFileError(path, f"invalid JSON: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get(field), list):
        raise TripleFileError(path, f"expected an object with an array field '{field}'")
    records = document[field]
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise TripleFileError(path, f"{field}[{index}] is not a record object")
        if not isinstance(record.get("topic"), str):
            raise TripleFileError(path, f"{field}[{index}] has no topic")
    return tuple(records)


def load_case(statements: Path, inputs: Path | None, outputs: Path) -> QttCase:
    """The triple as one QTT case (statements split at `;`, as ksqlDB's parser splits)."""
    try:
        sql = statements.read_text(encoding="utf-8")
    except OSError as exc:
        raise TripleFileError(statements, exc.strerror or str(exc)) from None
    except UnicodeDecodeError as exc:
        raise TripleFileError(statements, f"not UTF-8 text: {exc}") from None
    texts = tuple(piece.text for piece in split_statements(sql))
    return QttCase(
        id=CASE_NAME,
        file=statements.stem,
        name=CASE_NAME,
        statements=texts,
        inputs=_records_of(inputs, "inputs") if inputs is not None else (),
        outputs=_records_of(outputs, "outputs"),
    )


def run_triple(
    statements: Path,
    inputs: Path | None,
    outputs: Path,
    *,
    functions: FunctionRegistry | None = None,
) -> TripleResult:
    """Run the triple on a fresh in-memory engine in harness mode (README §6)."""
    case = load_case(statements, inputs, outputs)
    env = environment.create({}, with_test_functions(functions or default_functions()))
    try:
        result = _run(case, env)
        if result.outcome is Outcome.PASSED:
            return TripleResult(True)
        return TripleResult(False, _explain(case, env, result.reason))
    finally:
        env.close()


_STATEMENT_FAILURES = ("statement failed: ", "a statement before the last failed: ")


def _explain(case: QttCase, env: environment.Environment, reason: str) -> str:
    """ksqlDB's wording for an output difference; other failures keep the harness's."""
    for prefix in _STATEMENT_FAILURES:
        if reason.startswith(prefix):
            return reason[len(prefix) :]
    if reason.startswith(("run failed: ", "topic setup failed: ")):
        return reason.split(": ", 1)[1]
    return _output_difference(case, env) or reason


def _output_difference(case: QttCase, env: environment.Environment) -> str | None:
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for spec in case.outputs:
        by_topic.setdefault(spec["topic"], []).append(spec)
    sources = env.engine.metastore.sources.values()
    for topic, expected in by_topic.items():
        source = next((s for s in sources if s.topic == topic), None)
        if source is None or not env.log.topic_exists(topic):
            return f"No information found for topic: {topic}"
        reader = _Reader(env, source)
        actual = _records(env, topic)
        if len(actual) != len(expected):
            listing = "\n".join(_actual_text(reader, r) for r in actual)
            return (
                f"Topic {topic}. Expected <{len(expected)}> records but it was "
                f"<{len(actual)}>\nActual records: \n{listing}"
            )
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            if not _same(want, got, reader, lenient_time=not case.inputs):
                stamp = want.get("timestamp", got.timestamp)
                return (
                    f"Topic '{topic}', message {index}: Expected "
                    f"<{_json(want.get('key'))}, {_json(want.get('value'))}> with "
                    f"timestamp={stamp} and headers=[{_headers(want.get('headers'))}] "
                    f"but was {_actual_text(reader, got)}"
                )
    return None


def _same(want: dict[str, Any], got: LogRecord, reader: _Reader, *, lenient_time: bool) -> bool:
    try:
        key, window = reader.key(got)
        value = reader.value(got)
    except SerializationError:
        return False
    expected_window = want.get("window")
    if expected_window is not None and window != (
        int(expected_window["start"]),
        int(expected_window["end"]),
    ):
        return False
    if not matches(want.get("key"), key, reader.key_type()):
        return False
    if not matches(want.get("value"), value, reader.value_type()):
        return False
    if len(want.get("headers") or []) != len(got.headers):
        return False
    if "timestamp" in want:
        stamp = int(want["timestamp"])
        return (lenient_time and stamp == 0) or stamp == got.timestamp
    return True


def _actual_text(reader: _Reader, record: LogRecord) -> str:
    try:
        key, window = reader.key(record)
        key_text = _json(key)
        if window is not None:
            key_text = f"[{key_text}@{window[0]}/{window[1]}]"
        value_text = _json(reader.value(record))
    except SerializationError as exc:
        key_text, value_text = "?", f"<undecodable: {exc.message}>"
    headers = ", ".join(f"{{KEY={k},VALUE={_b64(v)}}}" for k, v in record.headers)
    return f"<{key_text}, {value_text}> with timestamp={record.timestamp} and headers=[{headers}]"


def _headers(raw: Any) -> str:
    return ", ".join(f"{{KEY={h.get('KEY')},VALUE={h.get('VALUE')}}}" for h in raw or [])


def _b64(value: bytes | None) -> str:
    import base64

    return "null" if value is None else base64.b64encode(value).decode("ascii")


def _json(value: Any) -> str:
    """A key or value as compact JSON (rows as objects), as the expected side prints."""
    try:
        return dumps(_plain(value))
    except SerializationError:
        return repr(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return _b64(bytes(value))
    if isinstance(value, (str, int, float, decimal.Decimal)) or value is None:
        return value
    return str(value)
