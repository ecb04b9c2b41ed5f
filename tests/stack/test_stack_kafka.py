"""`tote up --backend kafka`: every service is a client of a real Kafka-protocol broker."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from tests.stack.helpers import Stack

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_the_stack_runs_on_kafka(stack_dir: Path, kafka_bootstrap: str) -> None:
    stack = Stack.create(stack_dir)
    done = stack.up("--backend", "kafka", "--bootstrap-servers", kafka_bootstrap)
    try:
        assert done.returncode == 0, done.stderr
        report = stack.status()
        assert (report["backend"], report["aliases"]["broker"]) == ("kafka", kafka_bootstrap)
        assert not (stack.home / "log.db").exists()  # nothing embedded: the log is the broker
        schema = json.dumps({"type": "string"})
        subject = f"stack-kafka-{stack.ports['schema-registry']}-value"
        registered = httpx.post(f"{stack.registry}/subjects/{subject}/versions",
                                json={"schema": schema}, timeout=60).json()
        assert set(registered) == {"id"}
        # The REST proxy (another process) sees the registry's writes through the broker.
        topics = httpx.get(stack.proxy + "/topics", timeout=60).json()
        assert "_schemas" in topics
    finally:
        assert stack.down().returncode == 0
