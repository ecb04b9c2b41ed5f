"""Running REST QTT cases against a ksqlDB server over HTTP (README §9.2).

Each case gets a fresh log, registry and `KsqlServer`, mounted on an HTTP host the
caller provides (`Host`: the CLI and the tests serve `tote.http.ksql_api`; this package
stays below the HTTP layer). The admin statements go to `/ksql` in one request, the
inputs are produced, the runner waits until the persistent queries have consumed them,
then each query goes to `/query`; responses, errors and output topics are checked.
With `inputConditions.waitForActivePushQuery` the inputs are produced instead while
the (single) query runs, once its header has arrived, as upstream does.
A case with `testPullWithProtoFormat` asks each query again on `/query-stream` in
protobuf and checks those answers against its `queryProto` responses.

An expected error is checked as ksqlDB's RestTestExecutor checks it: against the first
refused request, or as missing when queries all succeeded. A case with no query whose
admin request succeeds is judged on its responses and outputs alone, as upstream.
"""

from __future__ import annotations

import base64
import decimal
import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import httpx

from tote.core.clock import ManualClock
from tote.core.errors import ToteError
from tote.core.records import Record, TopicPartition
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.functions import FunctionRegistry, default_functions
from tote.sql.qtt import environment
from tote.sql.qtt.outputs import OutputMismatch, check_outputs
from tote.sql.qtt.report import FileReport, Report
from tote.sql.qtt.runner import CaseResult, Outcome
from tote.sql.qtt.specs import UnsupportedSpec, encode_spec
from tote.sql.qtt.udfs import with_test_functions
from tote.sql.qtt_rest.cases import RestCase, expand_rest
from tote.sql.qtt_rest.matching import Mismatch, partial, query_messages
from tote.sql.qtt_rest.proto_rows import MEDIA_TYPE as PROTO_MEDIA_TYPE
from tote.sql.qtt_rest.proto_rows import proto_messages
from tote.sql.server import KsqlServer

STATEMENT_ERROR = "io.confluent.ksql.rest.entity.KsqlStatementErrorMessage"
SERVICE_ID = "some.ksql.service.id"
QUERY_TIMEOUT = 30.0
# The server configuration of ksqlDB's REST QTT harness that changes answers.
SERVER_PROPERTIES = {"auto.offset.reset": "earliest", "ksql.query.push.v2.enabled": "true"}
CONSUME_TIMEOUT = 30.0


class Host(Protocol):
    """An HTTP server whose ksqlDB app can be replaced between cases."""

    @property
    def url(self) -> str: ...

    def mount(self, server: KsqlServer) -> None: ...


class _Run:
    def __init__(self, case: RestCase, functions: FunctionRegistry, host: Host) -> None:
        self.case = case
        self.host = host
        log = environment.CaseLog()
        registry = Registry(log, default_compatibility="NONE")
        registry.start()
        engine = Engine(log, registry, functions=functions, service_id=SERVICE_ID,
                        properties=SERVER_PROPERTIES)
        self.env = environment.Environment(log, registry, engine, ManualClock(0))
        self.server = KsqlServer(log, registry, engine=engine)
        self.properties = {k: v if isinstance(v, str) else json.dumps(v)
                           for k, v in case.qtt.properties.items()}

    def close(self) -> None:
        self.server.close()
        self.env.registry.close()
        self.env.log.close()

    def result(self, outcome: Outcome, reason: str = "") -> CaseResult:
        return CaseResult(self.case.qtt, outcome, reason)

    def run(self) -> CaseResult:
        case = self.case
        qtt = case.qtt
        admin, queries = case.split()
        record_topics = sorted({r["topic"] for r in qtt.inputs + qtt.outputs})
        try:
            environment.setup_topics(self.env, list(qtt.topics), list(qtt.statements),
                                     record_topics)
        except ToteError as exc:
            return self.result(Outcome.FAILED, f"topic setup failed: {exc.message}")
        self.server.start()
        self.host.mount(self.server)
        with httpx.Client(base_url=self.host.url, timeout=QUERY_TIMEOUT) as client:
            actual: list[dict[str, Any]] = []
            if admin:
                response = client.post("/ksql", json={"ksql": "\n".join(admin),
                                                      "streamsProperties": self.properties})
                body = _parse(response.content)
                if response.status_code != 200:
                    return self._error(response.status_code, body, admin[-1])
                actual.extend({"admin": e} for e in body)
            # waitForActivePushQuery: the inputs go in once the first query runs.
            live = bool(case.input_conditions.get("waitForActivePushQuery")) and \
                bool(queries)
            if not live:
                try:
                    self._produce()
                except UnsupportedSpec as exc:
                    return self.result(Outcome.SKIPPED, f"unsupported input: {exc}")
            if queries or case.responses:
                self._wait_consumed()
            succeeded = False
            for index, text in enumerate(queries):
                try:
                    status, messages = (self._query_live(client, text) if live and index == 0
                                        else self._query(client, text))
                except UnsupportedSpec as exc:
                    return self.result(Outcome.SKIPPED, f"unsupported input: {exc}")
                if status != 200:
                    return self._error(status, messages, text, succeeded)
                succeeded = True
                actual.append({"query": messages})
            if case.proto:  # as upstream: refused queries give no protobuf response
                for text in queries:
                    status, messages = self._query_proto(client, text)
                    if status == 200:
                        actual.append({"queryProto": messages})
        if case.expected_error is not None and queries:
            return self.result(Outcome.FAILED, "expected an error, every request succeeded")
        try:
            self._check_responses(actual)
            if qtt.outputs:
                self._wait_consumed()
                check_outputs(qtt, self.env)
        except (Mismatch, OutputMismatch) as exc:
            return self.result(Outcome.FAILED, str(exc))
        return self.result(Outcome.PASSED)

    def _error(self, status: int, body: Any, statement: str,
               after_success: bool = False) -> CaseResult:
        expected = self.case.expected_error
        if expected is None:
            return self.result(Outcome.FAILED, f"HTTP {status}: {body!r}")
        if after_success:
            return self.result(Outcome.FAILED, "a query succeeded before the expected error")
        problem = _error_problem(expected, status, body, statement)
        if problem:
            return self.result(Outcome.FAILED, problem)
        return self.result(Outcome.PASSED)

    def _produce(self) -> None:
        metastore = self.env.engine.metastore
        registry = self.env.registry
        for spec in self.case.qtt.inputs:
            topic = spec["topic"]
            source = next((s for s in metastore.sources.values() if s.topic == topic), None)
            if source is not None:
                key = encode_spec(spec.get("key"), source, True, registry)
                window = spec.get("window")
                if window is not None and source.window is not None:
                    from tote.sql.codecs import EmptyCodec, WindowedKeyCodec

                    codec = WindowedKeyCodec(EmptyCodec(), source.window)
                    key = (key or b"") + codec.encode((), int(window["start"]),
                                                      int(window["end"]))
                value = encode_spec(spec.get("value"), source, False, registry)
            else:
                key, value = _raw(spec.get("key")), _raw(spec.get("value"))
            headers = tuple((h["KEY"], base64.b64decode(h["VALUE"])
                             if h.get("VALUE") is not None else None)
                            for h in spec.get("headers") or [])
            self.env.log.append(topic, [Record(value, key, headers,
                                               int(spec.get("timestamp", 0)), None)])

    def _wait_consumed(self) -> None:
        """Until every persistent query has read everything on its input partitions."""
        engine = self.env.engine
        log = self.env.log
        deadline = time.monotonic() + CONSUME_TIMEOUT
        pause = threading.Event()
        while time.monotonic() < deadline:
            with engine.lock:
                positions = engine.runtime.positions()
                behind = [tp for tp, pos in positions.items() if pos < _end(log, tp)]
            if not behind:
                return
            pause.wait(0.01)

    def _query(self, client: httpx.Client, text: str) -> tuple[int, Any]:
        response = client.post("/query", json={"ksql": text,
                                               "streamsProperties": self.properties})
        return response.status_code, _parse(response.content)

    def _query_live(self, client: httpx.Client, text: str) -> tuple[int, Any]:
        """Ask a push query and produce the inputs while it runs, as ksqlDB's executor
        does for `waitForActivePushQuery`: once the response's header has arrived and
        the server lists a running push query; then read the response to its end."""
        with client.stream("POST", "/query", json={
                "ksql": text, "streamsProperties": self.properties}) as response:
            chunks = response.iter_bytes()
            body = bytearray(next(chunks, b""))
            if response.status_code == 200:
                self._wait_active_push()
                self._produce()
            deadline = time.monotonic() + QUERY_TIMEOUT  # idle lines keep it open
            for chunk in chunks:
                body.extend(chunk)
                if time.monotonic() > deadline:
                    break
            return response.status_code, _parse(bytes(body))

    def _wait_active_push(self) -> None:
        """Until the server runs a push query (its start offsets are fixed by then)."""
        deadline = time.monotonic() + CONSUME_TIMEOUT
        pause = threading.Event()
        while time.monotonic() < deadline and not self.server.queries.running():
            pause.wait(0.01)

    def _query_proto(self, client: httpx.Client, text: str) -> tuple[int, Any]:
        response = client.post("/query-stream", json={"sql": text,
                                                      "properties": self.properties},
                               headers={"Accept": PROTO_MEDIA_TYPE})
        return response.status_code, _parse(response.content)

    def _check_responses(self, actual: list[dict[str, Any]]) -> None:
        expected = self.case.responses
        if len(actual) < len(expected):
            raise Mismatch(f"expected {len(expected)} responses, got {len(actual)}")
        ordered = bool(self.case.output_conditions.get("verifyOrder"))
        for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
            kind = next(iter(want))
            if kind not in got:
                raise Mismatch(f"response {index}: expected {kind}, got {list(got)}")
            if kind == "query":
                query_messages(want[kind], got[kind], ordered, f"response {index}")
            elif kind == "queryProto":
                proto_messages(want[kind], got[kind], ordered, f"response {index}")
            else:
                partial(want[kind], got[kind], f"response {index}")


def _end(log: Any, tp: TopicPartition) -> int:
    return int(log.describe_topic(tp.topic).partitions[tp.partition].end_offset)


def _parse(content: bytes) -> Any:
    try:
        return json.loads(content, parse_float=decimal.Decimal)
    except ValueError:
        return content.decode("utf-8", errors="replace")


def _raw(value: Any) -> bytes | None:
    if value is None:
        return None
    return (value if isinstance(value, str) else json.dumps(value, default=str)).encode()


def _error_problem(expected: dict[str, Any], status: int, body: Any,
                   statement: str) -> str | None:
    if not isinstance(body, dict):
        return f"expected an error body, got {body!r}"
    wanted_status = expected.get("status")
    if wanted_status is not None and wanted_status != status:
        return f"expected HTTP {wanted_status}, got {status}: {body!r}"
    if expected.get("type") == STATEMENT_ERROR:
        if body.get("@type") != "statement_error":
            return f"expected a statement error, got {body!r}"
        if statement.strip() not in str(body.get("statementText", "")) and \
                str(body.get("statementText", "")).strip() not in statement:
            return f"statement text {body.get('statementText')!r} is not {statement!r}"
    message = expected.get("message")
    if message is not None and message not in str(body.get("message", "")):
        return f"message {body.get('message')!r} does not contain {message!r}"
    return None


def run_case(case: RestCase, functions: FunctionRegistry, host: Host) -> CaseResult:
    run = _Run(case, functions, host)
    try:
        return run.run()
    except (httpx.HTTPError, ToteError) as exc:
        return CaseResult(case.qtt, Outcome.FAILED, f"{type(exc).__name__}: {exc}")
    finally:
        run.close()


def run_rest_files(paths: Sequence[Path], host: Host, *, name_filter: str | None = None,
                   functions: FunctionRegistry | None = None) -> Report:
    shared = with_test_functions(functions or default_functions())
    files = []
    for path in paths:
        report = FileReport(path.name)
        for case in expand_rest(path):
            if name_filter and name_filter not in case.id:
                continue
            report.results.append(run_case(case, shared, host))
        files.append(report)
    return Report(files)
