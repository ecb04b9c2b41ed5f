"""How a command reports a user error: `Error: <message>` on stderr and exit code 1, no
traceback (`tote status` shows a service's last such line as the reason it stopped)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from tote.core.errors import ToteError


@contextmanager
def user_errors() -> Iterator[None]:
    """A ToteError becomes `Error: <message>` on stderr and exit code 1."""
    try:
        yield
    except ToteError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        raise typer.Exit(1) from None
