"""Every `tote ...` command line the README and docs/ show names a command and options that
exist, so a reader who copies one gets the command, not a usage error."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main

from tote.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def mentions() -> list[tuple[str, str]]:
    """(file, command line) for inline `tote ...` code and `tote`/`$ tote` lines of blocks."""
    found: list[tuple[str, str]] = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        found += [(doc.name, " ".join(m.split())) for m in re.findall(r"`(tote [^`]+)`", text)]
        in_block = False
        for line in text.splitlines():
            if line.startswith("```"):
                in_block = not in_block
            elif in_block and line.lstrip("$ ").startswith("tote "):
                found.append((doc.name, line.lstrip("$ ").rstrip("\\ ")))
    return found


def _options(command: Any) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}


@pytest.mark.parametrize(("doc", "line"), mentions(), ids=lambda v: str(v)[:60])
def test_the_command_and_its_options_exist(doc: str, line: str) -> None:
    words = shlex.split(line, comments=True)[1:]
    command: Any = typer.main.get_command(cli)
    while words and words[0] in getattr(command, "commands", {}):
        command = command.commands[words.pop(0)]
    if hasattr(command, "commands"):  # a group: what follows must be one of its commands
        assert not words or words[0] == "...", f"{doc}: no command {words[0]!r} in {line!r}"
        return
    for word in words:
        name = word.strip("[]").split("=")[0]
        if name.startswith("-") and name != "-":
            assert name in _options(command), f"{doc}: {line!r}: no option {name}"
