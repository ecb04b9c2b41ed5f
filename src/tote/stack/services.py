"""The static table of the stack's HTTP services: how each is started, found and checked.

A service is one row here: its name (which is also the `tote serve <name>` sub-command),
the `Config` field holding its port (`TOTE_<FIELD>`, tote.toml, and the `--<field>` flag
of `tote up`), the seed host name it replaces, the path that answers 200 once it is
ready, and `available`, False until its `tote serve` command exists. `tote up` lists
unavailable services as "not built yet" and starts only the others. Every row below
already has its Config field and flag, so turning a service on is `available=True`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    """One `tote serve <name>` service of the stack (DESIGN §2)."""

    name: str
    port_field: str  # the Config attribute, e.g. "registry_port"
    seed_host: str | None  # its Docker host name in the seed's configs, if any
    health_path: str  # GET answers 200 once the service has replayed its state
    available: bool  # False until `tote serve <name>` exists

    @property
    def port_flag(self) -> str:
        return "--" + self.port_field.replace("_", "-")

    @property
    def port_env(self) -> str:
        return "TOTE_" + self.port_field.upper()


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("schema-registry", "registry_port", "schema-registry", "/", True),
    ServiceSpec("rest-proxy", "proxy_port", "rest-proxy", "/topics", True),
    ServiceSpec("connect", "connect_port", "connect", "/", True),
    ServiceSpec("ksqldb", "ksqldb_port", "ksqldb-server", "/healthcheck", True),
    ServiceSpec("ui", "ui_port", None, "/", True),
    ServiceSpec("tote", "tote_port", None, "/healthcheck", True),
)

# Not an HTTP service: the embedded PostgreSQL (or the database `--db-url` names).
DATABASE = "postgres"
DATABASE_SEED_HOST = "db"
# The seed's database, user and password (docker-compose + connect-jdbc-sink.json).
SEED_DATABASE = "totebets"
SEED_USER = "postgres"
SEED_PASSWORD = "example"


def service_names() -> tuple[str, ...]:
    """Every service `tote logs` knows: the table, the database and the supervisor itself."""
    return (*(s.name for s in SERVICES), DATABASE, "supervisor")


def find_service(name: str) -> ServiceSpec | None:
    return next((s for s in SERVICES if s.name == name), None)
