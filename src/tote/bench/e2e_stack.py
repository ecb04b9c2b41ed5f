"""The stack `tote bench e2e` measures: a real `tote up` in a temporary data dir, and a
watcher that timestamps each odds row as it becomes visible in PostgreSQL.

The stack runs exactly as a user runs it (`python -m tote up --detach` on free ports,
then the seed's statements and connector through `tote.seed`), so the figures include
every process and hop: REST proxy → log → ksqlDB's five queries → log → Connect's JDBC
sink → PostgreSQL. The watcher polls the odds table with a TID range scan
(`ctid > last seen`), which costs the database a fraction of a millisecond per poll
whatever the table's size; rows are inserted in offset order by one sink task, so the
n-th new row is the odds of the n-th bet posted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

from tote.core.errors import ToteError
from tote.core.listen import free_port
from tote.seed import ODDS_TABLE, SeedClient, load_connector, load_statements

STACK_TIMEOUT_S = 300.0
# Every service of `tote up` gets a free port: one left out would take its default port,
# where another stack (or another bench) may already listen.
SERVICE_FLAGS = {"schema-registry": "--registry-port", "rest-proxy": "--proxy-port",
                 "connect": "--connect-port", "ksqldb": "--ksqldb-port", "ui": "--ui-port",
                 "tote": "--tote-port"}


class E2EBenchError(ToteError):
    error_code = 50001


def _tote(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tote", *args], capture_output=True,
                          text=True, timeout=STACK_TIMEOUT_S, check=False)


class BenchStack:
    """`tote up` on a fresh temporary data dir, with the seed pipeline built; a context
    manager that takes the stack down and deletes the directory on exit."""

    def __init__(self, workdir: Path | None, backend: str, bootstrap_servers: str) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="tote-bench-e2e-", dir=workdir))
        self.home = self.tmp / "home"
        self.backend = backend
        self.bootstrap_servers = bootstrap_servers
        self.urls: dict[str, str] = {}
        self.database_url = ""
        self._up = False

    def __enter__(self) -> BenchStack:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        ports: list[int] = []
        while len(ports) < len(SERVICE_FLAGS) + 1:  # distinct: the OS may repeat one
            if (port := free_port()) not in ports:
                ports.append(port)
        flags = [arg for flag, port in zip(SERVICE_FLAGS.values(), ports, strict=False)
                 for arg in (flag, str(port))]
        if self.backend == "kafka":
            flags += ["--backend", "kafka", "--bootstrap-servers", self.bootstrap_servers]
        self.tmp.chmod(0o755)  # the embedded PostgreSQL may run as another user
        done = _tote("up", "--detach", "--home", str(self.home), "--db-port",
                     str(ports[-1]), *flags)
        self._up = True
        if done.returncode != 0:
            raise E2EBenchError(f"tote up failed: {done.stderr.strip() or done.stdout[-500:]}")
        status = _tote("status", "--json", "--home", str(self.home))
        report: dict[str, Any] = json.loads(status.stdout)
        self.urls = {row["name"]: row["url"] for row in report["services"]}
        self.database_url = report["database_url"]

    def build(self) -> None:
        """The seed's statements and connector, as `tote build` posts them."""
        with SeedClient(ksqldb_url=self.urls["ksqldb"], connect_url=self.urls["connect"]
                        ) as client:
            for result in client.run_statements(load_statements()):
                if not result.ok:
                    raise E2EBenchError(f"{result.step}: {result.detail}")
            created = client.create_connector(load_connector())
            if not created.ok:
                raise E2EBenchError(f"{created.step}: {created.detail}")

    def close(self) -> None:
        if self._up:
            _tote("down", "--home", str(self.home))
            self._up = False
        shutil.rmtree(self.tmp, ignore_errors=True)


class OddsWatcher(threading.Thread):
    """Records the time each new odds row became visible, polling every `poll_s`."""

    def __init__(self, database_url: str, poll_s: float = 0.005) -> None:
        super().__init__(daemon=True, name="odds-watcher")
        self.database_url = database_url
        self.poll_s = poll_s
        self.arrivals: list[float] = []  # perf_counter time of row n (0-based, all rows)
        self.error: str | None = None
        self._halt = threading.Event()
        self._last = "(0,0)"

    @property
    def count(self) -> int:
        return len(self.arrivals)

    def stop(self) -> None:
        self._halt.set()
        self.join(30)

    def run(self) -> None:
        query = (f'SELECT count(*), max(ctid)::text FROM "{ODDS_TABLE}" '
                 f"WHERE ctid > %s::tid")
        try:
            with psycopg.connect(self.database_url, autocommit=True) as conn:
                while not self._halt.is_set():
                    found = conn.execute(query, (self._last,)).fetchone()
                    now = time.perf_counter()
                    if found is not None and found[0]:
                        self.arrivals.extend([now] * int(found[0]))
                        self._last = str(found[1])
                    self._halt.wait(self.poll_s)
        except psycopg.Error as exc:
            self.error = str(exc).strip()

    def wait_for(self, count: int, timeout_s: float) -> bool:
        """Block until `count` rows were seen (True) or the timeout passed (False)."""
        deadline = time.monotonic() + timeout_s
        while self.count < count:
            if self.error is not None or time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True
