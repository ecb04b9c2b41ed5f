"""`tote ... --help` reads well: every command has a one-line help, and every option's
help is printed whole (Rich reads `[...]` in help text as markup and silently drops it,
which left lines such as `Port to listen on .`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from tote.cli.main import cli

WIDE = {"COLUMNS": "400", "TERMINAL_WIDTH": "400"}  # one table row per option, unwrapped


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the tree (groups included), with the words that invoke it.
    (Typer's own copy of click's classes, hence duck typing: a group has `commands`.)"""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from commands(sub, (*path, name))


ALL = list(commands(typer.main.get_command(cli)))


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("path", "command"), ALL, ids=[" ".join(p) or "tote" for p, _ in ALL])
def test_every_command_has_a_one_line_help(path: tuple[str, ...], command: Any) -> None:
    summary = _flat((command.help or "").strip().split("\n\n")[0])
    assert summary.endswith("."), f"tote {' '.join(path)} has no one-line help"
    assert not summary.lower().endswith(" commands."), summary  # says what they are for


@pytest.mark.parametrize(("path", "command"), ALL, ids=[" ".join(p) or "tote" for p, _ in ALL])
def test_every_help_text_is_printed_whole(path: tuple[str, ...], command: Any) -> None:
    shown = CliRunner().invoke(cli, [*path, "--help"], env=WIDE)
    assert shown.exit_code == 0, shown.output
    page = _flat(shown.output)
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            assert _flat(text) in page, f"{param.name}: {text!r} is not in\n{shown.output}"
    assert not re.search(r"\s\.(\s|$)", page), shown.output  # a sentence lost its words
