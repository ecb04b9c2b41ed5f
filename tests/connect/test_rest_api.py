"""The Connect REST API: status codes, bodies and error bodies as Kafka Connect answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from tests.connect.helpers import JDBC_SINK, bet_schema, produce, register, wait_until

from tote.core.records import TopicPartition
from tote.log.memory import MemoryLog

TASK_CLASS = "io.confluent.connect.jdbc.sink.JdbcSinkTask"


def sink_config(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"connector.class": JDBC_SINK, "topics": "bets",
            "connection.url": f"jdbc:sqlite:{tmp_path / 'sink.db'}", "auto.create": "true",
            **extra}


def create(api: httpx.Client, name: str, config: dict[str, str]) -> httpx.Response:
    return api.post("/connectors", json={"name": name, "config": config})


def states(api: httpx.Client, name: str) -> tuple[str, list[str]]:
    body = api.get(f"/connectors/{name}/status").json()
    return body["connector"]["state"], [t["state"] for t in body["tasks"]]


def written_task_states(log: MemoryLog, name: str, task: int) -> list[str]:
    """Every state the workers wrote for one task to `connect-status`, oldest first."""
    key = f"status-task-{name}-{task}".encode()
    partitions = log.describe_topic("connect-status").spec.partitions
    found = [r for p in range(partitions)
             for r in log.read(TopicPartition("connect-status", p), 0, 100_000)
             if r.key == key and r.value is not None]
    return [json.loads(r.value)["state"] for r in sorted(found, key=lambda r: r.offset)]


def _restarted(states: list[str]) -> bool:
    """A RESTARTING state, then RUNNING again."""
    return "RESTARTING" in states and "RUNNING" in states[states.index("RESTARTING"):]


def wait_states(api: httpx.Client, name: str, connector: str, tasks: list[str]
                ) -> tuple[str, list[str]]:
    return wait_until(lambda: (s := states(api, name)) == (connector, tasks) and s,
                      f"{name} to be {connector} with tasks {tasks}")


def test_root_and_plugins(api: httpx.Client) -> None:
    assert api.get("/").json() == {"version": "7.8.0-ccs", "commit": "tote",
                                   "kafka_cluster_id": "tote"}
    assert api.get("/connector-plugins").json() == [
        {"class": JDBC_SINK, "type": "sink", "version": "10.7.4"}]
    everything = api.get("/connector-plugins", params={"connectorsOnly": "false"}).json()
    assert {"class": "io.confluent.connect.avro.AvroConverter", "type": "converter",
            "version": "3.8.0"} in everything
    definitions = api.get("/connector-plugins/JdbcSinkConnector/config").json()
    url = next(d for d in definitions if d["name"] == "connection.url")
    assert url == {"name": "connection.url", "type": "STRING", "required": True,
                   "default_value": None, "importance": "HIGH",
                   "documentation": url["documentation"], "group": "Connection",
                   "width": "LONG", "display_name": "JDBC URL", "dependents": [], "order": 1}
    missing = api.get("/connector-plugins/com.acme.Nope/config")
    assert (missing.status_code, missing.json()) == (
        404, {"error_code": 404, "message": "Unknown plugin com.acme.Nope."})


def test_create_read_and_conflict(api: httpx.Client, tmp_path: Path) -> None:
    config = sink_config(tmp_path)
    created = create(api, "sink", config)
    assert created.status_code == 201
    assert created.headers["location"] == "/connectors/sink"
    expected = {"name": "sink", "config": {**config, "name": "sink"},
                "tasks": [{"connector": "sink", "task": 0}], "type": "sink"}
    assert created.json() == expected
    again = create(api, "sink", config)
    assert (again.status_code, again.json()) == (
        409, {"error_code": 409, "message": "Connector sink already exists"})
    assert api.get("/connectors").json() == ["sink"]
    assert api.get("/connectors/sink").json() == expected
    assert api.get("/connectors/sink/config").json() == {**config, "name": "sink"}
    tasks = api.get("/connectors/sink/tasks").json()
    assert tasks == [{"id": {"connector": "sink", "task": 0},
                      "config": {**config, "name": "sink", "task.class": TASK_CLASS}}]
    wait_states(api, "sink", "RUNNING", ["RUNNING"])
    status = api.get("/connectors/sink/status").json()
    assert status == {"name": "sink",
                      "connector": {"state": "RUNNING", "worker_id": "127.0.0.1:8083"},
                      "tasks": [{"id": 0, "state": "RUNNING", "worker_id": "127.0.0.1:8083"}],
                      "type": "sink"}
    assert api.get("/connectors/sink/tasks/0/status").json() == {
        "id": 0, "state": "RUNNING", "worker_id": "127.0.0.1:8083"}
    expanded = api.get("/connectors", params=[("expand", "status"), ("expand", "info")]).json()
    assert expanded == {"sink": {"status": status, "info": expected}}
    assert api.get("/connectors", params={"expand": "info"}).json() == {
        "sink": {"info": expected}}


def test_json_booleans_and_numbers_become_strings(api: httpx.Client, tmp_path: Path) -> None:
    config: dict[str, Any] = {**sink_config(tmp_path), "auto.create": True, "tasks.max": 1}
    created = create(api, "typed", config)
    assert created.status_code == 201
    assert created.json()["config"]["auto.create"] == "true"
    assert created.json()["config"]["tasks.max"] == "1"


def test_put_and_patch_config(api: httpx.Client, tmp_path: Path) -> None:
    config = sink_config(tmp_path)
    made = api.put("/connectors/sink/config", json=config)
    assert (made.status_code, made.headers["location"]) == (201, "/connectors/sink")
    changed = api.put("/connectors/sink/config", json={**config, "batch.size": "10"})
    assert changed.status_code == 200
    assert changed.json()["config"]["batch.size"] == "10"
    patched = api.patch("/connectors/sink/config", json={"batch.size": None, "tasks.max": "2"})
    assert patched.status_code == 200
    assert patched.json()["config"] == {**config, "name": "sink", "tasks.max": "2"}
    assert [t["task"] for t in patched.json()["tasks"]] == [0, 1]
    mismatch = api.put("/connectors/sink/config", json={**config, "name": "other"})
    assert (mismatch.status_code, mismatch.json()) == (400, {
        "error_code": 400, "message": "Connector name configuration (other) doesn't match "
                                      "connector name in the URL (sink)"})
    unknown = api.patch("/connectors/nope/config", json={"tasks.max": "2"})
    assert (unknown.status_code, unknown.json()) == (
        404, {"error_code": 404, "message": "Connector nope not found"})


def test_pause_resume_stop(api: httpx.Client, tmp_path: Path) -> None:
    assert create(api, "sink", sink_config(tmp_path)).status_code == 201
    wait_states(api, "sink", "RUNNING", ["RUNNING"])
    paused = api.put("/connectors/sink/pause")
    assert (paused.status_code, paused.content) == (202, b"")
    wait_states(api, "sink", "PAUSED", ["PAUSED"])
    assert api.put("/connectors/sink/resume").status_code == 202
    wait_states(api, "sink", "RUNNING", ["RUNNING"])
    assert api.put("/connectors/sink/stop").status_code == 202
    wait_states(api, "sink", "STOPPED", [])
    assert api.get("/connectors/sink/tasks").json() == []
    assert api.put("/connectors/sink/resume").status_code == 202
    wait_states(api, "sink", "RUNNING", ["RUNNING"])


def test_restart(api: httpx.Client, log: MemoryLog, tmp_path: Path) -> None:
    assert create(api, "sink", sink_config(tmp_path)).status_code == 201
    wait_states(api, "sink", "RUNNING", ["RUNNING"])
    plain = api.post("/connectors/sink/restart")
    assert (plain.status_code, plain.content) == (204, b"")
    before = len(written_task_states(log, "sink", 0))
    planned = api.post("/connectors/sink/restart", params={"includeTasks": "true"})
    assert planned.status_code == 202
    assert planned.json() == {
        "name": "sink", "connector": {"state": "RESTARTING", "worker_id": "127.0.0.1:8083"},
        "tasks": [{"id": 0, "state": "RESTARTING", "worker_id": "127.0.0.1:8083"}],
        "type": "sink"}
    # As in Connect, the worker carries the restart out after answering with the plan:
    # the status says RUNNING again only once the task went through RESTARTING.
    wait_until(lambda: _restarted(written_task_states(log, "sink", 0)[before:]),
               "the worker to restart the task")
    wait_states(api, "sink", "RUNNING", ["RUNNING"])
    only_failed = api.post("/connectors/sink/restart",
                           params={"includeTasks": "true", "onlyFailed": "true"})
    assert only_failed.status_code == 202
    assert states(api, "sink") == ("RUNNING", ["RUNNING"])
    assert [only_failed.json()["connector"]["state"],
            only_failed.json()["tasks"][0]["state"]] == ["RUNNING", "RUNNING"]
    assert api.post("/connectors/sink/tasks/0/restart").status_code == 204
    wait_states(api, "sink", "RUNNING", ["RUNNING"])
    missing = api.post("/connectors/sink/tasks/3/restart")
    assert (missing.status_code, missing.json()) == (
        404, {"error_code": 404, "message": "Task sink-3 not found"})


def test_delete(api: httpx.Client, tmp_path: Path) -> None:
    assert create(api, "sink", sink_config(tmp_path)).status_code == 201
    deleted = api.delete("/connectors/sink")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert api.get("/connectors").json() == []
    for method, path in (("GET", "/connectors/sink"), ("GET", "/connectors/sink/status"),
                         ("GET", "/connectors/sink/config"), ("DELETE", "/connectors/sink"),
                         ("PUT", "/connectors/sink/pause"), ("GET", "/connectors/sink/topics"),
                         ("GET", "/connectors/sink/offsets")):
        answer = api.request(method, path)
        assert (answer.status_code, answer.json()) == (
            404, {"error_code": 404, "message": "Connector sink not found"}), path


def test_topics_and_offsets(api: httpx.Client, log: MemoryLog, tmp_path: Path) -> None:
    schema = bet_schema()
    schema_id = register(log, "bets-value", schema)
    log.create_topic("bets", partitions=2)
    produce(log, "bets", schema_id, schema,
            [{"RUNNER_ID": i, "RACE_ID": 1, "AMOUNT": 2.0} for i in range(5)], partition=0)
    produce(log, "bets", schema_id, schema,
            [{"RUNNER_ID": i, "RACE_ID": 2, "AMOUNT": 2.0} for i in range(3)], partition=1)
    assert create(api, "sink", sink_config(tmp_path)).status_code == 201
    wanted = {"offsets": [
        {"partition": {"kafka_topic": "bets", "kafka_partition": 0},
         "offset": {"kafka_offset": 5}},
        {"partition": {"kafka_topic": "bets", "kafka_partition": 1},
         "offset": {"kafka_offset": 3}}]}
    wait_until(lambda: api.get("/connectors/sink/offsets").json() == wanted, "offsets 5 and 3")
    assert api.get("/connectors/sink/topics").json() == {"sink": {"topics": ["bets"]}}
    assert api.put("/connectors/sink/topics/reset").status_code == 202
    assert api.get("/connectors/sink/topics").json() == {"sink": {"topics": []}}
    body = {"offsets": [{"partition": {"kafka_topic": "bets", "kafka_partition": 0},
                         "offset": {"kafka_offset": 1}}]}
    running = api.patch("/connectors/sink/offsets", json=body)
    assert (running.status_code, running.json()) == (400, {
        "error_code": 400,
        "message": "Connectors must be in the STOPPED state before their offsets can be "
                   "modified. This can be done for the specified connector by issuing a 'PUT' "
                   "request to the '/connectors/sink/stop' endpoint"})
    assert api.put("/connectors/sink/stop").status_code == 202
    wait_states(api, "sink", "STOPPED", [])
    altered = api.patch("/connectors/sink/offsets", json=body)
    assert (altered.status_code, altered.json()) == (
        200, {"message": "The offsets for this connector have been altered successfully"})
    assert api.get("/connectors/sink/offsets").json()["offsets"][0] == body["offsets"][0]
    empty = api.patch("/connectors/sink/offsets", json={"offsets": []})
    assert (empty.status_code, empty.json()) == (400, {
        "error_code": 400,
        "message": "Partitions / offsets need to be provided for an alter offsets request"})
    reset = api.delete("/connectors/sink/offsets")
    assert (reset.status_code, reset.json()) == (
        200, {"message": "The offsets for this connector have been reset successfully"})
    assert api.get("/connectors/sink/offsets").json() == {"offsets": []}


def test_bad_requests(api: httpx.Client, tmp_path: Path) -> None:
    not_json = api.post("/connectors", content=b"{nope",
                        headers={"content-type": "application/json"})
    assert not_json.status_code == 400
    assert not_json.json()["message"].startswith("Request body is not valid JSON: ")
    no_class = create(api, "x", {"topics": "a"})
    assert (no_class.status_code, no_class.json()) == (400, {
        "error_code": 400, "message": 'Connector config {"topics":"a","name":"x"} contains no '
                                      "connector type"})
    unknown = create(api, "x", {"connector.class": "com.acme.Nope", "topics": "a"})
    assert (unknown.status_code, unknown.json()) == (400, {
        "error_code": 400,
        "message": "Failed to find any class that implements Connector and which name matches "
                   f"com.acme.Nope, available connectors are: {JDBC_SINK}"})
    invalid = create(api, "x", {"connector.class": "JdbcSink", "tasks.max": "0",
                                "insert.mode": "merge"})
    assert (invalid.status_code, invalid.json()) == (400, {
        "error_code": 400,
        "message": "Connector configuration is invalid and contains the following 5 "
                   "error(s):\nInvalid value 0 for configuration tasks.max: Value must be at "
                   "least 1\nMust configure one of topics or topics.regex\nMust configure one "
                   "of topics or topics.regex\nMissing required configuration "
                   "\"connection.url\" which has no default value.\nInvalid value merge for "
                   "configuration insert.mode: Invalid enumerator\nYou can also find the above "
                   "list of errors at the endpoint "
                   "`/connector-plugins/{connectorType}/config/validate`"})
    assert api.get("/connectors").json() == []
    assert api.get("/nope").json() == {"error_code": 404, "message": "HTTP 404 Not Found"}


def test_initial_state(api: httpx.Client, tmp_path: Path) -> None:
    stopped = api.post("/connectors", json={"name": "later", "config": sink_config(tmp_path),
                                            "initial_state": "STOPPED"})
    assert (stopped.status_code, stopped.json()["tasks"]) == (201, [])
    wait_states(api, "later", "STOPPED", [])
    paused = api.post("/connectors", json={"name": "held", "config": sink_config(tmp_path),
                                           "initial_state": "PAUSED"})
    assert paused.status_code == 201
    wait_states(api, "held", "PAUSED", ["PAUSED"])
    bad = api.post("/connectors", json={"name": "x", "config": sink_config(tmp_path),
                                        "initial_state": "SLEEPING"})
    assert (bad.status_code, bad.json()) == (400, {
        "error_code": 400,
        "message": "Invalid initial_state SLEEPING: expected one of RUNNING, PAUSED, STOPPED"})
