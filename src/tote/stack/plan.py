"""What `tote up` will run: resolved ports, URLs, database and alias table, checked up front.

The plan is computed once, in the `tote up` process, from `Config` (flags, `TOTE_*`,
tote.toml). Port conflicts and bad flags fail here, before anything starts, as one clear
line. The plan is plain data: the detached supervisor reads it back from
`<home>/stack/plan.json` rather than resolving the configuration again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tote.core.config import Config
from tote.core.listen import dial_host, free_port, host_port
from tote.stack.errors import PortInUse, StackConfigError
from tote.stack.paths import StackPaths
from tote.stack.ports import claim_port, port_is_free
from tote.stack.services import (
    DATABASE_SEED_HOST,
    SEED_DATABASE,
    SEED_PASSWORD,
    SEED_USER,
    SERVICES,
    ServiceSpec,
    find_service,
)

STACK_BACKENDS = ("sqlite", "kafka")
DEFAULT_STARTUP_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class PlannedService:
    name: str
    port: int
    available: bool
    url: str

    @property
    def spec(self) -> ServiceSpec:
        spec = find_service(self.name)
        assert spec is not None, self.name
        return spec


@dataclass(frozen=True)
class DatabasePlan:
    """The sink database: embedded PostgreSQL on `port`, or the one `--db-url` names."""

    embedded: bool
    url: str
    host: str
    port: int


@dataclass(frozen=True)
class StackPlan:
    home: Path
    backend: str
    bootstrap_servers: str
    host: str
    services: tuple[PlannedService, ...]
    database: DatabasePlan
    startup_timeout_s: float = DEFAULT_STARTUP_TIMEOUT_S

    @property
    def paths(self) -> StackPaths:
        return StackPaths.of(self.home)

    def aliases(self) -> dict[str, str]:
        """The host alias table (see `tote.core.host_aliases`) for this stack's endpoints."""
        table = {DATABASE_SEED_HOST: host_port(self.database.host, self.database.port)}
        for service in self.services:
            seed_host = service.spec.seed_host
            if service.available and seed_host is not None:
                table[seed_host] = host_port(dial_host(self.host), service.port)
        if self.backend == "kafka":
            table["broker"] = self.bootstrap_servers
        return table

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["home"] = str(self.home)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StackPlan:
        return cls(
            home=Path(data["home"]),
            backend=data["backend"],
            bootstrap_servers=data["bootstrap_servers"],
            host=data["host"],
            services=tuple(PlannedService(**s) for s in data["services"]),
            database=DatabasePlan(**data["database"]),
            startup_timeout_s=float(data["startup_timeout_s"]),
        )

    def save(self) -> None:
        self.paths.make_dirs()
        tmp = self.paths.plan_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2))
        tmp.replace(self.paths.plan_file)

    @classmethod
    def load(cls, path: Path) -> StackPlan:
        return cls.from_dict(json.loads(path.read_text()))


def embedded_database_url(host: str, port: int) -> str:
    return f"postgresql://{SEED_USER}:{SEED_PASSWORD}@{host_port(host, port)}/{SEED_DATABASE}"


def _external_database(url: str) -> DatabasePlan:
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise StackConfigError(
            f"--db-url must be a postgresql://user:password@host:port/database URL, not '{url}'."
        )
    return DatabasePlan(embedded=False, url=url, host=parts.hostname, port=parts.port or 5432)


def _check_ports(config: Config) -> dict[str, int]:
    ports: dict[str, int] = {}
    taken_by: dict[int, str] = {}
    for spec in SERVICES:
        port = int(getattr(config, spec.port_field))
        ports[spec.name] = port
        if not spec.available:
            continue
        if port in taken_by:
            raise PortInUse(f"Port {port} is set for both {taken_by[port]} and {spec.name}; "
                            f"change one with {spec.port_flag} (or {spec.port_env}).")
        taken_by[port] = spec.name
        claim_port(config.host, port, spec, spec.port_flag).close()
    return ports


def _database_port(config: Config, used: set[int], previous: int | None) -> int:
    """The configured port if free, else the one used last time, else any free port."""
    host = dial_host(config.host)
    for candidate in (config.db_port, previous):
        if candidate and candidate not in used and port_is_free(host, candidate):
            return candidate
    while True:
        port = free_port(host)
        if port not in used:
            return port


def make_plan(config: Config, *, startup_timeout_s: float = DEFAULT_STARTUP_TIMEOUT_S,
              previous_db_port: int | None = None) -> StackPlan:
    """Check the configuration and ports; choose the database port. Starts nothing."""
    if config.backend not in STACK_BACKENDS:
        raise StackConfigError(
            f"tote up cannot use the {config.backend} backend: its services are separate "
            f"processes sharing the log, so use --backend sqlite or kafka."
        )
    ports = _check_ports(config)
    dial = dial_host(config.host)
    services = tuple(
        PlannedService(spec.name, ports[spec.name], spec.available,
                       f"http://{host_port(dial, ports[spec.name])}")
        for spec in SERVICES
    )
    if config.db_url:
        database = _external_database(config.db_url)
    else:
        used = {s.port for s in services if s.available}
        port = _database_port(config, used, previous_db_port)
        database = DatabasePlan(True, embedded_database_url(dial, port), dial, port)
    return StackPlan(home=StackPaths.of(config.home).home, backend=config.backend,
                     bootstrap_servers=config.bootstrap_servers, host=config.host,
                     services=services, database=database, startup_timeout_s=startup_timeout_s)
