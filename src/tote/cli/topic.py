"""`tote topic` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="topic commands.", no_args_is_help=True)
