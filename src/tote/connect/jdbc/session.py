"""One task's database connection: opened with attempts and backoff, reopened after a loss.

Confluent's sink opens its connection with `connection.attempts` tries,
`connection.backoff.ms` apart; a database that stays unreachable fails the task with the
driver's own reason rather than retrying forever. Waits end early when the task is
stopped, so stopping a connector never hangs on a dead database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from tote.connect.errors import ConnectException
from tote.connect.jdbc.config import JdbcSinkConfig
from tote.connect.jdbc.dialect import Dialect
from tote.connect.jdbc.urls import JdbcTarget

_logger = logging.getLogger(__name__)
DEFAULT_CONNECT_TIMEOUT_S = 10


class ConnectionFailed(ConnectException):
    """The database could not be reached (after the given number of attempts)."""


def describe_error(exc: BaseException) -> str:
    """`module.Class: first line of the message`, unwrapping SQLAlchemy's wrapper; a
    connection failure is told in its own words."""
    if isinstance(exc, ConnectionFailed):
        return exc.message
    original = getattr(exc, "orig", None)
    error = original if isinstance(original, BaseException) else exc
    kind = type(error)
    text = str(error).strip().splitlines()
    return f"{kind.__module__}.{kind.__qualname__}: {text[0] if text else ''}".strip()


class DbSession:
    """The connection a task writes through."""

    def __init__(self, dialect: Dialect, target: JdbcTarget, config: JdbcSinkConfig,
                 stopping: threading.Event) -> None:
        self.dialect = dialect
        self.target = target
        self.config = config
        self.stopping = stopping
        timeout = config.login_timeout_s or DEFAULT_CONNECT_TIMEOUT_S
        self.engine: Engine = dialect.engine(target, config.user, config.password, timeout)
        dbapi = self.engine.dialect.loaded_dbapi
        self.integrity_error: type[BaseException] = dbapi.IntegrityError
        self.errors: tuple[type[BaseException], ...] = (SQLAlchemyError, dbapi.Error)
        # What a retry can cure: database errors and failing to reconnect.
        self.retriable: tuple[type[BaseException], ...] = (*self.errors, ConnectionFailed)
        self._conn: Connection | None = None

    def connect(self, attempts: int | None = None) -> Connection:
        """The open connection, opening it with up to `attempts` tries."""
        if self._conn is not None and not self._conn.closed and not self._conn.invalidated:
            return self._conn
        self.discard()
        tries = attempts if attempts is not None else self.config.attempts
        last: BaseException | None = None
        for attempt in range(1, tries + 1):
            try:
                self._conn = self.engine.connect()
                return self._conn
            except self.errors as exc:
                last = exc
                _logger.info("Connection attempt %s/%s to %s failed: %s", attempt, tries,
                             self.target.describe(), describe_error(exc))
                if attempt < tries and self.stopping.wait(self.config.backoff_ms / 1000):
                    break
        reason = describe_error(last) if last is not None else "stopped"
        raise ConnectionFailed(f"Could not connect to {self.target.describe()} after {tries} "
                               f"attempt(s): {reason}")

    def discard(self) -> None:
        """Drop the connection (after an error that may have broken it)."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.invalidate()
            conn.close()
        except self.errors as exc:
            _logger.debug("Closing a broken connection failed: %s", describe_error(exc))

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A driver cursor inside one database transaction (committed on normal exit)."""
        conn = self.connect(attempts=1)
        with conn.begin():
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                yield cursor
            finally:
                cursor.close()

    def driver_connection(self) -> Any | None:
        """The driver's own connection, for a dialect that drives it directly (a whole
        put sent as one query); None inside a transaction."""
        conn = self.connect(attempts=1)
        return None if conn.in_transaction() else conn.connection.dbapi_connection

    def close(self) -> None:
        self.discard()
        self.engine.dispose()
