"""Errors of the intake, with Confluent-style codes (the HTTP status is the first three digits).

A bet the sequencer refuses, or a command it did not answer in time, is not an error here
but an outcome (`outcomes.py`): these are requests the intake cannot even put on the log.
"""

from __future__ import annotations

from tote.core.errors import BadRequest, NotFound, ToteError, Unprocessable


class MalformedRequest(BadRequest):
    """A body that is not JSON at all."""

    error_code = 40001


class InvalidRequest(Unprocessable):
    """JSON of the wrong shape: a missing field, a wrong type, an id that cannot be."""

    error_code = 42200


class RaceNotFound(NotFound):
    error_code = 40401

    def __init__(self, race_id: str) -> None:
        super().__init__(f"Race {race_id} not found.")


class IntakeStopping(ToteError):
    error_code = 50302

    def __init__(self) -> None:
        super().__init__("The tote service is shutting down; retry against another instance.")


class ServiceFailed(ToteError):
    """The service cannot decide commands any more and is going down (to be restarted)."""

    error_code = 50303

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The tote service stopped: {reason.rstrip('.')}. A command already sent may still be "
            "sequenced once it restarts: retry a bet with the same idempotency_key."
        )
