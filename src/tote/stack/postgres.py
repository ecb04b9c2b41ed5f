"""The stack's PostgreSQL: the embedded server (`tote.embedded.postgres`) as a supervised member.

`tote up` creates the seed's database `totebets`, owned by user `postgres` with password
`example`, on the plan's port. The server is a daemon (`pg_ctl start`), not a child: it
is watched through the pid in `postmaster.pid`, restarted by the same policy as the
services, and stopped with `pg_ctl stop -m fast`. If a supervisor is SIGKILLed the
server outlives it; the next `tote up` adopts it and `tote down` stops it.
"""

from __future__ import annotations

from pathlib import Path

from tote.embedded.postgres import EmbeddedPostgres, EmbeddedPostgresError
from tote.stack.health import tcp_ok
from tote.stack.procs import ProcessRef
from tote.stack.services import DATABASE, SEED_DATABASE, SEED_PASSWORD, SEED_USER

START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0


def embedded_server(pgdata: Path, host: str = "127.0.0.1", port: int | None = None,
                    ) -> EmbeddedPostgres:
    return EmbeddedPostgres(pgdata, host=host, port=port, user=SEED_USER,
                            password=SEED_PASSWORD)


def postmaster(pgdata: Path) -> ProcessRef | None:
    """The running server's process, from its `postmaster.pid` (None if not running)."""
    try:
        first = (pgdata / "postmaster.pid").read_text().splitlines()[0]
        return ProcessRef.of(int(first))
    except (OSError, IndexError, ValueError):
        return None


def stop_embedded(pgdata: Path) -> None:
    """Stop a server left running on `pgdata` (e.g. by a killed supervisor); no-op if none."""
    if postmaster(pgdata) is not None:
        embedded_server(pgdata).stop(STOP_TIMEOUT_S)


class DatabaseServer:
    """The embedded PostgreSQL as a `Member` of the supervisor."""

    name = DATABASE

    def __init__(self, pgdata: Path, host: str, port: int) -> None:
        self.pgdata = pgdata
        self.host = host
        self._server = embedded_server(pgdata, host, port)
        self._error = ""

    @property
    def port(self) -> int:
        """The port it listens on: the planned one, or that of a server it adopted."""
        assert self._server.port is not None
        return self._server.port

    @property
    def log_path(self) -> Path:
        return self._server.log_file

    def launch(self) -> None:
        """Start (or adopt) the server and make sure the seed's database exists."""
        self._error = ""
        pid_file = self.pgdata / "postmaster.pid"
        if pid_file.exists() and postmaster(self.pgdata) is None:
            # The server died (kill -9) and may linger as an unreaped zombie, which pg_ctl
            # takes for a live server. PostgreSQL still refuses to start while any old
            # backend holds its shared memory, so removing the stale file is safe.
            pid_file.unlink(missing_ok=True)
        try:
            self._server.start(START_TIMEOUT_S)
            self._server.create_database(SEED_DATABASE)
        except EmbeddedPostgresError as exc:
            self._error = exc.message.splitlines()[0]

    def alive(self) -> bool:
        ref = postmaster(self.pgdata)
        return ref is not None and not self._error

    def exit_detail(self) -> str:
        return self._error or "the server process exited"

    def ready(self) -> bool:
        return self.alive() and tcp_ok(self.host, self.port)

    def process(self) -> ProcessRef | None:
        return postmaster(self.pgdata)

    def stop(self, timeout_s: float) -> None:
        self._server.stop(timeout_s)
