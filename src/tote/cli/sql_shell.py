"""The shell behind `tote sql` (prompt_toolkit, the SQL parser): imported only when the
command runs, so every other command starts without them."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from rich.console import Console
from rich.text import Text

from tote.cli import sql as sql_command
from tote.cli.sql_client import KsqlClient, ServerError, Unreachable
from tote.cli.sql_complete import Catalogue, SqlCompleter
from tote.cli.sql_interrupt import StreamInterrupt, ignore, sigint_handler
from tote.cli.sql_render import RowPrinter, render_entity, render_error
from tote.core.errors import SqlError
from tote.sql.ast.commands import (
    DefineVariable,
    RunScript,
    SetProperty,
    UndefineVariable,
    UnsetProperty,
)
from tote.sql.parser import parse_statement
from tote.sql.script import split_statements

_QUERY_START = re.compile(r"^\s*\(?\s*(SELECT|PRINT)\b", re.I)
_PRINT_START = re.compile(r"^\s*PRINT\b", re.I)
_CATALOGUE_CHANGE = re.compile(r"^\s*(CREATE|DROP|TERMINATE|INSERT\s+INTO\s+\w+\s+SELECT)\b",
                               re.I)
_SCHEMA_NAME = re.compile(r"`((?:[^`]|``)*)`")


def header_columns(schema: str) -> list[str]:
    """Column names of a header schema ("`A` INT, `B` STRUCT<`X` INT>") at top level."""
    names: list[str] = []
    depth = 0
    expect_name = True
    position = 0
    while position < len(schema):
        char = schema[position]
        if char == "`":
            match = _SCHEMA_NAME.match(schema, position)
            if match is None:
                break
            if depth == 0 and expect_name:
                names.append(match.group(1).replace("``", "`"))
                expect_name = False
            position = match.end()
            continue
        if char == "<":
            depth += 1
        elif char == ">":
            depth -= 1
        elif char == "," and depth == 0:
            expect_name = True
        position += 1
    return names


@dataclass
class _Streamed:
    """How a streamed statement ended (`Shell._streaming`)."""

    interrupted: bool = False  # Ctrl-C
    failed: bool = False  # an error, already shown


class Shell:
    def __init__(self, client: KsqlClient, console: Console) -> None:
        self.client = client
        self.console = console
        self.properties: dict[str, str] = {}
        self.variables: dict[str, str] = {}
        self.catalogue = Catalogue()
        self.failed = False

    # -- statements --------------------------------------------------------------------------

    def run_text(self, text: str) -> None:
        """Run every statement of `text` in order."""
        try:
            pieces = split_statements(text)
        except SqlError as exc:
            self._error(exc.message, text)
            return
        for piece in pieces:
            statement = piece.text.strip()
            if statement:
                self.run_statement(statement)

    def run_statement(self, text: str) -> None:
        if self._client_side(text):
            return
        if _QUERY_START.match(text):
            # Ctrl-C is handled until the closing lines are out, not only while rows stream.
            with StreamInterrupt().installed() as interrupt:
                if _PRINT_START.match(text):
                    self._print(text, interrupt)
                else:
                    self._query(text, interrupt)
            return
        try:
            with sigint_handler(signal.default_int_handler):  # Ctrl-C gives up waiting
                entities = self.client.ksql(text, self.properties, self.variables)
        except ServerError as exc:
            self._error(exc.message, exc.statement or text)
            for entity in exc.body.get("entities") or []:
                render_entity(self.console, entity)
            return
        except Unreachable as exc:
            self._error(str(exc), "")
            return
        for entity in entities:
            render_entity(self.console, entity)
        if _CATALOGUE_CHANGE.match(text):
            self.catalogue.refresh(self.client)

    def _client_side(self, text: str) -> bool:
        """SET / UNSET / DEFINE / UNDEFINE / RUN SCRIPT, which the shell handles itself."""
        head = text.lstrip().split(None, 1)[0].upper() if text.strip() else ""
        if head not in ("SET", "UNSET", "DEFINE", "UNDEFINE", "RUN"):
            return False
        try:
            statement = parse_statement(text)
        except SqlError as exc:
            self._error(exc.message, text)
            return True
        if isinstance(statement, SetProperty):
            self.properties[statement.name] = str(statement.value)
            self.console.print(f"Successfully changed local property '{statement.name}' to "
                               f"'{statement.value}'.", markup=False)
        elif isinstance(statement, UnsetProperty):
            self.properties.pop(statement.name, None)
            self.console.print(f"Successfully unset local property '{statement.name}'.",
                               markup=False)
        elif isinstance(statement, DefineVariable):
            self.variables[statement.name] = statement.value
        elif isinstance(statement, UndefineVariable):
            self.variables.pop(statement.name, None)
        elif isinstance(statement, RunScript):
            try:
                script = Path(statement.path).read_text(encoding="utf-8")
            except OSError as exc:
                self._error(f"Failed to read file: {statement.path} ({exc.strerror})", "")
                return True
            except UnicodeDecodeError:
                self._error(f"Failed to read file: {statement.path} (not UTF-8 text)", "")
                return True
            self.run_text(script)
        else:
            return False
        return True

    def _query(self, text: str, interrupt: StreamInterrupt) -> None:
        printer: RowPrinter | None = None
        final: str | None = None
        with (
            self._streaming(text, interrupt) as streamed,
            self.client.query(text, self.properties, self.variables, interrupt) as elements,
        ):
            for element in elements:
                if not isinstance(element, dict):
                    continue
                if "header" in element:
                    columns = header_columns(element["header"].get("schema", ""))
                    printer = RowPrinter(self.console, columns)
                elif "row" in element and printer is not None:
                    row = element["row"]
                    printer.row(row.get("columns", []), bool(row.get("tombstone")))
                elif "finalMessage" in element:
                    final = element["finalMessage"]
                elif "errorMessage" in element:
                    self._error(element["errorMessage"].get("message", ""), "")
        if streamed.failed:
            return
        if streamed.interrupted:
            final = "Query terminated"
        if printer is not None:
            count = printer.count
            printer.end(final if final and final != "Query Completed" else
                        f"{count} row{'s' if count != 1 else ''} in set" if final is None
                        else final)

    def _print(self, text: str, interrupt: StreamInterrupt) -> None:
        """PRINT: the server's lines as they come, idle keep-alive lines left out."""
        with (
            self._streaming(text, interrupt) as streamed,
            self.client.print_topic(text, self.properties, interrupt) as lines,
        ):
            for line in lines:
                if line:
                    self.console.print(Text(line))
        if not streamed.failed:
            self.console.print("Topic printing ceased", markup=False)

    @contextmanager
    def _streaming(self, text: str, interrupt: StreamInterrupt) -> Iterator[_Streamed]:
        """Around a statement whose answer streams in (a query, PRINT): Ctrl-C stops it and
        what came so far stands (the stream its socket shut down ends, cut short or not);
        a server error or an unreachable server is shown, and `failed` tells the caller to
        print nothing more."""
        streamed = _Streamed()
        try:
            yield streamed
        except KeyboardInterrupt:
            streamed.interrupted = True
        except ServerError as exc:
            if not interrupt.requested:
                self._error(exc.message, exc.statement or text)
                streamed.failed = True
        except Unreachable as exc:
            if not interrupt.requested:
                self._error(str(exc), "")
                streamed.failed = True
        if interrupt.requested and not streamed.failed:
            streamed.interrupted = True

    def _error(self, message: str, statement: str) -> None:
        self.failed = True
        render_error(self.console, message, statement)

    # -- interactive -------------------------------------------------------------------------

    def interactive(self, history: Path) -> None:
        self.catalogue.refresh(self.client)
        bindings = KeyBindings()

        @bindings.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            buffer = event.current_buffer
            text = buffer.text.strip()
            if not text or text.endswith(";") or text.upper() in ("EXIT", "QUIT", "HELP"):
                buffer.validate_and_handle()
            else:
                buffer.insert_text("\n")

        history.parent.mkdir(parents=True, exist_ok=True)
        session: PromptSession[str] = PromptSession(
            history=FileHistory(str(history)), completer=SqlCompleter(self.catalogue),
            multiline=True, key_bindings=bindings, complete_while_typing=False,
            prompt_continuation=lambda width, line, wrap: "> ".rjust(width))
        with sigint_handler(ignore):
            self._loop(session)
        self.console.print("Exiting tote sql.", markup=False)

    def _loop(self, session: PromptSession[str]) -> None:
        while True:
            try:
                text = session.prompt("ksql> ")
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            command = text.strip().rstrip(";").strip().upper()
            if command in ("EXIT", "QUIT"):
                break
            if command == "HELP":
                self.console.print(sql_command.__doc__ or "", markup=False)
                continue
            self.failed = False
            try:
                self.run_text(text)
            except KeyboardInterrupt:
                continue  # Ctrl-C during a statement ends it, not the shell
