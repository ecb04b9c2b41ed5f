"""The ksqlDB server without HTTP: engine, transient queries, command topic follower."""

from tote.sql.server.follower import CommandFollower, CommandTimeout
from tote.sql.server.server import (
    VERSION,
    CommandStatus,
    KsqlServer,
    QueryEndpointError,
    ServerNotReady,
    StatementFailed,
    TransientTerminated,
)

__all__ = [
    "VERSION",
    "CommandFollower",
    "CommandStatus",
    "CommandTimeout",
    "KsqlServer",
    "QueryEndpointError",
    "ServerNotReady",
    "StatementFailed",
    "TransientTerminated",
]
