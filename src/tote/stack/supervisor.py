"""The supervisor: starts the stack, keeps it running, stops all of it on a signal.

One supervisor per data dir (an flock on `stack/supervisor.lock`). It runs in the
foreground `tote up` process or as the detached daemon (`daemon.py`); either way:

1. take the lock, install SIGINT/SIGTERM/SIGHUP handlers (they only set a flag);
2. start the embedded PostgreSQL (or check that `--db-url`'s database answers), so the
   alias table can name its real port, then spawn every available service;
3. wait until every member is ready, restarting crashed ones (`supervised.py`); give up
   with a clear error if one fails for good or the startup timeout passes;
4. supervise until asked to stop, then stop every service at once (`stopping.py`) and,
   once they are all gone, the database, and record `stopped` in the state file.

All progress goes to `logs/supervisor.log` and to `echo` (the terminal, in the foreground).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType

from tote.core.errors import ToteError
from tote.core.host_aliases import HOST_ALIASES_ENV
from tote.stack.errors import StackError, StackRunning
from tote.stack.health import tcp_ok
from tote.stack.members import ServiceProcess, tote_command
from tote.stack.plan import StackPlan, embedded_database_url
from tote.stack.postgres import DatabaseServer
from tote.stack.procs import ProcessRef, SupervisorLock
from tote.stack.services import DATABASE
from tote.stack.state import (
    EXTERNAL,
    FAILED,
    NOT_BUILT,
    PHASE_FAILED,
    PHASE_RUNNING,
    PHASE_STOPPED,
    PHASE_STOPPING,
    RUNNING,
    STOPPED,
    STOPPING,
    ServiceStatus,
    StackState,
    SupervisorInfo,
)
from tote.stack.stopping import stop_together
from tote.stack.supervised import RestartPolicy, Supervised

SERVICE_STOP_TIMEOUT_S = 20.0
DATABASE_STOP_TIMEOUT_S = 60.0
TICK_S = 0.25
INTERRUPTED = 130
# Ctrl-C, `tote down`, and a closed terminal all stop the stack cleanly.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def service_env(plan: StackPlan, base: dict[str, str]) -> dict[str, str]:
    """The environment every service gets: the stack's config and its host alias table."""
    env = dict(base)
    env.update({
        "TOTE_HOME": str(plan.home), "TOTE_BACKEND": plan.backend, "TOTE_HOST": plan.host,
        "TOTE_DB_URL": plan.database.url, HOST_ALIASES_ENV: json.dumps(plan.aliases()),
        "PYTHONUNBUFFERED": "1",
    })
    if plan.bootstrap_servers:
        env["TOTE_BOOTSTRAP_SERVERS"] = plan.bootstrap_servers
    for service in plan.services:
        env[service.spec.port_env] = str(service.port)
    env["TOTE_DB_PORT"] = str(plan.database.port)
    return env


def service_argv(plan: StackPlan, name: str, port: int) -> list[str]:
    argv = [*tote_command(), "serve", name, "--home", str(plan.home),
            "--backend", plan.backend, "--port", str(port)]
    if plan.backend == "kafka":
        argv += ["--bootstrap-servers", plan.bootstrap_servers]
    return argv


class Supervisor:
    def __init__(self, plan: StackPlan, *, detached: bool,
                 echo: Callable[[str], None] | None = None,
                 policy: RestartPolicy | None = None) -> None:
        self.plan = plan
        self.paths = plan.paths
        self.detached = detached
        self._echo = echo
        self._policy = policy or RestartPolicy()
        self._lock = SupervisorLock(self.paths.lock_file)
        self._stop_requested = False
        self._members: list[Supervised] = []
        self._database: Supervised | None = None
        me = ProcessRef.of(os.getpid())
        self.state = StackState(
            home=str(plan.home), backend=plan.backend, bootstrap_servers=plan.bootstrap_servers,
            supervisor=SupervisorInfo(os.getpid(), me.started if me else 0, detached),
            database_url=plan.database.url, aliases=plan.aliases(),
            services=[self._initial_row(s.name) for s in plan.services],
        )
        self.state.services.append(ServiceStatus(
            DATABASE, plan.database.url, plan.database.port, True,
            str(self.paths.pgdata / "postgres.log"),
            state=STOPPED if plan.database.embedded else EXTERNAL))

    def _initial_row(self, name: str) -> ServiceStatus:
        planned = next(s for s in self.plan.services if s.name == name)
        return ServiceStatus(name, planned.url, planned.port, planned.available,
                             str(self.paths.log_file(name)),
                             state=STOPPED if planned.available else NOT_BUILT)

    # -- events and state -----------------------------------------------------------------

    def notify(self, message: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        with self.paths.log_file("supervisor").open("a") as out:
            out.write(f"{stamp} {message}\n")
        if self._echo is not None:
            self._echo(message)

    def save(self) -> None:
        self.state.save(self.paths.state_file)

    def request_stop(self, signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
        self._stop_requested = True

    # -- lifecycle ------------------------------------------------------------------------

    def run(self, on_ready: Callable[[StackState], None] | None = None) -> int:
        """Start, supervise until a signal, stop. 0 after a clean stop, 130 if interrupted
        while starting; raises StackError if the stack could not start."""
        self.paths.make_dirs()
        if not self._lock.acquire():
            raise StackRunning(f"A stack is already running on {self.plan.home}; "
                               f"stop it with `tote down` first.")
        previous = {s: signal.signal(s, self.request_stop) for s in STOP_SIGNALS}
        try:
            self.save()
            self.notify(f"starting the stack on {self.plan.home} (backend {self.plan.backend})")
            if not self._start():
                return INTERRUPTED
            self.state.phase = PHASE_RUNNING
            self.save()
            self.notify("all services are up")
            if on_ready is not None:
                on_ready(self.state)
            self._supervise()
            return 0
        except StackError as exc:
            self.state.phase = PHASE_FAILED
            self.state.error = exc.message
            self.save()
            self.notify(f"failed: {exc.message}")
            raise
        finally:
            self._stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self._lock.release()

    def _start(self) -> bool:
        """Start everything and wait until it is ready; False if a stop was requested."""
        self._start_database()
        if self._stop_requested:
            return False
        env = service_env(self.plan, dict(os.environ))
        for service in self.plan.services:
            if not service.available:
                continue
            row = self.state.service(service.name)
            assert row is not None
            member = ServiceProcess(service.name, service_argv(self.plan, service.name,
                                                               service.port),
                                    env, self.paths.log_file(service.name),
                                    service.url + service.spec.health_path)
            supervised = Supervised(member, row, self._policy, self.notify)
            self._members.append(supervised)
            supervised.start()
        self.save()
        return self._wait_ready()

    def _start_database(self) -> None:
        row = self.state.service(DATABASE)
        assert row is not None
        database = self.plan.database
        if not database.embedded:
            if not tcp_ok(database.host, database.port, timeout_s=5.0):
                raise StackError(f"The database at {database.host}:{database.port} (--db-url) "
                                 f"does not accept connections.")
            return
        server = DatabaseServer(self.paths.pgdata, database.host, database.port)
        row.log = str(server.log_path)
        self._database = Supervised(server, row, self._policy, self.notify)
        self.notify(f"starting PostgreSQL on {database.host}:{database.port}")
        self._database.start()
        if server.alive() and server.port != database.port:  # adopted a running server
            self._use_database_port(server.port)
        self._database.tick()

    def _use_database_port(self, port: int) -> None:
        database = dataclasses.replace(self.plan.database, port=port,
                                       url=embedded_database_url(self.plan.database.host, port))
        self.plan = dataclasses.replace(self.plan, database=database)
        self.state.database_url = database.url
        self.state.aliases = self.plan.aliases()
        row = self.state.service(DATABASE)
        assert row is not None
        row.url, row.port = database.url, port

    def _all(self) -> list[Supervised]:
        return [*([self._database] if self._database else []), *self._members]

    def _tick(self) -> None:
        if any([member.tick() for member in self._all()]):
            self.save()

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.plan.startup_timeout_s
        while not self._stop_requested:
            self._tick()
            members = self._all()
            failed = [m for m in members if m.status.state == FAILED]
            if failed:
                row = failed[0].status
                raise StackError(f"{row.name} did not start: {row.detail} (see {row.log})")
            if all(m.status.state == RUNNING for m in members):
                return True
            if time.monotonic() >= deadline:
                waiting = ", ".join(m.name for m in members if m.status.state != RUNNING)
                raise StackError(f"Timed out after {self.plan.startup_timeout_s:g} s waiting "
                                 f"for {waiting} (see {self.paths.logs_dir})")
            time.sleep(TICK_S)
        return False

    def _supervise(self) -> None:
        while not self._stop_requested:
            self._tick()
            time.sleep(TICK_S)

    def _stop_all(self) -> None:
        if not self._all():
            self.state.phase = PHASE_STOPPED if self.state.phase != PHASE_FAILED else PHASE_FAILED
            self.save()
            return
        if self.state.phase != PHASE_FAILED:
            self.state.phase = PHASE_STOPPING
        for member in self._all():
            member.status.state = STOPPING
        self.save()
        self.notify("stopping the stack")
        stop_together(self._members, SERVICE_STOP_TIMEOUT_S)  # the database after them all
        self.save()
        if self._database is not None:
            try:
                self._database.stop(DATABASE_STOP_TIMEOUT_S)
            except ToteError as exc:
                self.notify(f"PostgreSQL did not stop: {exc.message}")
        if self.state.phase != PHASE_FAILED:
            self.state.phase = PHASE_STOPPED
        self.save()
        self.notify("stopped")
        self._members.clear()
        self._database = None
