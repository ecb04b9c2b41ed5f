"""What can go wrong running the stack, as one-line user errors (no tracebacks)."""

from __future__ import annotations

from tote.core.errors import BadRequest, Conflict, ToteError


class StackError(ToteError):
    """The stack could not start, stop or be inspected."""

    error_code = 50003


class PortInUse(Conflict):
    """A service's port is taken by another program."""

    error_code = 40905


class StackRunning(Conflict):
    """A supervisor already runs on this data dir."""

    error_code = 40906


class StackConfigError(BadRequest):
    """Flags or configuration the stack cannot run with."""

    error_code = 40004


class StackNotRunning(ToteError):
    """A command needs a running stack and there is none on this data dir."""

    error_code = 50004
