"""Connect's errors. REST errors carry the HTTP status itself as `error_code` (Connect's
convention, unlike the registry's five-digit codes); task errors say why a task failed.
"""

from __future__ import annotations

from tote.core.errors import ToteError


class ConnectRestError(ToteError):
    """An error the Connect REST API renders as `{"error_code": status, "message": ...}`."""

    error_code = 500


class ConnectorNotFound(ConnectRestError):
    error_code = 404

    def __init__(self, name: str) -> None:
        super().__init__(f"Connector {name} not found")


class TaskNotFound(ConnectRestError):
    error_code = 404

    def __init__(self, name: str, task: int) -> None:
        super().__init__(f"Task {name}-{task} not found")


class ConnectorExists(ConnectRestError):
    error_code = 409

    def __init__(self, name: str) -> None:
        super().__init__(f"Connector {name} already exists")


class StaleConfig(ConnectRestError):
    """A concurrent config change won: the client should retry."""

    error_code = 409

    def __init__(self) -> None:
        super().__init__("Cannot complete request momentarily due to stale configuration "
                         "(typically caused by a concurrent config change)")


class BadRequest(ConnectRestError):
    error_code = 400


class InvalidConnectorConfig(BadRequest):
    """Validation found errors; the message lists them as Connect does."""

    def __init__(self, errors: list[str]) -> None:
        lines = "".join(f"\n{e}" for e in errors)
        super().__init__(
            f"Connector configuration is invalid and contains the following {len(errors)} "
            f"error(s):{lines}\nYou can also find the above list of errors at the endpoint "
            "`/connector-plugins/{connectorType}/config/validate`")
        self.errors = errors


class RequestTimedOut(ConnectRestError):
    error_code = 500

    def __init__(self) -> None:
        super().__init__("Request timed out")


# -- errors inside tasks (never rendered over HTTP; they become FAILED states) ------------


class ConnectException(ToteError):
    """A task cannot go on (Connect's ConnectException): the task FAILS with this message."""

    error_code = 50001


class DataException(ConnectException):
    """A record could not be converted (a converter's DataException)."""


class RetriableException(ConnectException):
    """A transient failure: the same records are tried again after a backoff."""


class ConfigException(ConnectException):
    """A config value is wrong (Connect's ConfigException)."""
