"""Two `tote serve schema-registry` processes on one sqlite data dir behave as one registry."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from tests.registry.schemas import avro_record

from tote.core.listen import free_port

STARTUP_S = 90.0
pytestmark = pytest.mark.slow


class Service:
    def __init__(self, home: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        tote = Path(sys.executable).parent / "tote"
        self.log_path = home / f"registry-{self.port}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(tote), "serve", "schema-registry", "--port", str(self.port),
             "--home", str(home), "--backend", "sqlite"],
            stdout=self._log, stderr=subprocess.STDOUT,
            env={**os.environ, "TOTE_CONFIG": str(home / "absent.toml")})

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"registry exited: {self.log_path.read_text()}")
            try:
                if httpx.get(self.url + "/", timeout=2.0).json() == {}:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"registry not ready: {self.log_path.read_text()}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(30)
        self._log.close()
        return code


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Service, Service]]:
    a, b = Service(tmp_path), Service(tmp_path)
    try:
        a.wait_ready()
        b.wait_ready()
        yield a, b
    finally:
        codes = (a.stop(), b.stop())
    assert codes == (0, 0), (a.log_path.read_text(), b.log_path.read_text())


def test_a_write_on_one_process_is_read_at_once_on_the_other(
        pair: tuple[Service, Service]) -> None:
    a, b = pair
    with httpx.Client(base_url=a.url, timeout=30) as on_a, \
            httpx.Client(base_url=b.url, timeout=30) as on_b:
        for n in range(10):
            schema = avro_record(f"R{n}", ("f", "int"))
            writer, reader = (on_a, on_b) if n % 2 == 0 else (on_b, on_a)
            registered = writer.post(f"/subjects/s{n}/versions", json={"schema": schema}).json()
            assert registered == {"id": n + 1}
            got = reader.get(f"/subjects/s{n}/versions/latest")
            assert got.status_code == 200, got.text
            assert got.json() == {"subject": f"s{n}", "version": 1, "id": n + 1,
                                  "schema": schema}
        writer.put("/config/s0", json={"compatibility": "NONE"})
        assert on_b.get("/config/s0").json() == {"compatibilityLevel": "NONE"}
        on_b.delete("/subjects/s1")
        assert "s1" not in on_a.get("/subjects").json()


def test_concurrent_registrations_on_both_never_collide(pair: tuple[Service, Service]) -> None:
    a, b = pair
    schemas = [avro_record(f"C{n}", ("f", "int")) for n in range(30)]

    def register(n: int) -> tuple[int, int]:
        url = (a if n % 2 else b).url
        response = httpx.post(f"{url}/subjects/c{n}/versions", json={"schema": schemas[n]},
                              timeout=60)
        assert response.status_code == 200, response.text
        return n, response.json()["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assigned = dict(pool.map(register, range(30)))
    assert sorted(assigned.values()) == list(range(1, 31))
    for service in (a, b):
        for n, schema_id in assigned.items():
            got = httpx.get(f"{service.url}/schemas/ids/{schema_id}", timeout=30).json()
            assert got == {"schema": schemas[n]}
    # The same schema registered on both at once under one subject is one version, one id.
    same = avro_record("Same", ("f", "int"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(
            lambda n: httpx.post(f"{(a if n % 2 else b).url}/subjects/same/versions",
                                 json={"schema": same}, timeout=60).json()["id"], range(8)))
    assert ids == {31}
    assert httpx.get(f"{a.url}/subjects/same/versions").json() == [1]


def test_a_restarted_process_replays_before_answering(tmp_path: Path) -> None:
    first = Service(tmp_path)
    first.wait_ready()
    for n in range(20):
        httpx.post(f"{first.url}/subjects/r{n}/versions",
                   json={"schema": avro_record(f"R{n}", ("f", "int"))}, timeout=30)
    assert first.stop() == 0
    second = Service(tmp_path)
    try:
        second.wait_ready()
        assert httpx.get(f"{second.url}/subjects").json() == sorted(f"r{n}" for n in range(20))
        assert httpx.get(f"{second.url}/schemas/ids/20").json() == {
            "schema": avro_record("R19", ("f", "int"))}
    finally:
        assert second.stop() == 0


def test_a_registry_that_cannot_start_exits_with_an_error(tmp_path: Path) -> None:
    from tote.log.sqlite import SqliteLog

    with SqliteLog(tmp_path / "log.db") as log:
        log.create_topic("_schemas", 2)
    service = Service(tmp_path)
    code = service.process.wait(STARTUP_S)
    service.stop()
    assert code != 0
    assert ("The schema topic _schemas should have only 1 partition but has 2."
            in service.log_path.read_text())
